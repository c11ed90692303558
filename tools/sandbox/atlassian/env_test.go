package atlassian

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
	"github.com/scopegate/scopegate/tools/sandbox/sandboxtest"
)

const (
	testClientID     = "sandbox-3lo-client"
	testClientSecret = "sandbox-3lo-secret"
	testRedirect     = "http://127.0.0.1:7777/callback"
	testVerifier     = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag-0123456789"
)

// env is a sandbox served over HTTP with one registered client and a fake clock.
type env struct {
	srv    *Server
	base   string
	clock  *sandboxtest.Clock
	client *http.Client
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clock := sandboxtest.NewClock(time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC))
	opts.Clients = append(opts.Clients, Client{ID: testClientID, Secret: testClientSecret,
		RedirectURIs: []string{testRedirect}})
	opts.Now = clock.Now
	srv := New(opts)
	ts, base := sandboxtest.Serve(t, srv, "")
	return &env{srv: srv, base: base, clock: clock, client: sandboxtest.NoRedirects(ts.Client())}
}

// authParams returns a valid authorization request for scopes, with PKCE.
func authParams(scopes ...string) url.Values {
	return url.Values{
		"audience":              {"api.atlassian.com"},
		"client_id":             {testClientID},
		"scope":                 {strings.Join(scopes, " ")},
		"redirect_uri":          {testRedirect},
		"state":                 {"state-123"},
		"response_type":         {"code"},
		"prompt":                {"consent"},
		"code_challenge":        {oauthsim.S256(testVerifier)},
		"code_challenge_method": {"S256"},
	}
}

// consent opens the consent page and answers it with decision, ticking the scopes keep
// accepts (nil ticks all). It returns the redirect's query.
func (e *env) consent(t *testing.T, params url.Values, decision string, keep func(string) bool) url.Values {
	t.Helper()
	page := e.get(t, AuthPath+"?"+params.Encode(), "")
	form := sandboxtest.ConsentAnswer(page, decision, keep)
	if form.Get("consent") == "" {
		t.Fatalf("no consent form on the page:\n%s", page)
	}
	resp, err := e.client.PostForm(e.base+AuthPath+"?"+params.Encode(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("POST %s = %d, want 302", AuthPath, resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), testRedirect) {
		t.Fatalf("redirected to %q, want %s", resp.Header.Get("Location"), testRedirect)
	}
	return loc.Query()
}

// tokens runs the whole flow for scopes and returns the token response.
func (e *env) tokens(t *testing.T, scopes ...string) map[string]any {
	t.Helper()
	code := e.consent(t, authParams(scopes...), "approve", nil).Get("code")
	status, body := e.postJSON(t, TokenPath, map[string]string{
		"grant_type": "authorization_code", "client_id": testClientID,
		"client_secret": testClientSecret, "code": code, "redirect_uri": testRedirect,
		"code_verifier": testVerifier,
	})
	if status != http.StatusOK {
		t.Fatalf("exchanging the code = %d %v", status, body)
	}
	return body
}

// accessToken runs the whole flow for scopes and returns the access token.
func (e *env) accessToken(t *testing.T, scopes ...string) string {
	t.Helper()
	return e.tokens(t, scopes...)["access_token"].(string)
}

func (e *env) get(t *testing.T, path, token string) string {
	t.Helper()
	status, body := e.do(t, http.MethodGet, path, token, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d:\n%s", path, status, body)
	}
	return string(body)
}

// do sends a request with an optional bearer token and JSON body.
func (e *env) do(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	resp, data := sandboxtest.Do(t, e.client, sandboxtest.NewRequest(t, method, e.base+path, token, body))
	return resp.StatusCode, data
}

// postJSON posts a JSON body to the token endpoint and decodes the JSON answer.
func (e *env) postJSON(t *testing.T, path string, body any) (int, map[string]any) {
	t.Helper()
	status, data := e.do(t, http.MethodPost, path, "", body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("POST %s answered %d with non-JSON %q", path, status, data)
	}
	return status, out
}

// postForm posts a form to the token endpoint and decodes the JSON answer.
func (e *env) postForm(t *testing.T, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := e.client.PostForm(e.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s answered %d with non-JSON: %v", path, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// api calls a Jira operation on the first site and decodes the JSON answer into out,
// which may be nil.
func (e *env) api(t *testing.T, method, path, token string, body, out any) int {
	t.Helper()
	status, data := e.do(t, method, JiraPath+acmeCloudID+"/rest/api/3"+path, token, body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s answered %d with %q: %v", method, path, status, data, err)
		}
	}
	return status
}
