package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Memory is a Store that keeps records in memory, for tests of the packages
// that use a store. It encrypts nothing and forgets everything when the
// process ends. Records are copied in and out, so callers cannot change what
// it holds except through its methods, and they are normalized exactly as
// SQLite normalizes them. Use NewMemory; the zero value is not usable.
type Memory struct {
	mu       sync.Mutex
	accounts map[accountKey]*Account
	auths    map[string]*Authorization // by ID
	states   map[string]string         // state to ID
}

type accountKey struct {
	identifier, connection string
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory {
	return &Memory{
		accounts: make(map[accountKey]*Account),
		auths:    make(map[string]*Authorization),
		states:   make(map[string]string),
	}
}

// Account implements Store.
func (m *Memory) Account(_ context.Context, identifier, connection string) (*Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[accountKey{identifier, connection}]
	if !ok {
		return nil, ErrNotFound
	}
	// Records are normalized when they are put.
	return copyAccount(a), nil
}

// PutAccount implements Store.
func (m *Memory) PutAccount(_ context.Context, a *Account) error {
	if err := checkAccount(a); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts[accountKey{a.Identifier, a.Connection}] = normAccount(a)
	return nil
}

// DeleteAccount implements Store.
func (m *Memory) DeleteAccount(_ context.Context, identifier, connection string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.accounts, accountKey{identifier, connection})
	return nil
}

// Accounts implements Store. Accounts are ordered by identifier, then
// connection.
func (m *Memory) Accounts(_ context.Context, identifier string) ([]*Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Account
	for k, a := range m.accounts {
		if identifier == "" || k.identifier == identifier {
			out = append(out, normAccount(a))
		}
	}
	slices.SortFunc(out, func(a, b *Account) int {
		return cmp.Or(cmp.Compare(a.Identifier, b.Identifier),
			cmp.Compare(a.Connection, b.Connection))
	})
	return out, nil
}

// CreateAuthorization implements Store. An authorization whose ID or State
// is already taken is refused.
func (m *Memory) CreateAuthorization(_ context.Context, a *Authorization) error {
	if err := checkAuthorization(a); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.auths[a.ID]; ok {
		return errors.New("creating authorization: the id is already taken")
	}
	if _, ok := m.states[a.State]; ok {
		return errors.New("creating authorization: the state is already taken")
	}
	m.auths[a.ID] = normAuthorization(a)
	m.states[a.State] = a.ID
	return nil
}

// Authorization implements Store.
func (m *Memory) Authorization(_ context.Context, id string) (*Authorization, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.auths[id]
	if !ok {
		return nil, ErrNotFound
	}
	return normAuthorization(a), nil
}

// ConsumeAuthorization implements Store.
func (m *Memory) ConsumeAuthorization(
	_ context.Context, state string, now time.Time,
) (*Authorization, error) {
	if err := checkConsume(state, now); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.auths[m.states[state]]
	switch {
	case !ok:
		return nil, ErrNotFound
	case !a.UsedAt.IsZero():
		return nil, ErrAuthorizationUsed
	case expired(a.ExpiresAt, now):
		return nil, ErrAuthorizationExpired
	}
	a.UsedAt = normTime(now)
	return normAuthorization(a), nil
}

// PurgeAuthorizations implements Store.
func (m *Memory) PurgeAuthorizations(_ context.Context, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for id, a := range m.auths {
		if a.ExpiresAt.Before(before) {
			delete(m.states, a.State)
			delete(m.auths, id)
			n++
		}
	}
	return n, nil
}

// Close implements Store. It does nothing; the records stay readable.
func (m *Memory) Close() error { return nil }
