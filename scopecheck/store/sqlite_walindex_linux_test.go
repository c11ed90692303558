package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// liveIndex returns a copy of the first page of the WAL index the detector
// of s maps. The file is not opened for it: closing a descriptor of the
// WAL index would release SQLite's locks on it (see shmOpen).
func liveIndex(t *testing.T, s *SQLite) []byte {
	t.Helper()
	useDetector(t, s, detectorWAL)
	s.accounts.mu.Lock()
	defer s.accounts.mu.Unlock()
	return append([]byte(nil), s.accounts.wal.mem...)
}

// mapCopy writes b to a file that no SQLite uses and maps it as a WAL index,
// without the check that SQLite has it open.
func mapCopy(t *testing.T, b []byte) *walIndex {
	t.Helper()
	name := filepath.Join(t.TempDir(), "copy.db-shm")
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	w := &walIndex{f: f}
	if err := w.mapFile(info); err != nil {
		t.Fatalf("mapping a copy of the WAL index: %v", err)
	}
	return w
}

// TestSQLiteAccountCacheStaleWALIndex points the detector at a copy of the
// WAL index, a file SQLite does not write, and checks that the first commit
// of the store's own shows it, so that the cache falls back on
// data_version and still sees another writer.
func TestSQLiteAccountCacheStaleWALIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	key := newTestKey(t)
	s := openTestSQLite(t, path, key)
	other := openTestSQLite(t, path, key)
	w := mapCopy(t, liveIndex(t, s))
	s.accounts.mu.Lock()
	s.accounts.wal.close()
	s.accounts.wal = w
	s.accounts.mu.Unlock()

	mustPut(t, s, testAccount("user_1", "gmail"))
	if got := detectorOf(s); got != detectorDataVersion {
		t.Fatalf("after a commit the stale WAL index did not show, the store detects changes with %s, want %s",
			got, detectorDataVersion)
	}
	mustGet(t, s, "user_1", "gmail")
	revoked := testAccount("user_1", "gmail")
	revoked.Status = StatusRevoked
	mustPut(t, other, revoked)
	if got := mustGet(t, s, "user_1", "gmail"); got.Status != StatusRevoked {
		t.Errorf("after another writer revoked it, Account status = %q, want %q", got.Status, StatusRevoked)
	}
}

// TestWALIndexRefusesFileSQLiteDoesNotUse checks that a WAL index beside a
// database that SQLite has not opened in this process, such as one left
// behind, is not used.
func TestWALIndexRefusesFileSQLiteDoesNotUse(t *testing.T) {
	s := openTestSQLite(t, filepath.Join(t.TempDir(), "store.db"), newTestKey(t))
	path := filepath.Join(t.TempDir(), "left.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-shm", liveIndex(t, s), 0o600); err != nil {
		t.Fatal(err)
	}
	if w, err := openWALIndex(path); err == nil || !strings.Contains(err.Error(), "SQLite does not have") {
		if w != nil {
			w.close()
		}
		t.Errorf("openWALIndex(a file SQLite does not use) = %v, want it refused", err)
	}
}

// TestSQLiteAccountCacheThroughSymlink opens the store through a symbolic
// link, beside which lies a WAL index SQLite does not use, and checks that
// the detector reads the one SQLite writes, beside the real file.
func TestSQLiteAccountCacheThroughSymlink(t *testing.T) {
	realPath := filepath.Join(t.TempDir(), "real.db")
	key := newTestKey(t)
	first := openTestSQLite(t, realPath, key)
	stale := liveIndex(t, first)
	first.Close()

	link := filepath.Join(t.TempDir(), "link.db")
	if err := os.Symlink(realPath, link); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(link+"-shm", stale, 0o600); err != nil {
		t.Fatal(err)
	}
	s := openTestSQLite(t, link, key)
	useDetector(t, s, detectorWAL)
	mustPut(t, s, testAccount("user_1", "gmail"))
	mustGet(t, s, "user_1", "gmail")
	writeFromOtherProcess(t, realPath, key, StatusRevoked)
	if got := mustGet(t, s, "user_1", "gmail"); got.Status != StatusRevoked {
		t.Errorf("after another process revoked it, Account status = %q, want %q", got.Status, StatusRevoked)
	}
	if got := detectorOf(s); got != detectorWAL {
		t.Errorf("the store detects changes with %s, want %s", got, detectorWAL)
	}
}

// TestSQLiteKeepsWALIndexLocks checks, from another process, that SQLite
// still holds its lock on the WAL index after the detector stops using it
// (dropped for data_version, or its connection closed) and while it maps
// it: a descriptor of the file closed in this process would release it.
func TestSQLiteKeepsWALIndexLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := openTestSQLite(t, path, newTestKey(t))
	useDetector(t, s, detectorWAL)
	expectWALIndexLock(t, path, "while the detector maps the WAL index")

	s.accounts.mu.Lock()
	s.accounts.closeLocked()
	s.accounts.mu.Unlock()
	expectWALIndexLock(t, path, "after the detector's connection closed")

	useDetector(t, s, detectorWAL) // a new connection maps it again
	useDetector(t, s, detectorDataVersion)
	expectWALIndexLock(t, path, "after the detector fell back on data_version")
}

// expectWALIndexLock asks another process whether some process holds a
// lock on the WAL index's "in use" byte, as SQLite does while it has the
// database open.
func expectWALIndexLock(t *testing.T, path, when string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteLockProbe$", "-test.v")
	cmd.Env = append(os.Environ(), "SCOPEGATE_TEST_LOCK_PROBE="+path+"-shm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("lock probe: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "probe: locked") {
		t.Errorf("%s, nothing holds a lock on the WAL index any more; probe said:\n%s", when, out)
	}
}

// TestSQLiteLockProbe is the other process of expectWALIndexLock; it does
// nothing on its own.
func TestSQLiteLockProbe(t *testing.T) {
	name := os.Getenv("SCOPEGATE_TEST_LOCK_PROBE")
	if name == "" {
		t.Skip("run by expectWALIndexLock")
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// SQLite's "in use" byte of the WAL index: the one after its eight
	// locks, which start at byte 120.
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 128, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	if lk.Type == syscall.F_UNLCK {
		t.Log("probe: unlocked")
	} else {
		t.Logf("probe: locked (type %d by process %d)", lk.Type, lk.Pid)
	}
}

// TestWALIndexHeader checks the header reader on headers that are not
// SQLite's: each is refused, and the two copies disagreeing is told apart.
func TestWALIndexHeader(t *testing.T) {
	s := openTestSQLite(t, filepath.Join(t.TempDir(), "store.db"), newTestKey(t))
	good := liveIndex(t, s)
	for _, tc := range []struct {
		name   string
		change func(b []byte)
		busy   bool
	}{
		{"copies differ", func(b []byte) { b[8]++ }, true},
		{"another version", func(b []byte) { b[0]++; b[walHeaderSize]++ }, false},
		{"not initialized", func(b []byte) { b[12], b[walHeaderSize+12] = 0, 0 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), good...)
			tc.change(b)
			w := mapCopy(t, b)
			defer w.close()
			if _, err := w.header(); err == nil || errors.Is(err, errWALIndexBusy) != tc.busy {
				t.Errorf("header() = %v, want an error (busy: %v)", err, tc.busy)
			}
		})
	}
	if w := mapCopy(t, good); w != nil {
		if _, err := w.header(); err != nil {
			t.Errorf("header() of a copy of the live index = %v", err)
		}
		w.close()
	}

	// Too short to hold the headers: not mapped.
	short := filepath.Join(t.TempDir(), "short.db-shm")
	if err := os.WriteFile(short, good[:walHeaderSize], 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(short)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	if err := (&walIndex{f: f}).mapFile(info); err == nil {
		t.Error("mapFile(a file shorter than the headers) = nil error")
	}

	// A file cut short under the reader is an error, not a crash.
	w := mapCopy(t, good)
	defer w.close()
	if err := os.Truncate(w.f.Name(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.header(); err == nil {
		t.Error("header() of a file cut short = nil error")
	}

	if _, err := openWALIndex(filepath.Join(t.TempDir(), "absent.db")); err == nil {
		t.Error("openWALIndex(absent) = nil error")
	}
}

// TestSQLiteTwoStoresKeepWALIndexLocks closes one of two stores open on one
// file and checks that SQLite's lock for the other is still held.
func TestSQLiteTwoStoresKeepWALIndexLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	key := newTestKey(t)
	s := openTestSQLite(t, path, key)
	other, err := OpenSQLite(context.Background(), SQLiteOptions{Path: path, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	useDetector(t, s, detectorWAL)
	useDetector(t, other, detectorWAL)
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	expectWALIndexLock(t, path, "after another store on the same file was closed")
	mustPut(t, s, testAccount("user_1", "gmail"))
	if got := detectorOf(s); got != detectorWAL {
		t.Errorf("the store left open detects changes with %s, want %s", got, detectorWAL)
	}
}

// openWALStoreToClose opens a store on the WAL-index detector that the
// test closes itself, and returns it with its path.
func openWALStoreToClose(t *testing.T) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := OpenSQLite(context.Background(), SQLiteOptions{Path: path, Key: newTestKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	useDetector(t, s, detectorWAL)
	return s, path
}

// TestSQLiteCloseKeepsLocksOfBusyConnections closes a store while one of
// its connections runs a query, and checks that SQLite's lock is still held
// for it.
func TestSQLiteCloseKeepsLocksOfBusyConnections(t *testing.T) {
	s, path := openWALStoreToClose(t)
	rows, err := s.db.Query(`SELECT identifier FROM accounts`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	expectWALIndexLock(t, path, "while a query of a closed store still ran")
	rows.Close()
}

// TestSQLiteCloseKeepsLocksOfOtherConnections closes a store while another
// connection of the process, not a store's (as one of a store still
// opening), has the database open, and checks that SQLite's lock for it is
// still held.
func TestSQLiteCloseKeepsLocksOfOtherConnections(t *testing.T) {
	s, path := openWALStoreToClose(t)
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	expectWALIndexLock(t, path, "after a store closed while another connection had the database open")
}
