package contract

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// MachineSlug returns a machine label as a file-name part: lower case,
// every run of characters outside [a-z0-9.+] one '-', no '-' at either
// end ("AMD EPYC 7763 64-Core Processor x4" → "amd-epyc-7763-64-core-processor-x4").
func MachineSlug(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '+' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// MachinePath returns where the benchmark.json of one machine goes when a
// model was measured on several: beside path, with the machine's slug
// before the extension (benchmark.json → benchmark.<slug>.json).
func MachinePath(path, label string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "." + MachineSlug(label) + ext
}

// FilesIn returns the benchmark.json files of a trial folder: benchmark.json
// when there is one, then the per-machine benchmark.<slug>.json files
// (MachinePath), sorted.
func FilesIn(dir string) []string {
	var out []string
	if fi, err := os.Stat(filepath.Join(dir, "benchmark.json")); err == nil && fi.Mode().IsRegular() {
		out = append(out, filepath.Join(dir, "benchmark.json"))
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "benchmark.*.json"))
	slices.Sort(matches)
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
			out = append(out, m)
		}
	}
	return out
}
