#!/usr/bin/env bash
# Interleaved A/B benchmark runs on one machine, then the regression gate.
#
#   scripts/ab.sh [options] checkpoints CKPT_A CKPT_B   # two checkpoints, this code
#   scripts/ab.sh [options] revs REV_A REV_B            # two git revisions, one model
#
# Runs the go test -bench suite (bench_test.go at the root) for the baseline A and the
# candidate B alternately, A B A B … for N rounds, each run a fresh process,
# so that a machine that drifts (thermal throttling, a noisy neighbour, a
# background job) slows both sides alike instead of one. Each run appends its
# Go benchmark output to OUT/old.txt (A) or OUT/new.txt (B): one value per
# metric per run, N per side. Then
#
#   nerbench check -baseline OUT/old.txt -candidate OUT/new.txt
#
# prints its table (also in OUT/check.txt) and writes OUT/check.md (for
# $GITHUB_STEP_SUMMARY or a pull request comment) and OUT/check.json. The
# exit status is nerbench check's: 0 no regression, 1 regression, 2 bad input
# (or a failed run).
#
# checkpoints: one test binary of the working tree; the bench.toml of each
#   side is made from the options below with that side's checkpoint.
# revs: each revision is checked out with git worktree into a temporary
#   folder and its suite built once (go test -c); both binaries
#   then run the same bench.toml (-c FILE, or one made from the options with
#   the tiny demo model), the same test data and ONNX Runtime library.
#   The bench.toml must be one both revisions understand.
#
# Options:
#   -n ROUNDS   rounds, one run of each side per round (default 10)
#   -o DIR      output folder (default results/ab); old.txt and new.txt there
#               are replaced
#   -c FILE     bench.toml to run (revs only; default: made from -m -b -i -w -t -d
#               with the model -k)
#   -k DIR      checkpoint for revs without -c (default outputs/hpo/tiny/trial_0/checkpoint)
#   -b SIZES    batch sizes, comma-separated (default 1,8)
#   -i N        timed iterations per run and batch size (default 50), given
#               to the suite as -test.benchtime=Nx (also with -c)
#   -w N        warm-up iterations (default 5)
#   -m N        max_length (default 128)
#   -t N        intra-op threads (default 0: ONNX Runtime's choice)
#   -d FILE     test data (default data/demo/test_data.json)
#   -r          reverse the order every other round (A B, B A, A B, …)
#   -h          this help
#   -- ARGS     flags passed on to nerbench check (-strict, -threshold 3%, …)
#
# Environment: ONNXRUNTIME_LIB (default: what scripts/setup-ort.sh installed),
# GO (default go).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "ab.sh: $*" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
GO=${GO:-go}
rounds=10 out="$root/results/ab" cfg="" ckpt="$root/outputs/hpo/tiny/trial_0/checkpoint"
batches=1,8 iters=50 warmup=5 maxlen=128 threads=0 data="$root/data/demo/test_data.json" reverse=0

abspath() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

while getopts ":n:o:c:k:b:i:w:m:t:d:rh" opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    o) out=$(abspath "$OPTARG") ;;
    c) cfg=$(abspath "$OPTARG") ;;
    k) ckpt=$(abspath "$OPTARG") ;;
    b) batches=$OPTARG ;;
    i) iters=$OPTARG ;;
    w) warmup=$OPTARG ;;
    m) maxlen=$OPTARG ;;
    t) threads=$OPTARG ;;
    d) data=$(abspath "$OPTARG") ;;
    r) reverse=1 ;;
    h) usage; exit 0 ;;
    :) die "-$OPTARG needs a value (see scripts/ab.sh -h)" ;;
    *) die "unknown option -$OPTARG (see scripts/ab.sh -h)" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || { usage >&2; exit 2; }
mode=$1 a=$2 b=$3
shift 3
[ "${1:-}" = "--" ] && shift
check_args=("$@")

[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "-n $rounds: want a number of rounds ≥ 1"
[ "$rounds" -ge 4 ] || echo "ab.sh: warning: $rounds rounds give fewer than 4 runs per side: nerbench check will say INCONCLUSIVE" >&2
for n in "$iters" "$maxlen"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "$n: want an integer ≥ 1"; done
[[ $warmup =~ ^[0-9]+$ && $threads =~ ^[0-9]+$ ]] || die "-w and -t want integers ≥ 0"
[[ $batches =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "-b $batches: want batch sizes like 1,8,16"

lib=${ONNXRUNTIME_LIB:-}
if [ -z "$lib" ]; then
  lib=$("$root/scripts/setup-ort.sh") || die "no ONNX Runtime library: run make ort, or set ONNXRUNTIME_LIB"
fi
lib=$(abspath "$lib")
[ -f "$lib" ] || die "ONNXRUNTIME_LIB=$lib: no such file"
export ONNXRUNTIME_LIB=$lib
[ -f "$data" ] || die "test data $data not found: run make demo-tiny, or give -d FILE"

work=$(mktemp -d "${TMPDIR:-/tmp}/nerbench-ab.XXXXXX")
worktrees=()
cleanup() {
  for w in "${worktrees[@]}"; do git -C "$root" worktree remove --force "$w" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
log="$out/runs.log"
: >"$log"

# modelname DIR: the checkpoint's name, as nerbench run makes it
# (".../tiny/trial_0/checkpoint" → "tiny_trial_0").
modelname() {
  local d=${1%/} base
  base=$(basename "$d")
  case $base in checkpoint|model|onnx) d=$(dirname "$d"); base=$(basename "$d") ;; esac
  case $base in trial*) base="$(basename "$(dirname "$d")")_$base" ;; esac
  echo "$base"
}

# mkconfig FILE NAME CHECKPOINT: a bench.toml for one model from the options.
mkconfig() {
  [ -f "$3/model.onnx" ] || ls "$3"/*.onnx >/dev/null 2>&1 || die "checkpoint $3: no model.onnx (make demo-tiny makes the tiny demo one)"
  cat >"$1" <<EOF
# made by scripts/ab.sh
test_data = "$data"
batch_sizes = [$batches]
iterations = $iters
warmup = $warmup
max_length = $maxlen
device = "cpu"
intra_op_threads = $threads

[[model]]
name = "$2"
checkpoint = "$3"
output = "$work/out/$2/benchmark.json"
EOF
}

# suitepkg DIR: the package that holds the suite's entry point in the tree at
# DIR: the root since it became a plugin (bench_test.go calls benchmarks.Run),
# ./benchmarks in older revisions.
suitepkg() { if grep -qs 'benchmarks.Run(' "$1/bench_test.go"; then echo .; else echo ./benchmarks; fi; }

# Each side: a test binary, the folder to run it in, and a bench.toml.
case $mode in
  checkpoints)
    [ -z "$cfg" ] || die "-c is for revs; checkpoints mode makes one bench.toml per side"
    a=$(abspath "$a") b=$(abspath "$b")
    mkconfig "$work/a.toml" "$(modelname "$a")" "$a"
    mkconfig "$work/b.toml" "$(modelname "$b")" "$b"
    echo "ab.sh: building the suite (go test -c $(suitepkg "$root"))" >&2
    (cd "$root" && "$GO" test -c -o "$work/suite.test" "$(suitepkg "$root")") || die "building the suite failed"
    bin_a=$work/suite.test bin_b=$work/suite.test
    dir_a=$root dir_b=$root
    cfg_a=$work/a.toml cfg_b=$work/b.toml
    label_a="checkpoint $a" label_b="checkpoint $b"
    ;;
  revs)
    git -C "$root" rev-parse --verify --quiet "$a^{commit}" >/dev/null || die "revision $a: not found (fetch it, e.g. git fetch origin $a)"
    git -C "$root" rev-parse --verify --quiet "$b^{commit}" >/dev/null || die "revision $b: not found"
    if [ -z "$cfg" ]; then
      ckpt=$(abspath "$ckpt")
      cfg=$work/ab.toml
      mkconfig "$cfg" "$(modelname "$ckpt")" "$ckpt"
    fi
    [ -f "$cfg" ] || die "-c $cfg: no such file"
    for side in a b; do
      rev=${!side}
      git -C "$root" worktree add --detach --quiet "$work/$side" "$rev" || die "git worktree add $rev failed"
      worktrees+=("$work/$side")
      echo "ab.sh: building the suite of $rev ($(git -C "$root" rev-parse --short=12 "$rev"))" >&2
      (cd "$work/$side" && "$GO" test -c -o "$work/$side.test" "$(suitepkg "$work/$side")") || die "building the suite of $rev failed"
    done
    bin_a=$work/a.test bin_b=$work/b.test
    dir_a=$work/a dir_b=$work/b
    cfg_a=$cfg cfg_b=$cfg
    label_a="revision $a" label_b="revision $b"
    ;;
  *) usage >&2; exit 2 ;;
esac

: >"$out/old.txt"
: >"$out/new.txt"

# runside a|b: one run of a side, appended to its file.
runside() {
  local bin dir cfg dest
  if [ "$1" = a ]; then bin=$bin_a dir=$dir_a cfg=$cfg_a dest=$out/old.txt
  else bin=$bin_b dir=$dir_b cfg=$cfg_b dest=$out/new.txt; fi
  if ! (cd "$dir" && NERBENCH_CONFIG=$cfg "$bin" -test.run='^$' -test.bench=. -test.benchtime="${iters}x" -test.count=1 \
      >>"$dest" 2>>"$log"); then
    tail -n 20 "$log" >&2
    die "a run of side $1 failed (log: $log)"
  fi
}

echo "ab.sh: $rounds rounds, baseline A = $label_a, candidate B = $label_b" >&2
start=$SECONDS
for ((i = 1; i <= rounds; i++)); do
  if [ "$reverse" = 1 ] && [ $((i % 2)) = 0 ]; then order="b a"; else order="a b"; fi
  for side in $order; do runside "$side"; done
  echo "ab.sh: round $i/$rounds done ($((SECONDS - start)) s)" >&2
done

echo "ab.sh: building nerbench" >&2
(cd "$root" && "$GO" build -o "$work/nerbench" ./cmd/nerbench) || die "building nerbench failed"
cd "$root"
set +e
"$work/nerbench" check -baseline "$out/old.txt" -candidate "$out/new.txt" -format markdown -o "$out/check.md" "${check_args[@]}" 2>/dev/null
"$work/nerbench" check -baseline "$out/old.txt" -candidate "$out/new.txt" -format json -o "$out/check.json" "${check_args[@]}" 2>/dev/null
"$work/nerbench" check -baseline "$out/old.txt" -candidate "$out/new.txt" "${check_args[@]}" | tee "$out/check.txt"
status=${PIPESTATUS[0]}
set -e
echo "ab.sh: wrote $out/old.txt, new.txt, check.txt, check.md, check.json; nerbench check exit status $status" >&2
exit "$status"
