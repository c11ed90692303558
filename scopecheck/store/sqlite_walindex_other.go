//go:build !linux

package store

import "errors"

// Elsewhere than on Linux, nothing here shows which files SQLite has open,
// so the WAL index is not read: the change detector is data_version.

func (w *walIndex) mapHeaders() error {
	return errors.New("the WAL index is read on Linux only")
}

func (w *walIndex) readHeaders(dst *[2 * walHeaderSize]byte) error {
	return errors.New("the WAL index is read on Linux only")
}

func (w *walIndex) unmapHeaders() error { return nil }
