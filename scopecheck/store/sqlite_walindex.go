package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
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
type walIndex struct {
	f *os.File
	// mem is the start of the file mapped read-only, where the platform
	// maps files (see mapWALIndex); nil means that each header is read
	// from f instead.
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

// openWALIndex opens the WAL index of the database at path for reading. The
// database must be open in WAL mode, with normal locking, on a connection
// of this process that stays open: SQLite then keeps using this very file
// for as long as that connection lives, and no other process can delete it.
func openWALIndex(path string) (*walIndex, error) {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return nil, err
	}
	w := &walIndex{f: f}
	if err := w.mapHeaders(); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := w.header(); err != nil {
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

func (w *walIndex) close() error {
	return errors.Join(w.unmapHeaders(), w.f.Close())
}
