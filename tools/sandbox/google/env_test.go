package google

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
	testClientID     = "sandbox-client.apps.googleusercontent.com"
	testClientSecret = "GOCSPX-sandbox-secret"
	testRedirect     = "http://127.0.0.1:7777/callback"
	testVerifier     = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier-0123456789"

	fullScope     = "https://mail.google.com/"
	readonlyScope = "https://www.googleapis.com/auth/gmail.readonly"
	sendScope     = "https://www.googleapis.com/auth/gmail.send"
	modifyScope   = "https://www.googleapis.com/auth/gmail.modify"
	composeScope  = "https://www.googleapis.com/auth/gmail.compose"
)

// env is a sandbox served over HTTP with one registered client and a fake clock.
type env struct {
	srv    *Server
	base   string // the sandbox's root URL
	clock  *sandboxtest.Clock
	client *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := sandboxtest.NewClock(time.Date(2024, 4, 2, 9, 30, 0, 0, time.UTC))
	srv := New(Options{
		Clients: []Client{{ID: testClientID, Secret: testClientSecret,
			RedirectURIs: []string{testRedirect}}},
		Now: clock.Now,
	})
	ts, base := sandboxtest.Serve(t, srv, "")
	return &env{srv: srv, base: base, clock: clock, client: sandboxtest.NoRedirects(ts.Client())}
}

// authParams returns a valid authorization request for scopes, with PKCE.
func authParams(scopes ...string) url.Values {
	return url.Values{
		"client_id":             {testClientID},
		"redirect_uri":          {testRedirect},
		"response_type":         {"code"},
		"scope":                 {strings.Join(scopes, " ")},
		"state":                 {"state-123"},
		"code_challenge":        {oauthsim.S256(testVerifier)},
		"code_challenge_method": {"S256"},
	}
}

var (
	consentRE = regexp.MustCompile(`name="consent" value="([^"]+)"`)
	scopeRE   = regexp.MustCompile(`name="scope" value="([^"]+)"`)
)

// consent opens the consent page and returns its consent ID and the scopes offered.
func (e *env) consent(t *testing.T, params url.Values) (string, []string) {
	t.Helper()
	status, page := e.get(t, AuthPath+"?"+params.Encode())
	if status != 200 {
		t.Fatalf("GET %s = %d, want 200; page:\n%s", AuthPath, status, page)
	}
	m := consentRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("consent page has no consent id:\n%s", page)
	}
	var scopes []string
	for _, sm := range scopeRE.FindAllStringSubmatch(page, -1) {
		scopes = append(scopes, html.UnescapeString(sm[1]))
	}
	return m[1], scopes
}

// decide posts a consent decision and returns the redirect's query.
func (e *env) decide(t *testing.T, consentID, decision string, ticked []string) url.Values {
	t.Helper()
	form := url.Values{"consent": {consentID}, "decision": {decision}, "scope": ticked}
	resp, err := e.client.PostForm(e.base+AuthPath, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s = %d, want 302; body:\n%s", AuthPath, resp.StatusCode, b)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Fatalf("redirect to %s, want %s", got, testRedirect)
	}
	return loc.Query()
}

// approveAll runs the authorization request and ticks every scope offered; it returns the
// redirect's query.
func (e *env) approveAll(t *testing.T, params url.Values) url.Values {
	t.Helper()
	id, scopes := e.consent(t, params)
	return e.decide(t, id, "approve", scopes)
}

// exchange exchanges a code with the test client's credentials and the test verifier.
func (e *env) exchange(t *testing.T, code string) (int, map[string]any) {
	t.Helper()
	return e.postToken(t, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"client_id": {testClientID}, "client_secret": {testClientSecret},
		"code_verifier": {testVerifier},
	})
}

// tokenFor runs the whole flow for scopes and returns the access token.
func (e *env) tokenFor(t *testing.T, scopes ...string) string {
	t.Helper()
	q := e.approveAll(t, authParams(scopes...))
	status, body := e.exchange(t, q.Get("code"))
	if status != 200 {
		t.Fatalf("exchange = %d %v, want 200", status, body)
	}
	return body["access_token"].(string)
}

func (e *env) postToken(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	return e.postForm(t, TokenPath, form)
}

func (e *env) postForm(t *testing.T, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := e.client.PostForm(e.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, decodeJSONBody(t, resp.Body)
}

func decodeJSONBody(t *testing.T, r io.Reader) map[string]any {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return m
}

func (e *env) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := e.client.Get(e.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// api calls a Gmail operation with a bearer token (none when empty) and decodes the JSON
// answer into out, when out is not nil.
func (e *env) api(t *testing.T, token, method, path string, body any, out any) *http.Response {
	t.Helper()
	resp, b := sandboxtest.Do(t, e.client, sandboxtest.NewRequest(t, method, e.base+path, token, body))
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s = %d; decoding %q: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp
}

// rawMessage base64url-encodes an RFC 5322 message written with \n line ends.
func rawMessage(s string) string {
	return base64.URLEncoding.EncodeToString([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
}
