// Package store keeps connected accounts and pending authorizations. It is
// not the gate: it records what providers granted and never decides what a
// tool may do. Tokens and PKCE verifiers are encrypted at rest.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// Errors with documented contracts.
var (
	// ErrNotFound is returned when no record matches.
	ErrNotFound = errors.New("not found")
	// ErrAuthorizationUsed is returned when an authorization was already
	// completed or abandoned; it must not be completed twice.
	ErrAuthorizationUsed = errors.New("authorization already used")
	// ErrAuthorizationExpired is returned when an authorization's time ran out.
	ErrAuthorizationExpired = errors.New("authorization expired")
)

// Status says what is true of a connected account.
type Status string

// Account states.
const (
	// StatusActive accounts hold a token that may be used.
	StatusActive Status = "active"
	// StatusNeedsReauth accounts hold no usable grant: the provider
	// refused the refresh token, or the user must approve again.
	StatusNeedsReauth Status = "needs_reauthorization"
	// StatusRevoked accounts were revoked by the user; their tokens are gone.
	StatusRevoked Status = "revoked"
	// StatusPending accounts were asked for but never completed an
	// authorization; they hold no token, only what the user declined.
	StatusPending Status = "pending"
)

// Token is an OAuth token as the store keeps it. It is encrypted at rest.
type Token struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	Expiry       time.Time
}

// Account is one identifier's authorization on one connection.
type Account struct {
	Identifier string
	Connection string
	Status     Status
	// Granted holds the scopes the provider said it granted, never the
	// ones requested.
	Granted registry.ScopeSet
	// Declined holds scopes the user was asked for and did not grant, and
	// DeclinedAt when that last happened.
	Declined   registry.ScopeSet
	DeclinedAt time.Time
	// ProviderAccount is the provider's name for the account (an email
	// address or user id), when known.
	ProviderAccount string
	Token           Token
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Authorization is a pending authorization link: it is issued by the gate,
// shown at /connect/<ID>, and completed once by the provider's callback
// carrying State.
type Authorization struct {
	// ID is the opaque, unguessable id in the /connect/<ID> link.
	ID string
	// State is the OAuth state parameter sent to the provider.
	State      string
	Identifier string
	Connection string
	// Tool is the tool whose call led to this authorization, for pages.
	Tool string
	// Scopes are the scopes to request.
	Scopes registry.ScopeSet
	// Verifier is the PKCE code verifier. It is encrypted at rest.
	Verifier  string
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set once the callback has consumed the authorization.
	UsedAt time.Time
}

// Store keeps accounts and authorizations. Implementations are safe for
// concurrent use.
type Store interface {
	// Account returns the account of identifier on connection, or
	// ErrNotFound.
	Account(ctx context.Context, identifier, connection string) (*Account, error)
	// PutAccount creates or replaces the account with the same identifier
	// and connection.
	PutAccount(ctx context.Context, a *Account) error
	// DeleteAccount removes an account; a missing one is not an error.
	DeleteAccount(ctx context.Context, identifier, connection string) error
	// Accounts lists the accounts of identifier, or of everyone when
	// identifier is empty.
	Accounts(ctx context.Context, identifier string) ([]*Account, error)

	// CreateAuthorization records a new pending authorization.
	CreateAuthorization(ctx context.Context, a *Authorization) error
	// Authorization returns the authorization with the given link id, or
	// ErrNotFound. It does not consume it.
	Authorization(ctx context.Context, id string) (*Authorization, error)
	// ConsumeAuthorization atomically marks the authorization with the
	// given state as used at now and returns it. It returns ErrNotFound
	// for an unknown state, ErrAuthorizationUsed when it was consumed
	// before and ErrAuthorizationExpired when now is past its expiry; in
	// those cases nothing changes.
	ConsumeAuthorization(ctx context.Context, state string, now time.Time) (*Authorization, error)
	// PurgeAuthorizations removes the authorizations that expired before
	// before, used or not, and returns how many it removed. Links live for
	// minutes; without this their rows would stay for good.
	PurgeAuthorizations(ctx context.Context, before time.Time) (int64, error)

	// Close releases the store.
	Close() error
}

// AccountLocker is implemented by stores that several processes share, so
// that only one of them refreshes an account's token at a time. The gate
// checks for it: with a store that lacks it, refreshes are serialized
// within one process only.
type AccountLocker interface {
	// LockAccount blocks until the caller holds the lock of the account of
	// identifier on connection, across every process that uses the store,
	// and returns the function that releases it. The lock is also released
	// when the process ends. It fails when ctx is done or the wait is
	// longer than the store allows.
	LockAccount(ctx context.Context, identifier, connection string) (unlock func(), err error)
}
