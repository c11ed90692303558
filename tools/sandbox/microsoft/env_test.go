package microsoft

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
	"github.com/scopegate/scopegate/tools/sandbox/sandboxtest"
)

const (
	testClientID = "11111111-2222-3333-4444-555555555555"
	testSecret   = "sandbox~secret.value"
	testRedirect = "http://127.0.0.1:7777/callback"
	testVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier-0123456789"
	// mount is where the tests serve the sandbox, to exercise links built under a prefix.
	mount = "/sandbox/microsoft"
)

// env is a sandbox served over HTTP under mount, with one registered client and a fake
// clock.
type env struct {
	srv    *Server
	base   string // the sandbox's root URL, mount included
	clock  *sandboxtest.Clock
	client *http.Client // follows no redirects
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clock := sandboxtest.NewClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
	opts.Clients = []Client{{ID: testClientID, Secret: testSecret, RedirectURIs: []string{testRedirect}}}
	opts.Now = clock.Now
	srv := New(opts)
	ts, base := sandboxtest.Serve(t, srv, mount)
	return &env{srv: srv, base: base, clock: clock, client: sandboxtest.NoRedirects(ts.Client())}
}

// authParams returns a valid authorization request for scope, with PKCE.
func authParams(scope string) url.Values {
	return url.Values{
		"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"},
		"scope": {scope}, "state": {"st-123"}, "nonce": {"n-456"},
		"code_challenge": {oauthsim.S256(testVerifier)}, "code_challenge_method": {"S256"},
	}
}

func (e *env) authURL(tenant string, q url.Values) string {
	return e.base + "/" + tenant + "/oauth2/v2.0/authorize?" + q.Encode()
}

// do sends a request and returns the status, headers and body.
func (e *env) do(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, b := sandboxtest.Do(t, e.client, req)
	return resp.StatusCode, resp.Header, string(b)
}

func (e *env) get(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return e.do(t, req)
}

// consent opens the consent page for q and answers it, ticking the scopes keep accepts
// (nil: all). It returns the redirect's query.
func (e *env) consent(t *testing.T, q url.Values, decision string, keep func(string) bool) url.Values {
	t.Helper()
	u := e.authURL("common", q)
	status, _, page := e.get(t, u)
	if status != 200 || !strings.Contains(page, "Permissions requested") {
		t.Fatalf("consent page: %d\n%s", status, page)
	}
	form := sandboxtest.ConsentAnswer(page, decision, keep)
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, h, _ := e.do(t, req)
	if status != http.StatusFound {
		t.Fatalf("consent answer: status %d, want 302", status)
	}
	return redirectQuery(t, h)
}

func redirectQuery(t *testing.T, h http.Header) url.Values {
	t.Helper()
	loc, err := url.Parse(h.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), testRedirect) {
		t.Fatalf("redirect to %q, want the client's redirect URI", h.Get("Location"))
	}
	return loc.Query()
}

// token posts a token request and decodes the JSON answer.
func (e *env) token(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.base+"/common/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, _, body := e.do(t, req)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("token answer is not JSON: %v\n%s", err, body)
	}
	return status, out
}

func redeemForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"client_id": {testClientID}, "client_secret": {testSecret}, "code_verifier": {testVerifier}}
}

// tokenWith issues an access token holding exactly scopes, without the consent flow.
func (e *env) tokenWith(scopes ...string) string {
	g := &grant{scopes: map[string]string{}}
	for _, s := range scopes {
		g.scopes[s] = s
	}
	e.srv.mu.Lock()
	defer e.srv.mu.Unlock()
	return e.srv.issueLocked(testClientID, g, "").AccessToken
}

// graph calls Graph with a token and returns the status, headers and body.
func (e *env) graph(t *testing.T, method, path, token string, body io.Reader) (int, http.Header, string) {
	t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = e.base + "/v1.0" + path
	}
	req, _ := http.NewRequest(method, u, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.do(t, req)
}

// graphError decodes Graph's error envelope.
func graphErrorOf(t *testing.T, body string) graphErrorBody {
	t.Helper()
	var ge graphError
	if err := json.Unmarshal([]byte(body), &ge); err != nil || ge.Error.Code == "" {
		t.Fatalf("not a Graph error body: %v\n%s", err, body)
	}
	if ge.Error.InnerError.RequestID == "" || ge.Error.InnerError.Date == "" {
		t.Errorf("error body lacks innerError request-id or date: %s", body)
	}
	return ge.Error
}

// claims decodes the payload of a JWT-shaped token.
func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not JWT-shaped", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// regexpFind returns the first group of expr in s, unescaped, failing the test when
// there is none.
func regexpFind(t *testing.T, expr, s string) string {
	t.Helper()
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found in:\n%s", expr, s)
	}
	return html.UnescapeString(m[1])
}
