#!/usr/bin/env bash
# batching.sh ROUNDS [MODEL...]: docs/sec at batch 16 of batching = "rotate",
# "sorted" and padding = "max_length", interleaved. Each round runs the
# compiled suite once per side and model, in a new order each round; each
# run times one whole pass over the demo data (560 texts = 35 batches of 16)
# after a warm-up pass. Prints each run's docs/sec, then per model the
# median over rounds of sorted/rotate and max_length/rotate, each ratio
# taken within one round. MODEL is tiny, distilbert or bert (default tiny
# distilbert); make demo makes them.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}; shift || true
models=("${@:-tiny distilbert}")
read -r -a models <<<"${models[*]}"
out=${OUT:-results/batching}
mkdir -p "$out"
go test -c -o bin/suite.test . >/dev/null
declare -A trial=([tiny]=trial_0 [distilbert]=trial_1 [bert]=trial_1)
for model in "${models[@]}"; do
  for side in rotate sorted max_length; do
    batching=$side padding=longest
    [ "$side" = max_length ] && batching=rotate padding=max_length
    cat >"$out/$model-$side.toml" <<TOML
test_data = "$PWD/data/demo/test_data.json"
batch_sizes = [16]
warmup = 35
max_length = 128
device = "cpu"
intra_op_threads = ${THREADS:-2}
batching = "$batching"
padding = "$padding"
[[model]]
name = "${model}_$side"
checkpoint = "$PWD/outputs/hpo/$model/${trial[$model]}/checkpoint"
output = "$PWD/$out/$model-$side/benchmark.json"
TOML
  done
done
: >"$out/runs.txt"
for r in $(seq "$rounds"); do
  for model in "${models[@]}"; do
    sides=(rotate sorted max_length)
    # rotate the order each round so no side always runs first
    k=$(( r % 3 )); sides=("${sides[@]:k}" "${sides[@]:0:k}")
    for side in "${sides[@]}"; do
      v=$(NERBENCH_CONFIG="$PWD/$out/$model-$side.toml" bin/suite.test -test.run='^$' -test.bench=. -test.benchtime=35x 2>/dev/null |
        awk '/^BenchmarkInference/ { for (i = 3; i < NF; i++) if ($(i+1) == "docs/sec") print $i }')
      echo "$r $model $side $v" | tee -a "$out/runs.txt"
    done
  done
  echo "round $r load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
awk '
  { v[$1, $2, $3] = $4; models[$2] = 1; rounds[$1] = 1 }
  END {
    for (m in models) {
      n = 0
      for (r in rounds) { n++; s[n] = v[r, m, "sorted"] / v[r, m, "rotate"]; f[n] = v[r, m, "max_length"] / v[r, m, "rotate"]; ro[n] = v[r, m, "rotate"]; so[n] = v[r, m, "sorted"]; ml[n] = v[r, m, "max_length"] }
      printf "%s batch 16, %d rounds, medians: rotate %.1f docs/sec, sorted %.1f, max_length %.1f; sorted/rotate %.2f, max_length/rotate %.2f\n", m, n, med(ro, n), med(so, n), med(ml, n), med(s, n), med(f, n)
    }
  }
  function med(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
  }' "$out/runs.txt"
