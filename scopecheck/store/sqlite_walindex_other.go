//go:build !linux

package store

// Elsewhere than on Linux, nothing here shows which files SQLite has open,
// so the WAL index is not read: the change detector is data_version.

func (w *walIndex) mapHeaders() error { return errWALIndexUnsupported }

func (w *walIndex) readHeaders(dst *[2 * walHeaderSize]byte) error {
	return errWALIndexUnsupported
}

func (w *walIndex) unmapHeaders() error { return nil }
