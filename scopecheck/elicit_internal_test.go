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
