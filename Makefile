# nerbench: see README.md. Every target installs what it needs first.
SHELL := /bin/bash
GO ?= go
BENCH_CONFIG ?= bench.toml
RESULTS ?= results
COUNT ?= 1
BENCHFLAGS ?=
# Shards (README, "Running on many machines"): make bench SHARD=2/3 runs one shard of the matrix
# into $(RESULTS)/bench.shard-2-of-3.txt; make merge converts all the shard files found there.
SHARD ?= $(NERBENCH_SHARD)
SHARD_DURATIONS ?= $(NERBENCH_SHARD_DURATIONS)
MACHINE ?= $(NERBENCH_MACHINE)
BENCH_OUT = $(RESULTS)/bench$(if $(SHARD),.shard-$(subst /,-of-,$(SHARD))).txt

ORT_LIB := .cache/onnxruntime/1.30.0/libonnxruntime.so.1
DEMO_STAMP := outputs/hpo/.gendemo-stamp

.PHONY: all ort deps demo demo-tiny build bench merge test test-fixtures fuzz fixtures-dir lint vet staticcheck actionlint fmt-check overhead e2e-ratio gap-cost select chromium report clean ab-ckpts ab-revs gate-measure gate-numbers gate-proof

all: build

## ort: install the ONNX Runtime shared library (checked against scripts/ort.sha256)
ort: $(ORT_LIB)
$(ORT_LIB): scripts/setup-ort.sh scripts/ort.sha256
	scripts/setup-ort.sh >/dev/null

## deps: download the Go modules
deps:
	$(GO) mod download

## demo: make the demo checkpoints (tiny, distilbert-shaped, bert-base-shaped) and data
demo: deps
	$(GO) run ./scripts/gendemo

## demo-tiny: only the tiny demo checkpoint and the demo data (what the tests need)
demo-tiny: deps
	$(GO) run ./scripts/gendemo -only tiny

## build: build the nerbench binary into bin/
build: deps
	$(GO) build -o bin/nerbench ./cmd/nerbench

## bench: benchmark every model x batch size of $(BENCH_CONFIG) in COUNT interleaved rounds (each round: every model and batch size once, one process each; nerbench plan), and write each benchmark.json, the median across rounds (SHARD=i/n: only that shard, no conversion; then make merge); a model that fails does not stop the others, and convert then records its failure and exits 1
bench: ort demo build
	@mkdir -p $(RESULTS)
	$(GO) test -c -o bin/suite.test .
	bin/nerbench plan -config $(BENCH_CONFIG) $(if $(SHARD),-shard $(SHARD)) $(if $(SHARD_DURATIONS),-shard-durations $(SHARD_DURATIONS)) > $(BENCH_OUT:.txt=.plan.tsv)
	set -o pipefail; for round in $$(seq 1 $(COUNT)); do \
	  while IFS=$$'\t' read -r name batch bench benchtime; do \
	    NERBENCH_CONFIG=$(BENCH_CONFIG) NERBENCH_SHARD=$(SHARD) NERBENCH_SHARD_DURATIONS=$(SHARD_DURATIONS) NERBENCH_MACHINE="$(MACHINE)" NERBENCH_RUN_TAG=r$$round-b$$batch \
	      bin/suite.test -test.run='^$$' "$$bench" "$$benchtime" -test.count=1 $(BENCHFLAGS) </dev/null || echo "make bench: model $$name batch $$batch failed ($$bench); nerbench convert records its failure and exits 1" >&2; \
	  done < $(BENCH_OUT:.txt=.plan.tsv); \
	  echo "nerbench round $$round of $(COUNT) done" >&2; \
	done | tee $(BENCH_OUT)
	$(if $(SHARD),@echo "shard $(SHARD) written to $(BENCH_OUT); convert all the shards with make merge",bin/nerbench convert -config $(BENCH_CONFIG) $(BENCH_OUT))

## merge: merge the shards' outputs ($(RESULTS)/bench.shard-*.txt, from any machines) into each benchmark.json
merge: build
	bin/nerbench convert -config $(BENCH_CONFIG) $(RESULTS)/bench.shard-*.txt

## test: lint, unit tests, a short run of the suite on the tiny demo model and of examples/plugin; reads nothing outside the repository
test: ort demo-tiny chromium lint
	$(GO) test -p 1 ./...   # one package at a time: some tests measure real latency

## test-fixtures: make test's tests plus those of the third-party models in ../shared/fixtures (build tag fixtures)
test-fixtures: fixtures-dir ort demo-tiny chromium lint
	$(GO) test -p 1 -tags fixtures ./...

fixtures-dir:
	@test -d ../shared/fixtures || { echo "../shared/fixtures is missing: it is the folder of shared fixtures (third-party ONNX models and tokenizers) that must sit beside the checkout for make test-fixtures; make test needs none of it" >&2; exit 1; }

## fuzz: run each fuzz target for FUZZTIME (their seed corpora in testdata/fuzz run with make test); a crash's input lands in testdata/fuzz: fix it, keep the file
FUZZTIME ?= 30s
FUZZ_TARGETS := ./converter:FuzzGoBench ./converter:FuzzBenchstatCSV ./benchmarks/dataset:FuzzLoad ./benchmarks/config:FuzzParse ./benchmarks/tokenize:FuzzEncode
fuzz: deps
	set -e; for t in $(FUZZ_TARGETS); do \
	  $(GO) test -run='^$$' -fuzz="^$${t##*:}$$" -fuzztime=$(FUZZTIME) -parallel=$${FUZZ_PARALLEL:-2} $${t%%:*}; \
	done

## chromium: install Debian's chromium (the HTML report's rendering test uses it)
chromium:
	scripts/setup-chromium.sh >/dev/null

# Linters, pinned; go run fetches them from the Go module proxy once and caches the build.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

## lint: go vet, staticcheck (with and without the fixtures tag), actionlint on .github/workflows, gofmt
lint: vet staticcheck actionlint fmt-check

## vet: go vet with and without the fixtures tag, and without cgo for everything but the suite (only benchmarks/ needs cgo)
vet:
	$(GO) vet ./...
	$(GO) vet -tags fixtures ./...
	CGO_ENABLED=0 $(GO) vet ./cmd/... ./converter/... ./internal/...

staticcheck:
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(STATICCHECK) -tags fixtures ./...

actionlint:
	$(GO) run $(ACTIONLINT)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

## overhead: suite timing vs a bare session.Run loop, batch 1 (OVERHEAD_BATCH=n), distilbert-shaped model; OVERHEAD_COUNT runs, OVERHEAD_ITERATIONS per side and round (0: the model's)
OVERHEAD_BATCH ?= 1
OVERHEAD_COUNT ?= 5
OVERHEAD_ITERATIONS ?= 0
overhead: ort demo
	NERBENCH_CONFIG=$(BENCH_CONFIG) $(GO) test -run='^$$' -bench=Overhead -benchtime=1x -count=$(OVERHEAD_COUNT) ./benchmarks -args -nerbench.overhead -nerbench.overhead-batch=$(OVERHEAD_BATCH) -nerbench.overhead-iterations=$(OVERHEAD_ITERATIONS)

## report: compare the demo models and write an HTML report (after make bench)
report: build
	bin/nerbench compare outputs/hpo/distilbert/trial_1 outputs/hpo/bert/trial_1 outputs/hpo/tiny/trial_0
	bin/nerbench report -o $(RESULTS)/report.html outputs/hpo/distilbert/trial_1 outputs/hpo/bert/trial_1 outputs/hpo/tiny/trial_0

clean:
	rm -rf bin $(RESULTS)

## select: pick the configuration to ship from the demo HPO tree (after make bench)
select: build
	bin/nerbench select --config $(BENCH_CONFIG)
	@cat outputs/best_configuration.json

# Regression gate (docs/regression-gate.md): interleaved A/B runs with scripts/ab.sh, judged by nerbench check.
ROUNDS ?= 10
AB_OUT ?= results/ab
ABFLAGS ?=
CHECKFLAGS ?=
A ?= outputs/hpo/tiny/trial_0/checkpoint
B ?= outputs/hpo/tiny/trial_0/checkpoint
BASE ?= origin/main
HEAD_REV ?= HEAD
PROOFFLAGS ?=
MEASUREFLAGS ?=

## ab-ckpts: interleaved A/B runs of two checkpoints (A=dir B=dir; default: the tiny demo against itself), then nerbench check
ab-ckpts: ort demo-tiny
	scripts/ab.sh -n $(ROUNDS) -o $(AB_OUT) $(ABFLAGS) checkpoints $(A) $(B) -- $(CHECKFLAGS)

## ab-revs: interleaved A/B runs of two git revisions (BASE=rev HEAD_REV=rev) on the tiny demo model, then nerbench check
ab-revs: ort demo-tiny
	scripts/ab.sh -n $(ROUNDS) -o $(AB_OUT) $(ABFLAGS) revs $(BASE) $(HEAD_REV) -- $(CHECKFLAGS)

## gate-measure: the false-alarm rate and smallest slowdown caught on this machine: a 200-round A/A run (~11 min), then the analysis
gate-measure: ort demo-tiny
	scripts/ab.sh -n 200 -o results/ab-aa $(ABFLAGS) checkpoints $(A) $(A) || [ $$? = 1 ]
	$(GO) test ./internal/check -run TestGateOnRealNoise -count=1 -v -args -check.aa=$(CURDIR)/results/ab-aa $(MEASUREFLAGS)

## gate-numbers: the README's numbers again, from the committed A/A run (internal/check/testdata/aa-tiny; MEASUREFLAGS=-check.alpha=0.01 for alpha 0.01)
gate-numbers:
	$(GO) test ./internal/check -run TestGateOnRealNoise -count=1 -v -args -check.aa=$(CURDIR)/internal/check/testdata/aa-tiny $(MEASUREFLAGS)

## gate-proof: the gate's tests on real measurements (PROOFFLAGS=-proof.heavy adds bert vs distilbert; needs make demo)
gate-proof: ort demo-tiny
	$(GO) test ./internal/check -count=1 -v -run 'Synthetic|RealNoise'
	$(GO) test ./internal/check/proof -count=1 -v -args $(PROOFFLAGS)

## e2e-ratio: end-to-end docs/sec against inference-only docs/sec in one process, interleaved, distilbert-shaped model (E2E_BATCH=1)
## (E2E_AHEAD=n: tokenize n batches at a time instead of runner.AheadBatches; E2E_AHEAD=1 is the old one-batch-per-iteration way)
E2E_BATCH ?= 1
E2E_AHEAD ?= 0
e2e-ratio: ort demo
	NERBENCH_CONFIG=$(BENCH_CONFIG) $(GO) test -run='^$$' -bench=E2ERatio -benchtime=1x -count=5 ./benchmarks -args -nerbench.e2e-ratio -nerbench.e2e-ratio-batch=$(E2E_BATCH) -nerbench.e2e-ratio-ahead=$(E2E_AHEAD)

## gap-cost: what work between two Runs costs the second Run (nothing, busy waits, tokenizing), batch 1, distilbert-shaped model
gap-cost: ort demo
	NERBENCH_CONFIG=$(BENCH_CONFIG) $(GO) test -run='^$$' -bench=GapCost -benchtime=1x -count=3 ./benchmarks -args -nerbench.gap-cost
