package store

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// maxKeyFileSize bounds what LoadOrCreateKeyFile reads; a key file holds
// one line of base64.
const maxKeyFileSize = 1 << 10

// ParseKey decodes a store key written as base64, in the standard or the
// URL alphabet, padded or not, as an environment variable carries it.
// Surrounding white space is ignored. The key must decode to exactly KeySize
// bytes. Errors never include the key or any part of it.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("parsing key: the key is empty")
	}
	encodings := []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	}
	for _, enc := range encodings {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("parsing key: it decodes to %d bytes, want %d",
				len(key), KeySize)
		}
		return key, nil
	}
	return nil, errors.New("parsing key: the key is not base64")
}

// LoadOrCreateKeyFile returns the store key kept in the file at path. When
// the file does not exist, it creates it, and its directory when needed,
// readable by the owner only, holding a new random key in base64; created
// then reports true. An existing file must be a regular file that grants
// nothing to group or others and holds a key ParseKey accepts; anything
// else is an error, and the file is left as it is.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	key, err = readKeyFile(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}

	key, err = createKeyFile(path)
	if errors.Is(err, fs.ErrExist) {
		// Another process created the file in the meantime: use its key.
		key, err = readKeyFile(path)
		return key, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return key, true, nil
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	defer f.Close()

	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("reading key file %s: not a regular file", path)
	}
	if !ownerOnly(info.Mode()) {
		return nil, fmt.Errorf("reading key file %s: permissions %04o are too open, "+
			"it must be accessible by its owner only (chmod 600)", path, uint32(info.Mode().Perm()))
	}

	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("reading key file %s: too large to hold a key", path)
	}
	key, err := ParseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("reading key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes a new key to path. It fails with an error matching
// fs.ErrExist when the file already exists, which it never overwrites.
func createKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating key file directory: %w", err)
	}
	key := make([]byte, KeySize)
	rand.Read(key)

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating key file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// The file is ours and incomplete; leaving it would make every
		// later start fail on it.
		os.Remove(path)
		return nil, fmt.Errorf("writing key file: %w", err)
	}
	return key, nil
}

// ownerOnly reports whether mode grants nothing to group or others. Windows
// keeps no Unix permission bits, so there every mode passes.
func ownerOnly(mode fs.FileMode) bool {
	return runtime.GOOS == "windows" || mode.Perm()&0o077 == 0
}
