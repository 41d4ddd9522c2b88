// Package selection picks the configuration to ship after a
// hyper-parameter search, trading accuracy against measured speed, and says
// where each speed figure came from.
//
// # The HPO tree
//
// Each subdirectory of the HPO directory is a backbone (names starting with
// "." or "_" are skipped, and so are plain files such as manifest.json). A
// backbone's trial_* directories holding a metrics.json are its trials:
//
//	<hpo>/<backbone>/trial_<n>/metrics.json           {"macro-f1": 0.83, …}
//	<hpo>/<backbone>/trial_<n>/hyperparameters.json   optional, {} when absent
//	<hpo>/<backbone>/trial_<n>/benchmark.json         when benchmarked
//	<hpo>/<backbone>/trial_<n>/checkpoint/{model.onnx, config.json, …}
//
// Cross-validation folds, trial_<n>_fold<k> (or trial_<n>_<run>_fold<k>),
// are grouped into one trial named trial_<n> (trial_<n>_<run>): its value is
// the mean of the folds' values, its metrics the mean of every numeric metric
// that all its folds report, and the lowest-numbered fold's directory stands
// for the trial when looking for benchmark.json, the model and its config.
// Where a plain trial_<n> directory with metrics.json exists beside folds of
// the same name, the plain one is the trial and the folds are ignored, with a
// warning.
//
// The candidate of a backbone is its best trial by the metric (the largest
// value, or the smallest with goal minimize); equal values go to the trial
// with the lower number, then the name.
//
// # Speed
//
// A candidate's speed score is a number where lower means faster:
//
//   - with benchmark.json (in the trial directory, or in checkpoint/ as a
//     fallback), its batch_1.mean_ms, the mean latency of one document in
//     milliseconds (speed_data_source "benchmark");
//   - otherwise its parameter count (speed_data_source "parameter_proxy"):
//     the weights stored as initializers of the checkpoint's ONNX model
//     (checkpoint/model.onnx, model.onnx in the trial directory, or the
//     single *.onnx file there), counted by package onnxparams; where there
//     is no ONNX model, or it cannot be read, an estimate from config.json
//     (see EstimateParameters). A candidate with neither has no speed score.
//
// Milliseconds are never compared with parameter counts: all candidates are
// ranked by one kind of score (speed_data_source). When every candidate that
// has any speed data has a benchmark, they are ranked by latency; when only
// some have one, all are ranked by parameter count, and the output says so in
// speed_data_note (and a warning). A candidate with no score of that kind
// ranks as the slowest and is never chosen as the faster one. Each
// candidate's entry in all_candidates lists its own sources (speed_sources)
// and figures (benchmark_latency_ms, parameter_count), whichever kind ranked
// it.
//
// A benchmark.json that cannot be read, or has no usable batch_1.mean_ms,
// gives a warning naming the file and counts as missing.
//
// # Threads sweeps
//
// A benchmark.json of a threads sweep (contract.KeyThreads) holds a
// batch_1 per intra-op thread count. Options.Threads says which is read:
// "first" (or ""), the sweep's first count, which is the file's own
// batch_1; a count; or "best", each trial's fastest count. A benchmark
// without a sweep was measured at the count of its intra-op-threads line.
// A trial whose benchmark has no result at the count asked for counts as
// having no benchmark (a warning, and the reason in speed_data_note) rather
// than being an error, as an unreadable one does. Each candidate entry's
// threads is the count its latency was measured at; threads_setting,
// threads (the chosen trial's) and threads_note (when the candidates were
// compared at different counts, as "best" may) are in selection_criteria.
// With no sweep and the default setting, none of these keys is written.
//
// # The rule
//
// Candidates are ranked by the metric (best first); equal values go to the
// faster candidate (a candidate without a speed score counts as slowest),
// then to the backbone name. The first is the best.
//
// Without an accuracy threshold, the best is chosen (strategy
// "accuracy_only"). With one (strategy "accuracy_first_with_threshold"), the
// distance of a candidate from the best is
//
//	best − value    (goal maximize)      value − best    (goal minimize)
//
// in the metric's units (--absolute), or divided by |best| (--relative, the
// default). A candidate is eligible when it is faster than the best (a
// strictly lower speed score of the same kind) and
//
//	min_accuracy_gain ≤ distance ≤ accuracy_threshold
//
// (min_accuracy_gain is 0 when not set; both compare within 1e-9 for
// rounding). The most accurate eligible candidate is chosen, ties again going
// to the faster; when none is eligible the best is kept. The reason says which
// happened, with the numbers.
//
// This is the original tool's rule, kept so that its settings mean the same
// here. accuracy_threshold bounds how much accuracy a faster model may cost;
// min_accuracy_gain is the least accuracy gap between the best and a faster
// model that the selector acts on: differences smaller than it are treated as
// too small to be a real trade-off, and the best by the metric stays. Both are
// measured the same way (relative or absolute), so together they form a
// window, and settings whose window is empty are errors, not silent no-ops:
// min_accuracy_gain larger than accuracy_threshold (the original's 0.015
// with 0.02), min_accuracy_gain without accuracy_threshold, and an
// accuracy_threshold of 0 (a faster candidate exactly as accurate as the best
// would already be the best, since ties go to the faster).
package selection
