package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newTestKey(t testing.TB) []byte {
	t.Helper()
	key := make([]byte, KeySize)
	rand.Read(key)
	return key
}

func openTestSQLite(t testing.TB, path string, key []byte) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), SQLiteOptions{Path: path, Key: key})
	if err != nil {
		t.Fatalf("OpenSQLite(%s) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrationVersions(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migrations[%d].version = %d, want %d", i, m.version, i+1)
		}
	}
}

func TestSQLiteOptionsInvalid(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts SQLiteOptions
	}{
		{"no path", SQLiteOptions{Key: newTestKey(t)}},
		{"memory", SQLiteOptions{Path: ":memory:", Key: newTestKey(t)}},
		{"uri", SQLiteOptions{Path: "file:" + dir + "/x.db", Key: newTestKey(t)}},
		{"no key", SQLiteOptions{Path: dir + "/a.db"}},
		{"short key", SQLiteOptions{Path: dir + "/b.db", Key: make([]byte, 16)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenSQLite(context.Background(), tt.opts)
			if err == nil {
				s.Close()
				t.Fatalf("OpenSQLite(%+v) = nil error, want an error", tt.opts)
			}
		})
	}
}

func TestSQLitePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "scopegate")
	path := filepath.Join(dir, "store.db")
	s := openTestSQLite(t, path, newTestKey(t))
	mustPut(t, s, testAccount("user_123", "gmail"))

	checkMode(t, dir, 0o700)
	checkMode(t, path, 0o600)
	for _, suffix := range []string{"-wal", "-shm"} {
		info, err := os.Stat(path + suffix)
		if err == nil && !ownerOnly(info.Mode()) {
			t.Errorf("%s mode = %v, want owner-only", suffix, info.Mode().Perm())
		}
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %v, want %v", path, got, want)
	}
}

func TestSQLiteRefusesOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644) // whatever the umask
	_, err := OpenSQLite(context.Background(), SQLiteOptions{Path: path, Key: newTestKey(t)})
	if err == nil || !strings.Contains(err.Error(), "permissions 0644") {
		t.Errorf("OpenSQLite of a 0644 file = %v, want a permissions error", err)
	}
}

func TestSQLiteRefusesForeignFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	text := filepath.Join(dir, "notes.txt")
	content := bytes.Repeat([]byte("not a database\n"), 200)
	if err := os.WriteFile(text, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSQLite(ctx, SQLiteOptions{Path: text, Key: newTestKey(t)}); err == nil {
		t.Errorf("OpenSQLite of a text file = nil error, want an error")
	}
	if got, _ := os.ReadFile(text); !bytes.Equal(got, content) {
		t.Errorf("OpenSQLite changed a file it refused")
	}

	other := filepath.Join(dir, "other.db")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE accounts (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = OpenSQLite(ctx, SQLiteOptions{Path: other, Key: newTestKey(t)})
	if err == nil || !strings.Contains(err.Error(), "did not create") {
		t.Errorf("OpenSQLite of another program's database = %v, want a refusal", err)
	}
}

// rawFiles returns the bytes of every file in dir.
func rawFiles(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestSQLiteEncryptsSecrets(t *testing.T) {
	dir := t.TempDir()
	s := openTestSQLite(t, filepath.Join(dir, "store.db"), newTestKey(t))
	a := testAccount("user_123", "gmail")
	a.Token.AccessToken = "ya29.access-token-that-must-not-leak"
	a.Token.RefreshToken = "1//refresh-token-that-must-not-leak"
	mustPut(t, s, a)
	auth := testAuthorization("a1")
	auth.Verifier = "pkce-verifier-that-must-not-leak"
	mustCreate(t, s, auth)

	secrets := []string{a.Token.AccessToken, a.Token.RefreshToken, auth.Verifier}
	check := func(when string) {
		raw := rawFiles(t, dir)
		if !bytes.Contains(raw, []byte(a.ProviderAccount)) {
			t.Fatalf("%s: the raw files do not hold the account at all; the check is void", when)
		}
		for _, secret := range secrets {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s: %q appears in plaintext in the database files", when, secret)
			}
		}
	}
	check("while open")
	s.Close()
	check("after close")
}

func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	checkReopen(t, "OpenSQLite", func(key []byte) (Store, error) {
		return OpenSQLite(context.Background(), SQLiteOptions{Path: path, Key: key})
	})
}

func TestSQLiteNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	key := newTestKey(t)
	s := openTestSQLite(t, path, key)
	_, err := s.db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`,
		schemaVersion()+7)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, err = OpenSQLite(ctx, SQLiteOptions{Path: path, Key: key})
	if err == nil || !strings.Contains(err.Error(), "newer than this scopegate understands") {
		t.Errorf("OpenSQLite of a newer schema = %v, want a refusal", err)
	}
}

func TestSQLiteSwappedCiphertext(t *testing.T) {
	ctx := context.Background()
	s := openTestSQLite(t, filepath.Join(t.TempDir(), "store.db"), newTestKey(t))
	mustPut(t, s, testAccount("user_1", "gmail"))
	mustPut(t, s, testAccount("user_2", "gmail"))
	mustPut(t, s, testAccount("user_3", "gmail"))
	mustCreate(t, s, testAuthorization("a1"))
	mustCreate(t, s, testAuthorization("a2"))

	swapBlobs(t, s.db, "accounts", "access_token", "identifier", "user_1", "user_2")
	swapBlobs(t, s.db, "authorizations", "verifier", "id", "a1", "a2")
	_, err := s.db.Exec(`UPDATE accounts SET access_token = refresh_token,
		refresh_token = access_token WHERE identifier = 'user_3'`)
	if err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{"user_1", "user_2", "user_3"} {
		if a, err := s.Account(ctx, id, "gmail"); err == nil {
			t.Errorf("Account(%s) with a swapped token = %q, want an error",
				id, a.Token.AccessToken)
		}
	}
	for _, id := range []string{"a1", "a2"} {
		if a, err := s.Authorization(ctx, id); err == nil {
			t.Errorf("Authorization(%s) with a swapped verifier = %q, want an error",
				id, a.Verifier)
		}
	}
}

// swapBlobs exchanges column between the rows of table whose keyColumn is
// k1 and k2, as someone with write access to the file could.
func swapBlobs(t *testing.T, db *sql.DB, table, column, keyColumn, k1, k2 string) {
	t.Helper()
	get := `SELECT ` + column + ` FROM ` + table + ` WHERE ` + keyColumn + ` = ?`
	set := `UPDATE ` + table + ` SET ` + column + ` = ? WHERE ` + keyColumn + ` = ?`
	var b1, b2 []byte
	if err := db.QueryRow(get, k1).Scan(&b1); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(get, k2).Scan(&b2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(set, b2, k1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(set, b1, k2); err != nil {
		t.Fatal(err)
	}
}

func TestSQLiteConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	key := newTestKey(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := OpenSQLite(context.Background(), SQLiteOptions{Path: path, Key: key})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("OpenSQLite #%d = %v", i, err)
		}
	}
}

// TestSQLiteStatementsReused checks the prepared statements where their
// reuse could go wrong: after a call whose context was canceled, and on
// more connections at once than the pool keeps idle.
func TestSQLiteStatementsReused(t *testing.T) {
	s := openTestSQLite(t, filepath.Join(t.TempDir(), "store.db"), newTestKey(t))
	mustPut(t, s, testAccount("user_1", "gmail"))

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Account(canceled, "user_1", "gmail"); !errors.Is(err, context.Canceled) {
		t.Errorf("Account(canceled context) = %v, want context.Canceled", err)
	}
	if got := mustGet(t, s, "user_1", "gmail"); got.Identifier != "user_1" {
		t.Errorf("Account(user_1, gmail).Identifier = %q after a canceled call, want user_1",
			got.Identifier)
	}

	const callers = 2 * sqliteIdleConns
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			errs[i] = putGetConsume(s, fmt.Sprintf("user_%d", i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
}

// putGetConsume writes, reads and consumes records of identifier only, a
// few times over, and says what did not come back as written.
func putGetConsume(s *SQLite, identifier string) error {
	ctx := context.Background()
	for round := range 5 {
		want := testAccount(identifier, "slack")
		want.ProviderAccount = fmt.Sprintf("round %d", round)
		if err := s.PutAccount(ctx, want); err != nil {
			return fmt.Errorf("PutAccount = %v", err)
		}
		got, err := s.Account(ctx, identifier, "slack")
		if err != nil {
			return fmt.Errorf("Account = %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			return fmt.Errorf("Account mismatch (-want +got):\n%s", diff)
		}

		a := testAuthorization(fmt.Sprintf("%s-%d", identifier, round))
		if err := s.CreateAuthorization(ctx, a); err != nil {
			return fmt.Errorf("CreateAuthorization = %v", err)
		}
		if _, err := s.ConsumeAuthorization(ctx, a.State, t0); err != nil {
			return fmt.Errorf("ConsumeAuthorization(%s) = %v", a.State, err)
		}
		_, err = s.ConsumeAuthorization(ctx, a.State, t0)
		if !errors.Is(err, ErrAuthorizationUsed) {
			return fmt.Errorf("second ConsumeAuthorization(%s) = %v, want ErrAuthorizationUsed",
				a.State, err)
		}
	}
	return nil
}

// BenchmarkAccountRead reads an account served from memory, which costs a
// reading of the change detector and a copy, with each detector.
func BenchmarkAccountRead(b *testing.B) {
	for _, detector := range []string{detectorWAL, detectorDataVersion} {
		b.Run(detector, func(b *testing.B) {
			ctx := context.Background()
			s := openTestSQLite(b, filepath.Join(b.TempDir(), "store.db"), newTestKey(b))
			for _, id := range []string{"user_1", "user_2", "user_3"} {
				for _, conn := range []string{"gmail", "slack", "jira"} {
					if err := s.PutAccount(ctx, testAccount(id, conn)); err != nil {
						b.Fatal(err)
					}
				}
			}
			useDetector(b, s, detector)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Account(ctx, "user_2", "slack"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSQLiteThrowawaySkipsSyncs(t *testing.T) {
	for _, throwaway := range []bool{false, true} {
		s, err := OpenSQLite(context.Background(), SQLiteOptions{
			Path: filepath.Join(t.TempDir(), "s.db"), Key: make([]byte, KeySize), Throwaway: throwaway})
		if err != nil {
			t.Fatal(err)
		}
		var mode int
		if err := s.db.QueryRow("PRAGMA synchronous").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if want := map[bool]int{false: 2, true: 0}[throwaway]; mode != want {
			t.Errorf("Throwaway %v: synchronous = %d, want %d", throwaway, mode, want)
		}
	}
}

// TestSQLiteAccountCacheSeesOtherWriters checks that an account served from
// memory is never older than the database: after writes by another handle
// on the same file, as another process makes them, and after a write that
// bypasses the store.
func TestSQLiteAccountCacheSeesOtherWriters(t *testing.T) {
	forEachDetector(t, testAccountCacheSeesOtherWriters)
}

func testAccountCacheSeesOtherWriters(t *testing.T, s *SQLite, path string, key []byte) {
	ctx := context.Background()
	other := openTestSQLite(t, path, key)

	mustPut(t, s, testAccount("user_1", "gmail"))
	for range 2 { // the second read may come from memory
		if got := mustGet(t, s, "user_1", "gmail"); got.Status != StatusActive {
			t.Fatalf("Account status = %q, want %q", got.Status, StatusActive)
		}
	}

	revoked := testAccount("user_1", "gmail")
	revoked.Status = StatusRevoked
	mustPut(t, other, revoked)
	if got := mustGet(t, s, "user_1", "gmail"); got.Status != StatusRevoked {
		t.Errorf("after another writer revoked it, Account status = %q, want %q", got.Status, StatusRevoked)
	}

	if _, err := other.db.Exec(`UPDATE accounts SET granted = 'openid' WHERE identifier = 'user_1'`); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, s, "user_1", "gmail"); len(got.Granted) != 1 || got.Granted[0] != "openid" {
		t.Errorf("after a direct update, Account granted = %v, want [openid]", got.Granted)
	}

	if err := other.DeleteAccount(ctx, "user_1", "gmail"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Account(ctx, "user_1", "gmail"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after another writer deleted it, Account = %v, want ErrNotFound", err)
	}
}

// TestSQLiteAccountCacheConcurrentWriters reads an account while other
// handles keep changing it, and checks that once a writer is done, the
// next read returns what it wrote.
func TestSQLiteAccountCacheConcurrentWriters(t *testing.T) {
	forEachDetector(t, testAccountCacheConcurrentWriters)
}

func testAccountCacheConcurrentWriters(t *testing.T, s *SQLite, path string, key []byte) {
	ctx := context.Background()
	other := openTestSQLite(t, path, key)
	mustPut(t, s, testAccount("user_1", "gmail"))

	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Account(ctx, "user_1", "gmail"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for round := range 20 {
		want := testAccount("user_1", "gmail")
		want.ProviderAccount = fmt.Sprintf("round %d", round)
		mustPut(t, other, want)
		if got := mustGet(t, s, "user_1", "gmail"); got.ProviderAccount != want.ProviderAccount {
			t.Errorf("round %d: Account = %q, want %q", round, got.ProviderAccount, want.ProviderAccount)
		}
	}
	close(stop)
	readers.Wait()
}
