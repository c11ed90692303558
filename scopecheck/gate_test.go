package scopecheck

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

var testNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func TestDecide(t *testing.T) {
	send := registry.AnyOf(registry.GmailSend, registry.GmailModify)
	active := func(scopes ...registry.Scope) *store.Account {
		return &store.Account{Status: store.StatusActive, Granted: registry.NewScopeSet(scopes...)}
	}
	tests := []struct {
		name string
		req  registry.Requirement
		acct *store.Account
		want Decision
	}{
		{"not connected", send, nil, Decision{Reason: ReasonNotConnected, Missing: registry.ScopeSet{registry.GmailSend}}},
		{"granted", send, active(registry.GmailSend), Decision{Allowed: true}},
		{"granted broader", send, active(registry.GmailModify), Decision{Allowed: true}},
		{"missing", send, active(registry.GmailReadonly), Decision{Reason: ReasonMissingScopes, Missing: registry.ScopeSet{registry.GmailSend}}},
		{"pending account", send, &store.Account{Status: store.StatusPending}, Decision{Reason: ReasonNotConnected, Missing: registry.ScopeSet{registry.GmailSend}}},
		{"needs reauthorization despite grant", send,
			&store.Account{Status: store.StatusNeedsReauth, Granted: registry.ScopeSet{registry.GmailSend}},
			Decision{Reason: ReasonNeedsReauth, Missing: registry.ScopeSet{registry.GmailSend}}},
		{"revoked", send, &store.Account{Status: store.StatusRevoked}, Decision{Reason: ReasonRevoked, Missing: registry.ScopeSet{registry.GmailSend}}},
		{"unknown state fails closed", send, &store.Account{Status: "weird", Granted: registry.ScopeSet{registry.GmailSend}},
			Decision{Reason: ReasonNeedsReauth, Missing: registry.ScopeSet{registry.GmailSend}}},
		{"empty requirement fails closed", nil, active(registry.GmailSend), Decision{Reason: "no_requirement"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Decide(tt.req, tt.acct)); diff != "" {
				t.Errorf("Decide() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkDecide measures the gate's decision for a typical Gmail tool and
// grant; it should take well under a microsecond and allocate nothing.
func BenchmarkDecide(b *testing.B) {
	req := registry.AnyOf(registry.GmailSend, registry.GmailCompose, registry.GmailModify, registry.GmailFull)
	acct := &store.Account{Status: store.StatusActive, Granted: registry.NewScopeSet(
		registry.GoogleOpenID, registry.GoogleEmail, registry.GmailReadonly, registry.GmailSend)}
	b.ReportAllocs()
	for b.Loop() {
		if !Decide(req, acct).Allowed {
			b.Fatal("not allowed")
		}
	}
}

// fakeProvider counts calls and answers with the configured handler.
type fakeProvider struct {
	calls atomic.Int32
	srv   *httptest.Server
}

func newFakeProvider(t *testing.T, h http.HandlerFunc) *fakeProvider {
	t.Helper()
	fp := &fakeProvider{}
	fp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fp.calls.Add(1)
		h(w, r)
	}))
	t.Cleanup(fp.srv.Close)
	return fp
}

// echoTool calls GET /echo at the provider and returns the body.
func echoTool() registry.Tool {
	type in struct {
		Word string `json:"word"`
	}
	return registry.NewTool(registry.Spec{
		Name:        "test_echo",
		Provider:    "google",
		Requirement: registry.AnyOf(registry.GmailSend, registry.GmailModify),
	}, func(ctx context.Context, call *registry.Call, in in) (registry.Result, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", call.URL("https://unused.invalid", "/echo?w="+in.Word), nil)
		resp, err := call.HTTP.Do(req)
		if err != nil {
			return registry.Result{}, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusForbidden {
			return registry.Result{}, &registry.ScopeError{Detail: string(body)}
		}
		return registry.Result{Text: string(body), Structured: map[string]string{"echo": string(body)}}, nil
	})
}

type gateFixture struct {
	gate     *Gate
	store    *store.Memory
	provider *fakeProvider
	tool     registry.Tool
}

func newGateFixture(t *testing.T, h http.HandlerFunc) *gateFixture {
	t.Helper()
	fp := newFakeProvider(t, h)
	st := store.NewMemory()
	conn := &registry.Connection{
		Name: "gmail", Provider: registry.Google, ClientID: "id", ClientSecret: "secret",
		Endpoints: registry.Endpoints{AuthURL: fp.srv.URL + "/auth", TokenURL: fp.srv.URL + "/token", APIBaseURL: fp.srv.URL},
	}
	g := New(Options{Store: st, Connections: []*registry.Connection{conn}, PublicURL: "http://scopegate.test",
		Now: func() time.Time { return testNow }})
	return &gateFixture{gate: g, store: st, provider: fp, tool: echoTool()}
}

func (f *gateFixture) call(t *testing.T, ctx context.Context, args string) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = f.tool.Name
	req.Params.RawArguments = json.RawMessage(args)
	res, err := f.gate.Handler(f.tool)(ctx, req)
	if err != nil {
		t.Fatalf("handler returned a protocol error: %v", err)
	}
	return res
}

func (f *gateFixture) put(t *testing.T, a *store.Account) {
	t.Helper()
	if err := f.store.PutAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
}

func authRequired(t *testing.T, res *mcp.CallToolResult) *AuthorizationRequired {
	t.Helper()
	if res.IsError {
		t.Fatalf("result is an error, want authorization_required: %v", res.Content)
	}
	ar, ok := res.StructuredContent.(*AuthorizationRequired)
	if !ok {
		t.Fatalf("structuredContent = %T, want *AuthorizationRequired", res.StructuredContent)
	}
	return ar
}

func textOf(res *mcp.CallToolResult) string {
	if len(res.Content) == 0 {
		return ""
	}
	if tc, ok := res.Content[0].(mcp.TextContent); ok {
		return tc.Text
	}
	return ""
}

func TestHandlerNotConnectedNeverCallsProvider(t *testing.T) {
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") })
	ctx := WithIdentifier(context.Background(), "user_1")

	ar := authRequired(t, f.call(t, ctx, `{"word":"x"}`))
	if f.provider.calls.Load() != 0 {
		t.Errorf("provider called %d times, want 0", f.provider.calls.Load())
	}
	if ar.Status != "authorization_required" || ar.Reason != ReasonNotConnected || ar.Connection != "gmail" || ar.Provider != "google" {
		t.Errorf("result = %+v, want authorization_required/not_connected on gmail", ar)
	}
	if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(registry.GmailSend) || ar.MissingScopes[0].Explanation == "" {
		t.Errorf("missing_scopes = %+v, want gmail.send with an explanation", ar.MissingScopes)
	}
	if !strings.HasPrefix(ar.AuthorizationURL, "http://scopegate.test/connect/") {
		t.Errorf("authorization_url = %q, want a link on scopegate's web server", ar.AuthorizationURL)
	}
	if !ar.ExpiresAt.After(testNow) {
		t.Errorf("expires_at = %v, want after %v", ar.ExpiresAt, testNow)
	}
	text := textOf(f.call(t, ctx, `{"word":"x"}`))
	for _, want := range []string{"Send email", "/connect/", "again after approving"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q does not contain %q", text, want)
		}
	}

	id := strings.TrimPrefix(ar.AuthorizationURL, "http://scopegate.test/connect/")
	authz, err := f.store.Authorization(ctx, id)
	if err != nil {
		t.Fatalf("authorization of the link not stored: %v", err)
	}
	if authz.Identifier != "user_1" || authz.Connection != "gmail" || authz.Scopes.String() != string(registry.GmailSend) {
		t.Errorf("authorization = %+v, want bound to user_1, gmail and gmail.send", authz)
	}
}

func TestHandlerRunsWithGrantedScope(t *testing.T) {
	var gotAuth string
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		io.WriteString(w, r.URL.Query().Get("w"))
	})
	f.put(t, &store.Account{Identifier: "user_1", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailModify),
		Token:   store.Token{AccessToken: "at-1", TokenType: "Bearer", Expiry: testNow.Add(time.Hour)}})

	res := f.call(t, WithIdentifier(context.Background(), "user_1"), `{"word":"hello"}`)
	if res.IsError || textOf(res) != "hello" {
		t.Fatalf("result = %+v, want text hello", res)
	}
	if gotAuth != "Bearer at-1" {
		t.Errorf("provider saw Authorization %q, want the stored token", gotAuth)
	}
}

func TestHandlerIdentityIsPerCaller(t *testing.T) {
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	f.put(t, &store.Account{Identifier: "alice", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailSend),
		Token:   store.Token{AccessToken: "at-alice", Expiry: testNow.Add(time.Hour)}})

	ar := authRequired(t, f.call(t, WithIdentifier(context.Background(), "bob"), `{"word":"x"}`))
	if ar.Reason != ReasonNotConnected || f.provider.calls.Load() != 0 {
		t.Errorf("bob got reason %q with %d provider calls, want not_connected and none", ar.Reason, f.provider.calls.Load())
	}
}

func TestHandlerFailsClosed(t *testing.T) {
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	tests := []struct {
		name string
		ctx  context.Context
		args string
		want string
	}{
		{"no identifier", context.Background(), `{"word":"x"}`, "could not tell which user"},
		{"wrong argument type", WithIdentifier(context.Background(), "u"), `{"word":5}`, `invalid argument "word"`},
		{"missing argument", WithIdentifier(context.Background(), "u"), `{}`, `missing required argument "word"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.call(t, tt.ctx, tt.args)
			if !res.IsError || !strings.Contains(textOf(res), tt.want) {
				t.Errorf("result = %q (isError %v), want an error containing %q", textOf(res), res.IsError, tt.want)
			}
			if f.provider.calls.Load() != 0 {
				t.Errorf("provider was called")
			}
			if accts, _ := f.store.Accounts(context.Background(), ""); len(accts) != 0 {
				t.Errorf("store changed: %d accounts", len(accts))
			}
		})
	}
}

func TestProviderRefusalCorrectsGrant(t *testing.T) {
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "insufficient scope")
	})
	f.put(t, &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailSend, registry.GmailReadonly),
		Token:   store.Token{AccessToken: "at", Expiry: testNow.Add(time.Hour)}})

	ar := authRequired(t, f.call(t, WithIdentifier(context.Background(), "u"), `{"word":"x"}`))
	if ar.Reason != ReasonProviderRefused {
		t.Errorf("reason = %q, want %q", ar.Reason, ReasonProviderRefused)
	}
	acct, _ := f.store.Account(context.Background(), "u", "gmail")
	if diff := cmp.Diff(registry.ScopeSet{registry.GmailReadonly}, acct.Granted); diff != "" {
		t.Errorf("stored grant after refusal (-want +got):\n%s", diff)
	}
}

func TestRefresh(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus store.Status
		wantError  bool
		wantToken  string
		wantGrant  registry.ScopeSet
	}{
		{"refreshed and saved, grant read from scope", 200,
			`{"access_token":"at-new","expires_in":3599,"token_type":"Bearer","scope":"https://www.googleapis.com/auth/gmail.send openid"}`,
			store.StatusActive, false, "at-new", registry.NewScopeSet(registry.GmailSend, registry.GoogleOpenID)},
		{"response without scope keeps grant", 200, `{"access_token":"at-new","expires_in":3599,"token_type":"Bearer"}`,
			store.StatusActive, false, "at-new", registry.NewScopeSet(registry.GmailSend)},
		{"invalid_grant needs reauthorization", 400, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`,
			store.StatusNeedsReauth, false, "at-old", registry.NewScopeSet(registry.GmailSend)},
		{"server error keeps tokens", 503, `oops`, store.StatusActive, true, "at-old", registry.NewScopeSet(registry.GmailSend)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/token" {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tt.status)
					io.WriteString(w, tt.body)
					return
				}
				io.WriteString(w, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			})
			f.put(t, &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
				Granted: registry.NewScopeSet(registry.GmailSend),
				Token:   store.Token{AccessToken: "at-old", RefreshToken: "rt-1", Expiry: testNow.Add(-time.Minute)}})

			res := f.call(t, WithIdentifier(context.Background(), "u"), `{"word":"x"}`)
			acct, _ := f.store.Account(context.Background(), "u", "gmail")
			if acct.Status != tt.wantStatus || acct.Token.AccessToken != tt.wantToken || acct.Token.RefreshToken != "rt-1" {
				t.Errorf("account = %s/%s/%s, want %s/%s/rt-1", acct.Status, acct.Token.AccessToken, acct.Token.RefreshToken, tt.wantStatus, tt.wantToken)
			}
			if diff := cmp.Diff(tt.wantGrant, acct.Granted); diff != "" {
				t.Errorf("grant (-want +got):\n%s", diff)
			}
			if res.IsError != tt.wantError {
				t.Errorf("isError = %v, want %v (%s)", res.IsError, tt.wantError, textOf(res))
			}
			if tt.wantStatus == store.StatusNeedsReauth {
				if ar := authRequired(t, res); ar.Reason != ReasonNeedsReauth {
					t.Errorf("reason = %q, want %q", ar.Reason, ReasonNeedsReauth)
				}
			}
			if strings.Contains(textOf(res), "rt-1") || strings.Contains(textOf(res), "secret") {
				t.Errorf("result leaks a secret: %q", textOf(res))
			}
		})
	}
}

func TestExpiredAccessTokenIsRefreshedAndRetriedOnce(t *testing.T) {
	var apiCalls, refreshes atomic.Int32
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			refreshes.Add(1)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"at-fresh","expires_in":3599,"token_type":"Bearer"}`)
			return
		}
		apiCalls.Add(1)
		if r.Header.Get("Authorization") != "Bearer at-fresh" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "ok")
	})
	f.put(t, &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailSend),
		Token:   store.Token{AccessToken: "at-revoked", RefreshToken: "rt", Expiry: testNow.Add(time.Hour)}})

	res := f.call(t, WithIdentifier(context.Background(), "u"), `{"word":"x"}`)
	if res.IsError || textOf(res) != "ok" {
		t.Fatalf("result = %q, want ok after one refresh", textOf(res))
	}
	if refreshes.Load() != 1 || apiCalls.Load() != 2 {
		t.Errorf("refreshes = %d, api calls = %d; want 1 and 2", refreshes.Load(), apiCalls.Load())
	}
}

func TestRateLimitedReadsWaitBriefly(t *testing.T) {
	var calls atomic.Int32
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	})
	f.tool.Annotations.ReadOnly = true
	f.put(t, &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailSend),
		Token:   store.Token{AccessToken: "at", Expiry: testNow.Add(time.Hour)}})
	res := f.call(t, WithIdentifier(context.Background(), "u"), `{"word":"x"}`)
	if res.IsError || textOf(res) != "ok" || calls.Load() != 2 {
		t.Errorf("result = %q after %d calls, want ok after 2", textOf(res), calls.Load())
	}

	// A write is not retried: the 429 reaches the tool.
	calls.Store(0)
	f.tool.Annotations.ReadOnly = false
	f.call(t, WithIdentifier(context.Background(), "u"), `{"word":"x"}`)
	if calls.Load() != 1 {
		t.Errorf("a write was sent %d times after a 429, want 1", calls.Load())
	}
}

func TestRefreshMarginForShortLivedTokens(t *testing.T) {
	saved := testNow
	if got := margin(store.Token{Expiry: saved.Add(time.Hour)}, saved); got != time.Minute {
		t.Errorf("margin for an hour-long token = %v, want 1m", got)
	}
	if got := margin(store.Token{Expiry: saved.Add(2 * time.Minute)}, saved); got != 30*time.Second {
		t.Errorf("margin for a two-minute token = %v, want 30s", got)
	}
}

func TestTokenIsNotSentAcrossHosts(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the token reached another host")
		}
		io.WriteString(w, "elsewhere")
	}))
	defer other.Close()
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/file", http.StatusFound)
	})
	f.put(t, &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailSend),
		Token:   store.Token{AccessToken: "at", Expiry: testNow.Add(time.Hour)}})
	res := f.call(t, WithIdentifier(context.Background(), "u"), `{"word":"x"}`)
	if textOf(res) == "elsewhere" {
		t.Errorf("the client followed a redirect to another host with the token")
	}
}

// TestConcurrentCallsRefreshOnce sends many calls at once on an expired
// token: the provider sees exactly one refresh, and every call succeeds.
func TestConcurrentCallsRefreshOnce(t *testing.T) {
	var refreshes atomic.Int32
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			refreshes.Add(1)
			time.Sleep(20 * time.Millisecond) // let the other calls pile up
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"at-new","expires_in":3599,"token_type":"Bearer","refresh_token":"rt-2"}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer at-new" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "ok")
	})
	f.put(t, &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailSend),
		Token:   store.Token{AccessToken: "at-old", RefreshToken: "rt-1", Expiry: testNow.Add(-time.Minute)}})

	const calls = 32
	var wg sync.WaitGroup
	results := make([]*mcp.CallToolResult, calls)
	for i := range calls {
		wg.Go(func() { results[i] = f.call(t, WithIdentifier(context.Background(), "u"), `{"word":"x"}`) })
	}
	wg.Wait()
	for i, res := range results {
		if res.IsError || textOf(res) != "ok" {
			t.Errorf("call %d = %q, want ok", i, textOf(res))
		}
	}
	if n := refreshes.Load(); n != 1 {
		t.Errorf("provider saw %d refreshes, want exactly 1", n)
	}
	acct, _ := f.store.Account(context.Background(), "u", "gmail")
	if acct.Token.RefreshToken != "rt-2" {
		t.Errorf("rotated refresh token not saved: %q", acct.Token.RefreshToken)
	}
}
