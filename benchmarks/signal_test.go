package benchmarks

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGINT in the middle of the suite (keeping samples, whose file is being
// written) stops it with status 130, leaves the existing samples
// file as it was and no temporary file.
func TestSuiteSignalMidRun(t *testing.T) {
	dir := t.TempDir()
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	out := filepath.Join(dir, "tiny", "benchmark.json")
	samples := filepath.Join(dir, "tiny", "benchmark.samples.jsonl")
	os.MkdirAll(filepath.Dir(out), 0o755)
	os.WriteFile(samples, []byte("old samples\n"), 0o644)
	toml := filepath.Join(dir, "bench.toml")
	os.WriteFile(toml, []byte(fmt.Sprintf("test_data = %q\nbatch_sizes = [1]\nwarmup = 0\nkeep_samples = true\n[[model]]\nname = \"tiny\"\ncheckpoint = %q\noutput = %q\n",
		abs("../data/demo/test_data.json"), abs("../outputs/hpo/tiny/trial_0/checkpoint"), out)), 0o644)
	bin := filepath.Join(t.TempDir(), "suite.test")
	if b, err := exec.Command("go", "test", "-c", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, b)
	}
	cmd := exec.Command(bin, "-test.run=^$", "-test.bench=.", "-test.benchtime=100000000x")
	cmd.Env = append(os.Environ(), ConfigEnv+"="+toml)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	loaded := make(chan bool, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !found && strings.Contains(sc.Text(), "nerbench loaded model tiny") {
				found = true
				loaded <- true
			}
		}
		if !found {
			loaded <- false
		}
	}()
	select {
	case ok := <-loaded:
		if !ok {
			cmd.Wait()
			t.Fatalf("the suite ended before loading the model:\n%s", log.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the suite did not load the model within 60 s")
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	werr := make(chan error, 1)
	go func() { werr <- cmd.Wait() }()
	select {
	case err = <-werr:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the suite did not stop within 30 s of SIGINT")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want status 130 (stopped by nerbench's handler)\n%s", err, log.String())
	}
	if data, _ := os.ReadFile(samples); string(data) != "old samples\n" {
		t.Errorf("the samples file changed: %q", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v\n%s", names, log.String())
	}
}
