# The nerbench image for running shards where there is no Go toolchain of
# our own, such as a Kubernetes cluster (deploy/k8s): Go, gcc and npm, the
# repository's sources, the ONNX Runtime library (scripts/setup-ort.sh,
# checked against scripts/ort.sha256), the demo checkpoints and data, the
# nerbench binary and the compiled suite. `make bench SHARD=i/n
# RESULTS=/results` in it runs one shard (see deploy/k8s/shards.yaml).
#
#   docker build -t nerbench:latest .
#
# A test (deploy/k8s) checks that every file it copies is in the
# repository; building it needs a registry and the npm registry.
FROM golang:1.26-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends npm make ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /nerbench

COPY go.mod go.sum ./
RUN go mod download

COPY Makefile bench.toml bench_test.go doc.go ./
COPY benchmarks ./benchmarks
COPY cmd ./cmd
COPY converter ./converter
COPY internal ./internal
COPY scripts ./scripts

# Everything make bench needs, done once here so that every shard starts
# measuring at once: the library, the demo checkpoints, bin/nerbench, and
# the suite (make bench recompiles it from the build cache).
RUN make ort demo build \
 && go test -c -o bin/suite.test .

ENV NERBENCH_CONFIG=bench.toml
CMD ["make", "bench"]
