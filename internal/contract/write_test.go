package contract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Outputs that exist and are not regular files are refused and left alone.
func TestWriteRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "folder")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	linkToDev := filepath.Join(dir, "devlink")
	if err := os.Symlink("/dev/null", linkToDev); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/null", fifo, sub, linkToDev} {
		err := Write(p, validFile())
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("Write(%s) = %v, want ErrNotRegular", p, err)
		}
		if err := CheckWritable(p); !errors.Is(err, ErrNotRegular) {
			t.Errorf("CheckWritable(%s) = %v, want ErrNotRegular", p, err)
		}
	}
	if fi, err := os.Lstat("/dev/null"); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Errorf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Error("the fifo was replaced")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("folder holds %d entries, want 3 (no temporary file)", len(entries))
	}
}

// A symlink is written through: the file it points to changes, the link
// stays a link; a dangling link creates its target.
func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "benchmark.json")
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("real/benchmark.json", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, validFile()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if _, err := Read(real); err != nil {
		t.Errorf("the link's target was not written: %v", err)
	}
	dangling := filepath.Join(dir, "dangling.json")
	if err := os.Symlink("made/by/write.json", dangling); err != nil {
		t.Fatal(err)
	}
	if err := Write(dangling, validFile()); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(filepath.Join(dir, "made", "by", "write.json")); err != nil {
		t.Errorf("dangling link's target: %v", err)
	}
}

// After Interrupt a write in progress removes its temporary file and
// leaves the existing file untouched.
func TestInterruptMidWrite(t *testing.T) {
	defer func() {
		BeforeRename = nil
		temps.Lock()
		temps.interrupted = false
		temps.Unlock()
	}()
	dir := t.TempDir()
	path := filepath.Join(dir, "benchmark.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	BeforeRename = func(tmp string) {
		if _, err := os.Stat(tmp); err != nil {
			t.Errorf("temporary file missing before the rename: %v", err)
		}
		Interrupt()
	}
	if err := Write(path, validFile()); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Write = %v, want ErrInterrupted", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Errorf("existing file changed: %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only benchmark.json", len(entries))
	}
	if err := Write(filepath.Join(dir, "b.json"), validFile()); !errors.Is(err, ErrInterrupted) {
		t.Errorf("write after Interrupt = %v, want ErrInterrupted", err)
	}
}

// Concurrent writers of one file never leave a corrupt or mixed file, and
// readers only ever see one complete version.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "trial_0", "benchmark.json")
	const writers, rounds = 4, 50
	want := map[string]bool{}
	files := make([][]byte, writers)
	for w := range writers {
		f := validFile()
		f.Model = fmt.Sprintf("writer-%d-%s", w, strings.Repeat("x", 4096*w)) // different sizes
		data, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		files[w] = data
		want[string(data)] = true
	}
	stop := make(chan struct{})
	var readerErr error
	var rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err == nil && !want[string(data)] {
				readerErr = fmt.Errorf("read a file that no writer wrote (%d bytes)", len(data))
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if err := WriteFileAtomic(path, files[w], 0o644); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rwg.Wait()
	if readerErr != nil {
		t.Fatal(readerErr)
	}
	data, _ := os.ReadFile(path)
	if !want[string(data)] {
		t.Error("final file is not one writer's")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only benchmark.json", len(entries))
	}
}
