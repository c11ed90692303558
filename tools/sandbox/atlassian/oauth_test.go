package atlassian

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCodeFlowWithPKCE(t *testing.T) {
	tests := []struct {
		name       string
		verifier   string
		wantStatus int
		want       map[string]any // compared without the tokens
	}{
		{"right verifier", testVerifier, 200, map[string]any{"expires_in": 3600.0,
			"scope": "offline_access read:jira-work", "token_type": "Bearer"}},
		{"wrong verifier", testVerifier + "x", 403, map[string]any{"error": "invalid_grant",
			"error_description": "Failed to verify code verifier"}},
		{"missing verifier", "", 403, map[string]any{"error": "invalid_grant",
			"error_description": "Failed to verify code verifier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			q := e.consent(t, authParams("read:jira-work", "offline_access"), "approve", nil)
			if got := q.Get("state"); got != "state-123" {
				t.Errorf("redirect state = %q, want state-123", got)
			}
			status, body := e.postJSON(t, TokenPath, map[string]string{
				"grant_type": "authorization_code", "client_id": testClientID,
				"client_secret": testClientSecret, "code": q.Get("code"),
				"redirect_uri": testRedirect, "code_verifier": tt.verifier,
			})
			if status != tt.wantStatus {
				t.Errorf("token status = %d, want %d", status, tt.wantStatus)
			}
			if tt.wantStatus == 200 && (body["access_token"] == "" || body["refresh_token"] == "") {
				t.Errorf("token response %v lacks a token", body)
			}
			delete(body, "access_token")
			delete(body, "refresh_token")
			if diff := cmp.Diff(tt.want, body); diff != "" {
				t.Errorf("token response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTokenEndpointTakesFormsAndBasicAuth(t *testing.T) {
	e := newEnv(t, Options{})
	code := e.consent(t, authParams("read:jira-user", "offline_access"), "approve", nil).Get("code")
	req, _ := http.NewRequest(http.MethodPost, e.base+TokenPath, strings.NewReader(url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"code_verifier": {testVerifier}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testClientID, testClientSecret)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("form exchange with Basic auth = %d, want 200", resp.StatusCode)
	}
}

func TestRefreshTokensRotate(t *testing.T) {
	e := newEnv(t, Options{})
	first := e.tokens(t, "read:jira-work", "offline_access")
	refresh := func(rt string) (int, map[string]any) {
		return e.postForm(t, TokenPath, url.Values{"grant_type": {"refresh_token"},
			"client_id": {testClientID}, "client_secret": {testClientSecret}, "refresh_token": {rt}})
	}

	status, second := refresh(first["refresh_token"].(string))
	if status != http.StatusOK {
		t.Fatalf("first refresh = %d %v", status, second)
	}
	if second["refresh_token"] == first["refresh_token"] || second["refresh_token"] == nil {
		t.Errorf("refresh returned refresh_token %v, want a new one", second["refresh_token"])
	}
	if got, want := second["scope"], "offline_access read:jira-work"; got != want {
		t.Errorf("refreshed scope = %v, want %v", got, want)
	}

	wantRefused := map[string]any{"error": "invalid_grant",
		"error_description": "Unknown or invalid refresh token."}
	status, body := refresh(first["refresh_token"].(string))
	if status != http.StatusForbidden || !cmp.Equal(body, wantRefused) {
		t.Errorf("reusing the rotated refresh token = %d %v, want 403 %v", status, body, wantRefused)
	}
	status, third := refresh(second["refresh_token"].(string))
	if status != http.StatusOK {
		t.Errorf("refreshing with the newest token = %d %v, want 200", status, third)
	}

	e.clock.Advance(refreshIdle + time.Hour)
	status, body = refresh(third["refresh_token"].(string))
	if status != http.StatusForbidden || !cmp.Equal(body, wantRefused) {
		t.Errorf("refresh after 90 idle days = %d %v, want 403 %v", status, body, wantRefused)
	}
}

func TestRefreshTokenOnlyWithOfflineAccess(t *testing.T) {
	e := newEnv(t, Options{})
	body := e.tokens(t, "read:jira-work")
	if _, ok := body["refresh_token"]; ok {
		t.Errorf("token response without offline_access = %v, want no refresh_token", body)
	}
}

func TestPartialConsentAndDenial(t *testing.T) {
	e := newEnv(t, Options{})
	q := e.consent(t, authParams("read:jira-work", "write:jira-work", "offline_access"), "approve",
		func(s string) bool { return s != "write:jira-work" })
	status, body := e.postJSON(t, TokenPath, map[string]string{"grant_type": "authorization_code",
		"client_id": testClientID, "client_secret": testClientSecret, "code": q.Get("code"),
		"redirect_uri": testRedirect, "code_verifier": testVerifier})
	if status != 200 || body["scope"] != "offline_access read:jira-work" {
		t.Errorf("partial consent = %d scope %v, want offline_access read:jira-work", status, body["scope"])
	}

	q = e.consent(t, authParams("read:jira-work"), "deny", nil)
	if q.Get("error") != "access_denied" || q.Get("state") != "state-123" || q.Get("code") != "" {
		t.Errorf("denial redirected with %v, want error=access_denied and the state", q)
	}
}

func TestCodeIsSingleUseAndChecked(t *testing.T) {
	e := newEnv(t, Options{})
	code := e.consent(t, authParams("read:jira-work"), "approve", nil).Get("code")
	exchange := func(edit func(map[string]string)) (int, map[string]any) {
		body := map[string]string{"grant_type": "authorization_code", "client_id": testClientID,
			"client_secret": testClientSecret, "code": code, "redirect_uri": testRedirect,
			"code_verifier": testVerifier}
		edit(body)
		return e.postJSON(t, TokenPath, body)
	}
	if status, body := exchange(func(b map[string]string) { b["client_secret"] = "wrong" }); status != 401 ||
		body["error"] != "access_denied" {
		t.Errorf("wrong secret = %d %v, want 401 access_denied", status, body)
	}
	otherRedirect := func(b map[string]string) { b["redirect_uri"] = "http://x/cb" }
	if status, body := exchange(otherRedirect); status != 403 ||
		body["error"] != "invalid_grant" {
		t.Errorf("other redirect_uri = %d %v, want 403 invalid_grant", status, body)
	}
	if status, _ := exchange(func(map[string]string) {}); status != 200 {
		t.Fatalf("first exchange = %d, want 200", status)
	}
	if status, body := exchange(func(map[string]string) {}); status != 403 ||
		body["error_description"] != "Invalid authorization code" {
		t.Errorf("replayed code = %d %v, want 403 Invalid authorization code", status, body)
	}
	if status, body := exchange(func(b map[string]string) { b["grant_type"] = "password" }); status != 403 ||
		body["error"] != "unsupported_grant_type" {
		t.Errorf("password grant = %d %v, want unsupported_grant_type", status, body)
	}
}

func TestAuthorizeErrorPages(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(url.Values)
		client   Client
		wantText string
	}{
		{"no audience", func(v url.Values) { v.Del("audience") }, Client{},
			"must use audience=api.atlassian.com"},
		{"other audience", func(v url.Values) { v.Set("audience", "example.com") }, Client{}, "is not valid"},
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") }, Client{},
			"invalid client_id"},
		{"redirect not registered", func(v url.Values) { v.Set("redirect_uri", "http://evil.example/cb") },
			Client{}, "does not match the callback URL"},
		{"no prompt", func(v url.Values) { v.Del("prompt") }, Client{}, "must be consent"},
		{"unknown scope", func(v url.Values) { v.Set("scope", "read:jira-everything") }, Client{},
			"do not exist: read:jira-everything"},
		{"scope not added to the app", func(v url.Values) { v.Set("client_id", "narrow") },
			Client{ID: "narrow", Secret: "s", RedirectURIs: []string{testRedirect},
				Scopes: []string{"read:jira-user"}},
			"have not been added to the app. Add the following scopes to the app in the " +
				"developer console: read:jira-work"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, Client{},
			"Invalid PKCE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts Options
			if tt.client.ID != "" {
				opts.Clients = []Client{tt.client}
			}
			e := newEnv(t, opts)
			params := authParams("read:jira-work")
			tt.edit(params)
			status, page := e.do(t, http.MethodGet, AuthPath+"?"+params.Encode(), "", nil)
			if status != http.StatusBadRequest || !strings.Contains(string(page), tt.wantText) {
				t.Errorf("GET %s = %d, want 400 with %q:\n%s", AuthPath, status, tt.wantText, page)
			}
		})
	}
}
