package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// openWhenReleased starts opening a throwaway store that opens once
// release is closed, as a slow one would; it is closed when t ends.
func openWhenReleased(t *testing.T) (*storeOpening, chan struct{}) {
	release := make(chan struct{})
	dir := t.TempDir()
	pending := openInBackground(func() (*store.SQLite, error) {
		<-release
		return store.OpenSQLite(context.Background(), store.SQLiteOptions{
			Path: filepath.Join(dir, "s.db"), Key: make([]byte, store.KeySize), Throwaway: true})
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
		pending.close()
	})
	return pending, release
}

// TestStoreOpeningWaits checks the demo's store while it opens: a call made
// before the open ends waits for it and then reaches the store.
func TestStoreOpeningWaits(t *testing.T) {
	ctx := context.Background()
	pending, release := openWhenReleased(t)

	now := time.Now()
	put := make(chan error, 1)
	go func() {
		put <- pending.PutAccount(ctx, &store.Account{Identifier: "local", Connection: "google",
			Status: store.StatusActive, Granted: registry.NewScopeSet(registry.GmailReadonly),
			Token: store.Token{AccessToken: "a", Expiry: now.Add(time.Hour)}, CreatedAt: now, UpdatedAt: now})
	}()
	select {
	case err := <-put:
		t.Fatalf("PutAccount returned before the store was open: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-put; err != nil {
		t.Fatalf("PutAccount = %v", err)
	}
	got, err := pending.Account(ctx, "local", "google")
	if err != nil || got.Token.AccessToken != "a" {
		t.Fatalf("Account = %+v, %v; want the account just put", got, err)
	}
	if _, err := pending.Accounts(ctx, "local"); err != nil {
		t.Errorf("Accounts = %v", err)
	}
}

// TestStoreOpeningFails checks that when the open fails, every call fails
// with its error and nothing is served.
func TestStoreOpeningFails(t *testing.T) {
	ctx := context.Background()
	refused := errors.New("the store could not be opened")
	pending := openInBackground(func() (*store.SQLite, error) { return nil, refused })
	defer pending.close()

	if _, err := pending.Account(ctx, "local", "google"); !errors.Is(err, refused) {
		t.Errorf("Account = %v, want the open's error", err)
	}
	if err := pending.CreateAuthorization(ctx, &store.Authorization{}); !errors.Is(err, refused) {
		t.Errorf("CreateAuthorization = %v, want the open's error", err)
	}
	if _, err := pending.ConsumeAuthorization(ctx, "state", time.Now()); !errors.Is(err, refused) {
		t.Errorf("ConsumeAuthorization = %v, want the open's error", err)
	}
	a := &app{cfg: &Config{}, log: slog.New(slog.DiscardHandler), store: pending, transport: "http",
		opened: func() error { _, err := pending.wait(); return err }}
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, ln) }()
	select {
	case err := <-done:
		if !errors.Is(err, refused) {
			t.Errorf("run = %v, want the open's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run served although the store could not be opened")
	}
}

// TestNothingServedWhileStoreOpens checks that the web server answers
// nothing until the store is open, and then serves.
func TestNothingServedWhileStoreOpens(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pending, release := openWhenReleased(t)
	ln, err := listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cfg: &Config{}, log: slog.New(slog.DiscardHandler), store: pending, transport: "http",
		opened: func() error { _, err := pending.wait(); return err }}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, ln) }()

	health := "http://" + ln.Addr().String() + "/healthz"
	client := &http.Client{Timeout: 300 * time.Millisecond}
	if resp, err := client.Get(health); err == nil {
		resp.Body.Close()
		t.Fatalf("GET /healthz answered %s while the store was still opening", resp.Status)
	}
	close(release)
	client.Timeout = 10 * time.Second
	resp, err := client.Get(health)
	if err != nil {
		t.Fatalf("GET /healthz once the store is open: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %s, want 200", resp.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run = %v", err)
	}
}

// TestThrowawayDir checks where the demo's store goes: in the user's
// runtime directory when there is one, readable by the owner only.
func TestThrowawayDir(t *testing.T) {
	runtimeDir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	dir, err := throwawayDir()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if filepath.Dir(dir) != runtimeDir {
		t.Errorf("throwawayDir() = %s, want a directory in %s", dir, runtimeDir)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("throwawayDir() made %s with permissions %04o, want 0700", dir, perm)
	}

	// A runtime directory that cannot be used is passed over.
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(runtimeDir, "absent"))
	dir, err = throwawayDir()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if strings.HasPrefix(dir, runtimeDir) {
		t.Errorf("throwawayDir() = %s, in a runtime directory that does not exist", dir)
	}
}
