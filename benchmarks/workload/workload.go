// Package workload decides which texts are timed at a batch size, in what
// order, and names that work with a fingerprint, so that two results can be
// set side by side only when they measured the same work.
//
// The rule depends only on the test data, the batch size and the schedule,
// never on a model or on its iteration count:
//
//   - The timed texts are the test set, or, with texts = k in bench.toml, k
//     texts spread evenly over it: text floor(i·n/k) for i = 0 … k−1, in
//     that order.
//   - A pass at batch size b is ceil(k/b) batches: batch j holds timed texts
//     j·b … j·b+b−1, wrapping around to the first texts to fill the last
//     batch. Every pass is the same batches in the same order.
//   - A run warms up on whole passes (at least one: every batch that will be
//     timed is visited untimed first) and times whole passes from batch 0.
//     An iteration count that is not a whole number of passes is rounded up.
//
// The fingerprint is a SHA-256 over the schedule's name, the batch size,
// max_length as configured, and the timed texts of one pass in order. The
// number of passes is not part of it: every pass is the same work, so a
// model timed over 2 passes and one timed over 5 measured the same
// distribution of batches (their sample counts say how precisely).
package workload

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Schedule names the rule above; it is part of every fingerprint, so that a
// change of the rule changes every fingerprint.
const Schedule = "passes-v1"

// Batching names how texts become batches: in test-set order, padded to the
// longest text of each batch.
const Batching = "in-order-pad-longest"

// Subset returns the indices of the k texts, of n, that are timed: all of
// them when k is 0 or at least n, else floor(i·n/k) for i = 0 … k−1.
func Subset(n, k int) []int {
	if k <= 0 || k >= n {
		k = n
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i * n / k
	}
	return idx
}

// PassLen returns the number of batches in one pass over k timed texts at
// batch size b: ceil(k/b).
func PassLen(k, b int) int {
	if k <= 0 || b <= 0 {
		return 0
	}
	return (k + b - 1) / b
}

// Batch returns the positions, among the k timed texts, of the texts of
// batch j of a pass at batch size b.
func Batch(k, b, j int) []int {
	pos := make([]int, b)
	for i := range pos {
		pos[i] = (j*b + i) % k
	}
	return pos
}

// RoundUp returns the number of iterations, at least iterations and at
// least one pass, that makes whole passes of passLen batches.
func RoundUp(iterations, passLen int) int {
	if passLen <= 0 {
		return iterations
	}
	passes := max((iterations+passLen-1)/passLen, 1)
	return passes * passLen
}

// Fingerprint returns the workload fingerprint of the timed texts (in
// order) at batch size b, truncated at maxLength tokens: "sha256:" and 16
// hex digits.
func Fingerprint(texts []string, b, maxLength int) string {
	h := sha256.New()
	var buf [8]byte
	put := func(v int) {
		binary.LittleEndian.PutUint64(buf[:], uint64(v))
		h.Write(buf[:])
	}
	fmt.Fprintf(h, "nerbench workload\x00%s\x00%s\x00", Schedule, Batching)
	put(b)
	put(maxLength)
	put(len(texts))
	for j := range PassLen(len(texts), b) {
		for _, p := range Batch(len(texts), b, j) {
			put(len(texts[p]))
			h.Write([]byte(texts[p]))
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}
