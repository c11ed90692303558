package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// TestOldAuthorizationLinksArePurged: records of links that expired more
// than a day ago go, at start and then periodically; recent ones stay.
func TestOldAuthorizationLinksArePurged(t *testing.T) {
	st := store.NewMemory()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	create := func(id string, expired time.Duration) {
		now := time.Now()
		if err := st.CreateAuthorization(context.Background(), &store.Authorization{
			ID: id, State: "state-" + id, Identifier: "u", Connection: "gmail", Tool: "t",
			Scopes:    registry.NewScopeSet(registry.GmailReadonly),
			CreatedAt: now.Add(-expired - 10*time.Minute), ExpiresAt: now.Add(-expired),
		}); err != nil {
			t.Fatal(err)
		}
	}
	create("two-days", 48*time.Hour)
	create("an-hour", time.Hour)
	done := make(chan struct{})
	go func() {
		purgeAuthorizations(ctx, st, slog.New(slog.DiscardHandler), 20*time.Millisecond)
		close(done)
	}()
	create("three-days", 72*time.Hour) // created after the first pass
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, errOld := st.Authorization(context.Background(), "two-days")
		_, errLater := st.Authorization(context.Background(), "three-days")
		if errOld != nil && errLater != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old links still there: %v, %v", errOld, errLater)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := st.Authorization(context.Background(), "an-hour"); err != nil {
		t.Errorf("a link expired an hour ago was removed: %v", err)
	}
	stop()
	<-done
}
