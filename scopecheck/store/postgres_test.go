package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// postgresURLEnv names the PostgreSQL server the tests use. Its role must
// be allowed to create schemas in its database; .ci/run sets one up.
const postgresURLEnv = "SCOPEGATE_TEST_POSTGRES_URL"

// testPostgresURL returns the server the PostgreSQL tests use. Without one
// the test is skipped on a person's machine and fails under CI=true.
func testPostgresURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(postgresURLEnv); u != "" {
		return u
	}
	msg := postgresURLEnv + " is not set: set it to a postgres:// URL whose role may " +
		"create schemas in its database (.ci/run starts a server and sets it)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newTestSchema creates a schema of the test's own in the test database
// and returns a URL whose search_path names it. It is dropped at cleanup,
// after the stores opened on it are closed.
func newTestSchema(t testing.TB) string {
	t.Helper()
	base := testPostgresURL(t)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", postgresURLEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "scopegate_test_" + hex.EncodeToString(b)
	execAdmin(t, base, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { execAdmin(t, base, `DROP SCHEMA `+schema+` CASCADE`) })

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// execAdmin runs statements on a connection of its own.
func execAdmin(t testing.TB, connURL string, statements ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	defer conn.Close(ctx)
	for _, sql := range statements {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

func openTestPostgres(t testing.TB, connURL string, key []byte) *Postgres {
	t.Helper()
	s, err := OpenPostgres(context.Background(), PostgresOptions{URL: connURL, Key: key})
	if err != nil {
		t.Fatalf("OpenPostgres = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPgMigrationVersions(t *testing.T) {
	for i, m := range pgMigrations {
		if m.version != i+1 {
			t.Errorf("pgMigrations[%d].version = %d, want %d", i, m.version, i+1)
		}
	}
}

func TestPostgresOptionsInvalid(t *testing.T) {
	const password = "pa55word-that-must-not-leak"
	key := newTestKey(t)
	tests := []struct {
		name string
		opts PostgresOptions
	}{
		{"no url", PostgresOptions{Key: key}},
		{"no key", PostgresOptions{URL: "postgres://u@127.0.0.1/db"}},
		{"short key", PostgresOptions{URL: "postgres://u@127.0.0.1/db", Key: make([]byte, 16)}},
		{"bad url", PostgresOptions{URL: "postgres://u:" + password + "@[::1/db", Key: key}},
		{"bad port", PostgresOptions{URL: "postgres://u:" + password + "@h:port/db", Key: key}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenPostgres(context.Background(), tt.opts)
			if err == nil {
				s.Close()
				t.Fatalf("OpenPostgres(%s) = nil error, want an error", tt.name)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("OpenPostgres error %q holds the password", err)
			}
		})
	}
}

func TestPostgresWrongPassword(t *testing.T) {
	u, err := url.Parse(newTestSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	const password = "wrong-pa55word-that-must-not-leak"
	u.User = url.UserPassword(u.User.Username(), password)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = OpenPostgres(ctx, PostgresOptions{URL: u.String(), Key: newTestKey(t)})
	if err == nil {
		t.Skip("the test server accepts any password; nothing to check")
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("OpenPostgres error %q holds the password", err)
	}
}

func TestPostgresReopen(t *testing.T) {
	connURL := newTestSchema(t)
	checkReopen(t, "OpenPostgres", func(key []byte) (Store, error) {
		return OpenPostgres(context.Background(), PostgresOptions{URL: connURL, Key: key})
	})
}

func TestPostgresEncryptsSecrets(t *testing.T) {
	ctx := context.Background()
	s := openTestPostgres(t, newTestSchema(t), newTestKey(t))
	a := testAccount("user_123", "gmail")
	a.Token.AccessToken = "ya29.access-token-that-must-not-leak"
	a.Token.RefreshToken = "1//refresh-token-that-must-not-leak"
	mustPut(t, s, a)
	auth := testAuthorization("a1")
	auth.Verifier = "pkce-verifier-that-must-not-leak"
	mustCreate(t, s, auth)

	// Every row as PostgreSQL prints it, bytea in hex, and the raw bytes of
	// the sealed columns.
	var rows string
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT string_agg(a::text, ' ') FROM accounts a) || ' ' ||
		(SELECT string_agg(z::text, ' ') FROM authorizations z),
		(SELECT access_token || refresh_token FROM accounts) ||
		(SELECT verifier FROM authorizations)`).Scan(&rows, &raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rows, a.ProviderAccount) {
		t.Fatalf("the rows do not hold the account at all; the check is void:\n%s", rows)
	}
	for _, secret := range []string{a.Token.AccessToken, a.Token.RefreshToken, auth.Verifier} {
		if strings.Contains(rows, secret) || strings.Contains(string(raw), secret) ||
			strings.Contains(rows, hex.EncodeToString([]byte(secret))) {
			t.Errorf("%q appears in plaintext in the database", secret)
		}
	}
}

func TestPostgresSwappedCiphertext(t *testing.T) {
	ctx := context.Background()
	s := openTestPostgres(t, newTestSchema(t), newTestKey(t))
	mustPut(t, s, testAccount("user_1", "gmail"))
	mustPut(t, s, testAccount("user_2", "gmail"))
	mustPut(t, s, testAccount("user_3", "gmail"))
	mustCreate(t, s, testAuthorization("a1"))
	mustCreate(t, s, testAuthorization("a2"))

	// What someone with write access to the tables could do.
	for _, sql := range []string{
		`UPDATE accounts a SET access_token = b.access_token FROM accounts b
			WHERE a.identifier = 'user_1' AND b.identifier = 'user_2'`,
		`UPDATE accounts SET access_token = refresh_token, refresh_token = access_token
			WHERE identifier = 'user_3'`,
		`UPDATE authorizations a SET verifier = b.verifier FROM authorizations b
			WHERE a.id = 'a1' AND b.id = 'a2'`,
	} {
		if _, err := s.pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}

	for _, id := range []string{"user_1", "user_3"} {
		if a, err := s.Account(ctx, id, "gmail"); err == nil {
			t.Errorf("Account(%s) with a swapped token = %q, want an error",
				id, a.Token.AccessToken)
		}
	}
	if a, err := s.Authorization(ctx, "a1"); err == nil {
		t.Errorf("Authorization(a1) with a swapped verifier = %q, want an error", a.Verifier)
	}
}

func TestPostgresNewerSchema(t *testing.T) {
	connURL := newTestSchema(t)
	key := newTestKey(t)
	s := openTestPostgres(t, connURL, key)
	_, err := s.pool.Exec(context.Background(),
		`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`,
		pgSchemaVersion()+7)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, err = OpenPostgres(context.Background(), PostgresOptions{URL: connURL, Key: key})
	if err == nil || !strings.Contains(err.Error(), "newer than this scopegate understands") {
		t.Errorf("OpenPostgres of a newer schema = %v, want a refusal", err)
	}
}

func TestPostgresRefusesForeignSchema(t *testing.T) {
	connURL := newTestSchema(t)
	execAdmin(t, connURL, `CREATE TABLE accounts (x text)`, `INSERT INTO accounts VALUES ('kept')`)

	_, err := OpenPostgres(context.Background(), PostgresOptions{URL: connURL, Key: newTestKey(t)})
	if err == nil || !strings.Contains(err.Error(), "did not create") {
		t.Errorf("OpenPostgres of another program's schema = %v, want a refusal", err)
	}
	execAdmin(t, connURL, `DO $$ BEGIN
		IF (SELECT string_agg(x, ',') FROM accounts) IS DISTINCT FROM 'kept' THEN
			RAISE EXCEPTION 'the table was changed';
		END IF;
		IF to_regclass('schema_migrations') IS NOT NULL THEN
			RAISE EXCEPTION 'schema_migrations was created';
		END IF;
	END $$`)
}

func TestPostgresMissingSchema(t *testing.T) {
	u, err := url.Parse(newTestSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", "scopegate_no_such_schema")
	u.RawQuery = q.Encode()
	opts := PostgresOptions{URL: u.String(), Key: newTestKey(t)}
	_, err = OpenPostgres(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "create it first") {
		t.Errorf("OpenPostgres with a missing schema = %v, want a clear error", err)
	}
}

func TestPostgresConcurrentOpen(t *testing.T) {
	connURL := newTestSchema(t)
	key := newTestKey(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := OpenPostgres(context.Background(), PostgresOptions{URL: connURL, Key: key})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("OpenPostgres #%d = %v", i, err)
		}
	}

	s := openTestPostgres(t, connURL, key)
	var steps, version int
	err := s.pool.QueryRow(context.Background(),
		`SELECT count(*), max(version) FROM schema_migrations`).Scan(&steps, &version)
	if err != nil {
		t.Fatal(err)
	}
	if steps != len(pgMigrations) || version != pgSchemaVersion() {
		t.Errorf("schema_migrations holds %d steps up to %d, want %d up to %d",
			steps, version, len(pgMigrations), pgSchemaVersion())
	}
}

// Two instances started together on an empty database with different keys:
// the first key written wins and the other instance refuses to start.
func TestPostgresConcurrentOpenOtherKeys(t *testing.T) {
	connURL := newTestSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			s, err := OpenPostgres(context.Background(),
				PostgresOptions{URL: connURL, Key: newTestKey(t)})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	opened, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			opened++
		case errors.Is(err, ErrKeyMismatch):
			refused++
		default:
			t.Errorf("OpenPostgres = %v, want nil or ErrKeyMismatch", err)
		}
	}
	if opened != 1 || refused != 1 {
		t.Errorf("%d opened and %d refused, want 1 and 1", opened, refused)
	}
}

func TestPostgresConsumeAcrossInstances(t *testing.T) {
	connURL := newTestSchema(t)
	key := newTestKey(t)
	instances := []*Postgres{openTestPostgres(t, connURL, key), openTestPostgres(t, connURL, key)}
	a := testAuthorization("a1")
	mustCreate(t, instances[0], a)

	const callers = 10
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, 2*callers)
	)
	for i := range errs {
		wg.Go(func() {
			<-start
			_, errs[i] = instances[i%2].ConsumeAuthorization(context.Background(), a.State, t0)
		})
	}
	close(start)
	wg.Wait()

	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ErrAuthorizationUsed):
			t.Errorf("caller %d: ConsumeAuthorization = %v, want nil or ErrAuthorizationUsed",
				i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d consumes across two instances succeeded, want exactly 1",
			wins, len(errs))
	}
}

// lockOrFail takes an account lock, failing the test when it cannot.
func lockOrFail(t *testing.T, s *Postgres, identifier, connection string) func() {
	t.Helper()
	unlock, err := s.LockAccount(context.Background(), identifier, connection)
	if err != nil {
		t.Fatalf("LockAccount(%s, %s) = %v", identifier, connection, err)
	}
	return unlock
}

func TestPostgresAccountLock(t *testing.T) {
	connURL := newTestSchema(t)
	key := newTestKey(t)
	a := openTestPostgres(t, connURL, key)
	b := openTestPostgres(t, connURL, key)

	unlockA := lockOrFail(t, a, "user_123", "gmail")

	// Another account, and the same identifier on another connection, are
	// not held up.
	lockOrFail(t, b, "user_456", "gmail")()
	lockOrFail(t, b, "user_123", "slack")()

	// The same account waits until the first instance lets go.
	locked := make(chan func())
	go func() {
		unlock, err := b.LockAccount(context.Background(), "user_123", "gmail")
		if err != nil {
			t.Errorf("LockAccount on the second instance = %v", err)
			unlock = func() {}
		}
		locked <- unlock
	}()
	select {
	case unlock := <-locked:
		unlock()
		t.Fatal("the second instance took the lock the first one holds")
	case <-time.After(300 * time.Millisecond):
	}
	unlockA()
	unlockA() // a second call does nothing
	select {
	case unlock := <-locked:
		unlock()
	case <-time.After(10 * time.Second):
		t.Fatal("the second instance did not get the lock after the first released it")
	}
}

func TestPostgresAccountLockTimeout(t *testing.T) {
	connURL := newTestSchema(t)
	key := newTestKey(t)
	a := openTestPostgres(t, connURL, key)
	b, err := OpenPostgres(context.Background(),
		PostgresOptions{URL: connURL, Key: key, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	unlock := lockOrFail(t, a, "user_123", "gmail")
	defer unlock()
	started := time.Now()
	if unlockB, err := b.LockAccount(context.Background(), "user_123", "gmail"); err == nil {
		unlockB()
		t.Fatal("LockAccount of a held account = nil error, want a timeout")
	}
	if waited := time.Since(started); waited > 5*time.Second {
		t.Errorf("LockAccount gave up after %v, want about 200ms", waited)
	}
	// The lock pool is not left holding a lock after a timeout.
	unlock()
	lockOrFail(t, b, "user_123", "gmail")()
}
