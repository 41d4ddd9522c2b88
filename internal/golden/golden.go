// Package golden compares what a test produced with a file under testdata,
// and rewrites such files when the tests run with -update:
//
//	go test ./compare -update
//
// It is imported by tests only, so the flag exists only in test binaries.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// Update is the -update flag: write got to the golden files instead of
// comparing.
var Update = flag.Bool("update", false, "rewrite the golden files under testdata with this run's output")

// Check compares got with the file at path. With -update it writes got
// there instead (creating the folder).
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (check the change, then go test -update accepts it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
