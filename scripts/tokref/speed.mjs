// The reference library's side of scripts/tokref/speed.sh: tokenizes every
// non-blank text of a test data file (JSON list of strings) with a freshly
// loaded tokenizer per run, one text at a time (await encode) or all at
// once (encodeBatch, which uses every core), and prints one line per run:
//
//   node scripts/tokref/speed.mjs <tokenizer.json> <texts.json> <single|batch> <runs> <max-length>
import fs from 'fs';
import { hf } from './lib.mjs';

const [file, textsFile, mode, runsArg, maxArg] = process.argv.slice(2);
const texts = JSON.parse(fs.readFileSync(textsFile, 'utf8')).filter((s) => s.trim() !== '');
const runs = Number(runsArg ?? 5);
const maxLen = Number(maxArg ?? 512);
for (let r = 0; r < runs; r++) {
  const tk = hf.Tokenizer.fromFile(file);
  if (maxLen > 0) tk.setTruncation(maxLen);
  const start = process.hrtime.bigint();
  let tokens = 0;
  if (mode === 'batch') {
    for (const e of await tk.encodeBatch(texts)) tokens += e.getLength();
  } else {
    for (const t of texts) tokens += (await tk.encode(t)).getLength();
  }
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`hf ${mode} ${(texts.length / (ns / 1e9)).toFixed(1)} docs/sec ${(tokens / texts.length).toFixed(2)} tokens/doc`);
}
