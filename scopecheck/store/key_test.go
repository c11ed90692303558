package store

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "scopegate")
	path := filepath.Join(dir, "store.key")

	key, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(key) != KeySize {
		t.Fatalf("LoadOrCreateKeyFile(new) = %d bytes, %v, %v; want %d bytes, true, nil",
			len(key), created, err, KeySize)
	}
	checkMode(t, dir, 0o700)
	checkMode(t, path, 0o600)

	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !bytes.Equal(again, key) {
		t.Errorf("LoadOrCreateKeyFile(existing) = same key %v, %v, %v; want true, false, nil",
			bytes.Equal(again, key), created, err)
	}
}

func TestLoadOrCreateKeyFileRefuses(t *testing.T) {
	dir := t.TempDir()
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, KeySize))
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 16))
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"too open", good + "\n", 0o644, "too open"},
		{"group readable", good, 0o640, "too open"},
		{"garbage", "this is not a key\n", 0o600, "not base64"},
		{"short key", short + "\n", 0o600, "decodes to 16 bytes"},
		{"empty", "", 0o600, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}

			_, _, err := LoadOrCreateKeyFile(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadOrCreateKeyFile(%s) = %v, want an error containing %q",
					tt.name, err, tt.want)
			}
			if strings.Contains(err.Error(), good) || strings.Contains(err.Error(), short) {
				t.Errorf("LoadOrCreateKeyFile error %q holds key material", err)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.content {
				t.Errorf("LoadOrCreateKeyFile changed a file it refused")
			}
		})
	}
}

func TestLoadOrCreateKeyFileDirectory(t *testing.T) {
	path := t.TempDir()
	if _, _, err := LoadOrCreateKeyFile(path); err == nil {
		t.Errorf("LoadOrCreateKeyFile(a directory) = nil error, want an error")
	}
}

func TestParseKey(t *testing.T) {
	raw := make([]byte, KeySize)
	for i := range raw {
		raw[i] = byte(250 - i) // bytes that differ between the two alphabets
	}
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"std", base64.StdEncoding.EncodeToString(raw), ""},
		{"std raw", base64.RawStdEncoding.EncodeToString(raw), ""},
		{"url", base64.URLEncoding.EncodeToString(raw), ""},
		{"url raw", base64.RawURLEncoding.EncodeToString(raw), ""},
		{"spaces", "  " + base64.StdEncoding.EncodeToString(raw) + "\n", ""},
		{"empty", "", "empty"},
		{"blank", " \n", "empty"},
		{"short", base64.StdEncoding.EncodeToString(raw[:31]), "decodes to 31 bytes"},
		{"long", base64.StdEncoding.EncodeToString(append(raw, 1)), "decodes to 33 bytes"},
		{"hex", strings.Repeat("zz", KeySize) + "!", "not base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if tt.wantErr == "" {
				if err != nil || !bytes.Equal(got, raw) {
					t.Errorf("ParseKey(%s) = %x, %v; want %x, nil", tt.name, got, err, raw)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseKey(%s) = %v, want an error containing %q", tt.name, err, tt.wantErr)
			}
			in := strings.TrimSpace(tt.in)
			if err != nil && in != "" && strings.Contains(err.Error(), in) {
				t.Errorf("ParseKey error %q holds the input", err)
			}
		})
	}
}
