package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgMigrations is the PostgreSQL schema, oldest step first, with the same
// rules as migrations: a released step is never edited. Scope sets are
// sorted text arrays; times are timestamptz to the millisecond, NULL for
// the zero time; token and verifier columns hold values sealed by sealer.
// Keys compare byte by byte (COLLATE "C"), so that lists come back in the
// order Memory and SQLite give them.
var pgMigrations = []migration{
	{
		version: 1,
		sql: `
CREATE TABLE meta (
	name  text PRIMARY KEY,
	value bytea NOT NULL
);

CREATE TABLE accounts (
	identifier       text COLLATE "C" NOT NULL,
	connection       text COLLATE "C" NOT NULL,
	status           text NOT NULL,
	granted          text[] NOT NULL,
	declined         text[] NOT NULL,
	declined_at      timestamptz,
	provider_account text NOT NULL,
	access_token     bytea,
	refresh_token    bytea,
	token_type       text NOT NULL,
	token_expiry     timestamptz,
	created_at       timestamptz,
	updated_at       timestamptz,
	PRIMARY KEY (identifier, connection)
);

CREATE TABLE authorizations (
	id         text PRIMARY KEY,
	state      text NOT NULL UNIQUE,
	identifier text NOT NULL,
	connection text NOT NULL,
	tool       text NOT NULL,
	scopes     text[] NOT NULL,
	verifier   bytea,
	created_at timestamptz,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);
`,
	},
}

// pgSchemaVersion is the newest PostgreSQL step the code knows.
func pgSchemaVersion() int {
	return pgMigrations[len(pgMigrations)-1].version
}

// migrate brings the schema up to pgSchemaVersion and returns the version
// it found. The caller holds the schema's advisory lock, so no other
// instance migrates at the same time; each step still runs in its own
// transaction with the row that records it.
func (s *Postgres) migrate(ctx context.Context, conn pgConn) (found int, err error) {
	tables, err := pgTableNames(ctx, conn)
	if err != nil {
		return 0, err
	}
	if len(tables) > 0 && !tables["schema_migrations"] {
		return 0, fmt.Errorf("schema %q holds tables scopegate did not create: give scopegate "+
			"a database or schema of its own", s.schema)
	}

	// A schema that is up to date needs no DDL, so a role that may only
	// read and write the tables can open it.
	if !tables["schema_migrations"] {
		_, err = conn.Exec(ctx, `CREATE TABLE schema_migrations (
	version    integer PRIMARY KEY,
	applied_at timestamptz NOT NULL
)`)
		if err != nil {
			return 0, fmt.Errorf("creating schema_migrations: %w", err)
		}
	}
	found, err = pgCurrentVersion(ctx, conn)
	if err != nil {
		return 0, err
	}
	if found > pgSchemaVersion() {
		return 0, fmt.Errorf("database schema version %d is newer than this scopegate "+
			"understands (%d)", found, pgSchemaVersion())
	}

	for _, m := range pgMigrations {
		if m.version <= found {
			continue
		}
		if err := pgApply(ctx, conn, m); err != nil {
			return 0, fmt.Errorf("migrating schema to version %d: %w", m.version, err)
		}
		s.log.Info("store schema migrated", "schema_version", m.version)
	}
	return found, nil
}

func pgApply(ctx context.Context, conn pgConn, m migration) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	current, err := pgCurrentVersion(ctx, tx)
	if err != nil {
		return err
	}
	if current != m.version-1 {
		return fmt.Errorf("schema is at version %d, expected %d", current, m.version-1)
	}
	if _, err := tx.Exec(ctx, m.sql); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		m.version, time.Now())
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// pgTableNames lists the tables, views and foreign tables of the current
// schema.
func pgTableNames(ctx context.Context, conn pgConn) (map[string]bool, error) {
	rows, err := conn.Query(ctx, `SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`)
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

type pgRowQueryer interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func pgCurrentVersion(ctx context.Context, q pgRowQueryer) (int, error) {
	var v int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}
