package store

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
)

// The suite below is the contract of Store; every implementation runs it.

func TestMemory(t *testing.T) {
	runSuite(t, func(t *testing.T) Store { return NewMemory() })
}

func TestSQLite(t *testing.T) {
	runSuite(t, func(t *testing.T) Store {
		return openTestSQLite(t, t.TempDir()+"/store.db", newTestKey(t))
	})
}

func TestPostgres(t *testing.T) {
	testPostgresURL(t) // skips or fails once, not in every case
	runSuite(t, func(t *testing.T) Store {
		return openTestPostgres(t, newTestSchema(t), newTestKey(t))
	})
}

func runSuite(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s Store)
	}{
		{"AccountRoundTrip", testAccountRoundTrip},
		{"AccountNormalized", testAccountNormalized},
		{"AccountZeroValues", testAccountZeroValues},
		{"AccountCopies", testAccountCopies},
		{"AccountReplace", testAccountReplace},
		{"AccountDelete", testAccountDelete},
		{"AccountsList", testAccountsList},
		{"AccountInvalid", testAccountInvalid},
		{"AuthorizationRoundTrip", testAuthorizationRoundTrip},
		{"AuthorizationDuplicate", testAuthorizationDuplicate},
		{"AuthorizationInvalid", testAuthorizationInvalid},
		{"Consume", testConsume},
		{"ConsumeExpired", testConsumeExpired},
		{"ConsumeUnknown", testConsumeUnknown},
		{"ConsumeConcurrent", testConsumeConcurrent},
		{"PurgeAuthorizations", testPurgeAuthorizations},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

var (
	t0    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	gmRO  = registry.Scope("https://www.googleapis.com/auth/gmail.readonly")
	gmSnd = registry.Scope("https://www.googleapis.com/auth/gmail.send")
)

func testAccount(identifier, connection string) *Account {
	return &Account{
		Identifier:      identifier,
		Connection:      connection,
		Status:          StatusActive,
		Granted:         registry.NewScopeSet(gmRO, "openid"),
		Declined:        registry.NewScopeSet(gmSnd),
		DeclinedAt:      t0.Add(-time.Hour),
		ProviderAccount: identifier + "@example.com",
		Token: Token{
			AccessToken:  "access-" + identifier + "-" + connection,
			RefreshToken: "refresh-" + identifier + "-" + connection,
			TokenType:    "Bearer",
			Expiry:       t0.Add(time.Hour),
		},
		CreatedAt: t0.Add(-24 * time.Hour),
		UpdatedAt: t0,
	}
}

func testAuthorization(id string) *Authorization {
	return &Authorization{
		ID:         id,
		State:      "state-" + id,
		Identifier: "user_123",
		Connection: "gmail",
		Tool:       "gmail_send_email",
		Scopes:     registry.NewScopeSet(gmSnd),
		Verifier:   "verifier-" + id,
		CreatedAt:  t0,
		ExpiresAt:  t0.Add(10 * time.Minute),
	}
}

func mustPut(t *testing.T, s Store, a *Account) {
	t.Helper()
	if err := s.PutAccount(context.Background(), a); err != nil {
		t.Fatalf("PutAccount(%s, %s) = %v", a.Identifier, a.Connection, err)
	}
}

func mustGet(t *testing.T, s Store, identifier, connection string) *Account {
	t.Helper()
	a, err := s.Account(context.Background(), identifier, connection)
	if err != nil {
		t.Fatalf("Account(%s, %s) = %v", identifier, connection, err)
	}
	return a
}

func mustCreate(t *testing.T, s Store, a *Authorization) {
	t.Helper()
	if err := s.CreateAuthorization(context.Background(), a); err != nil {
		t.Fatalf("CreateAuthorization(%s) = %v", a.ID, err)
	}
}

func testAccountRoundTrip(t *testing.T, s Store) {
	want := testAccount("user_123", "gmail")
	mustPut(t, s, want)
	got := mustGet(t, s, "user_123", "gmail")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Account mismatch (-want +got):\n%s", diff)
	}

	_, err := s.Account(context.Background(), "user_123", "slack")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Account(user_123, slack) = %v, want ErrNotFound", err)
	}
}

func testAccountNormalized(t *testing.T, s Store) {
	zone := time.FixedZone("CEST", 2*60*60)
	a := testAccount("user_123", "gmail")
	a.Granted = registry.ScopeSet{gmSnd, gmRO, gmSnd}
	a.Declined = registry.ScopeSet{}
	a.UpdatedAt = time.Date(2026, 3, 1, 14, 0, 0, 123456789, zone)
	mustPut(t, s, a)

	got := mustGet(t, s, "user_123", "gmail")
	if want := (registry.ScopeSet{gmRO, gmSnd}); !cmp.Equal(got.Granted, want) {
		t.Errorf("Granted = %v, want %v", got.Granted, want)
	}
	if got.Declined != nil {
		t.Errorf("Declined = %#v, want nil", got.Declined)
	}
	want := time.Date(2026, 3, 1, 12, 0, 0, 123000000, time.UTC)
	if got.UpdatedAt != want {
		t.Errorf("UpdatedAt = %v, want %v", got.UpdatedAt, want)
	}
}

func testAccountZeroValues(t *testing.T, s Store) {
	want := &Account{Identifier: "user_123", Connection: "gmail", Status: StatusRevoked}
	mustPut(t, s, want)
	got := mustGet(t, s, "user_123", "gmail")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Account mismatch (-want +got):\n%s", diff)
	}
}

func testAccountCopies(t *testing.T, s Store) {
	a := testAccount("user_123", "gmail")
	mustPut(t, s, a)
	a.Granted[0] = "changed"
	a.Token.AccessToken = "changed"

	got := mustGet(t, s, "user_123", "gmail")
	got.Granted[0] = "changed"
	got.Declined[0] = "changed"

	want := testAccount("user_123", "gmail")
	if diff := cmp.Diff(want, mustGet(t, s, "user_123", "gmail")); diff != "" {
		t.Errorf("Account changed through a caller's copy (-want +got):\n%s", diff)
	}
}

func testAccountReplace(t *testing.T, s Store) {
	mustPut(t, s, testAccount("user_123", "gmail"))
	want := &Account{
		Identifier: "user_123",
		Connection: "gmail",
		Status:     StatusNeedsReauth,
		Granted:    registry.NewScopeSet("openid"),
		Token:      Token{TokenType: "Bearer"},
		CreatedAt:  t0.Add(-24 * time.Hour),
		UpdatedAt:  t0.Add(time.Minute),
	}
	mustPut(t, s, want)

	got := mustGet(t, s, "user_123", "gmail")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Account after replace mismatch (-want +got):\n%s", diff)
	}
	all, err := s.Accounts(context.Background(), "")
	if err != nil || len(all) != 1 {
		t.Errorf("Accounts(\"\") = %d accounts, %v; want 1, nil", len(all), err)
	}
}

func testAccountDelete(t *testing.T, s Store) {
	ctx := context.Background()
	mustPut(t, s, testAccount("user_123", "gmail"))
	mustPut(t, s, testAccount("user_123", "slack"))

	if err := s.DeleteAccount(ctx, "user_123", "gmail"); err != nil {
		t.Fatalf("DeleteAccount(user_123, gmail) = %v", err)
	}
	if _, err := s.Account(ctx, "user_123", "gmail"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Account(user_123, gmail) after delete = %v, want ErrNotFound", err)
	}
	mustGet(t, s, "user_123", "slack")
	if err := s.DeleteAccount(ctx, "user_123", "gmail"); err != nil {
		t.Errorf("DeleteAccount of a missing account = %v, want nil", err)
	}
}

func testAccountsList(t *testing.T, s Store) {
	mustPut(t, s, testAccount("user_2", "gmail"))
	mustPut(t, s, testAccount("user_1", "slack"))
	mustPut(t, s, testAccount("user_1", "gmail"))

	tests := []struct {
		identifier string
		want       []*Account
	}{
		{"user_1", []*Account{testAccount("user_1", "gmail"), testAccount("user_1", "slack")}},
		{"user_2", []*Account{testAccount("user_2", "gmail")}},
		{"", []*Account{
			testAccount("user_1", "gmail"),
			testAccount("user_1", "slack"),
			testAccount("user_2", "gmail"),
		}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		got, err := s.Accounts(context.Background(), tt.identifier)
		if err != nil {
			t.Fatalf("Accounts(%q) = %v", tt.identifier, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Accounts(%q) mismatch (-want +got):\n%s", tt.identifier, diff)
		}
	}
}

func testAccountInvalid(t *testing.T, s Store) {
	for _, a := range []*Account{nil, {Connection: "gmail"}, {Identifier: "user_123"}} {
		if err := s.PutAccount(context.Background(), a); err == nil {
			t.Errorf("PutAccount(%+v) = nil, want an error", a)
		}
	}
}

func testAuthorizationRoundTrip(t *testing.T, s Store) {
	want := testAuthorization("a1")
	mustCreate(t, s, want)
	got, err := s.Authorization(context.Background(), "a1")
	if err != nil {
		t.Fatalf("Authorization(a1) = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Authorization mismatch (-want +got):\n%s", diff)
	}

	_, err = s.Authorization(context.Background(), "a2")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Authorization(a2) = %v, want ErrNotFound", err)
	}
}

func testAuthorizationDuplicate(t *testing.T, s Store) {
	mustCreate(t, s, testAuthorization("a1"))

	sameID := testAuthorization("a1")
	sameID.State = "other"
	sameState := testAuthorization("a2")
	sameState.State = "state-a1"
	for _, a := range []*Authorization{sameID, sameState} {
		if err := s.CreateAuthorization(context.Background(), a); err == nil {
			t.Errorf("CreateAuthorization(id %s, state %s) = nil, want an error", a.ID, a.State)
		}
	}
}

func testAuthorizationInvalid(t *testing.T, s Store) {
	noExpiry := testAuthorization("a1")
	noExpiry.ExpiresAt = time.Time{}
	noState := testAuthorization("a2")
	noState.State = ""
	noID := testAuthorization("")
	noIdentifier := testAuthorization("a3")
	noIdentifier.Identifier = ""
	for _, a := range []*Authorization{nil, noExpiry, noState, noID, noIdentifier} {
		if err := s.CreateAuthorization(context.Background(), a); err == nil {
			t.Errorf("CreateAuthorization(%+v) = nil, want an error", a)
		}
	}
}

func testConsume(t *testing.T, s Store) {
	ctx := context.Background()
	a := testAuthorization("a1")
	mustCreate(t, s, a)

	now := t0.Add(time.Minute)
	got, err := s.ConsumeAuthorization(ctx, a.State, now)
	if err != nil {
		t.Fatalf("ConsumeAuthorization(%s) = %v", a.State, err)
	}
	want := testAuthorization("a1")
	want.UsedAt = now
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ConsumeAuthorization mismatch (-want +got):\n%s", diff)
	}
	stored, err := s.Authorization(ctx, "a1")
	if err != nil {
		t.Fatalf("Authorization(a1) = %v", err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("Authorization after consume mismatch (-want +got):\n%s", diff)
	}

	_, err = s.ConsumeAuthorization(ctx, a.State, now.Add(time.Second))
	if !errors.Is(err, ErrAuthorizationUsed) {
		t.Errorf("ConsumeAuthorization replayed = %v, want ErrAuthorizationUsed", err)
	}
	// Used takes precedence over expired.
	_, err = s.ConsumeAuthorization(ctx, a.State, now.Add(time.Hour))
	if !errors.Is(err, ErrAuthorizationUsed) {
		t.Errorf("ConsumeAuthorization replayed late = %v, want ErrAuthorizationUsed", err)
	}
}

func testConsumeExpired(t *testing.T, s Store) {
	ctx := context.Background()
	a := testAuthorization("a1")
	mustCreate(t, s, a)

	late := a.ExpiresAt.Add(time.Millisecond)
	_, err := s.ConsumeAuthorization(ctx, a.State, late)
	if !errors.Is(err, ErrAuthorizationExpired) {
		t.Fatalf("ConsumeAuthorization after expiry = %v, want ErrAuthorizationExpired", err)
	}
	stored, err := s.Authorization(ctx, "a1")
	if err != nil {
		t.Fatalf("Authorization(a1) = %v", err)
	}
	if !stored.UsedAt.IsZero() {
		t.Errorf("UsedAt after a refused consume = %v, want zero", stored.UsedAt)
	}

	// The expiry itself is still in time.
	if _, err := s.ConsumeAuthorization(ctx, a.State, a.ExpiresAt); err != nil {
		t.Errorf("ConsumeAuthorization at the expiry = %v, want nil", err)
	}
}

func testConsumeUnknown(t *testing.T, s Store) {
	ctx := context.Background()
	mustCreate(t, s, testAuthorization("a1"))
	for _, state := range []string{"nope", "a1", ""} {
		_, err := s.ConsumeAuthorization(ctx, state, t0)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("ConsumeAuthorization(%q) = %v, want ErrNotFound", state, err)
		}
	}
	stored, err := s.Authorization(ctx, "a1")
	if err != nil || !stored.UsedAt.IsZero() {
		t.Errorf("Authorization(a1) = UsedAt %v, %v; want zero, nil", stored.UsedAt, err)
	}
}

func testConsumeConcurrent(t *testing.T, s Store) {
	const callers = 20
	a := testAuthorization("a1")
	mustCreate(t, s, a)

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, callers)
	)
	for i := range callers {
		wg.Go(func() {
			<-start
			_, errs[i] = s.ConsumeAuthorization(context.Background(), a.State, t0)
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
		t.Errorf("%d of %d concurrent consumes succeeded, want exactly 1", wins, callers)
	}
}

func testPurgeAuthorizations(t *testing.T, s Store) {
	ctx := context.Background()
	old, used, current := testAuthorization("old"), testAuthorization("used"), testAuthorization("current")
	old.ExpiresAt = t0.Add(-time.Hour)
	used.ExpiresAt = t0.Add(-time.Minute)
	current.ExpiresAt = t0.Add(time.Minute)
	for _, a := range []*Authorization{old, used, current} {
		mustCreate(t, s, a)
	}
	if _, err := s.ConsumeAuthorization(ctx, used.State, t0.Add(-2*time.Minute)); err != nil {
		t.Fatal(err)
	}

	n, err := s.PurgeAuthorizations(ctx, t0)
	if err != nil || n != 2 {
		t.Fatalf("PurgeAuthorizations = %d, %v, want the 2 that expired before", n, err)
	}
	for _, id := range []string{"old", "used"} {
		if _, err := s.Authorization(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Authorization(%s) after the purge = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := s.Authorization(ctx, "current"); err != nil {
		t.Errorf("Authorization(current) after the purge = %v, want it kept", err)
	}
	// A purged link's state is unknown, not reusable.
	if _, err := s.ConsumeAuthorization(ctx, old.State, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("ConsumeAuthorization of a purged state = %v, want ErrNotFound", err)
	}
	if n, err := s.PurgeAuthorizations(ctx, t0); err != nil || n != 0 {
		t.Errorf("second PurgeAuthorizations = %d, %v, want 0", n, err)
	}
}

// checkReopen checks a store that outlives its process: what was written
// is read back after reopening with the same key, and another key is
// refused without its error showing key material. open opens the same
// store each time.
func checkReopen(t *testing.T, name string, open func(key []byte) (Store, error)) {
	t.Helper()
	ctx := context.Background()
	key := newTestKey(t)
	s, err := open(key)
	if err != nil {
		t.Fatalf("%s = %v", name, err)
	}
	mustPut(t, s, testAccount("user_123", "gmail"))
	mustCreate(t, s, testAuthorization("a1"))
	s.Close()

	wrong := newTestKey(t)
	_, err = open(wrong)
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("%s with another key = %v, want ErrKeyMismatch", name, err)
	}
	for _, k := range [][]byte{key, wrong} {
		if strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(k)) {
			t.Errorf("%s error %q holds key material", name, err)
		}
	}

	s, err = open(key)
	if err != nil {
		t.Fatalf("%s again = %v", name, err)
	}
	t.Cleanup(func() { s.Close() })
	got := mustGet(t, s, "user_123", "gmail")
	if want := testAccount("user_123", "gmail"); got.Token != want.Token {
		t.Errorf("Token after reopen = %+v, want %+v", got.Token, want.Token)
	}
	auth, err := s.Authorization(ctx, "a1")
	if err != nil || auth.Verifier != "verifier-a1" {
		t.Errorf("Authorization(a1) after reopen = %+v, %v; want verifier-a1", auth, err)
	}
}
