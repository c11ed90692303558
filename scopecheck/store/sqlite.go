package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrKeyMismatch is returned by OpenSQLite and OpenPostgres when the key
// they were given is not the one the database was written with. The
// database is left untouched.
var ErrKeyMismatch = errors.New("the encryption key does not match this store")

// SQLiteOptions configure OpenSQLite.
type SQLiteOptions struct {
	// Path is the database file. It is created, with its directory, when
	// absent. ":memory:" is refused: a store must outlive the process.
	Path string
	// Key is the KeySize-byte key that encrypts tokens and PKCE verifiers,
	// as LoadOrCreateKeyFile or ParseKey return it. It is required, and
	// must be the same every time the database is opened.
	Key []byte
	// Logger receives lifecycle events. Nil means silent.
	Logger *slog.Logger
	// Throwaway trades durability for speed, for a store deleted when the
	// process ends (the demo's): writes are not synced to disk. Never set
	// it for a store that holds real accounts.
	Throwaway bool
}

// SQLite is a Store kept in one SQLite database file. The file and its
// directory are readable by the owner only, and tokens and PKCE verifiers
// are encrypted with AES-256-GCM, each bound to its row. It is safe for
// concurrent use, by several goroutines and by several processes.
//
// It serves one scopegate process: it does not implement AccountLocker, so
// token refreshes are serialized within a process only, and two processes
// sharing the file may both refresh one account (a provider that rotates
// refresh tokens may then refuse the one left behind, and the account needs
// re-authorization). Several instances share a Postgres store instead.
//
// Times are kept to the millisecond, in UTC.
type SQLite struct {
	db       *sql.DB
	stmts    sqliteStmts
	accounts sqliteAccounts
	seal     *sealer
	log      *slog.Logger
}

// sqliteStmts are the statements of the hot path, prepared once when the
// store opens. database/sql prepares each again, once, on every connection
// it first runs on, and keeps it there; SQLite then parses none of them per
// call. Transactions run them through tx.StmtContext.
type sqliteStmts struct {
	account    *sql.Stmt
	putAccount *sql.Stmt
	consume    *sql.Stmt
	consumed   *sql.Stmt
	unconsumed *sql.Stmt
}

// prepare fills st. The schema must be in place.
func (st *sqliteStmts) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.account, accountSQL},
		{&st.putAccount, putAccountSQL},
		{&st.consume, consumeSQL},
		{&st.consumed, consumedSQL},
		{&st.unconsumed, unconsumedSQL},
	} {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("preparing statements: %w", err)
		}
		*p.stmt = stmt
	}
	return nil
}

// close closes the statements prepare made, which may be none or some.
func (st *sqliteStmts) close() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{
		st.account, st.putAccount, st.consume, st.consumed, st.unconsumed,
	} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// sqliteIdleConns is how many connections the pool keeps open between
// calls. database/sql keeps two by default and closes any others as soon
// as they are idle, so that a burst of concurrent calls would open fresh
// connections, each paying for its pragmas, the schema and the hot-path
// statements again. Reads in WAL mode do not wait for each other or for
// the writer, so the number of open connections stays unbounded, as
// before: a writer waiting for another process's lock holds a connection
// and must not hold up the readers.
const sqliteIdleConns = 8

var _ Store = (*SQLite)(nil)

// keyCheckText is sealed into the meta table when a database is created, so
// that opening it with another key fails at once.
const keyCheckText = "scopegate store key check"

// OpenSQLite opens the database at opts.Path, creating it when absent, and
// brings its schema up to date. It never recreates or overwrites an
// existing database: a file that is not a scopegate database, a schema
// newer than this release, a key that does not match (ErrKeyMismatch) and
// a file readable by others are all errors.
func OpenSQLite(ctx context.Context, opts SQLiteOptions) (*SQLite, error) {
	if opts.Path == "" || opts.Path == ":memory:" || strings.HasPrefix(opts.Path, "file:") {
		return nil, errors.New("opening store: the path must name a database file")
	}
	seal, err := newSealer(opts.Key)
	if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	path, err := filepath.Abs(opts.Path)
	if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	created, err := prepareFile(path)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}

	db, err := sql.Open("sqlite", dsn(path, opts.Throwaway))
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	db.SetMaxIdleConns(sqliteIdleConns)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &SQLite{db: db, seal: seal, log: log}
	s.accounts.db, s.accounts.path, s.accounts.log = db, path, log

	found, err := s.setUp(ctx, opts.Throwaway, created)
	if err != nil {
		s.stmts.close()
		db.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	// The account cache's change detector is set up now rather than on
	// the first call; should that fail, the first call tries again.
	s.accounts.stamp(ctx)
	log.Info("store opened", "path", path, "schema_version", schemaVersion(),
		"created", found == 0)
	return s, nil
}

// setUp brings the schema up to date and checks the key. created says
// that prepareFile created the file, empty.
func (s *SQLite) setUp(ctx context.Context, throwaway, created bool) (found int, err error) {
	if err := s.ping(ctx); err != nil {
		return 0, fmt.Errorf("reading database: %w", err)
	}
	if throwaway {
		if _, err := s.db.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
			return 0, fmt.Errorf("reading database: %w", err)
		}
	}
	var blob []byte
	if created {
		blob, err = s.create(ctx)
	} else {
		found, blob, err = s.upToDate(ctx)
	}
	if err != nil {
		found, err = s.migrate(ctx)
		if err != nil {
			return 0, err
		}
		blob, err = s.keyCheckOrWrite(ctx)
		if err != nil {
			return 0, err
		}
	}
	if err := s.openKeyCheck(blob); err != nil {
		return 0, err
	}
	if err := s.stmts.prepare(ctx, s.db); err != nil {
		return 0, err
	}
	return found, nil
}

// ping opens the first connection. Its pragmas switch a new database to
// WAL, which takes an exclusive lock that SQLite does not wait for: when
// another process opens the same new file at that moment, the open is
// tried again for a while.
func (s *SQLite) ping(ctx context.Context) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := s.db.PingContext(ctx)
		var se interface{ Code() int }
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sqliteBusy is SQLite's SQLITE_BUSY result code.
const sqliteBusy = 5

// errNotUpToDate is upToDate's answer for a database that needs migrate.
var errNotUpToDate = errors.New("the database schema is not up to date")

// upToDate reads, in one query, the schema version and the key check of a
// database whose schema is current, as it is on every open but the first.
// Any other database, a new one included, gets an error, and goes through
// migrate and the key check's creation.
func (s *SQLite) upToDate(ctx context.Context) (version int, keyCheck []byte, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(MAX(version), 0) FROM schema_migrations),
		(SELECT value FROM meta WHERE name = 'key_check')`).Scan(&version, &keyCheck)
	if err != nil {
		return 0, nil, err
	}
	if version != schemaVersion() || keyCheck == nil {
		return 0, nil, errNotUpToDate
	}
	return version, keyCheck, nil
}

// prepareFile creates the database file, owner-only, before SQLite opens
// it, or checks the one that is there. It reports whether it created it.
func prepareFile(path string) (created bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("creating directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return true, f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return false, fmt.Errorf("creating database file: %w", err)
	}

	info, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("checking database file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return false, errors.New("the database is not a regular file")
	}
	if !ownerOnly(info.Mode()) {
		return false, fmt.Errorf("the database file has permissions %04o, it must be accessible "+
			"by its owner only (chmod 600)", uint32(info.Mode().Perm()))
	}
	return false, nil
}

// dsn is the driver's name for the database at path. mode=rw keeps SQLite
// from creating the file itself, with default permissions; _txlock makes
// every transaction take the write lock when it begins, so that two
// writers wait for each other instead of failing to upgrade. Reads run
// outside transactions, so neither _txlock nor the busy timeout slows
// them: in WAL mode they do not wait for a writer. synchronous stays at
// SQLite's default, FULL, so that a commit survives a power loss.
//
// A throwaway store turns synchronous off, and switches the database to
// WAL in setUp instead: the driver runs the pragmas in alphabetical order,
// and the switch of a new database, run before synchronous is off, would
// sync it. WAL mode is kept in the file, so every later connection is in
// WAL mode too.
func dsn(path string, throwaway bool) string {
	q := url.Values{}
	q.Set("mode", "rw")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	if throwaway {
		q.Add("_pragma", "synchronous(OFF)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Set("_txlock", "immediate")

	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// keyCheckOrWrite returns the key check value, writing it first when the
// database has none yet.
func (s *SQLite) keyCheckOrWrite(ctx context.Context) ([]byte, error) {
	blob, err := s.keyCheck(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		blob, err = s.writeKeyCheck(ctx)
	}
	return blob, err
}

// openKeyCheck makes sure the key opens the key check value.
func (s *SQLite) openKeyCheck(blob []byte) error {
	text, err := s.seal.open(blob, keyCheckAD)
	if err != nil || text != keyCheckText {
		return fmt.Errorf("%w (the database was written with a different key)", ErrKeyMismatch)
	}
	return nil
}

func (s *SQLite) keyCheck(ctx context.Context) ([]byte, error) {
	var blob []byte
	err := s.db.QueryRowContext(ctx,
		`SELECT value FROM meta WHERE name = 'key_check'`).Scan(&blob)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("reading key check: %w", err)
	}
	return blob, err
}

// writeKeyCheck seals the key check value into a database that has none.
// A database that already holds records without one was damaged or written
// by something else; sealing a new check into it would hide that until the
// records fail to decrypt, so it is refused.
func (s *SQLite) writeKeyCheck(ctx context.Context) ([]byte, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	defer tx.Rollback()

	var records int
	err = tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM accounts) +
		(SELECT count(*) FROM authorizations)`).Scan(&records)
	if err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	if records > 0 {
		return nil, errors.New("the database holds records but no key check")
	}
	blob := s.seal.seal(keyCheckText, keyCheckAD)
	_, err = tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('key_check', ?)
		ON CONFLICT (name) DO NOTHING`, blob)
	if err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	return s.keyCheck(ctx)
}

// Close implements Store.
func (s *SQLite) Close() error {
	err := errors.Join(s.accounts.close(), s.stmts.close(), s.db.Close())
	if err != nil {
		return fmt.Errorf("closing store: %w", err)
	}
	return nil
}
