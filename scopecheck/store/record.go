package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// Both implementations keep records in the same normal form, so that code
// tested against Memory sees what SQLite would return: scope sets sorted,
// without duplicates and nil when empty; times in UTC, to the millisecond,
// with the zero time kept as zero.

// normScopes returns a sorted, de-duplicated copy of set, or nil when it is
// empty.
func normScopes(set registry.ScopeSet) registry.ScopeSet {
	set = registry.NewScopeSet(set...)
	if len(set) == 0 {
		return nil
	}
	return set
}

// normTime returns t as the store gives it back.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// timeValue is how SQLite stores t: UTC unix milliseconds, or NULL for the
// zero time.
func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// timeFrom reverses timeValue.
func timeFrom(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// expired reports whether an authorization expiring at expiresAt has run
// out at now, to the millisecond, as SQLite compares them.
func expired(expiresAt, now time.Time) bool {
	return now.UnixMilli() > expiresAt.UnixMilli()
}

// normAccount returns a normalized copy of a that shares no memory with it.
func normAccount(a *Account) *Account {
	c := *a
	c.Granted = normScopes(a.Granted)
	c.Declined = normScopes(a.Declined)
	c.DeclinedAt = normTime(a.DeclinedAt)
	c.Token.Expiry = normTime(a.Token.Expiry)
	c.CreatedAt = normTime(a.CreatedAt)
	c.UpdatedAt = normTime(a.UpdatedAt)
	return &c
}

// copyAccount returns a copy of a that shares no memory with it.
func copyAccount(a *Account) *Account {
	c := *a
	c.Granted = slices.Clone(a.Granted)
	c.Declined = slices.Clone(a.Declined)
	return &c
}

// normAuthorization returns a normalized copy of a that shares no memory
// with it.
func normAuthorization(a *Authorization) *Authorization {
	c := *a
	c.Scopes = normScopes(a.Scopes)
	c.CreatedAt = normTime(a.CreatedAt)
	c.ExpiresAt = normTime(a.ExpiresAt)
	c.UsedAt = normTime(a.UsedAt)
	return &c
}

func checkAccount(a *Account) error {
	switch {
	case a == nil:
		return errors.New("putting account: the account is nil")
	case a.Identifier == "" || a.Connection == "":
		return errors.New("putting account: identifier and connection are required")
	}
	return nil
}

func checkAuthorization(a *Authorization) error {
	switch {
	case a == nil:
		return errors.New("creating authorization: the authorization is nil")
	case a.ID == "" || a.State == "":
		return errors.New("creating authorization: id and state are required")
	case a.Identifier == "" || a.Connection == "":
		return errors.New("creating authorization: identifier and connection are required")
	case a.ExpiresAt.IsZero():
		return errors.New("creating authorization: an expiry is required")
	}
	return nil
}

func checkConsume(state string, now time.Time) error {
	switch {
	case state == "":
		return ErrNotFound
	case now.IsZero():
		return errors.New("consuming authorization: the time is zero")
	}
	return nil
}

// scanner is what a row of database/sql and of pgx both offer.
type scanner interface {
	Scan(dest ...any) error
}

// rowsScanner is what the rows of database/sql and of pgx both offer.
type rowsScanner interface {
	scanner
	Next() bool
	Err() error
}

// scanAll reads every row of a listing of accounts with scan.
func scanAll(rows rowsScanner, scan func(scanner) (*Account, error)) ([]*Account, error) {
	var out []*Account
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("listing accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing accounts: %w", err)
	}
	return out, nil
}

// columnCodec says how a database stores the two kinds of column the
// backends store differently: times (T) and scope sets (S).
type columnCodec[T, S any] struct {
	time   func(T) time.Time
	scopes func(S) registry.ScopeSet
}

// scanAccount reads one row of accountColumns and opens its tokens.
func scanAccount[T, S any](row scanner, c columnCodec[T, S], seal *sealer) (*Account, error) {
	var (
		a                                        Account
		status                                   string
		granted, declined                        S
		declinedAt, expiry, createdAt, updatedAt T
		accessBlob, refreshBlob                  []byte
	)
	err := row.Scan(&a.Identifier, &a.Connection, &status, &granted, &declined, &declinedAt,
		&a.ProviderAccount, &accessBlob, &refreshBlob, &a.Token.TokenType, &expiry,
		&createdAt, &updatedAt)
	if err != nil {
		return nil, err
	}
	a.Status = Status(status)
	a.Granted = c.scopes(granted)
	a.Declined = c.scopes(declined)
	a.DeclinedAt = c.time(declinedAt)
	a.Token.Expiry = c.time(expiry)
	a.CreatedAt = c.time(createdAt)
	a.UpdatedAt = c.time(updatedAt)
	if err := seal.openTokens(&a, accessBlob, refreshBlob); err != nil {
		return nil, err
	}
	return &a, nil
}

// scanAuthorization reads one row of authorizationColumns and opens its
// verifier.
func scanAuthorization[T, S any](row scanner, c columnCodec[T, S], seal *sealer) (*Authorization, error) {
	var (
		a                            Authorization
		scopes                       S
		verifier                     []byte
		createdAt, expiresAt, usedAt T
	)
	err := row.Scan(&a.ID, &a.State, &a.Identifier, &a.Connection, &a.Tool, &scopes,
		&verifier, &createdAt, &expiresAt, &usedAt)
	if err != nil {
		return nil, err
	}
	a.Scopes = c.scopes(scopes)
	a.CreatedAt = c.time(createdAt)
	a.ExpiresAt = c.time(expiresAt)
	a.UsedAt = c.time(usedAt)
	a.Verifier, err = seal.openText(verifier, authorizationAD(a.ID))
	if err != nil {
		return nil, fmt.Errorf("decrypting verifier: %w", err)
	}
	return &a, nil
}
