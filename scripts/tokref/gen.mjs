// Builds small tokenizers of every family with the reference library
// (Hugging Face tokenizers, Rust, through @anush008/tokenizers), trained on
// part of testdata/tokenize/texts.json, and writes them with the ids the
// library gives for every text:
//
//   testdata/tokenize/<name>.json        the tokenizer.json
//   testdata/tokenize/<name>.ids.jsonl   {"i": index, "ids": [...]} per non-blank text
//   testdata/tokenize/<name>.trunc.jsonl the same, truncated to 24 tokens
//   testdata/tokenize/<name>.fuzz.jsonl  ids of the strings of fuzz.json
//   testdata/tokenize/fixtures/<file>.ids.jsonl  ids of ../shared/fixtures tokenizers
//
// The Precompiled normalizer's charsmap comes from a model trained by
// Debian's sentencepiece (spm_train, apt-get install sentencepiece).
// Training is not deterministic from run to run (ties), so regenerate every
// file together and commit them together: each tokenizer.json is consistent
// with its own reference ids, which is all the tests need. So a tokenizer.json
// already in testdata is kept, and only the ids are made again, unless
// --retrain is given.
//
//   node scripts/tokref/texts.mjs && node scripts/tokref/gen.mjs
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { hf, root } from './lib.mjs';

const out = path.join(root, 'testdata/tokenize');
const texts = JSON.parse(fs.readFileSync(path.join(out, 'texts.json'), 'utf8'));
const fuzz = JSON.parse(fs.readFileSync(path.join(out, 'fuzz.json'), 'utf8'));
const retrain = process.argv.includes('--retrain');
// Blank as Go's strings.TrimSpace sees it.
export const blank = (s) => /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(s);
export const truncLen = 24;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tokref-'));
const corpus = path.join(tmp, 'corpus.txt');
fs.writeFileSync(corpus, texts.filter((_, i) => i % 3 === 0).join('\n') + '\n');

// train trains model with the normalizer and pre-tokenizer and returns the
// saved tokenizer.json as an object.
function train(model, normalizer, preTokenizer) {
  const t = new hf.Tokenizer(model);
  if (normalizer) t.setNormalizer(normalizer);
  if (preTokenizer) t.setPreTokenizer(preTokenizer);
  t.train([corpus]);
  const file = path.join(tmp, 'trained.json');
  t.save(file);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// renumber gives specials the first ids and every other token the next ones,
// in the trained order, adding extra tokens (an alphabet) after them.
function renumber(vocab, specials, extra = []) {
  const v = {};
  for (const s of specials) v[s] = Object.keys(v).length;
  for (const [tok] of Object.entries(vocab).sort((a, b) => a[1] - b[1])) if (!(tok in v)) v[tok] = Object.keys(v).length;
  for (const tok of extra) if (!(tok in v)) v[tok] = Object.keys(v).length;
  return v;
}

const added = (content, id, opts = {}) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...opts });
const bertSpecials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const bertAdded = (v) => bertSpecials.map((s) => added(s, v[s]));
const bertPost = (v) => ({ type: 'BertProcessing', sep: ['[SEP]', v['[SEP]']], cls: ['[CLS]', v['[CLS]']] });
const template = (v, single) => ({
  type: 'TemplateProcessing',
  single: single.map((s) => (s === '$A' ? { Sequence: { id: 'A', type_id: 0 } } : { SpecialToken: { id: s, type_id: 0 } })),
  pair: [...single.map((s) => (s === '$A' ? { Sequence: { id: 'A', type_id: 0 } } : { SpecialToken: { id: s, type_id: 0 } })), { Sequence: { id: 'B', type_id: 1 } }],
  special_tokens: Object.fromEntries(single.filter((s) => s !== '$A').map((s) => [s, { id: s, ids: [v[s]], tokens: [s] }])),
});

const tokenizers = {};

// WordPiece, as BERT: uncased, cased, uncased keeping accents and without
// CJK handling, and bert-wiki's NFD + Lowercase + StripAccents + Whitespace.
for (const [name, opts] of Object.entries({
  'wordpiece-uncased': { lowercase: true },
  'wordpiece-cased': { lowercase: false },
  'wordpiece-keep-accents': { lowercase: true, stripAccents: false, handleChineseChars: false },
})) {
  const j = train(hf.WordPiece.empty(), hf.bertNormalizer(opts), hf.bertPreTokenizer());
  const v = renumber(j.model.vocab, bertSpecials);
  j.model = { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: v };
  j.added_tokens = bertAdded(v);
  j.post_processor = bertPost(v);
  tokenizers[name] = j;
}
{
  // The older format: no "type" in the model, no clean_text.
  const j = structuredClone(tokenizers['wordpiece-cased']);
  delete j.model.type;
  j.normalizer = { type: 'BertNormalizer', clean_text: false, handle_chinese_chars: true, strip_accents: null, lowercase: false };
  tokenizers['wordpiece-old-format'] = j;
}
{
  const norm = hf.sequenceNormalizer([hf.nfdNormalizer(), hf.lowercase(), hf.stripAccentsNormalizer()]);
  const j = train(hf.WordPiece.empty(), norm, hf.whitespacePreTokenizer());
  const v = renumber(j.model.vocab, bertSpecials);
  j.model = { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: v };
  j.added_tokens = bertAdded(v);
  j.post_processor = template(v, ['[CLS]', '$A', '[SEP]']);
  tokenizers['wordpiece-whitespace'] = j;
}

// Byte-level BPE: RoBERTa (and DeBERTa v1) with every byte in the vocabulary;
// GPT-2 style with a prefix space and only the trained characters.
const alphabet = hf.byteLevelAlphabet();
{
  const j = train(hf.BPE.empty(), null, hf.byteLevelPreTokenizer(false, true));
  const v = renumber(j.model.vocab, ['<s>', '<pad>', '</s>', '<unk>'], [...alphabet, '<mask>']);
  j.model.vocab = v;
  j.added_tokens = [...['<s>', '<pad>', '</s>', '<unk>'].map((s) => added(s, v[s])), added('<mask>', v['<mask>'], { lstrip: true })];
  j.post_processor = { type: 'RobertaProcessing', sep: ['</s>', v['</s>']], cls: ['<s>', v['<s>']], trim_offsets: true, add_prefix_space: false };
  j.decoder = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };
  tokenizers['bpe-roberta'] = j;
}
{
  const j = train(hf.BPE.empty(), null, hf.byteLevelPreTokenizer(true, true));
  j.post_processor = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
  tokenizers['bpe-gpt2'] = j;
}

// SentencePiece style: Metaspace with Unigram (DeBERTa v3, XLM-R) and with
// BPE and byte fallback (Llama-like).
{
  const j = train(hf.Unigram.empty(), hf.sequenceNormalizer([hf.nmt(), hf.nfkcNormalizer()]), hf.metaspacePreTokenizer());
  const specials = ['[PAD]', '[CLS]', '[SEP]', '[UNK]'];
  j.model.vocab = [...specials.map((s) => [s, 0]), ...j.model.vocab.filter(([t]) => !specials.includes(t)), ['[MASK]', 0]];
  j.model.unk_id = 3;
  const v = Object.fromEntries(j.model.vocab.map(([t], i) => [t, i]));
  j.normalizer.normalizers.push({ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' });
  j.added_tokens = [...specials, '[MASK]'].map((s) => added(s, v[s]));
  j.post_processor = template(v, ['[CLS]', '$A', '[SEP]']);
  tokenizers['unigram-metaspace'] = j;
  const old = structuredClone(j); // older Metaspace: add_prefix_space instead of prepend_scheme
  old.pre_tokenizer = { type: 'Metaspace', replacement: '▁', add_prefix_space: true };
  tokenizers['unigram-metaspace-old'] = old;
}
{
  const j = train(hf.BPE.empty(), hf.nfkcNormalizer(), hf.metaspacePreTokenizer());
  const bytes = Array.from({ length: 256 }, (_, b) => '<0x' + b.toString(16).toUpperCase().padStart(2, '0') + '>');
  const v = renumber(j.model.vocab, ['<unk>', '<s>', '</s>', ...bytes]);
  Object.assign(j.model, { vocab: v, unk_token: '<unk>', fuse_unk: true, byte_fallback: true });
  j.added_tokens = ['<unk>', '<s>', '</s>'].map((s) => added(s, v[s]));
  j.pre_tokenizer = { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false };
  j.post_processor = template(v, ['<s>', '$A']);
  tokenizers['bpe-metaspace'] = j;
}

// SentencePiece Unigram with its Precompiled normalizer (nmt_nfkc rules), as
// transformers converts XLM-R and DeBERTa v3: the model is trained by
// spm_train, its pieces, scores and charsmap read from the protobuf.
{
  const prefix = path.join(tmp, 'spm');
  try {
    execFileSync('spm_train', [`--input=${corpus}`, `--model_prefix=${prefix}`, '--vocab_size=1200', '--model_type=unigram',
      '--normalization_rule_name=nmt_nfkc', '--hard_vocab_limit=false', '--character_coverage=0.98', '--minloglevel=2'], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (e) {
    throw new Error(`spm_train failed (apt-get install sentencepiece): ${e.message}`);
  }
  const proto = fs.readFileSync(prefix + '.model');
  const { pieces, charsmap } = readSentencePiece(proto);
  const unk = pieces.findIndex((p) => p.type === 2);
  tokenizers['unigram-precompiled'] = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: pieces.map((p, id) => [p, id]).filter(([p]) => p.type === 2 || p.type === 3).map(([p, id]) => added(p.piece, id)),
    normalizer: { type: 'Sequence', normalizers: [
      { type: 'Precompiled', precompiled_charsmap: Buffer.from(charsmap).toString('base64') },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: template(Object.fromEntries(pieces.map((p, i) => [p.piece, i])), ['<s>', '$A', '</s>']),
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: unk, vocab: pieces.map((p) => [p.piece, p.score]), byte_fallback: false },
  };
}

// readSentencePiece reads a sentencepiece ModelProto: pieces (field 1:
// piece 1, score 2 as float32, type 3) and normalizer_spec (field 3) →
// precompiled_charsmap (field 2).
function readSentencePiece(buf) {
  const fields = (b) => {
    const out = [];
    let i = 0;
    const varint = () => { let v = 0, m = 1; for (;;) { const c = b[i++]; v += (c & 0x7f) * m; m *= 128; if (c < 0x80) return v; } };
    while (i < b.length) {
      const key = varint(), f = Math.floor(key / 8), w = key & 7;
      if (w === 0) out.push([f, varint()]);
      else if (w === 1) { out.push([f, b.subarray(i, i + 8)]); i += 8; }
      else if (w === 2) { const n = varint(); out.push([f, b.subarray(i, i + n)]); i += n; }
      else if (w === 5) { out.push([f, b.subarray(i, i + 4)]); i += 4; }
      else throw new Error('unexpected wire type ' + w);
    }
    return out;
  };
  const pieces = [];
  let charsmap = null;
  for (const [f, v] of fields(buf)) {
    if (f === 1) {
      const p = { piece: '', score: 0, type: 1 };
      for (const [g, x] of fields(v)) {
        if (g === 1) p.piece = Buffer.from(x).toString('utf8');
        else if (g === 2) p.score = Buffer.from(x).readFloatLE(0);
        else if (g === 3) p.type = x;
      }
      pieces.push(p);
    } else if (f === 3) {
      for (const [g, x] of fields(v)) if (g === 2) charsmap = x;
    }
  }
  if (!charsmap) throw new Error('no precompiled_charsmap in the sentencepiece model');
  return { pieces, charsmap };
}

async function refIDs(tk, file, set = texts) {
  const lines = [];
  for (let i = 0; i < set.length; i++) {
    if (blank(set[i])) continue;
    const enc = await tk.encode(set[i]);
    lines.push(JSON.stringify({ i, ids: enc.getIds() }));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

for (const [name, j] of Object.entries(tokenizers)) {
  const file = path.join(out, name + '.json');
  if (retrain || !fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(j) + '\n');
  const tk = hf.Tokenizer.fromFile(file); // what the library reads back is what it tokenizes with
  await refIDs(tk, path.join(out, name + '.ids.jsonl'));
  await refIDs(tk, path.join(out, name + '.fuzz.jsonl'), fuzz);
  tk.setTruncation(truncLen);
  await refIDs(tk, path.join(out, name + '.trunc.jsonl'));
  console.error(`${name}: vocab ${tk.getVocabSize(true)}`);
}

// Variants of the tokenizers above, made from their files (no training).
const variants = {
  // Llama-style prepend_scheme "first" behind WhitespaceSplit and Nmt: "first"
  // goes by the original offset, so leading spaces or a leading control
  // character mean no '▁'.
  'bpe-metaspace-first': ['bpe-metaspace', (j) => {
    j.normalizer = { type: 'Nmt' };
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' },
      { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true }] };
  }],
  // Byte-level BPE split by a Split pre-tokenizer with look-ahead, as
  // Llama 3 and GPT-4-style tokenizers are (ByteLevel then only maps bytes).
  'bpe-split-llama3': ['bpe-roberta', (j) => {
    j.pre_tokenizer = { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
        behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] };
  }],
};
for (const [name, [base, change]] of Object.entries(variants)) {
  const j = JSON.parse(fs.readFileSync(path.join(out, base + '.json'), 'utf8'));
  change(j);
  const file = path.join(out, name + '.json');
  fs.writeFileSync(file, JSON.stringify(j) + '\n');
  const tk = hf.Tokenizer.fromFile(file);
  await refIDs(tk, path.join(out, name + '.ids.jsonl'));
  await refIDs(tk, path.join(out, name + '.fuzz.jsonl'), fuzz);
  tk.setTruncation(truncLen);
  await refIDs(tk, path.join(out, name + '.trunc.jsonl'));
  console.error(`${name}: from ${base}`);
}

// Reference ids for the real tokenizers of ../shared/fixtures (never copied here).
const fixtures = path.join(root, '../shared/fixtures');
fs.mkdirSync(path.join(out, 'fixtures'), { recursive: true });
for (const f of ['tribuo-tinybert/tinybert-tokenizer.json', 'tribuo-tinybert/bert-base-cased-tokenizer.json',
  'hf-tokenizers/roberta-tokenizer.json', 'hf-tokenizers/bert-wiki-tokenizer.json']) {
  const tk = hf.Tokenizer.fromFile(path.join(fixtures, f));
  const base = path.basename(f, '.json');
  await refIDs(tk, path.join(out, 'fixtures', base + '.ids.jsonl'));
  await refIDs(tk, path.join(out, 'fixtures', base + '.fuzz.jsonl'), fuzz);
  tk.setTruncation(truncLen);
  await refIDs(tk, path.join(out, 'fixtures', base + '.trunc.jsonl'));
  console.error(`fixture ${f}`);
}
fs.rmSync(tmp, { recursive: true });
