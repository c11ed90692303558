package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestZZScratch(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.txt")
	os.WriteFile(p, []byte("hello there this is not sqlite at all, not at all"), 0o600)
	_, err := OpenSQLite(context.Background(), SQLiteOptions{Path: p, Key: newTestKey(t)})
	t.Log(err)
	os.Chmod(p, 0o604)
	_, err = OpenSQLite(context.Background(), SQLiteOptions{Path: p, Key: newTestKey(t)})
	t.Log(err)
	p = filepath.Join(dir, "s.db")
	s := openTestSQLite(t, p, newTestKey(t))
	s.db.Exec(`INSERT INTO schema_migrations VALUES (5, 0)`)
	s.Close()
	_, err = OpenSQLite(context.Background(), SQLiteOptions{Path: p, Key: newTestKey(t)})
	t.Log(err)
	_, err = OpenSQLite(context.Background(), SQLiteOptions{Path: "/proc/x/y.db", Key: newTestKey(t)})
	t.Log(err)
	_, _, err = LoadOrCreateKeyFile("/proc/nope/key")
	t.Log(err)
	_, _, err = LoadOrCreateKeyFile(dir)
	t.Log(err)
}
