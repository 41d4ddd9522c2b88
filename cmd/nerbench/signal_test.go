package main

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

	"github.com/nerbench/nerbench/internal/contract"
)

// TestMain runs the test binary as nerbench itself when asMain is set, so
// that a test can send it signals.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(asMain); ok {
		os.Args = append([]string{"nerbench"}, strings.Split(args, "\x1f")...)
		if os.Getenv(pauseBeforeRename) != "" {
			contract.BeforeRename = func(string) {
				fmt.Fprintln(os.Stderr, "PAUSED BEFORE RENAME")
				time.Sleep(time.Minute)
			}
		}
		main()
		return
	}
	os.Exit(m.Run())
}

const (
	asMain            = "NERBENCH_TEST_AS_MAIN"
	pauseBeforeRename = "NERBENCH_TEST_PAUSE_BEFORE_RENAME"
)

// startNerbench starts nerbench with args and returns it once its stderr
// shows ready.
func startNerbench(t *testing.T, ready string, pause bool, args ...string) (*exec.Cmd, *strings.Builder, chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), asMain+"="+strings.Join(args, "\x1f"))
	if pause {
		cmd.Env = append(cmd.Env, pauseBeforeRename+"=1")
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	seen := make(chan bool, 1)
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !found && strings.Contains(sc.Text(), ready) {
				found = true
				seen <- true
			}
		}
		if !found {
			seen <- false
		}
		done <- cmd.Wait()
	}()
	select {
	case ok := <-seen:
		if !ok {
			err := <-done
			t.Fatalf("nerbench ended (%v) before %q:\n%s", err, ready, log.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no %q after 60 s", ready)
	}
	return cmd, &log, done
}

// checkStopped sends sig and checks that nerbench exits non-zero, leaves
// the folder's files as they were and no temporary file.
func checkStopped(t *testing.T, cmd *exec.Cmd, log *strings.Builder, done chan error, sig os.Signal, dir string, before map[string]string) {
	t.Helper()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("nerbench did not stop within 30 s of the signal")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130\n%s", err, log.String())
	}
	if after := snapshot(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("files changed:\nbefore %v\nafter  %v\n%s", before, after, log.String())
	}
}

// snapshot maps every file under dir to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// SIGINT in the middle of a write of convert: the old benchmark.json
// stays, no temporary file is left, the exit status is 130.
func TestSignalMidWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out", "tiny_trial_0", "benchmark.json")
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("old"), 0o644)
	in, err := filepath.Abs(convertTestdata + "single.txt")
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	cmd, log, done := startNerbench(t, "PAUSED BEFORE RENAME", true, "convert", "-out-dir", filepath.Join(dir, "out"), in)
	checkStopped(t, cmd, log, done, syscall.SIGINT, dir, before)
}

// SIGTERM in the middle of nerbench run (keeping samples, whose file is
// being written): outputs untouched, no temporary file, exit status 130.
func TestSignalMidRun(t *testing.T) {
	ckpt, texts := ownCheckpoint(t), writeTexts(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "benchmark.json")
	os.WriteFile(out, []byte("old"), 0o644)
	before := snapshot(t, dir)
	cmd, log, done := startNerbench(t, "ONNX Runtime", false, "run", "--checkpoint", ckpt, "--test-data", texts,
		"--output", out, "--batch-sizes", "1", "--iterations", "10000000", "--warmup", "0", "--keep-samples", "--device", "cpu")
	time.Sleep(500 * time.Millisecond) // into the timed iterations
	checkStopped(t, cmd, log, done, syscall.SIGTERM, dir, before)
}
