//go:build unix

package store

import (
	"errors"
	"os"
	"runtime/debug"
	"syscall"
)

// mapHeaders maps the page of the WAL index that holds the headers, shared
// and read-only, so that reading them takes no system call: the file is
// where SQLite's own connections map it, and its pages are the same memory.
func (w *walIndex) mapHeaders() error {
	info, err := w.f.Stat()
	if err != nil {
		return err
	}
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
