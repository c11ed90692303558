//go:build !unix

package store

// Where files are not mapped, each header is read from the file.

func (w *walIndex) mapHeaders() error { return nil }

func (w *walIndex) readHeaders(dst *[2 * walHeaderSize]byte) error {
	_, err := w.f.ReadAt(dst[:], 0)
	return err
}

func (w *walIndex) unmapHeaders() error { return nil }
