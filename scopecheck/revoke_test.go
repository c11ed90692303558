package scopecheck

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

func TestRevokeAtGoogleAndLocally(t *testing.T) {
	f := newFlowFixture(t)
	to, form := f.consent(t, f.link(t, "u"))
	if status, body, _ := fetch(t, "POST", to, form); status != http.StatusOK || pageID(body) != "connected" {
		t.Fatalf("granting: status %d page %q", status, pageID(body))
	}
	before, err := f.store.Account(context.Background(), "u", "gmail")
	if err != nil || before.Token.RefreshToken == "" {
		t.Fatalf("account before revocation = %+v, %v", before, err)
	}

	revs, err := f.gate.Revoke(context.Background(), "u", "gmail")
	if err != nil || len(revs) != 1 || !revs[0].AtProvider {
		t.Fatalf("Revoke() = %+v, %v; want one revocation confirmed by the provider", revs, err)
	}
	after, _ := f.store.Account(context.Background(), "u", "gmail")
	if after.Status != store.StatusRevoked || after.Token != (store.Token{}) || len(after.Granted) != 0 {
		t.Errorf("account after revocation = %+v, want revoked with no tokens", after)
	}

	// The old access token no longer works at the provider.
	req, _ := http.NewRequest("GET", f.srv.URL+"/google/gmail/v1/users/me/profile", nil)
	req.Header.Set("Authorization", "Bearer "+before.Token.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old token at the provider: status %d, want 401", resp.StatusCode)
	}

	// The next call asks for authorization again.
	ar := authRequired(t, f.call(t, "u"))
	if ar.Reason != ReasonRevoked {
		t.Errorf("reason after revocation = %q, want %q", ar.Reason, ReasonRevoked)
	}
}

func TestRevokeWithoutProviderEndpoint(t *testing.T) {
	st := store.NewMemory()
	conn := &registry.Connection{Name: "outlook", Provider: registry.Microsoft, Endpoints: registry.Microsoft.Endpoints}
	g := New(Options{Store: st, Connections: []*registry.Connection{conn}, PublicURL: "http://x"})
	st.PutAccount(context.Background(), &store.Account{Identifier: "u", Connection: "outlook", Status: store.StatusActive,
		Token: store.Token{AccessToken: "a", RefreshToken: "r"}})
	revs, err := g.Revoke(context.Background(), "u", "outlook")
	if err != nil || len(revs) != 1 || revs[0].AtProvider || !strings.Contains(revs[0].Note, "no revocation endpoint") {
		t.Fatalf("Revoke() = %+v, %v; want a local revocation with a note", revs, err)
	}
	if _, err := g.Revoke(context.Background(), "nobody", "outlook"); err == nil {
		t.Error("revoking a missing account succeeded")
	}
}
