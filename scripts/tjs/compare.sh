#!/usr/bin/env bash
# compare.sh [-r ROUNDS] [-b BATCHES] [-t THREADS] MODEL: docs/sec of the
# transformers.js token-classification pipeline (scripts/tjs/ner.mjs) beside
# nerbench's suite on the same checkpoint, texts (the demo data), threads,
# max length (128) and batch sizes, interleaved: each round runs every
# side once per batch size, in an order that changes from round to round.
#
# Sides, each timing whole passes over the 560 demo texts after a warm-up
# pass:
#   tjs          transformers.js: ner(texts, {aggregation_strategy: 'simple'}) per batch
#   e2e-sorted   nerbench mode = "e2e", batching = "sorted"
#   e2e-rotate   nerbench mode = "e2e", batching = "rotate" (test-set order, as tjs)
#   infer        nerbench mode = "inference", batching = "rotate" (Session.Run only)
# Then per batch size the medians over rounds of each side and of the
# ratios e2e-sorted/tjs, e2e-rotate/tjs and e2e-rotate/infer, each ratio
# taken within one round. MODEL is tiny, distilbert or bert (make demo).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=3 batches="1 16" threads=2
while getopts r:b:t: o; do
  case $o in r) rounds=$OPTARG ;; b) batches=${OPTARG//,/ } ;; t) threads=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
model=${1:?usage: compare.sh [-r ROUNDS] [-b BATCHES] [-t THREADS] tiny|distilbert|bert}
declare -A trial=([tiny]=trial_0 [distilbert]=trial_1 [bert]=trial_1)
ckpt=$PWD/outputs/hpo/$model/${trial[$model]}/checkpoint
data=$PWD/data/demo/test_data.json
out=${OUT:-results/tjs-$model}
mkdir -p "$out"
scripts/tjs/install.sh >/dev/null
make -s ort >/dev/null
go test -c -o bin/suite.test . >/dev/null
texts=$(node -e 'const d=require(process.argv[1]); console.log(d.filter(x=>(typeof x==="string"?x:x.text).trim()).length)' "$data")

nerbench() { # side batch → docs/sec
  local side=$1 b=$2 mode=e2e batching=rotate
  case $side in e2e-sorted) batching=sorted ;; infer) mode=inference ;; esac
  local iters=$(( (texts + b - 1) / b ))
  cat >"$out/$side-$b.toml" <<TOML
test_data = "$data"
batch_sizes = [$b]
warmup = $iters
max_length = 128
device = "cpu"
intra_op_threads = $threads
inter_op_threads = 1
batching = "$batching"
mode = "$mode"
[[model]]
name = "${model}_${side/-/_}"
checkpoint = "$ckpt"
output = "$PWD/$out/$side/benchmark.json"
TOML
  NERBENCH_CONFIG="$PWD/$out/$side-$b.toml" bin/suite.test -test.run='^$' -test.bench="Inference/model=${model}_${side/-/_}/batch=$b\$" -test.benchtime="${iters}x" 2>/dev/null |
    tee -a "$out/bench.txt" | awk '/^BenchmarkInference/ { for (i = 3; i < NF; i++) if ($(i+1) == "docs/sec") print $i }'
}
tjs() { # batch → docs/sec
  node scripts/tjs/ner.mjs --checkpoint "$ckpt" --test-data "$data" --batch-sizes "$1" --threads "$threads" --max-length 128 |
    sed -n 's/.*docs\/sec=\([0-9.]*\).*/\1/p'
}

: >"$out/runs.txt"
sides=(tjs e2e-sorted e2e-rotate infer)
for r in $(seq "$rounds"); do
  k=$(( r % ${#sides[@]} )); order=("${sides[@]:k}" "${sides[@]:0:k}")
  for b in $batches; do
    for side in "${order[@]}"; do
      if [ "$side" = tjs ]; then v=$(tjs "$b"); else v=$(nerbench "$side" "$b"); fi
      echo "$r $b $side $v" | tee -a "$out/runs.txt"
    done
  done
  echo "round $r done, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/runs.txt" >&2
done
awk -v model="$model" '
  $1 == "round" { next }
  { v[$1, $2, $3] = $4; bs[$2] = 1; rs[$1] = 1 }
  END {
    for (b in bs) {
      n = 0
      for (r in rs) {
        n++
        t[n] = v[r, b, "tjs"]; s[n] = v[r, b, "e2e-sorted"]; o[n] = v[r, b, "e2e-rotate"]; f[n] = v[r, b, "infer"]
        st[n] = s[n] / t[n]; ot[n] = o[n] / t[n]; of[n] = o[n] / f[n]
      }
      printf "%s batch %s, %d rounds, median docs/sec: transformers.js %.1f, nerbench e2e sorted %.1f, e2e rotate %.1f, inference only %.1f; ratios (median of per-round): e2e-sorted/tjs %.2f, e2e-rotate/tjs %.2f, e2e-rotate/inference %.3f\n", model, b, n, med(t, n), med(s, n), med(o, n), med(f, n), med(st, n), med(ot, n), med(of, n)
    }
  }
  function med(a, n,   i, j, x, c) {
    for (i = 1; i <= n; i++) c[i] = a[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (c[j] < c[i]) { x = c[i]; c[i] = c[j]; c[j] = x }
    return n % 2 ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2
  }' "$out/runs.txt"
