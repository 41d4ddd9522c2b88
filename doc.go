// Package nerbench measures how fast NER (token-classification) models
// really run. This root package holds only the suite's entry point,
// bench_test.go, so that `go test -bench=. -run='^$'` at the repository
// root runs the benchmarks of bench.toml; the suite itself is package
// benchmarks, and the command is cmd/nerbench. See README.md.
package nerbench
