package google

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scopegate/scopegate/tools/sandbox/sandboxtest"
)

func TestCodeFlowWithPKCE(t *testing.T) {
	tests := []struct {
		name       string
		verifier   string
		wantStatus int
		wantBody   map[string]any // compared without access_token and id_token
	}{
		{"right verifier", testVerifier, 200, map[string]any{
			"expires_in": 3599.0, "scope": readonlyScope, "token_type": "Bearer"}},
		{"wrong verifier", testVerifier + "x", 400, map[string]any{
			"error": "invalid_grant", "error_description": "Invalid code verifier."}},
		{"missing verifier", "", 400, map[string]any{
			"error": "invalid_grant", "error_description": "Missing code verifier."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			q := e.approveAll(t, authParams(readonlyScope))
			if got, want := q.Get("state"), "state-123"; got != want {
				t.Errorf("redirect state = %q, want %q", got, want)
			}
			status, body := e.postToken(t, url.Values{
				"grant_type": {"authorization_code"}, "code": {q.Get("code")},
				"redirect_uri": {testRedirect}, "client_id": {testClientID},
				"client_secret": {testClientSecret}, "code_verifier": {tt.verifier},
			})
			if status != tt.wantStatus {
				t.Errorf("token status = %d, want %d", status, tt.wantStatus)
			}
			if tt.wantStatus == 200 && !strings.HasPrefix(body["access_token"].(string), "ya29.") {
				t.Errorf("access_token = %q, want a ya29. token", body["access_token"])
			}
			delete(body, "access_token")
			if diff := cmp.Diff(tt.wantBody, body); diff != "" {
				t.Errorf("token response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCodeIsSingleUseAndExpires(t *testing.T) {
	e := newEnv(t)
	code := e.approveAll(t, authParams(readonlyScope)).Get("code")
	if status, body := e.exchange(t, code); status != 200 {
		t.Fatalf("first exchange = %d %v, want 200", status, body)
	}
	status, body := e.exchange(t, code)
	want := map[string]any{"error": "invalid_grant", "error_description": "Bad Request"}
	if status != 400 || !cmp.Equal(body, want) {
		t.Errorf("replayed exchange = %d %v, want 400 %v", status, body, want)
	}

	code = e.approveAll(t, authParams(readonlyScope)).Get("code")
	e.clock.Advance(codeLifetime + time.Second)
	status, body = e.exchange(t, code)
	if status != 400 || !cmp.Equal(body, want) {
		t.Errorf("expired exchange = %d %v, want 400 %v", status, body, want)
	}
}

func TestAuthorizeErrorPages(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(url.Values)
		wantStatus int
		wantText   string
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") },
			401, "Error 401: invalid_client"},
		{"redirect not registered", func(v url.Values) {
			v.Set("redirect_uri", "http://evil.example/cb")
		}, 400, "Error 400: redirect_uri_mismatch"},
		{"unknown scope", func(v url.Values) {
			v.Set("scope", readonlyScope+" https://www.googleapis.com/auth/gmail.everything")
		}, 400, "Error 400: invalid_scope"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") },
			400, "Error 400: invalid_request"},
		{"PKCE without method", func(v url.Values) { v.Del("code_challenge_method") },
			400, "Error 400: invalid_request"},
		{"token response type", func(v url.Values) { v.Set("response_type", "token") },
			400, "Error 400: unsupported_response_type"},
		{"no scope", func(v url.Values) { v.Del("scope") },
			400, "Error 400: invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			params := authParams(readonlyScope)
			tt.edit(params)
			resp, err := e.client.Get(e.base + AuthPath + "?" + params.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			page, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("GET %s = %d, want %d", AuthPath, resp.StatusCode, tt.wantStatus)
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Errorf("error page redirected to %s, want no redirect", loc)
			}
			if !strings.Contains(string(page), tt.wantText) {
				t.Errorf("error page lacks %q:\n%s", tt.wantText, page)
			}
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	valid := func() url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {"4/0Aunknown"},
			"redirect_uri": {testRedirect}, "client_id": {testClientID},
			"client_secret": {testClientSecret}, "code_verifier": {testVerifier}}
	}
	tests := []struct {
		name       string
		edit       func(url.Values)
		wantStatus int
		wantError  string
		wantDesc   string
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") },
			401, "invalid_client", "The OAuth client was not found."},
		{"wrong secret", func(v url.Values) { v.Set("client_secret", "guess") },
			401, "invalid_client", "Unauthorized"},
		{"no secret", func(v url.Values) { v.Del("client_secret") },
			400, "invalid_request", "client_secret is missing."},
		{"no client", func(v url.Values) { v.Del("client_id") },
			400, "invalid_request", "Could not determine client ID from request."},
		{"grant type", func(v url.Values) { v.Set("grant_type", "password") },
			400, "unsupported_grant_type", "Invalid grant_type: password"},
		{"no code", func(v url.Values) { v.Del("code") },
			400, "invalid_request", "Missing required parameter: code"},
		{"malformed code", func(v url.Values) { v.Set("code", "abc") },
			400, "invalid_grant", "Malformed auth code."},
		{"unknown code", func(url.Values) {}, 400, "invalid_grant", "Bad Request"},
		{"no refresh token", func(v url.Values) { v.Set("grant_type", "refresh_token") },
			400, "invalid_request", "Missing required parameter: refresh_token"},
		{"unknown refresh token", func(v url.Values) {
			v.Set("grant_type", "refresh_token")
			v.Set("refresh_token", "1//0nothing")
		}, 400, "invalid_grant", "Token has been expired or revoked."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			form := valid()
			tt.edit(form)
			status, body := e.postToken(t, form)
			want := map[string]any{"error": tt.wantError, "error_description": tt.wantDesc}
			if status != tt.wantStatus {
				t.Errorf("POST %s status = %d, want %d", TokenPath, status, tt.wantStatus)
			}
			if diff := cmp.Diff(want, body); diff != "" {
				t.Errorf("POST %s body mismatch (-want +got):\n%s", TokenPath, diff)
			}
		})
	}
}

func TestTokenRedirectMismatchAndBasicAuth(t *testing.T) {
	e := newEnv(t)
	code := e.approveAll(t, authParams(readonlyScope)).Get("code")
	status, body := e.postToken(t, url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {testRedirect + "/other"}, "client_id": {testClientID},
		"client_secret": {testClientSecret}, "code_verifier": {testVerifier}})
	want := map[string]any{"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
	if status != 400 || !cmp.Equal(body, want) {
		t.Errorf("exchange with another redirect_uri = %d %v, want 400 %v", status, body, want)
	}

	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testRedirect}, "code_verifier": {testVerifier}}
	req, _ := http.NewRequest("POST", e.base+TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(testClientID), url.QueryEscape(testClientSecret))
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("exchange with HTTP Basic client auth = %d, want 200", resp.StatusCode)
	}
}

func TestConsentDecisions(t *testing.T) {
	tests := []struct {
		name      string
		decision  string
		ticked    []string
		wantError string
		wantScope string
	}{
		{"approve all", "approve", []string{readonlyScope, sendScope}, "",
			readonlyScope + " " + sendScope},
		{"untick send", "approve", []string{readonlyScope}, "", readonlyScope},
		{"deny", "deny", []string{readonlyScope, sendScope}, "access_denied", ""},
		{"approve nothing", "approve", nil, "access_denied", ""},
		{"tick an unrequested scope", "approve", []string{fullScope}, "access_denied", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id, offered := e.consent(t, authParams(readonlyScope, sendScope))
			if diff := cmp.Diff([]string{readonlyScope, sendScope}, offered); diff != "" {
				t.Errorf("consent checkboxes mismatch (-want +got):\n%s", diff)
			}
			q := e.decide(t, id, tt.decision, tt.ticked)
			if got := q.Get("state"); got != "state-123" {
				t.Errorf("redirect state = %q, want state-123", got)
			}
			if got := q.Get("error"); got != tt.wantError {
				t.Errorf("redirect error = %q, want %q", got, tt.wantError)
			}
			if got := q.Get("scope"); got != tt.wantScope {
				t.Errorf("redirect scope = %q, want %q", got, tt.wantScope)
			}
			if tt.wantError != "" {
				if q.Has("code") {
					t.Errorf("denied redirect carries a code")
				}
				return
			}
			if got := q.Get("authuser") + " " + q.Get("prompt"); got != "0 consent" {
				t.Errorf("redirect authuser, prompt = %q, want \"0 consent\"", got)
			}
			_, body := e.exchange(t, q.Get("code"))
			if got := body["scope"]; got != tt.wantScope {
				t.Errorf("token scope = %q, want %q", got, tt.wantScope)
			}
		})
	}
}

func TestConsentIsSingleUse(t *testing.T) {
	e := newEnv(t)
	id, scopes := e.consent(t, authParams(readonlyScope))
	e.decide(t, id, "approve", scopes)
	resp, err := e.client.PostForm(e.base+AuthPath,
		url.Values{"consent": {id}, "decision": {"approve"}, "scope": scopes})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("second decision on one consent = %d, want 400", resp.StatusCode)
	}
}

func TestIncludeGrantedScopes(t *testing.T) {
	tests := []struct {
		name           string
		includeGranted bool
		wantScope      string
	}{
		{"merged", true, readonlyScope + " " + sendScope},
		{"not merged", false, sendScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.tokenFor(t, readonlyScope)
			params := authParams(sendScope)
			if tt.includeGranted {
				params.Set("include_granted_scopes", "true")
			}
			q := e.approveAll(t, params)
			if got := q.Get("scope"); got != tt.wantScope {
				t.Errorf("redirect scope = %q, want %q", got, tt.wantScope)
			}
			_, body := e.exchange(t, q.Get("code"))
			if got := body["scope"]; got != tt.wantScope {
				t.Errorf("token scope = %q, want %q", got, tt.wantScope)
			}
		})
	}
}

func TestRefreshTokens(t *testing.T) {
	e := newEnv(t)
	offline := func(prompt string, scopes ...string) map[string]any {
		t.Helper()
		params := authParams(scopes...)
		params.Set("access_type", "offline")
		params.Set("include_granted_scopes", "true")
		if prompt != "" {
			params.Set("prompt", prompt)
		}
		status, body := e.exchange(t, e.approveAll(t, params).Get("code"))
		if status != 200 {
			t.Fatalf("exchange = %d %v, want 200", status, body)
		}
		return body
	}

	first := offline("", readonlyScope)
	rt, _ := first["refresh_token"].(string)
	if !strings.HasPrefix(rt, "1//") {
		t.Fatalf("first offline grant refresh_token = %q, want a 1// token", rt)
	}
	if second := offline("", sendScope); second["refresh_token"] != nil {
		t.Errorf("second offline grant without prompt=consent has refresh_token %q, want none",
			second["refresh_token"])
	}
	if third := offline("consent", sendScope); third["refresh_token"] == nil {
		t.Errorf("offline grant with prompt=consent has no refresh_token")
	}

	status, body := e.postToken(t, url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {rt}, "client_id": {testClientID}, "client_secret": {testClientSecret}})
	if status != 200 {
		t.Fatalf("refresh = %d %v, want 200", status, body)
	}
	delete(body, "access_token")
	want := map[string]any{"expires_in": 3599.0, "scope": readonlyScope + " " + sendScope,
		"token_type": "Bearer"}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("refresh response mismatch (-want +got):\n%s", diff)
	}
}

func TestRevoke(t *testing.T) {
	e := newEnv(t)
	params := authParams(readonlyScope)
	params.Set("access_type", "offline")
	_, tokens := e.exchange(t, e.approveAll(t, params).Get("code"))
	at, rt := tokens["access_token"].(string), tokens["refresh_token"].(string)

	if status, body := e.postForm(t, RevokePath, url.Values{"token": {rt}}); status != 200 ||
		body != nil {
		t.Errorf("revoke = %d %v, want 200 and no body", status, body)
	}
	status, body := e.postToken(t, url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {rt}, "client_id": {testClientID}, "client_secret": {testClientSecret}})
	want := map[string]any{"error": "invalid_grant",
		"error_description": "Token has been expired or revoked."}
	if status != 400 || !cmp.Equal(body, want) {
		t.Errorf("refresh after revoke = %d %v, want 400 %v", status, body, want)
	}
	if resp := e.api(t, at, "GET", "/gmail/v1/users/me/profile", nil, nil); resp.StatusCode != 401 {
		t.Errorf("API call with the revoked grant's access token = %d, want 401", resp.StatusCode)
	}
	status, body = e.postForm(t, RevokePath, url.Values{"token": {rt}})
	want = map[string]any{"error": "invalid_token", "error_description": "Token expired or revoked"}
	if status != 400 || !cmp.Equal(body, want) {
		t.Errorf("second revoke = %d %v, want 400 %v", status, body, want)
	}

	// A revoked grant is forgotten: include_granted_scopes has nothing to merge.
	params = authParams(sendScope)
	params.Set("include_granted_scopes", "true")
	if got := e.approveAll(t, params).Get("scope"); got != sendScope {
		t.Errorf("scope after revoke = %q, want %q", got, sendScope)
	}
}

func TestAccessTokenExpires(t *testing.T) {
	e := newEnv(t)
	at := e.tokenFor(t, readonlyScope)
	if resp := e.api(t, at, "GET", "/gmail/v1/users/me/profile", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("profile with a fresh token = %d, want 200", resp.StatusCode)
	}
	e.clock.Advance(accessLifetime)
	if resp := e.api(t, at, "GET", "/gmail/v1/users/me/profile", nil, nil); resp.StatusCode != 401 {
		t.Errorf("profile with an expired token = %d, want 401", resp.StatusCode)
	}
}

func TestIdentityScopes(t *testing.T) {
	e := newEnv(t)
	params := authParams("openid", "email", "profile")
	params.Set("nonce", "n-0S6")
	_, offered := e.consent(t, params)
	wantScopes := []string{scopeOpenID, scopeEmail, scopeProfile}
	if diff := cmp.Diff(wantScopes, offered); diff != "" {
		t.Errorf("consent checkboxes mismatch (-want +got):\n%s", diff)
	}
	_, body := e.exchange(t, e.approveAll(t, params).Get("code"))
	if got, want := body["scope"], joinScopes(union(wantScopes, nil)); got != want {
		t.Errorf("token scope = %q, want %q", got, want)
	}

	parts := strings.Split(body["id_token"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("id_token has %d segments, want 3", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	now := float64(e.clock.Now().Unix())
	want := map[string]any{"iss": "https://accounts.google.com", "aud": testClientID,
		"azp": testClientID, "sub": e.srv.sub, "email": DefaultAccount, "email_verified": true,
		"nonce": "n-0S6", "name": "Demo User", "given_name": "Demo", "family_name": "User",
		"iat": now, "exp": now + 3600}
	ignore := cmpopts.IgnoreMapEntries(func(k string, _ any) bool {
		return k == "at_hash" || k == "picture"
	})
	if diff := cmp.Diff(want, claims, ignore); diff != "" {
		t.Errorf("id_token claims mismatch (-want +got):\n%s", diff)
	}

	var info map[string]any
	resp := e.api(t, body["access_token"].(string), "GET", UserinfoPath, nil, &info)
	wantInfo := map[string]any{"sub": e.srv.sub, "email": DefaultAccount,
		"email_verified": true, "name": "Demo User", "given_name": "Demo", "family_name": "User"}
	if diff := cmp.Diff(wantInfo, info, ignore); resp.StatusCode != 200 || diff != "" {
		t.Errorf("userinfo = %d, mismatch (-want +got):\n%s", resp.StatusCode, diff)
	}
	if resp := e.api(t, "ya29.bogus", "GET", UserinfoPath, nil, nil); resp.StatusCode != 401 {
		t.Errorf("userinfo with a bogus token = %d, want 401", resp.StatusCode)
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	srv := New(Options{Clients: []Client{{ID: testClientID, Secret: testClientSecret,
		RedirectURIs: []string{testRedirect}}}})
	ts, base := sandboxtest.Serve(t, srv, "/sandbox/google")
	ep := EndpointsAt(base + "/")
	e := &env{srv: srv, base: base, client: sandboxtest.NoRedirects(ts.Client())}

	// The form posts to action="", the page's own URL, which a browser resolves against
	// the prefixed address.
	status, page := e.get(t, AuthPath+"?"+authParams(readonlyScope).Encode())
	if status != 200 || !strings.Contains(page, `action=""`) {
		t.Fatalf("consent page under a prefix = %d, want 200 with action=\"\"", status)
	}
	q := e.approveAll(t, authParams(readonlyScope))
	_, body := e.exchange(t, q.Get("code"))
	var profile map[string]any
	resp := e.api(t, body["access_token"].(string), "GET",
		strings.TrimPrefix(ep.APIURL, e.base)+"gmail/v1/users/me/profile", nil, &profile)
	if resp.StatusCode != 200 || profile["emailAddress"] != DefaultAccount {
		t.Errorf("profile under a prefix = %d %v", resp.StatusCode, profile)
	}
	wantEP := Endpoints{
		AuthURL:     ts.URL + "/sandbox/google/o/oauth2/v2/auth",
		TokenURL:    ts.URL + "/sandbox/google/token",
		RevokeURL:   ts.URL + "/sandbox/google/revoke",
		UserinfoURL: ts.URL + "/sandbox/google/oauth2/v3/userinfo",
		APIURL:      ts.URL + "/sandbox/google/",
	}
	if diff := cmp.Diff(wantEP, ep); diff != "" {
		t.Errorf("EndpointsAt mismatch (-want +got):\n%s", diff)
	}
}
