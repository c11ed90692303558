package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// errWALIndexUnsupported means that the WAL index is not read on this
// platform.
var errWALIndexUnsupported = errors.New("the WAL index is read on Linux only")

// openWALIndex maps the WAL index of the database at path. The database
// must be open in WAL mode, with normal locking, on a connection of this
// process that stays open: SQLite then keeps using this very file for as
// long as that connection lives, and no other process can delete it. The
// mapping is released by close; the file stays open (see shmOpen).
func openWALIndex(path string) (*walIndex, error) {
	f, err := shmOpen.open(path)
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

// close releases the mapping. The file stays open (see shmOpen).
func (w *walIndex) close() error {
	return w.unmapHeaders()
}

// shmOpen keeps the process's descriptors of WAL-index files: one per
// file, opened when a store first reads it and never closed. On POSIX
// systems, closing any descriptor of a file releases every lock the
// process holds on that file, and SQLite holds locks on the WAL index (one
// tells other processes that it is in use): a descriptor closed while any
// SQLite connection of the process has the database open (another store's
// on the same file, one still in use after its store was closed, one of a
// store still opening) would let another process reset the WAL index under
// it, and nothing tells when no connection has. A descriptor per database
// file the process ever reads is what this costs.
var shmOpen shmRegistry

// shmRegistry holds one descriptor per WAL-index file.
type shmRegistry struct {
	mu    sync.Mutex
	files []shmFile
}

type shmFile struct {
	f    *os.File
	info os.FileInfo
	fd   string // the descriptor's number, as /proc/self/fd names it
}

// open returns the process's descriptor of the WAL index of the database
// at path, opening it unless the process has it already. SQLite names the
// WAL index after the database file with symbolic links resolved.
func (r *shmRegistry) open(path string) (*os.File, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	name := real + "-shm"
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.files {
		if os.SameFile(h.info, info) {
			return h.f, nil
		}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	h := shmFile{f: f, info: info, fd: strconv.FormatUint(uint64(f.Fd()), 10)}
	// The file opened may be another put in the place of the one stated;
	// the descriptor's own description is the one kept.
	if fi, err := f.Stat(); err == nil {
		h.info = fi
	}
	r.files = append(r.files, h)
	return f, nil
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
