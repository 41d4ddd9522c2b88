// Times the Hugging Face transformers.js token-classification pipeline
// (npm @huggingface/transformers on onnxruntime-node, offline) on a
// checkpoint and a test set, the way a user would run it:
// ner(batchOfTexts, { aggregation_strategy: 'simple' }) per batch, the
// texts in test-set order, chunked by the batch size (an array is one
// batch). Prints one line per batch size:
//
//   tjs model=<name> batch=<b> docs/sec=<x> passes=<p> entities=<n>
//
// docs/sec is texts ÷ wall time of whole passes over the test set, after
// one untimed warm-up pass.
//
//   node scripts/tjs/ner.mjs --checkpoint DIR --test-data FILE [--batch-sizes 1,16]
//        [--threads 2] [--max-length 128] [--passes 1] [--name NAME]
import { createRequire } from 'module';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { fileURLToPath } from 'url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, '.cache/npm-peers/'));
const { pipeline, env } = await import(require.resolve('@huggingface/transformers'));

const args = { 'batch-sizes': '1,16', threads: '2', 'max-length': '128', passes: '1' };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const req of ['checkpoint', 'test-data']) if (!args[req]) throw new Error(`--${req} required`);
const ckpt = path.resolve(args.checkpoint);
const name = args.name || (path.basename(ckpt) === 'checkpoint'
  ? `${path.basename(path.dirname(path.dirname(ckpt)))}_${path.basename(path.dirname(ckpt))}` : path.basename(ckpt));

// The test data: a JSON list of strings or of {"text": …}, or JSON Lines,
// blank texts skipped, as nerbench reads it.
const raw = fs.readFileSync(args['test-data'], 'utf8');
let items;
try { items = JSON.parse(raw); } catch { items = raw.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)); }
const texts = items.map((x) => (typeof x === 'string' ? x : x.text)).filter((t) => t && t.trim());

// A model folder laid out as transformers.js wants it.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tjs-'));
const mdir = path.join(dir, name);
fs.mkdirSync(path.join(mdir, 'onnx'), { recursive: true });
fs.copyFileSync(path.join(ckpt, 'config.json'), path.join(mdir, 'config.json'));
fs.copyFileSync(path.join(ckpt, 'tokenizer.json'), path.join(mdir, 'tokenizer.json'));
fs.symlinkSync(path.join(ckpt, 'model.onnx'), path.join(mdir, 'onnx/model.onnx'));
fs.writeFileSync(path.join(mdir, 'tokenizer_config.json'), JSON.stringify({
  model_max_length: Number(args['max-length']), pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]',
  sep_token: '[SEP]', mask_token: '[MASK]', tokenizer_class: 'BertTokenizer',
}));

env.allowRemoteModels = false;
env.localModelPath = dir;
const ner = await pipeline('token-classification', name, {
  dtype: 'fp32', session_options: { intraOpNumThreads: Number(args.threads), interOpNumThreads: 1 },
});

async function pass(b) {
  let entities = 0;
  for (let i = 0; i < texts.length; i += b) {
    const out = await ner(texts.slice(i, i + b), { aggregation_strategy: 'simple' });
    for (const r of out) entities += Array.isArray(r) ? r.length : 1;
  }
  return entities;
}

for (const b of args['batch-sizes'].split(',').map(Number)) {
  await pass(b); // warm-up
  const passes = Number(args.passes);
  const t0 = process.hrtime.bigint();
  let entities = 0;
  for (let p = 0; p < passes; p++) entities += await pass(b);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`tjs model=${name} batch=${b} docs/sec=${(texts.length * passes / s).toFixed(2)} passes=${passes} entities=${entities}`);
}
await ner.dispose();
fs.rmSync(dir, { recursive: true });
