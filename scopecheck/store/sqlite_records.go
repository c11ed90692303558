package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/scopegate/scopegate/registry"
)

const accountColumns = `identifier, connection, status, granted, declined, declined_at,
	provider_account, access_token, refresh_token, token_type, token_expiry,
	created_at, updated_at`

const authorizationColumns = `id, state, identifier, connection, tool, scopes, verifier,
	created_at, expires_at, used_at`

// The statements below run on every tool call, token refresh or callback;
// sqliteStmts prepares them once. The numbered parameters of consumeSQL
// are its time (?1) and its state (?2).
const (
	accountSQL = `SELECT ` + accountColumns + ` FROM accounts
	WHERE identifier = ? AND connection = ?`

	putAccountSQL = `INSERT INTO accounts (` + accountColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (identifier, connection) DO UPDATE SET
		status = excluded.status,
		granted = excluded.granted,
		declined = excluded.declined,
		declined_at = excluded.declined_at,
		provider_account = excluded.provider_account,
		access_token = excluded.access_token,
		refresh_token = excluded.refresh_token,
		token_type = excluded.token_type,
		token_expiry = excluded.token_expiry,
		created_at = excluded.created_at,
		updated_at = excluded.updated_at`

	consumeSQL = `UPDATE authorizations SET used_at = ?1
	WHERE state = ?2 AND used_at IS NULL AND expires_at >= ?1`

	consumedSQL = `SELECT ` + authorizationColumns + ` FROM authorizations
	WHERE state = ?`

	unconsumedSQL = `SELECT used_at IS NOT NULL FROM authorizations WHERE state = ?`
)

// Account implements Store. An account read before is served from memory
// when nothing in the database changed since (see sqliteAccounts).
func (s *SQLite) Account(ctx context.Context, identifier, connection string) (*Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("reading account: %w", err)
	}
	k := accountKey{identifier, connection}
	st, cached := s.accounts.stamp(ctx)
	if cached {
		if a := s.accounts.get(st, k); a != nil {
			return a, nil
		}
	}
	a, err := s.readAccount(ctx, identifier, connection)
	if err == nil && cached {
		s.accounts.put(st, k, a)
	}
	return a, err
}

// readAccount reads an account from the database.
func (s *SQLite) readAccount(ctx context.Context, identifier, connection string) (*Account, error) {
	row := s.stmts.account.QueryRowContext(ctx, identifier, connection)
	a, err := s.scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading account: %w", err)
	}
	return a, nil
}

// PutAccount implements Store.
func (s *SQLite) PutAccount(ctx context.Context, a *Account) error {
	if err := checkAccount(a); err != nil {
		return err
	}
	access, refresh := s.seal.sealTokens(a)

	// A sealed token has a fresh nonce, so the row changes and its commit
	// must show in the WAL index.
	before, checkWAL := s.accounts.walHeader()
	checkWAL = checkWAL && access != nil
	_, err := s.stmts.putAccount.ExecContext(ctx,
		a.Identifier, a.Connection, string(a.Status),
		scopesValue(a.Granted), scopesValue(a.Declined), timeValue(a.DeclinedAt),
		a.ProviderAccount, access, refresh, a.Token.TokenType, timeValue(a.Token.Expiry),
		timeValue(a.CreatedAt), timeValue(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("putting account: %w", err)
	}
	if checkWAL {
		s.accounts.written(before)
	}
	return nil
}

// DeleteAccount implements Store.
func (s *SQLite) DeleteAccount(ctx context.Context, identifier, connection string) error {
	_, err := s.db.ExecContext(ctx,
		`DELETE FROM accounts WHERE identifier = ? AND connection = ?`, identifier, connection)
	if err != nil {
		return fmt.Errorf("deleting account: %w", err)
	}
	return nil
}

// Accounts implements Store. Accounts are ordered by identifier, then
// connection.
func (s *SQLite) Accounts(ctx context.Context, identifier string) ([]*Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE ?1 = '' OR identifier = ?1
		ORDER BY identifier, connection`, identifier)
	if err != nil {
		return nil, fmt.Errorf("listing accounts: %w", err)
	}
	defer rows.Close()
	return scanAll(rows, s.scanAccount)
}

// CreateAuthorization implements Store. An authorization whose ID or State
// is already taken is refused.
func (s *SQLite) CreateAuthorization(ctx context.Context, a *Authorization) error {
	if err := checkAuthorization(a); err != nil {
		return err
	}
	verifier := s.seal.sealText(a.Verifier, authorizationAD(a.ID))
	_, err := s.db.ExecContext(ctx, `INSERT INTO authorizations (`+authorizationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.State, a.Identifier, a.Connection, a.Tool, scopesValue(a.Scopes), verifier,
		timeValue(a.CreatedAt), timeValue(a.ExpiresAt), timeValue(a.UsedAt))
	if err != nil {
		return fmt.Errorf("creating authorization: %w", err)
	}
	return nil
}

// Authorization implements Store.
func (s *SQLite) Authorization(ctx context.Context, id string) (*Authorization, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+authorizationColumns+` FROM authorizations
		WHERE id = ?`, id)
	a, err := s.scanAuthorization(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading authorization: %w", err)
	}
	return a, nil
}

// PurgeAuthorizations implements Store.
func (s *SQLite) PurgeAuthorizations(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM authorizations WHERE expires_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("purging authorizations: %w", err)
	}
	return res.RowsAffected()
}

// ConsumeAuthorization implements Store. The single conditional UPDATE is
// what makes it atomic: of two callbacks carrying the same state, whether
// in one process or two, only one changes the row.
func (s *SQLite) ConsumeAuthorization(
	ctx context.Context, state string, now time.Time,
) (*Authorization, error) {
	if err := checkConsume(state, now); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("consuming authorization: %w", err)
	}
	defer tx.Rollback()

	res, err := tx.StmtContext(ctx, s.stmts.consume).ExecContext(ctx, now.UnixMilli(), state)
	if err != nil {
		return nil, fmt.Errorf("consuming authorization: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("consuming authorization: %w", err)
	}
	if n == 0 {
		return nil, s.whyNotConsumed(ctx, tx, state)
	}

	row := tx.StmtContext(ctx, s.stmts.consumed).QueryRowContext(ctx, state)
	a, err := s.scanAuthorization(row)
	if err != nil {
		return nil, fmt.Errorf("consuming authorization: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("consuming authorization: %w", err)
	}
	return a, nil
}

// whyNotConsumed tells apart the reasons an authorization could not be
// consumed. Used takes precedence over expired.
func (s *SQLite) whyNotConsumed(ctx context.Context, tx *sql.Tx, state string) error {
	var used bool
	err := tx.StmtContext(ctx, s.stmts.unconsumed).QueryRowContext(ctx, state).Scan(&used)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("consuming authorization: %w", err)
	case used:
		return ErrAuthorizationUsed
	}
	return ErrAuthorizationExpired
}

// sqliteColumns are SQLite's integer (Unix milliseconds) and
// space-separated text columns.
var sqliteColumns = columnCodec[sql.NullInt64, string]{time: timeFrom, scopes: scopesFrom}

func (s *SQLite) scanAccount(row scanner) (*Account, error) {
	return scanAccount(row, sqliteColumns, s.seal)
}

func (s *SQLite) scanAuthorization(row scanner) (*Authorization, error) {
	return scanAuthorization(row, sqliteColumns, s.seal)
}

// scopesValue is how SQLite stores a scope set: sorted, space-separated.
func scopesValue(set registry.ScopeSet) string {
	return registry.NewScopeSet(set...).String()
}

// scopesFrom reverses scopesValue.
func scopesFrom(s string) registry.ScopeSet {
	return normScopes(registry.ParseScopes(s))
}
