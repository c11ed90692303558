package slack

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestInstallGrantsBotAndUserTokensApart(t *testing.T) {
	e := newEnv(t)
	q := e.consent(t, installParams("chat:write,channels:read", "files:read"), "approve", nil)
	if q.Get("state") != "state-42" || q.Get("code") == "" {
		t.Fatalf("redirect query = %v, want the state and a code", q)
	}
	body := e.exchange(t, q.Get("code"), nil)

	bot, _ := body["access_token"].(string)
	user, _ := body["authed_user"].(map[string]any)["access_token"].(string)
	if !strings.HasPrefix(bot, "xoxb-") || !strings.HasPrefix(user, "xoxp-") {
		t.Fatalf("tokens = %q, %q, want xoxb- and xoxp-", bot, user)
	}
	delete(body, "access_token")
	delete(body["authed_user"].(map[string]any), "access_token")
	want := map[string]any{
		"ok": true, "app_id": appID, "scope": "channels:read,chat:write", "token_type": "bot",
		"bot_user_id": botUserID,
		"authed_user": map[string]any{"id": installerID, "scope": "files:read",
			"token_type": "user"},
		"team":       map[string]any{"id": teamID, "name": teamName},
		"enterprise": nil, "is_enterprise_install": false,
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("oauth.v2.access mismatch (-want +got):\n%s", diff)
	}
}

func TestUserScopesAloneCarryNoBotToken(t *testing.T) {
	e := newEnv(t)
	q := e.consent(t, installParams("", "files:read"), "approve", nil)
	body := e.exchange(t, q.Get("code"), nil)
	for _, k := range []string{"access_token", "scope", "token_type", "bot_user_id"} {
		if _, ok := body[k]; ok {
			t.Errorf("user-only grant has top-level %s = %v", k, body[k])
		}
	}
	u := body["authed_user"].(map[string]any)
	if u["scope"] != "files:read" || u["token_type"] != "user" {
		t.Errorf("authed_user = %v, want files:read on a user token", u)
	}
}

func TestPartialThenIncrementalGrant(t *testing.T) {
	e := newEnv(t)
	q := e.consent(t, installParams("channels:read,chat:write", ""), "approve",
		func(v string) bool { return v != "bot:chat:write" })
	first := e.exchange(t, q.Get("code"), nil)
	if first["scope"] != "channels:read" {
		t.Fatalf("partial grant scope = %v, want channels:read", first["scope"])
	}

	q = e.consent(t, installParams("chat:write", ""), "approve", nil)
	second := e.exchange(t, q.Get("code"), nil)
	if second["scope"] != "channels:read,chat:write" {
		t.Errorf("incremental grant scope = %v, want the installation's channels:read,chat:write",
			second["scope"])
	}
	if second["access_token"] != first["access_token"] {
		t.Error("the bot token changed on reinstall; Slack keeps it and adds the scopes")
	}
	if _, ok := second["authed_user"].(map[string]any)["access_token"]; ok {
		t.Error("a bot-only install returned a user token")
	}
}

func TestDenyAndUntickAllAreAccessDenied(t *testing.T) {
	e := newEnv(t)
	for name, run := range map[string]func() url.Values{
		"cancel": func() url.Values {
			return e.consent(t, installParams("chat:write", ""), "deny", nil)
		},
		"nothing ticked": func() url.Values {
			return e.consent(t, installParams("chat:write", "files:read"), "approve",
				func(string) bool { return false })
		},
	} {
		t.Run(name, func(t *testing.T) {
			q := run()
			if q.Get("error") != "access_denied" || q.Get("state") != "state-42" || q.Has("code") {
				t.Errorf("redirect query = %v, want error=access_denied with the state", q)
			}
		})
	}
}

func TestExchangeRefusals(t *testing.T) {
	tests := []struct {
		name  string
		extra url.Values
		want  string
	}{
		{"unknown app", form("client_id", "nope"), "invalid_client_id"},
		{"wrong secret", form("client_secret", "wrong"), "bad_client_secret"},
		{"wrong verifier", form("code_verifier", "x"+testVerifier), "invalid_code"},
		{"other redirect", form("redirect_uri", "http://evil.example/cb"), "bad_redirect_uri"},
		{"unknown code", form("code", "7000000001.1.abc"), "invalid_code"},
		{"refresh without rotation", form("grant_type", "refresh_token"), "invalid_refresh_token"},
		{"other grant type", form("grant_type", "password"), "invalid_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			code := e.consent(t, installParams("chat:write", ""), "approve", nil).Get("code")
			if got := errorOf(t, e.exchange(t, code, tt.extra)); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCodeIsSingleUseAndExpires(t *testing.T) {
	e := newEnv(t)
	code := e.consent(t, installParams("chat:write", ""), "approve", nil).Get("code")
	if body := e.exchange(t, code, nil); body["ok"] != true {
		t.Fatalf("first exchange = %v", body)
	}
	if got := errorOf(t, e.exchange(t, code, nil)); got != "invalid_code" {
		t.Errorf("replayed code: error = %q, want invalid_code", got)
	}
	code = e.consent(t, installParams("chat:write", ""), "approve", nil).Get("code")
	e.clock.Advance(codeLifetime + time.Second)
	if got := errorOf(t, e.exchange(t, code, nil)); got != "invalid_code" {
		t.Errorf("expired code: error = %q, want invalid_code", got)
	}
}

func TestExchangeWithBasicAuth(t *testing.T) {
	e := newEnv(t)
	code := e.consent(t, installParams("chat:write", ""), "approve", nil).Get("code")
	form := form("code", code, "redirect_uri", testRedirect, "code_verifier", testVerifier)
	req, _ := http.NewRequest(http.MethodPost, e.ep.TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(testClientID, testSecret)
	if _, body := do(t, req); body["ok"] != true || body["scope"] != "chat:write" {
		t.Errorf("exchange with HTTP Basic = %v", body)
	}
}

func TestInstallErrorPages(t *testing.T) {
	tests := []struct {
		name   string
		change url.Values
		want   string
	}{
		{"unknown app", form("client_id", "nope"), "invalid_client_id"},
		{"unregistered redirect", form("redirect_uri", "http://evil.example/cb"),
			"bad_redirect_uri"},
		{"no scopes", form("scope", ""), "invalid_scope"},
		{"user-only scope as bot scope", form("scope", "search:read"), "invalid_scope"},
		{"bot-only scope as user scope", form("scope", "", "user_scope", "channels:join"),
			"invalid_scope"},
		{"unknown scope", url.Values{"scope": {"chat:write,admin"}}, "invalid_scope"},
		{"plain PKCE", form("code_challenge_method", "plain"), "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			q := installParams("chat:write", "")
			for k, v := range tt.change {
				q[k] = v
			}
			resp, err := noRedirects.Get(e.ep.AuthURL + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			page := e.get(t, e.ep.AuthURL+"?"+q.Encode())
			if resp.StatusCode != http.StatusBadRequest ||
				!strings.Contains(page, "Error: "+tt.want) {
				t.Errorf("install page = %d\n%s\nwant 400 naming %s", resp.StatusCode, page,
					tt.want)
			}
		})
	}
}

func TestRevokeEndsTheToken(t *testing.T) {
	e := newEnv(t)
	bot, user := e.tokens(t, "users:read", "users:read")

	_, body := e.post(t, e.ep.RevokeURL, bot, form("test", "1"))
	if body["ok"] != true || body["revoked"] != false {
		t.Fatalf("auth.revoke test=1 = %v, want ok without revoking", body)
	}
	if got := e.call(t, bot, "users.list", nil); got["ok"] != true {
		t.Fatalf("after a test revocation users.list = %v", got)
	}

	_, body = e.post(t, e.ep.RevokeURL, bot, nil)
	if body["ok"] != true || body["revoked"] != true {
		t.Fatalf("auth.revoke = %v, want revoked", body)
	}
	if got := e.refusal(t, bot, "users.list", nil); got != "token_revoked" {
		t.Errorf("revoked bot token: error = %q, want token_revoked", got)
	}
	if got := e.call(t, user, "users.list", nil); got["ok"] != true {
		t.Errorf("the user token went with the bot token: %v", got)
	}

	// A new install starts a new bot grant with a new token.
	fresh, _ := e.tokens(t, "chat:write", "")
	if fresh == bot {
		t.Error("reinstalling after revocation returned the revoked token")
	}
	if got := e.refusal(t, fresh, "users.list", nil); got != "missing_scope" {
		t.Errorf("fresh token kept the revoked grant's users:read: error = %q", got)
	}
}
