// Writes the reference library's offsets (Encoding.getOffsets: character
// offsets into the original text) for a subset of the tokenizers that
// gen.mjs builds and every other non-blank text of texts.json:
//
//   testdata/tokenize/<name>.offsets.jsonl  {"i": index, "offsets": [[start, end], ...]}
//
// Run after gen.mjs (it reads the tokenizer.json files gen.mjs keeps):
//
//   scripts/tokref/install.sh && node scripts/tokref/offsets.mjs
import fs from 'fs';
import path from 'path';
import { hf, root } from './lib.mjs';

const out = path.join(root, 'testdata/tokenize');
const texts = JSON.parse(fs.readFileSync(path.join(out, 'texts.json'), 'utf8'));
const blank = (s) => /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(s);
export const offsetTokenizers = process.env.OFFSET_TOKENIZERS ? process.env.OFFSET_TOKENIZERS.split(',') : ['wordpiece-uncased', 'wordpiece-cased', 'wordpiece-keep-accents', 'wordpiece-whitespace', 'bpe-roberta', 'bpe-gpt2', 'bpe-split-llama3', 'bpe-metaspace-first'];

for (const name of offsetTokenizers) {
  const tk = hf.Tokenizer.fromFile(path.join(out, name + '.json'));
  const lines = [];
  for (let i = 0; i < texts.length; i += 2) {
    if (blank(texts[i])) continue;
    const enc = await tk.encode(texts[i]);
    lines.push(JSON.stringify({ i, offsets: enc.getOffsets() }));
  }
  fs.writeFileSync(path.join(out, name + '.offsets.jsonl'), lines.join('\n') + '\n');
  console.error(`${name}: offsets of ${lines.length} texts`);
}
