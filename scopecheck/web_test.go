package scopecheck

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools/sandbox/google"
	"github.com/scopegate/scopegate/tools/sandbox/sandboxtest"
)

type flowFixture struct {
	gate  *Gate
	store *store.Memory
	clock *sandboxtest.Clock // shared by the gate and the sandbox
	srv   *httptest.Server
	tool  registry.Tool
}

// newFlowFixture serves the gate's pages and the Google sandbox on one
// test server, as the demo does.
func newFlowFixture(t *testing.T) *flowFixture {
	t.Helper()
	clk := sandboxtest.NewClock(time.Now().UTC())
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	client := google.Client{ID: "test-client", Secret: "test-secret", RedirectURIs: []string{srv.URL + CallbackPath}}
	sandbox := google.New(google.Options{Clients: []google.Client{client}, Now: clk.Now})
	mux.Handle("/google/", http.StripPrefix("/google", sandbox))
	ep := google.EndpointsAt(srv.URL + "/google")

	st := store.NewMemory()
	conn := &registry.Connection{Name: "gmail", Provider: registry.Google, ClientID: client.ID, ClientSecret: client.Secret,
		Endpoints: registry.Endpoints{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL, RevokeURL: ep.RevokeURL,
			APIBaseURL: strings.TrimRight(ep.APIURL, "/")}}
	tool := echoTool()
	g := New(Options{Store: st, Connections: []*registry.Connection{conn}, Tools: []registry.Tool{tool},
		PublicURL: srv.URL, Now: clk.Now})
	g.Routes(mux)
	return &flowFixture{gate: g, store: st, clock: clk, srv: srv, tool: tool}
}

// call calls the fixture's tool as identifier.
func (f *flowFixture) call(t *testing.T, identifier string) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = f.tool.Name
	req.Params.RawArguments = []byte(`{"word":"x"}`)
	res, err := f.gate.Handler(f.tool)(WithIdentifier(context.Background(), identifier), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// link asks for an authorization link the way a tool call does.
func (f *flowFixture) link(t *testing.T, identifier string) string {
	t.Helper()
	return authRequired(t, f.call(t, identifier)).AuthorizationURL
}

var (
	continueHref = regexp.MustCompile(`<a id="continue"[^>]*href="([^"]+)"`)
	consentField = regexp.MustCompile(`<input type="hidden" name="consent" value="([^"]+)"`)
	mainID       = regexp.MustCompile(`<main id="([^"]+)"`)
)

func fetch(t *testing.T, method, u string, form url.Values) (int, string, *url.URL) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		resp, err = http.PostForm(u, form)
	} else {
		resp, err = http.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL
}

func pageID(body string) string {
	if m := mainID.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// consent opens the link and the provider's consent page, and returns the
// URL the form posts to and the form's approving values.
func (f *flowFixture) consent(t *testing.T, link string) (string, url.Values) {
	t.Helper()
	_, body, _ := fetch(t, "GET", link, nil)
	m := continueHref.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no continue link on:\n%s", body)
	}
	to := html.UnescapeString(m[1])
	_, page, _ := fetch(t, "GET", to, nil)
	c := consentField.FindStringSubmatch(page)
	if c == nil {
		t.Fatalf("no consent form on:\n%s", page)
	}
	u, _ := url.Parse(to)
	form := url.Values{"consent": {c[1]}, "decision": {"approve"}}
	for _, s := range strings.Fields(u.Query().Get("scope")) {
		form.Add("scope", s)
	}
	return to, form
}

func TestExpiredLinkAndState(t *testing.T) {
	f := newFlowFixture(t)
	link := f.link(t, "u")

	f.clock.Advance(11 * time.Minute)
	status, body, _ := fetch(t, "GET", link, nil)
	if status != http.StatusGone || pageID(body) != "expired-link" {
		t.Errorf("expired link: status %d page %q", status, pageID(body))
	}

	// A link opened in time whose callback arrives too late.
	f.clock.Advance(-11 * time.Minute)
	to, form := f.consent(t, f.link(t, "u"))
	f.clock.Advance(11 * time.Minute)
	status, body, _ = fetch(t, "POST", to, form)
	if status != http.StatusBadRequest || pageID(body) != "expired-state" {
		t.Errorf("late callback: status %d page %q:\n%s", status, pageID(body), body)
	}
	if _, err := f.store.Account(context.Background(), "u", "gmail"); err != store.ErrNotFound {
		t.Errorf("a late callback stored an account (err %v)", err)
	}
}

func TestCallbackWithBadCodeChangesNothing(t *testing.T) {
	f := newFlowFixture(t)
	to, _ := f.consent(t, f.link(t, "u"))
	u, _ := url.Parse(to)
	state := u.Query().Get("state")

	status, body, _ := fetch(t, "GET", f.srv.URL+CallbackPath+"?state="+url.QueryEscape(state)+"&code=forged-code", nil)
	if status != http.StatusBadGateway || pageID(body) != "exchange-failed" || !strings.Contains(body, "invalid_grant") {
		t.Errorf("forged code: status %d page %q:\n%s", status, pageID(body), body)
	}
	if strings.Contains(body, "forged-code") || strings.Contains(body, "test-secret") {
		t.Error("the page echoes the code or the client secret")
	}
	if _, err := f.store.Account(context.Background(), "u", "gmail"); err != store.ErrNotFound {
		t.Errorf("a failed exchange stored an account (err %v)", err)
	}
}

func TestReauthorizationWithAnotherAccountIsRefused(t *testing.T) {
	f := newFlowFixture(t)
	before := &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailReadonly), ProviderAccount: "someone.else@example.com",
		Token: store.Token{AccessToken: "at", RefreshToken: "rt", Expiry: f.clock.Now().Add(time.Hour)}}
	if err := f.store.PutAccount(context.Background(), before); err != nil {
		t.Fatal(err)
	}
	to, form := f.consent(t, f.link(t, "u"))
	status, body, _ := fetch(t, "POST", to, form)
	if status != http.StatusConflict || pageID(body) != "wrong-account" {
		t.Fatalf("other account: status %d page %q:\n%s", status, pageID(body), body)
	}
	after, _ := f.store.Account(context.Background(), "u", "gmail")
	if diff := cmp.Diff(before.Granted, after.Granted); diff != "" || after.Token.AccessToken != "at" {
		t.Errorf("the refused authorization changed the account (-before +after):\n%s", diff)
	}
}

func TestConnectPageExplainsEveryScope(t *testing.T) {
	f := newFlowFixture(t)
	status, body, _ := fetch(t, "GET", f.link(t, "u"), nil)
	if status != http.StatusOK || pageID(body) != "connect" {
		t.Fatalf("connect page: status %d page %q", status, pageID(body))
	}
	info, _ := registry.Google.Lookup(registry.GmailSend)
	for _, want := range []string{info.Title, html.EscapeString(info.Explanation), string(registry.GmailSend), `id="continue"`,
		// Whom the grant goes to, so that a forwarded link gives itself away.
		`scopegate user <b>u</b>`} {
		if !strings.Contains(body, want) {
			t.Errorf("connect page lacks %q", want)
		}
	}
	m := continueHref.FindStringSubmatch(body)
	u, _ := url.Parse(html.UnescapeString(m[1]))
	q := u.Query()
	for k, want := range map[string]string{
		"include_granted_scopes": "true", "access_type": "offline", "prompt": "consent",
		"code_challenge_method": "S256", "response_type": "code", "client_id": "test-client",
	} {
		if q.Get(k) != want {
			t.Errorf("provider URL %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("code_challenge") == "" || q.Get("state") == "" {
		t.Error("provider URL lacks PKCE challenge or state")
	}
}
