package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresOptions configure OpenPostgres.
type PostgresOptions struct {
	// URL is the connection string, such as
	// "postgres://scopegate@db.internal:5432/scopegate?sslmode=verify-full",
	// in any form pgx accepts. Its search_path parameter picks the schema
	// the store's tables live in; by default the role's first schema.
	// It is required.
	URL string
	// Key is the KeySize-byte key that encrypts tokens and PKCE verifiers.
	// It is required, and every instance sharing the database must use the
	// same one.
	Key []byte
	// LockTimeout bounds how long LockAccount waits for another instance
	// to finish its refresh; zero means 30 seconds.
	LockTimeout time.Duration
	// Logger receives lifecycle events. Nil means silent.
	Logger *slog.Logger
}

// Postgres is a Store kept in a PostgreSQL schema, for several scopegate
// instances that serve the same people. Tokens and PKCE verifiers are
// sealed exactly as SQLite seals them, each bound to its row, and the same
// key check refuses a key the database was not written with.
//
// It implements AccountLocker with PostgreSQL advisory locks, so that one
// instance at a time refreshes a given account's token. Those locks are
// held on connections of a small pool of their own, so that a holder can
// always reach the database to read and save the token.
//
// Times are kept to the millisecond, in UTC. It is safe for concurrent use.
type Postgres struct {
	pool        *pgxpool.Pool
	locks       *pgxpool.Pool
	seal        *sealer
	log         *slog.Logger
	schema      string
	lockTimeout time.Duration
}

var (
	_ Store         = (*Postgres)(nil)
	_ AccountLocker = (*Postgres)(nil)
)

// lockConns is how many account locks one process holds at once; more
// refreshes of distinct accounts wait for a connection.
const lockConns = 4

// OpenPostgres connects to the database at opts.URL and brings the store's
// schema up to date. Instances that open the same database together wait
// for each other, so migrations run once. It never drops or overwrites
// anything: a schema that holds tables scopegate did not create, a schema
// newer than this release and a key that does not match (ErrKeyMismatch)
// are all errors. Errors never repeat the URL, which may hold a password.
func OpenPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	seal, err := newSealer(opts.Key)
	if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	if opts.URL == "" {
		return nil, errors.New("opening store: the PostgreSQL URL is empty")
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		// pgx masks passwords on a best-effort basis only.
		return nil, errors.New("opening store: the PostgreSQL URL is not a valid " +
			"connection string (it is not repeated here, as it may hold a password)")
	}
	lockCfg := cfg.Copy()
	lockCfg.MaxConns = lockConns
	lockCfg.MinConns = 0
	lockCfg.MaxConnIdleTime = time.Minute

	s := &Postgres{seal: seal, log: opts.Logger, lockTimeout: opts.LockTimeout}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.lockTimeout == 0 {
		s.lockTimeout = 30 * time.Second
	}
	where := fmt.Sprintf("store %s/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Database)
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("opening %s: %w", where, err)
	}
	if s.locks, err = pgxpool.NewWithConfig(ctx, lockCfg); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("opening %s: %w", where, err)
	}

	found, err := s.setUp(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("opening %s: %w", where, err)
	}
	s.log.Info("store opened", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database,
		"schema", s.schema, "schema_version", pgSchemaVersion(), "created", found == 0)
	return s, nil
}

// setUp runs, on one connection and under the schema's advisory lock, what
// opening needs done once: migrations and the key check.
func (s *Postgres) setUp(ctx context.Context) (found int, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("connecting: %w", err)
	}
	defer conn.Release()

	var schema *string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return 0, fmt.Errorf("reading the current schema: %w", err)
	}
	if schema == nil {
		return 0, errors.New("no schema in the search_path exists: create it first")
	}
	s.schema = *schema

	key := advisoryKey("migrate", s.schema)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		closeConn(conn)
		return 0, fmt.Errorf("waiting for other instances to set up the schema: %w", err)
	}
	defer unlockAdvisory(conn, key)

	if found, err = s.migrate(ctx, conn); err != nil {
		return 0, err
	}
	if err := s.checkKey(ctx, conn); err != nil {
		return 0, err
	}
	return found, nil
}

// pgConn is what setting up needs of a connection.
type pgConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// checkKey makes sure the key opens the key check value, writing that value
// first when the database has none yet.
func (s *Postgres) checkKey(ctx context.Context, conn pgConn) error {
	blob, err := pgKeyCheck(ctx, conn)
	if errors.Is(err, pgx.ErrNoRows) {
		blob, err = s.writeKeyCheck(ctx, conn)
	}
	if err != nil {
		return err
	}
	text, err := s.seal.open(blob, keyCheckAD)
	if err != nil || text != keyCheckText {
		return fmt.Errorf("%w (the database was written with a different key)", ErrKeyMismatch)
	}
	return nil
}

func pgKeyCheck(ctx context.Context, conn pgConn) ([]byte, error) {
	var blob []byte
	err := conn.QueryRow(ctx, `SELECT value FROM meta WHERE name = 'key_check'`).Scan(&blob)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("reading key check: %w", err)
	}
	return blob, err
}

// writeKeyCheck seals the key check value into a database that has none,
// refusing one that already holds records, as SQLite's does.
func (s *Postgres) writeKeyCheck(ctx context.Context, conn pgConn) ([]byte, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	var records int
	err = tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM accounts) +
		(SELECT count(*) FROM authorizations)`).Scan(&records)
	if err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	if records > 0 {
		return nil, errors.New("the database holds records but no key check")
	}
	_, err = tx.Exec(ctx, `INSERT INTO meta (name, value) VALUES ('key_check', $1)
		ON CONFLICT (name) DO NOTHING`, s.seal.seal(keyCheckText, keyCheckAD))
	if err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	return pgKeyCheck(ctx, conn)
}

// LockAccount implements AccountLocker with a session-level advisory lock,
// keyed by a hash of the schema, identifier and connection, on a connection
// it holds until unlock. Two accounts whose keys collide share a lock,
// which only makes one wait for the other. The wait is bounded by
// PostgresOptions.LockTimeout.
func (s *Postgres) LockAccount(
	ctx context.Context, identifier, connection string,
) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, s.lockTimeout)
	defer cancel()
	conn, err := s.locks.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("locking account: %w", err)
	}
	key := advisoryKey("account", s.schema, identifier, connection)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		// The lock may have been granted as the wait was cancelled; only
		// ending the session is sure to release it.
		closeConn(conn)
		conn.Release()
		return nil, fmt.Errorf("locking account: %w", err)
	}

	var once sync.Once
	return func() {
		once.Do(func() {
			unlockAdvisory(conn, key)
			conn.Release()
		})
	}, nil
}

// unlockAdvisory releases a session-level advisory lock, or ends the
// session, which releases it too, when that fails.
func unlockAdvisory(conn *pgxpool.Conn, key int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var released bool
	err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&released)
	if err != nil || !released {
		closeConn(conn)
	}
}

// closeConn ends a pooled connection's session; the pool then discards it.
func closeConn(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn.Conn().Close(ctx)
}

// advisoryKey is the 64-bit advisory lock key of parts.
func advisoryKey(parts ...string) int64 {
	h := fnv.New64a()
	h.Write(associatedData(append([]string{"scopegate"}, parts...)...))
	return int64(h.Sum64())
}

// Close implements Store. It waits for account locks still held to be
// released.
func (s *Postgres) Close() error {
	s.locks.Close()
	s.pool.Close()
	return nil
}
