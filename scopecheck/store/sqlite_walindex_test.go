package store

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// The detectors the SQLite account cache can run on.
const (
	detectorWAL         = "wal_index"
	detectorDataVersion = "data_version"
)

// forEachDetector runs test on a new store once with each detector.
func forEachDetector(t *testing.T, test func(t *testing.T, s *SQLite, path string, key []byte)) {
	for _, detector := range []string{detectorWAL, detectorDataVersion} {
		t.Run(detector, func(t *testing.T) {
			skipUnlessWALIndex(t, detector)
			path := filepath.Join(t.TempDir(), "store.db")
			key := newTestKey(t)
			s := openTestSQLite(t, path, key)
			useDetector(t, s, detector)
			test(t, s, path, key)
			if got := detectorOf(s); got != detector {
				t.Errorf("the store detected changes with %s at the end, want %s", got, detector)
			}
		})
	}
}

// skipUnlessWALIndex skips a test of the WAL-index detector where the
// store does not use it.
func skipUnlessWALIndex(t testing.TB, detector string) {
	t.Helper()
	if detector == detectorWAL && runtime.GOOS != "linux" {
		t.Skip("the WAL index is read on Linux only")
	}
}

// useDetector makes s detect changes with detector from now on.
func useDetector(t testing.TB, s *SQLite, detector string) {
	t.Helper()
	if _, err := s.Account(context.Background(), "nobody", "none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Account(nobody) = %v, want ErrNotFound", err)
	}
	if detector == detectorDataVersion {
		s.accounts.mu.Lock()
		s.accounts.dropWALLocked("testing", errors.New("the data_version detector is under test"))
		s.accounts.mu.Unlock()
	}
	if got := detectorOf(s); got != detector {
		t.Fatalf("the store detects changes with %s, want %s", got, detector)
	}
}

// detectorOf names the detector s uses now.
func detectorOf(s *SQLite) string {
	s.accounts.mu.Lock()
	defer s.accounts.mu.Unlock()
	if s.accounts.wal != nil {
		return detectorWAL
	}
	return detectorDataVersion
}

// TestSQLiteAccountCacheUsesWALIndex checks that a store opened as serve
// and demo open it detects changes through the WAL index, and that
// PutAccount's commits show there, throwaway stores included.
func TestSQLiteAccountCacheUsesWALIndex(t *testing.T) {
	skipUnlessWALIndex(t, detectorWAL)
	for _, throwaway := range []bool{false, true} {
		t.Run(fmt.Sprintf("throwaway=%v", throwaway), func(t *testing.T) {
			s, err := OpenSQLite(context.Background(), SQLiteOptions{
				Path: filepath.Join(t.TempDir(), "s.db"), Key: newTestKey(t), Throwaway: throwaway})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := detectorOf(s); got != detectorWAL {
				t.Errorf("once open, the store detects changes with %s, want %s", got, detectorWAL)
			}
			useDetector(t, s, detectorWAL)
			for i := range 5 {
				a := testAccount("user_1", "gmail")
				a.ProviderAccount = fmt.Sprint(i)
				mustPut(t, s, a)
				if got := mustGet(t, s, "user_1", "gmail"); got.ProviderAccount != a.ProviderAccount {
					t.Errorf("put %d: Account = %q, want %q", i, got.ProviderAccount, a.ProviderAccount)
				}
			}
			if got := detectorOf(s); got != detectorWAL {
				t.Errorf("after five puts the store detects changes with %s, want %s", got, detectorWAL)
			}
		})
	}
}

// TestSQLiteAccountCacheAfterCheckpoint checks that a write is seen after a
// checkpoint that emptied the WAL, when the next writer starts it over from
// its first frame.
func TestSQLiteAccountCacheAfterCheckpoint(t *testing.T) {
	forEachDetector(t, func(t *testing.T, s *SQLite, path string, key []byte) {
		other := openTestSQLite(t, path, key)
		for round := range 3 {
			mustPut(t, s, testAccount("user_1", "gmail"))
			mustGet(t, s, "user_1", "gmail")
			mustGet(t, s, "user_1", "gmail")
			if _, err := other.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				t.Fatal(err)
			}
			revoked := testAccount("user_1", "gmail")
			revoked.Status = StatusRevoked
			mustPut(t, other, revoked)
			if got := mustGet(t, s, "user_1", "gmail"); got.Status != StatusRevoked {
				t.Errorf("round %d: after a checkpoint and a revocation, Account status = %q, want %q",
					round, got.Status, StatusRevoked)
			}
		}
	})
}

// TestSQLiteAccountCacheSeesOtherProcess revokes an account from another
// process, as `scopegate accounts revoke` does while scopegate serves, and
// checks that the very next read sees it.
func TestSQLiteAccountCacheSeesOtherProcess(t *testing.T) {
	forEachDetector(t, func(t *testing.T, s *SQLite, path string, key []byte) {
		mustPut(t, s, testAccount("user_1", "gmail"))
		for range 2 {
			if got := mustGet(t, s, "user_1", "gmail"); got.Status != StatusActive {
				t.Fatalf("Account status = %q, want %q", got.Status, StatusActive)
			}
		}
		for _, status := range []Status{StatusRevoked, StatusNeedsReauth, StatusActive} {
			writeFromOtherProcess(t, path, key, status)
			if got := mustGet(t, s, "user_1", "gmail"); got.Status != status {
				t.Errorf("after another process set it, Account status = %q, want %q", got.Status, status)
			}
		}
	})
}

// TestSQLiteWriterProcess is the other process of
// TestSQLiteAccountCacheSeesOtherProcess; it does nothing on its own.
func TestSQLiteWriterProcess(t *testing.T) {
	path := os.Getenv("SCOPEGATE_TEST_WRITER")
	if path == "" {
		t.Skip("run by TestSQLiteAccountCacheSeesOtherProcess")
	}
	key, err := ParseKey(os.Getenv("SCOPEGATE_TEST_WRITER_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	s := openTestSQLite(t, path, key)
	a := testAccount("user_1", "gmail")
	a.Status = Status(os.Getenv("SCOPEGATE_TEST_WRITER_STATUS"))
	mustPut(t, s, a)
}

// writeFromOtherProcess sets the status of user_1's gmail account from
// another process.
func writeFromOtherProcess(t *testing.T, path string, key []byte, status Status) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteWriterProcess$")
	cmd.Env = append(os.Environ(), "SCOPEGATE_TEST_WRITER="+path,
		"SCOPEGATE_TEST_WRITER_KEY="+base64.StdEncoding.EncodeToString(key),
		"SCOPEGATE_TEST_WRITER_STATUS="+string(status))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writer process: %v\n%s", err, out)
	}
}
