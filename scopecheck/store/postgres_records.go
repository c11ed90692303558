package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/scopegate/scopegate/registry"
)

// pgUniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const pgUniqueViolation = "23505"

// Account implements Store.
func (s *Postgres) Account(ctx context.Context, identifier, connection string) (*Account, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE identifier = $1 AND connection = $2`, identifier, connection)
	a, err := s.scanAccount(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading account: %w", err)
	}
	return a, nil
}

// PutAccount implements Store.
func (s *Postgres) PutAccount(ctx context.Context, a *Account) error {
	if err := checkAccount(a); err != nil {
		return err
	}
	access, refresh := s.seal.sealTokens(a)

	_, err := s.pool.Exec(ctx, `INSERT INTO accounts (`+accountColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
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
			updated_at = excluded.updated_at`,
		a.Identifier, a.Connection, string(a.Status),
		pgScopes(a.Granted), pgScopes(a.Declined), pgTime(a.DeclinedAt),
		a.ProviderAccount, access, refresh, a.Token.TokenType, pgTime(a.Token.Expiry),
		pgTime(a.CreatedAt), pgTime(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("putting account: %w", err)
	}
	return nil
}

// DeleteAccount implements Store.
func (s *Postgres) DeleteAccount(ctx context.Context, identifier, connection string) error {
	_, err := s.pool.Exec(ctx,
		`DELETE FROM accounts WHERE identifier = $1 AND connection = $2`, identifier, connection)
	if err != nil {
		return fmt.Errorf("deleting account: %w", err)
	}
	return nil
}

// Accounts implements Store. Accounts are ordered by identifier, then
// connection, byte by byte.
func (s *Postgres) Accounts(ctx context.Context, identifier string) ([]*Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE $1 = '' OR identifier = $1
		ORDER BY identifier, connection`, identifier)
	if err != nil {
		return nil, fmt.Errorf("listing accounts: %w", err)
	}
	defer rows.Close()
	return scanAll(rows, s.scanAccount)
}

// CreateAuthorization implements Store. An authorization whose ID or State
// is already taken is refused.
func (s *Postgres) CreateAuthorization(ctx context.Context, a *Authorization) error {
	if err := checkAuthorization(a); err != nil {
		return err
	}
	verifier := s.seal.sealText(a.Verifier, authorizationAD(a.ID))
	_, err := s.pool.Exec(ctx, `INSERT INTO authorizations (`+authorizationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, a.State, a.Identifier, a.Connection, a.Tool, pgScopes(a.Scopes), verifier,
		pgTime(a.CreatedAt), pgTime(a.ExpiresAt), pgTime(a.UsedAt))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == pgUniqueViolation {
		return errors.New("creating authorization: the id or state is already taken")
	}
	if err != nil {
		return fmt.Errorf("creating authorization: %w", err)
	}
	return nil
}

// Authorization implements Store.
func (s *Postgres) Authorization(ctx context.Context, id string) (*Authorization, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+authorizationColumns+` FROM authorizations
		WHERE id = $1`, id)
	a, err := s.scanAuthorization(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading authorization: %w", err)
	}
	return a, nil
}

// PurgeAuthorizations implements Store.
func (s *Postgres) PurgeAuthorizations(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM authorizations WHERE expires_at < $1`, normTime(before))
	if err != nil {
		return 0, fmt.Errorf("purging authorizations: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ConsumeAuthorization implements Store. One conditional UPDATE both checks
// and marks the row, so of two callbacks carrying the same state, in any
// instances, only one changes it: the second waits for the first's row
// lock and then finds used_at set.
func (s *Postgres) ConsumeAuthorization(
	ctx context.Context, state string, now time.Time,
) (*Authorization, error) {
	if err := checkConsume(state, now); err != nil {
		return nil, err
	}
	row := s.pool.QueryRow(ctx, `UPDATE authorizations SET used_at = $1
		WHERE state = $2 AND used_at IS NULL AND expires_at >= $1
		RETURNING `+authorizationColumns, normTime(now), state)
	a, err := s.scanAuthorization(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, s.whyNotConsumed(ctx, state)
	}
	if err != nil {
		return nil, fmt.Errorf("consuming authorization: %w", err)
	}
	return a, nil
}

// whyNotConsumed tells apart the reasons an authorization could not be
// consumed. Used takes precedence over expired. used_at, once set, is
// never cleared, so an unused row here is one that had expired.
func (s *Postgres) whyNotConsumed(ctx context.Context, state string) error {
	var used bool
	err := s.pool.QueryRow(ctx,
		`SELECT used_at IS NOT NULL FROM authorizations WHERE state = $1`, state).Scan(&used)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("consuming authorization: %w", err)
	case used:
		return ErrAuthorizationUsed
	}
	return ErrAuthorizationExpired
}

// pgColumns are PostgreSQL's timestamptz and text[] columns.
var pgColumns = columnCodec[*time.Time, []string]{time: timeFromPG, scopes: scopesFromArray}

func (s *Postgres) scanAccount(row scanner) (*Account, error) {
	return scanAccount(row, pgColumns, s.seal)
}

func (s *Postgres) scanAuthorization(row scanner) (*Authorization, error) {
	return scanAuthorization(row, pgColumns, s.seal)
}

// pgScopes is how PostgreSQL stores a scope set: a sorted text array,
// empty rather than NULL.
func pgScopes(set registry.ScopeSet) []string {
	out := []string{}
	for _, sc := range normScopes(set) {
		out = append(out, string(sc))
	}
	return out
}

// scopesFromArray reverses pgScopes.
func scopesFromArray(list []string) registry.ScopeSet {
	set := make(registry.ScopeSet, 0, len(list))
	for _, sc := range list {
		set = append(set, registry.Scope(sc))
	}
	return normScopes(set)
}

// pgTime is how PostgreSQL stores t: normalized as normTime does, or NULL
// for the zero time.
func pgTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = normTime(t)
	return &t
}

// timeFromPG reverses pgTime.
func timeFromPG(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return normTime(*t)
}
