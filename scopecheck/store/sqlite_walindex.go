package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
)

// walIndex reads the header of a WAL-mode database's WAL index, the -shm
// file beside it, where SQLite publishes each commit to every connection of
// every process (https://www.sqlite.org/walformat.html, "The WAL-Index
// Header"). A writer finishes every commit by storing a new header, with
// its change counter raised, twice: the second copy first, then the first.
// A reader that finds both copies equal to what it saw before knows that
// no commit became visible in between; copies that differ mean a commit is
// being published, and the header tells nothing this time.
//
// Processes running different SQLite versions share one database through
// this file, so its layout is kept compatible across releases; the version
// field is checked all the same, and any header that is not the one
// described here makes the caller fall back on PRAGMA data_version.
//
// The header is read through a read-only mapping of the file, where the
// platform allows it and can show that SQLite has this very file open (see
// mapHeaders); elsewhere there is no walIndex.
type walIndex struct {
	f *os.File
	// mem is the start of the file, mapped read-only.
	mem []byte
}

// walHeader is one copy of the WAL-index header.
type walHeader [walHeaderSize]byte

const (
	walHeaderSize = 48
	// walIndexVersion is the header's iVersion field, the WAL-index format
	// SQLite has written since 3.7.0.
	walIndexVersion = 3007000
)

// errWALIndexBusy means the two copies of the header differ: a commit is
// being published.
var errWALIndexBusy = errors.New("the WAL index header is being written")

// openWALIndex maps the WAL index of the database at path, holding its
// file in files. The database must be open in WAL mode, with normal
// locking, on a connection of this process that stays open: SQLite then
// keeps using this very file for as long as that connection lives, and no
// other process can delete it. The mapping is released by close; the file
// stays open in files.
func openWALIndex(files *shmFiles, path string) (*walIndex, error) {
	f, err := files.open(path)
	if err != nil {
		return nil, err
	}
	w := &walIndex{f: f}
	if err := w.mapHeaders(); err != nil {
		return nil, err
	}
	// A header being written is no reason to give up: each reading
	// checks it again.
	if _, err := w.header(); err != nil && !errors.Is(err, errWALIndexBusy) {
		w.close()
		return nil, err
	}
	return w, nil
}

// header returns the current header. It reports errWALIndexBusy while a
// commit is being published, and another error for a header that is not
// in the format described above.
func (w *walIndex) header() (walHeader, error) {
	var both [2 * walHeaderSize]byte
	if err := w.readHeaders(&both); err != nil {
		return walHeader{}, fmt.Errorf("reading the WAL index: %w", err)
	}
	first, second := both[:walHeaderSize], both[walHeaderSize:]
	if !bytes.Equal(first, second) {
		return walHeader{}, errWALIndexBusy
	}
	// iVersion is a 32-bit integer in the machine's byte order; isInit is
	// the byte at offset 12.
	if v := binary.NativeEndian.Uint32(first[0:4]); v != walIndexVersion {
		return walHeader{}, fmt.Errorf("the WAL index has version %d, not %d", v, walIndexVersion)
	}
	if first[12] != 1 {
		return walHeader{}, errors.New("the WAL index is not initialized")
	}
	return walHeader(first), nil
}

// close releases the mapping. The file stays held (see shmFiles).
func (w *walIndex) close() error {
	return w.unmapHeaders()
}

// shmFiles are the WAL-index files a store reads, held from the process's
// registry of their descriptors (shmOpen) until the store is closed.
//
// On POSIX systems, closing any descriptor of a file releases every lock
// the process holds on that file, and SQLite holds locks on the WAL index
// (one tells other processes that it is in use): a descriptor closed while
// any SQLite connection of the process has the database open, that of
// another store on the same file included, would let another process reset
// the WAL index under it. So the process keeps one descriptor per file,
// shared by the stores that read it, and closes it after the last of them
// is closed, once its connections are.
type shmFiles struct {
	held []*shmFile
}

// open returns a descriptor of the WAL index of the database at path,
// held by this store. SQLite names the WAL index after the database file
// with symbolic links resolved.
func (s *shmFiles) open(path string) (*os.File, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(real + "-shm")
	if err != nil {
		return nil, err
	}
	for _, h := range s.held {
		if os.SameFile(h.info, info) {
			return h.f, nil
		}
	}
	h, err := shmOpen.acquire(real+"-shm", info)
	if err != nil {
		return nil, err
	}
	s.held = append(s.held, h)
	return h.f, nil
}

// close gives the files back to the registry.
func (s *shmFiles) close() error {
	var errs []error
	for _, h := range s.held {
		errs = append(errs, shmOpen.release(h))
	}
	s.held = nil
	return errors.Join(errs...)
}

// shmOpen is the process's registry of WAL-index descriptors.
var shmOpen shmRegistry

// shmRegistry holds one descriptor per WAL-index file, and how many stores
// hold it.
type shmRegistry struct {
	mu    sync.Mutex
	files []*shmFile
}

type shmFile struct {
	f    *os.File
	info os.FileInfo
	fd   string // the descriptor's number, as /proc/self/fd names it
	refs int
}

// acquire returns the descriptor of the file name, which info describes,
// opening it unless a store holds it already, and counts one more holder.
func (r *shmRegistry) acquire(name string, info os.FileInfo) (*shmFile, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.files {
		if os.SameFile(h.info, info) {
			h.refs++
			return h, nil
		}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	// The file opened is the one described, or another put in its place
	// meanwhile: the descriptor's own description is kept.
	fd := strconv.FormatUint(uint64(f.Fd()), 10)
	fi, err := f.Stat()
	if err != nil {
		// Unheld, the descriptor stays open all the same: closing it may
		// release SQLite's locks.
		r.files = append(r.files, &shmFile{f: f, info: info, fd: fd})
		return nil, err
	}
	h := &shmFile{f: f, info: fi, fd: fd, refs: 1}
	r.files = append(r.files, h)
	return h, nil
}

// release counts one holder less, and closes the descriptor after the
// last one.
func (r *shmRegistry) release(h *shmFile) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	h.refs--
	if h.refs > 0 {
		return nil
	}
	r.files = slices.DeleteFunc(r.files, func(x *shmFile) bool { return x == h })
	return h.f.Close()
}

// holds reports whether fd, a descriptor number as /proc/self/fd names it,
// is one of the registry's.
func (r *shmRegistry) holds(fd string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.files {
		if h.fd == fd {
			return true
		}
	}
	return false
}
