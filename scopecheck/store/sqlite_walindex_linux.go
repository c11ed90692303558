package store

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"syscall"
)

// mapHeaders maps the page of the WAL index that holds the headers, shared
// and read-only, so that reading them takes no system call: its pages are
// the memory SQLite's own connections map.
//
// It first makes sure that the file is the one SQLite uses: another
// descriptor of this process, which only SQLite opens, must refer to it.
// A file beside the database that SQLite does not use (left by a crash,
// or named after a path SQLite resolves otherwise) would never change.
func (w *walIndex) mapHeaders() error {
	info, err := w.f.Stat()
	if err != nil {
		return err
	}
	inUse, err := openElsewhere(w.f, info)
	if err != nil {
		return err
	}
	if !inUse {
		return fmt.Errorf("SQLite does not have %s open", w.f.Name())
	}
	return w.mapFile(info)
}

// mapFile maps the start of the file.
func (w *walIndex) mapFile(info os.FileInfo) error {
	if info.Size() < 2*walHeaderSize {
		return errors.New("the WAL index is shorter than its headers")
	}
	mem, err := syscall.Mmap(int(w.f.Fd()), 0, os.Getpagesize(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return err
	}
	w.mem = mem
	return nil
}

// openElsewhere reports whether a descriptor of this process other than
// those of the stores' registry (shmOpen) refers to the file f describes.
func openElsewhere(f *os.File, info os.FileInfo) (bool, error) {
	const dir = "/proc/self/fd/"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("listing this process's open files: %w", err)
	}
	own := strconv.FormatUint(uint64(f.Fd()), 10)
	for _, e := range entries {
		if e.Name() == own || shmOpen.holds(e.Name()) {
			continue
		}
		// Stat follows the link to the open file itself.
		if fi, err := os.Stat(dir + e.Name()); err == nil && os.SameFile(fi, info) {
			return true, nil
		}
	}
	return false, nil
}

// readHeaders copies both copies of the header from the mapping. SQLite
// never shrinks the WAL index while a connection has the database open, as
// the detector's does; were the file cut short all the same, the read
// fails instead of the process.
func (w *walIndex) readHeaders(dst *[2 * walHeaderSize]byte) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			err = errors.New("the WAL index was cut short")
		}
	}()
	copy(dst[:], w.mem)
	return nil
}

func (w *walIndex) unmapHeaders() error {
	if w.mem == nil {
		return nil
	}
	mem := w.mem
	w.mem = nil
	return syscall.Munmap(mem)
}
