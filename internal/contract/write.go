package contract

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// The rules every write of the project follows (README.md, "Where nerbench
// writes"):
//
//   - data goes to a temporary file in the target's folder, is synced, and
//     is renamed over the target, so that a reader sees the old file or
//     the complete new one, never a mix;
//   - the target, when it exists, must be a regular file: a device node, a
//     folder, a pipe or a socket is refused ([ErrNotRegular]);
//   - a symlink is written through: the file it points to is replaced (in
//     the link target's folder), the link itself stays;
//   - after [Interrupt] no write completes, and every temporary file of a
//     write in progress is removed.

// ErrNotRegular is returned for an output that exists and is not a regular
// file (or a symlink to one).
var ErrNotRegular = errors.New("exists and is not a regular file; nerbench writes only regular files")

// ErrInterrupted is returned by writes after Interrupt.
var ErrInterrupted = errors.New("interrupted")

// temps tracks the temporary files of writes in progress, for Interrupt.
var temps = struct {
	sync.Mutex
	files       map[string]bool
	interrupted bool
}{files: map[string]bool{}}

// Interrupt stops every write: the temporary files of writes in progress
// are removed, no rename happens after it returns, and later writes fail
// with ErrInterrupted. Signal handlers call it before exiting.
func Interrupt() {
	temps.Lock()
	defer temps.Unlock()
	temps.interrupted = true
	for f := range temps.files {
		os.Remove(f)
		delete(temps.files, f)
	}
}

// BeforeRename, when set (by tests only), is called with the temporary
// file's name once the data is written and before the rename.
var BeforeRename func(tmp string)

// ResolveOutput returns the file that a write to path replaces: path
// itself, or for a symlink (or a chain of them) the file it points to,
// whether it exists or not. It refuses a path that exists and is not a
// regular file, and a chain of links that does not end.
func ResolveOutput(path string) (string, error) {
	p := path
	for range 40 {
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return p, nil
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return "", err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			p = target
		case !fi.Mode().IsRegular():
			return "", fmt.Errorf("%s: %w", path, ErrNotRegular)
		default:
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// CheckWritable checks, before any work is done, that path can be written
// by WriteFileAtomic: it is not something other than a regular file, and
// the folder it goes to (or the nearest one above that exists) takes a new
// file. It creates nothing and leaves nothing behind.
func CheckWritable(path string) error {
	target, err := ResolveOutput(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s cannot be written: %s is not a folder", path, dir)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return fmt.Errorf("%s cannot be written: %w", path, err)
		}
		dir = filepath.Dir(dir)
	}
	tmp, err := os.CreateTemp(dir, ".nerbench-check*")
	if err != nil {
		return fmt.Errorf("%s cannot be written: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// Temp is a temporary file that becomes path on Commit, by the rules
// above: created in the folder of the file path resolves to, removed by
// Interrupt, by Discard, or by a failed Commit.
type Temp struct {
	*os.File
	path, target string
}

// CreateTemp starts a write of path: the folder is created if needed, and
// path, if it exists, must be a regular file (or a symlink to one).
func CreateTemp(path string) (*Temp, error) {
	target, err := ResolveOutput(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	temps.Lock()
	defer temps.Unlock()
	if temps.interrupted {
		return nil, fmt.Errorf("writing %s: %w", path, ErrInterrupted)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp*")
	if err != nil {
		return nil, err
	}
	temps.files[f.Name()] = true
	return &Temp{File: f, path: path, target: target}, nil
}

// Discard closes and removes the temporary file.
func (t *Temp) Discard() {
	t.File.Close()
	os.Remove(t.Name())
	temps.Lock()
	delete(temps.files, t.Name())
	temps.Unlock()
}

// Commit syncs and closes the temporary file, sets its permissions and
// renames it over the target, unless Interrupt came first. On failure
// the temporary file is removed.
func (t *Temp) Commit(perm os.FileMode) (err error) {
	defer func() {
		if err != nil {
			t.Discard()
		}
	}()
	if err = t.Chmod(perm); err != nil {
		return err
	}
	if err = t.Sync(); err != nil {
		return err
	}
	if err = t.Close(); err != nil {
		return err
	}
	if BeforeRename != nil {
		BeforeRename(t.Name())
	}
	temps.Lock()
	defer temps.Unlock()
	if temps.interrupted {
		return fmt.Errorf("writing %s: %w", t.path, ErrInterrupted)
	}
	// The target may have become something else since it was resolved.
	if fi, lerr := os.Lstat(t.target); lerr == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", t.path, ErrNotRegular)
	}
	if err = os.Rename(t.Name(), t.target); err != nil {
		return err
	}
	delete(temps.files, t.Name())
	return nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, by the rules above. The folder is created if needed.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	t, err := CreateTemp(path)
	if err != nil {
		return err
	}
	if _, err := t.Write(data); err != nil {
		t.Discard()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return t.Commit(perm)
}
