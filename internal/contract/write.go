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
// its folder exists (or can be made) and takes a new file. It creates the
// missing folders and leaves nothing else behind.
func CheckWritable(path string) error {
	target, err := ResolveOutput(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".check*")
	if err != nil {
		return fmt.Errorf("%s cannot be written: %w", path, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, by the rules above. The folder is created if needed.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	target, err := ResolveOutput(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	temps.Lock()
	if temps.interrupted {
		temps.Unlock()
		return fmt.Errorf("writing %s: %w", path, ErrInterrupted)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp*")
	if err == nil {
		temps.files[tmp.Name()] = true
	}
	temps.Unlock()
	if err != nil {
		return err
	}
	done := func() {
		temps.Lock()
		delete(temps.files, tmp.Name())
		temps.Unlock()
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			done()
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if BeforeRename != nil {
		BeforeRename(tmp.Name())
	}
	temps.Lock()
	defer temps.Unlock()
	if temps.interrupted {
		return fmt.Errorf("writing %s: %w", path, ErrInterrupted)
	}
	// The target may have become something else since it was resolved.
	if fi, lerr := os.Lstat(target); lerr == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	delete(temps.files, tmp.Name())
	return nil
}
