#!/usr/bin/env bash
# Tokenization speed: nerbench (Go, benchmarks/tokenize BenchmarkEncodeAll)
# against the Hugging Face tokenizers library (Rust, npm @anush008/tokenizers,
# scripts/tokref/speed.mjs), on the same texts, same machine, same run.
# Rounds are interleaved (Go, HF one at a time, HF encodeBatch, per
# tokenizer); each side makes 3 passes per round, every pass with a fresh
# tokenizer (an empty cache). Prints the median docs/sec of each side and the
# ratios: Go on one core vs HF one text at a time, Go on all cores vs HF
# encodeBatch (which uses all cores).
#
#   scripts/tokref/speed.sh [rounds]    (default 5)
#
# Texts: data/demo/test_data.json (make demo-tiny) followed by the multilingual
# testdata/tokenize/texts.json. Tokenizers: bert-base-cased and roberta-base
# from ../shared/fixtures, and testdata's Unigram (DeBERTa v3 style).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rounds=${1:-5}
"$root/scripts/tokref/install.sh" >/dev/null
[ -f data/demo/test_data.json ] || make demo-tiny >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node -e 'const fs=require("fs"); const [a,b,o]=process.argv.slice(1);
  fs.writeFileSync(o, JSON.stringify([...JSON.parse(fs.readFileSync(a)), ...JSON.parse(fs.readFileSync(b))]))' \
  data/demo/test_data.json testdata/tokenize/texts.json "$tmp/texts.json"
tokenizers=(../shared/fixtures/tribuo-tinybert/bert-base-cased-tokenizer.json
  ../shared/fixtures/hf-tokenizers/roberta-tokenizer.json testdata/tokenize/unigram-metaspace.json)
cores=$(nproc)
go test -c -o "$tmp/tokenize.test" ./benchmarks/tokenize
{
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $cores cores"
  echo "texts: $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).filter(s=>s.trim()!=="").length)' "$tmp/texts.json")"
} | tee "$tmp/out.txt"
for ((r = 1; r <= rounds; r++)); do
  for tok in "${tokenizers[@]}"; do
    name=$(basename "$tok" .json)
    NERBENCH_TOKENIZERS="$root/$tok" NERBENCH_TEXTS="$tmp/texts.json" \
      "$tmp/tokenize.test" -test.run '^$' -test.bench EncodeAll -test.cpu "1,$cores" -test.benchtime 1x -test.count 3 |
      awk -v n="$name" -v c="$cores" '/^BenchmarkEncodeAll/ { for (i = 1; i <= NF; i++) if ($(i+1) == "docs/sec") d = $i;
        side = ($1 ~ "-" c "$") ? "go-all" : "go-1"; print n, side, d }' >>"$tmp/out.txt"
    for mode in single batch; do
      node scripts/tokref/speed.mjs "$tok" "$tmp/texts.json" "$mode" 3 512 |
        awk -v n="$name" -v m="$mode" '{ print n, "hf-" m, $3 }' >>"$tmp/out.txt"
    done
  done
  echo "round $r of $rounds done" >&2
done
node - "$tmp/out.txt" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n');
const v = {};
for (const l of lines) {
  const [name, side, rate] = l.split(' ');
  if (!side || isNaN(Number(rate))) { console.log(l); continue; }
  ((v[name] ??= {})[side] ??= []).push(Number(rate));
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
console.log('\nmedian docs/sec (passes per side in brackets); ratio = nerbench / Hugging Face');
console.log(['tokenizer', 'go 1 core', 'hf one at a time', 'ratio', 'go all cores', 'hf encodeBatch', 'ratio'].join(' | '));
for (const [name, s] of Object.entries(v)) {
  const m = Object.fromEntries(Object.entries(s).map(([k, a]) => [k, med(a)]));
  const f = (k) => `${m[k].toFixed(0)} [${s[k].length}]`;
  console.log([name, f('go-1'), f('hf-single'), (m['go-1'] / m['hf-single']).toFixed(2) + 'x',
    f('go-all'), f('hf-batch'), (m['go-all'] / m['hf-batch']).toFixed(2) + 'x'].join(' | '));
}
JS
