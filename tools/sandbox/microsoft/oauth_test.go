package microsoft

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCodeFlow(t *testing.T) {
	e := newEnv(t, Options{})
	q := e.consent(t, authParams("https://graph.microsoft.com/mail.read offline_access openid"), "approve", nil)
	if q.Get("state") != "st-123" || q.Get("code") == "" || q.Get("session_state") == "" {
		t.Fatalf("redirect query = %v", q)
	}

	status, tok := e.token(t, redeemForm(q.Get("code")))
	if status != 200 {
		t.Fatalf("redeeming: %d %v", status, tok)
	}
	if tok["token_type"] != "Bearer" || tok["refresh_token"] == nil || tok["ext_expires_in"] == nil {
		t.Errorf("token response = %v", tok)
	}
	scopes := strings.Fields(tok["scope"].(string))
	for _, want := range []string{"https://graph.microsoft.com/mail.read", "openid", "profile", "email"} {
		if !slices.Contains(scopes, want) {
			t.Errorf("scope %q lacks %s", tok["scope"], want)
		}
	}
	if slices.Contains(scopes, "offline_access") {
		t.Errorf("scope %q reports offline_access; Microsoft shows it by the refresh token", tok["scope"])
	}
	id := claims(t, tok["id_token"].(string))
	if id["preferred_username"] != DefaultAccount || id["oid"] == nil || id["tid"] == nil ||
		id["aud"] != testClientID || id["nonce"] != "n-456" || id["email"] != DefaultAccount {
		t.Errorf("id token claims = %v", id)
	}
	if scp := claims(t, tok["access_token"].(string))["scp"]; scp != "Mail.Read" {
		t.Errorf("access token scp = %v, want Mail.Read", scp)
	}

	status, again := e.token(t, redeemForm(q.Get("code")))
	assertOAuthError(t, status, again, 400, "invalid_grant", 54005)
}

func TestConsentWithoutOfflineAccessHasNoRefreshToken(t *testing.T) {
	e := newEnv(t, Options{})
	q := e.consent(t, authParams("Mail.Read offline_access"), "approve", func(s string) bool { return s == "Mail.Read" })
	_, tok := e.token(t, redeemForm(q.Get("code")))
	if tok["refresh_token"] != nil || tok["id_token"] != nil || tok["scope"] != "https://graph.microsoft.com/Mail.Read" {
		t.Errorf("token response = %v, want Mail.Read only, no refresh or ID token", tok)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	e := newEnv(t, Options{})
	code := func() string { return e.consent(t, authParams("Mail.Read"), "approve", nil).Get("code") }

	f := redeemForm(code())
	f.Set("code_verifier", "wrong-verifier-wrong-verifier-wrong-verifier-000")
	status, out := e.token(t, f)
	assertOAuthError(t, status, out, 400, "invalid_grant", 50148)

	f = redeemForm(code())
	f.Set("client_secret", "nope")
	status, out = e.token(t, f)
	assertOAuthError(t, status, out, 401, "invalid_client", 7000215)

	f = redeemForm(code())
	f.Set("redirect_uri", "http://127.0.0.1:7777/other")
	status, out = e.token(t, f)
	assertOAuthError(t, status, out, 400, "invalid_grant", 70000)

	f = redeemForm(code())
	e.clock.Advance(11 * time.Minute)
	status, out = e.token(t, f)
	assertOAuthError(t, status, out, 400, "invalid_grant", 70008)

	status, out = e.token(t, url.Values{"grant_type": {"password"}, "client_id": {testClientID}})
	assertOAuthError(t, status, out, 400, "unsupported_grant_type", 70003)

	// HTTP Basic client authentication works as well as the form.
	f = redeemForm(code())
	f.Del("client_id")
	f.Del("client_secret")
	req, _ := http.NewRequest(http.MethodPost, e.base+"/common/oauth2/v2.0/token", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testClientID, url.QueryEscape(testSecret))
	if status, _, body := e.do(t, req); status != 200 {
		t.Errorf("Basic authentication: %d %s", status, body)
	}
}

func assertOAuthError(t *testing.T, status int, out map[string]any, wantStatus int, wantErr string, wantCode int) {
	t.Helper()
	codes, _ := out["error_codes"].([]any)
	desc, _ := out["error_description"].(string)
	if status != wantStatus || out["error"] != wantErr || len(codes) != 1 || codes[0] != float64(wantCode) ||
		!strings.HasPrefix(desc, "AADSTS") || !strings.Contains(desc, "\r\nTrace ID: ") ||
		out["trace_id"] == nil || out["correlation_id"] == nil {
		t.Errorf("answer %d %v, want %d %s AADSTS%d", status, out, wantStatus, wantErr, wantCode)
	}
}

func TestRefreshAndIncrementalConsent(t *testing.T) {
	e := newEnv(t, Options{})
	q := e.consent(t, authParams("Mail.Read offline_access openid"), "approve", nil)
	_, first := e.token(t, redeemForm(q.Get("code")))

	q = e.consent(t, authParams("Calendars.Read offline_access openid"), "approve", nil)
	_, second := e.token(t, redeemForm(q.Get("code")))
	if s := second["scope"].(string); !strings.Contains(s, "/Mail.Read") || !strings.Contains(s, "/Calendars.Read") {
		t.Errorf("after a second consent, scope = %q, want both permissions", s)
	}

	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first["refresh_token"].(string)},
		"client_id": {testClientID}, "client_secret": {testSecret}}
	status, fresh := e.token(t, refresh)
	if status != 200 || fresh["refresh_token"] == nil || fresh["refresh_token"] == first["refresh_token"] ||
		!strings.Contains(fresh["scope"].(string), "/Calendars.Read") {
		t.Errorf("refresh = %d %v, want a rotated refresh token and the whole consent", status, fresh)
	}

	e.srv.RevokeConsent(testClientID)
	status, out := e.token(t, refresh)
	assertOAuthError(t, status, out, 400, "invalid_grant", 65001)
}

func TestAuthorizationRefusals(t *testing.T) {
	e := newEnv(t, Options{})
	page := func(tenant string, mutate func(url.Values)) (int, string) {
		q := authParams("Mail.Read")
		mutate(q)
		status, _, body := e.get(t, e.authURL(tenant, q))
		return status, body
	}
	tests := []struct {
		name   string
		tenant string
		mutate func(url.Values)
		want   string
	}{
		{"unknown client", "common", func(q url.Values) { q.Set("client_id", "nobody") }, "AADSTS700016"},
		{"redirect mismatch", "common", func(q url.Values) { q.Set("redirect_uri", "http://evil.example/cb") }, "AADSTS50011"},
		{"unknown tenant", "contoso.example", func(url.Values) {}, "AADSTS90002"},
		{"consumers for a work account", "consumers", func(url.Values) {}, "AADSTS90002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := page(tt.tenant, tt.mutate)
			if status != 400 || !strings.Contains(body, tt.want) {
				t.Errorf("status %d, page %q, want 400 with %s", status, body, tt.want)
			}
		})
	}
	for _, tenant := range []string{"organizations", "example.com"} {
		if status, body := page(tenant, func(url.Values) {}); status != 200 || !strings.Contains(body, "Permissions requested") {
			t.Errorf("tenant %s: %d", tenant, status)
		}
	}

	q := authParams("Mail.Read Nope.Nothing")
	status, h, _ := e.get(t, e.authURL("common", q))
	rq := redirectQuery(t, h)
	if status != 302 || rq.Get("error") != "invalid_client" || !strings.HasPrefix(rq.Get("error_description"), "AADSTS650053") ||
		rq.Get("state") != "st-123" {
		t.Errorf("unknown scope: %d %v", status, rq)
	}

	denied := e.consent(t, authParams("Mail.Read"), "deny", nil)
	if denied.Get("error") != "access_denied" || !strings.HasPrefix(denied.Get("error_description"), "AADSTS65004") ||
		denied.Get("code") != "" {
		t.Errorf("denied consent redirects with %v", denied)
	}
}

// TestAdminConsentScopes shows why Calendars.ReadBasic is not asked for first: a user of a
// work account cannot grant it alone.
func TestAdminConsentScopes(t *testing.T) {
	e := newEnv(t, Options{})
	status, _, page := e.get(t, e.authURL("common", authParams("Calendars.ReadBasic offline_access")))
	if status != 200 || !strings.Contains(page, `id="need-admin-approval"`) || strings.Contains(page, `type="checkbox"`) {
		t.Fatalf("Calendars.ReadBasic: %d\n%s", status, page)
	}
	back := regexpFind(t, `<a id="return" href="([^"]+)"`, page)
	u, _ := url.Parse(back)
	if u.Query().Get("error") != "access_denied" {
		t.Errorf("returning without consent goes to %s", back)
	}

	approved := newEnv(t, Options{AdminConsented: []string{"calendars.readbasic"}})
	approved.consent(t, authParams("Calendars.ReadBasic"), "approve", nil)
	personal := newEnv(t, Options{Personal: true})
	personal.consent(t, authParams("Calendars.ReadBasic"), "approve", nil)
}

func TestPromptNone(t *testing.T) {
	e := newEnv(t, Options{})
	q := authParams("Mail.Read")
	q.Set("prompt", "none")
	_, h, _ := e.get(t, e.authURL("common", q))
	if got := redirectQuery(t, h); got.Get("error") != "consent_required" {
		t.Errorf("prompt=none before consent: %v", got)
	}
	e.consent(t, authParams("Mail.Read"), "approve", nil)
	_, h, _ = e.get(t, e.authURL("common", q))
	if got := redirectQuery(t, h); got.Get("code") == "" {
		t.Errorf("prompt=none after consent: %v", got)
	}
}
