package scopecheck

import (
	"context"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// TestAwaitCompletionSeesAnotherInstance: a call waiting for an
// authorization notices it completed when another instance sharing the
// store took the callback, with no signal in this process.
func TestAwaitCompletionSeesAnotherInstance(t *testing.T) {
	st := store.NewMemory()
	g := New(Options{Store: st, PublicURL: "http://127.0.0.1:1"})
	now := time.Now()
	for _, id := range []string{"completed", "pending"} {
		if err := st.CreateAuthorization(context.Background(), &store.Authorization{
			ID: id, State: "state-" + id, Identifier: "u", Connection: "gmail",
			Scopes:    registry.NewScopeSet(registry.GmailReadonly),
			CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute),
		}); err != nil {
			t.Fatal(err)
		}
	}
	never := make(chan struct{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		// What the other instance's callback does.
		if _, err := st.ConsumeAuthorization(context.Background(), "state-completed", time.Now()); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if !g.awaitCompletion(ctx, "completed", never) {
		t.Fatal("the authorization completed elsewhere was not noticed")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("noticed after %v, want within a couple of polls", d)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if g.awaitCompletion(ctx, "pending", never) {
		t.Error("an authorization nobody completed was reported complete")
	}
}

// TestMarkRevokedOnlyTheRefusedToken: a refused token marks the account
// only while it still holds that token; an account renewed or removed
// meanwhile is left as it is.
func TestMarkRevokedOnlyTheRefusedToken(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	g := New(Options{Store: st, PublicURL: "http://127.0.0.1:1"})
	log := g.log
	put := func(token string) *store.Account {
		a := &store.Account{Identifier: "u", Connection: "slack", Status: store.StatusActive,
			Granted: registry.NewScopeSet(registry.SlackUsersRead),
			Token:   store.Token{AccessToken: token, TokenType: "bot"}}
		if err := st.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}

	used := put("old-token")
	put("renewed-token") // a new authorization completed meanwhile
	cur, err := g.markRevoked(ctx, log, used)
	if err != nil || cur.Status != store.StatusActive || cur.Token.AccessToken != "renewed-token" {
		t.Fatalf("markRevoked after a renewal = %+v, %v; want the renewed account untouched", cur, err)
	}

	used = put("old-token")
	cur, err = g.markRevoked(ctx, log, used)
	if err != nil || cur.Status != store.StatusNeedsReauth {
		t.Fatalf("markRevoked = %+v, %v; want needs_reauthorization", cur, err)
	}
	stored, _ := st.Account(ctx, "u", "slack")
	if stored.Status != store.StatusNeedsReauth {
		t.Errorf("stored status = %s, want needs_reauthorization", stored.Status)
	}

	if err := st.DeleteAccount(ctx, "u", "slack"); err != nil {
		t.Fatal(err)
	}
	if cur, err := g.markRevoked(ctx, log, used); err != nil || cur != nil {
		t.Errorf("markRevoked after a removal = %+v, %v; want nothing, and nothing re-created", cur, err)
	}
	if _, err := st.Account(ctx, "u", "slack"); err == nil {
		t.Error("the removed account was re-created")
	}
}
