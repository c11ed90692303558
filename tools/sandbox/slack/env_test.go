package slack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
	"github.com/scopegate/scopegate/tools/sandbox/sandboxtest"
)

const (
	testClientID = "7000000001.7000000009"
	testSecret   = "sandbox-app-secret"
	testRedirect = "http://127.0.0.1:7777/callback"
	testVerifier = "sJ3pZpYfV1WqjTu0dM8rS5k2xh7bQe4cNa9LwG6vXoRmKt1UiBy-verifier"
	testPrefix   = "/sandbox/slack"
)

// env is a sandbox mounted under testPrefix on a test server, with one registered app.
type env struct {
	srv   *Server
	ts    *httptest.Server
	clock *sandboxtest.Clock
	ep    Endpoints
}

func newEnv(t *testing.T, configure ...func(*Options)) *env {
	t.Helper()
	clock := sandboxtest.NewClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	opts := Options{
		Clients: []Client{{ID: testClientID, Secret: testSecret,
			RedirectURIs: []string{testRedirect}}},
		Now: clock.Now,
	}
	for _, f := range configure {
		f(&opts)
	}
	srv := New(opts)
	ts, base := sandboxtest.Serve(t, srv, testPrefix)
	return &env{srv: srv, ts: ts, clock: clock, ep: EndpointsAt(base)}
}

// noRedirects is an HTTP client that stops at the first redirect.
var noRedirects = sandboxtest.NoRedirects(&http.Client{})

// installParams are an install request's query for the test app, with PKCE.
func installParams(bot, user string) url.Values {
	q := url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect},
		"state": {"state-42"}, "code_challenge": {oauthsim.S256(testVerifier)},
		"code_challenge_method": {"S256"}}
	if bot != "" {
		q.Set("scope", bot)
	}
	if user != "" {
		q.Set("user_scope", user)
	}
	return q
}

// consent opens the install page and answers it with decision, ticking the checkboxes keep
// accepts (nil ticks all). It returns the redirect's query.
func (e *env) consent(t *testing.T, q url.Values, decision string,
	keep func(string) bool) url.Values {
	t.Helper()
	page := e.get(t, e.ep.AuthURL+"?"+q.Encode())
	form := sandboxtest.ConsentAnswer(page, decision, keep)
	resp, err := noRedirects.PostForm(e.ep.AuthURL+"?"+q.Encode(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("consent answered %s, want a redirect", resp.Status)
	}
	return loc.Query()
}

func (e *env) get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// exchange calls oauth.v2.access with the test app's credentials, the redirect URI and the
// verifier, replaced by any of extra.
func (e *env) exchange(t *testing.T, code string, extra url.Values) map[string]any {
	t.Helper()
	form := url.Values{"client_id": {testClientID}, "client_secret": {testSecret},
		"code": {code}, "redirect_uri": {testRedirect}, "code_verifier": {testVerifier}}
	for k, v := range extra {
		form[k] = v
	}
	status, body := e.post(t, e.ep.TokenURL, "", form)
	if status != http.StatusOK {
		t.Fatalf("oauth.v2.access status = %d, want 200 always", status)
	}
	return body
}

// tokens installs the app with bot and user scopes (comma separated, either may be empty)
// and returns the bot and user tokens.
func (e *env) tokens(t *testing.T, bot, user string) (botTok, userTok string) {
	t.Helper()
	q := e.consent(t, installParams(bot, user), "approve", nil)
	body := e.exchange(t, q.Get("code"), nil)
	if body["ok"] != true {
		t.Fatalf("exchange = %v", body)
	}
	botTok, _ = body["access_token"].(string)
	if u, ok := body["authed_user"].(map[string]any); ok {
		userTok, _ = u["access_token"].(string)
	}
	return botTok, userTok
}

// post sends a form to u, with token as a bearer token when not empty.
func (e *env) post(t *testing.T, u, token string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// call calls a Web API method with a form body.
func (e *env) call(t *testing.T, token, method string, args url.Values) map[string]any {
	t.Helper()
	_, body := e.post(t, e.ep.APIURL+"api/"+method, token, args)
	return body
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, data := sandboxtest.Do(t, http.DefaultClient, req)
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %s", req.Method, req.URL.Path, data)
	}
	return resp.StatusCode, body
}

// errorOf returns a refusal's error code, failing the test on success.
func errorOf(t *testing.T, body map[string]any) string {
	t.Helper()
	if body["ok"] != false {
		t.Fatalf("call succeeded, want a refusal: %v", body)
	}
	code, _ := body["error"].(string)
	return code
}

// form builds form values from key, value pairs.
func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// refusal calls a method and returns its error code, failing the test on success.
func (e *env) refusal(t *testing.T, token, method string, args url.Values) string {
	t.Helper()
	return errorOf(t, e.call(t, token, method, args))
}
