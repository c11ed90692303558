package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// migration is one step of the SQLite schema. Steps run in order, each in
// its own transaction together with the row that records it. A released
// step is never edited: a change to the schema is a new step at the end.
type migration struct {
	version int
	sql     string
}

// migrations is the schema, oldest step first. Times are UTC unix
// milliseconds, NULL for the zero time. Scope sets are space-separated
// text. Token and verifier columns hold values sealed by sealer.
var migrations = []migration{
	{
		version: 1,
		sql: `
CREATE TABLE meta (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) STRICT;

CREATE TABLE accounts (
	identifier       TEXT NOT NULL,
	connection       TEXT NOT NULL,
	status           TEXT NOT NULL,
	granted          TEXT NOT NULL,
	declined         TEXT NOT NULL,
	declined_at      INTEGER,
	provider_account TEXT NOT NULL,
	access_token     BLOB,
	refresh_token    BLOB,
	token_type       TEXT NOT NULL,
	token_expiry     INTEGER,
	created_at       INTEGER,
	updated_at       INTEGER,
	PRIMARY KEY (identifier, connection)
) STRICT;

CREATE TABLE authorizations (
	id         TEXT PRIMARY KEY,
	state      TEXT NOT NULL UNIQUE,
	identifier TEXT NOT NULL,
	connection TEXT NOT NULL,
	tool       TEXT NOT NULL,
	scopes     TEXT NOT NULL,
	verifier   BLOB,
	created_at INTEGER,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) STRICT;
`,
	},
}

// schemaVersion is the newest step the code knows.
func schemaVersion() int {
	return migrations[len(migrations)-1].version
}

// migrate brings the database up to schemaVersion and returns the version
// it found. It refuses a database written by a newer release, and a
// database that holds tables but was not made by scopegate.
func (s *SQLite) migrate(ctx context.Context) (found int, err error) {
	tables, err := s.tableNames(ctx)
	if err != nil {
		return 0, err
	}
	if len(tables) > 0 && !tables["schema_migrations"] {
		return 0, errors.New("the database holds tables scopegate did not create")
	}

	_, err = s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations `+schemaMigrationsColumns)
	if err != nil {
		return 0, fmt.Errorf("creating schema_migrations: %w", err)
	}
	found, err = currentVersion(ctx, s.db)
	if err != nil {
		return 0, err
	}
	if found > schemaVersion() {
		return 0, fmt.Errorf("database schema version %d is newer than this scopegate "+
			"understands (%d)", found, schemaVersion())
	}

	for _, m := range migrations {
		if m.version <= found {
			continue
		}
		applied, err := s.apply(ctx, m)
		if err != nil {
			return 0, fmt.Errorf("migrating schema to version %d: %w", m.version, err)
		}
		if applied {
			s.log.Info("store schema migrated", "schema_version", m.version)
		}
	}
	return found, nil
}

// schemaMigrationsColumns are the columns of the table that records the
// steps applied.
const schemaMigrationsColumns = `(
	version    INTEGER PRIMARY KEY,
	applied_at INTEGER NOT NULL
) STRICT`

// create sets up a database that prepareFile has just created, empty, in
// one transaction: every step, the rows that record them and the key
// check, which it returns. Opening a new database, as the demo does on
// every start, thus takes one transaction instead of one per step. When
// another process set the file up first, create fails and changes
// nothing; the caller then sets it up as any other, with migrate.
func (s *SQLite) create(ctx context.Context) ([]byte, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	// Without IF NOT EXISTS: a table made by anyone else fails the step.
	if _, err := tx.ExecContext(ctx, `CREATE TABLE schema_migrations `+schemaMigrationsColumns); err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	for _, m := range migrations {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return nil, fmt.Errorf("migrating schema to version %d: %w", m.version, err)
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, now)
		if err != nil {
			return nil, fmt.Errorf("migrating schema to version %d: %w", m.version, err)
		}
	}
	blob := s.seal.seal(keyCheckText, keyCheckAD)
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ('key_check', ?)`, blob); err != nil {
		return nil, fmt.Errorf("writing key check: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	for _, m := range migrations {
		s.log.Info("store schema migrated", "schema_version", m.version)
	}
	return blob, nil
}

// apply runs one step unless another process ran it first.
func (s *SQLite) apply(ctx context.Context, m migration) (applied bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	current, err := currentVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if current >= m.version {
		return false, nil
	}
	if current != m.version-1 {
		return false, fmt.Errorf("schema is at version %d, expected %d", current, m.version-1)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, time.Now().UnixMilli())
	if err != nil {
		return false, err
	}
	return true, tx.Commit()
}

func (s *SQLite) tableNames(ctx context.Context) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	defer rows.Close()
	names := make(map[string]bool)
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("listing tables: %w", err)
		}
		names[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	return names, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func currentVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}
