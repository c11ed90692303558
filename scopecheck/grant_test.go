package scopecheck

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// tokenFrom builds an oauth2 token as golang.org/x/oauth2 returns it for a
// JSON token response.
func tokenFrom(access, refresh string, raw map[string]any) *oauth2.Token {
	return (&oauth2.Token{AccessToken: access, RefreshToken: refresh}).WithExtra(raw)
}

func TestGrantsFromToken(t *testing.T) {
	tests := []struct {
		name     string
		provider *registry.Provider
		tok      *oauth2.Token
		want     []tokenGrant
	}{
		{
			name:     "google incremental grant includes earlier scopes and aliases",
			provider: registry.Google,
			tok: tokenFrom("ya29.a", "1//r", map[string]any{
				"scope": "https://www.googleapis.com/auth/gmail.send openid email https://www.googleapis.com/auth/gmail.readonly",
			}),
			want: []tokenGrant{{HasScope: true, Scopes: registry.NewScopeSet(
				registry.GmailSend, registry.GoogleOpenID, registry.GoogleEmail, registry.GmailReadonly)}},
		},
		{
			name:     "google response without scope leaves the grant alone",
			provider: registry.Google,
			tok:      tokenFrom("ya29.b", "", map[string]any{"expires_in": 3599.0}),
			want:     []tokenGrant{{HasScope: false}},
		},
		{
			name:     "graph prefixed, any case, offline_access from the refresh token",
			provider: registry.Microsoft,
			tok: tokenFrom("eyJ0", "0.AR", map[string]any{
				"scope": "https://graph.microsoft.com/mail.read https://graph.microsoft.com/User.Read openid profile email",
			}),
			want: []tokenGrant{{HasScope: true, Scopes: registry.NewScopeSet(
				"Mail.Read", "User.Read", "openid", "profile", "email", "offline_access")}},
		},
		{
			name:     "graph scope of another resource never matches a graph scope",
			provider: registry.Microsoft,
			tok:      tokenFrom("eyJ0", "", map[string]any{"scope": "https://outlook.office.com/Mail.Read"}),
			want:     []tokenGrant{{HasScope: true, Scopes: registry.ScopeSet{"https://outlook.office.com/Mail.Read"}}},
		},
		{
			name:     "slack keeps bot and user grants apart",
			provider: registry.Slack,
			tok: tokenFrom("xoxb-1", "", map[string]any{
				"ok": true, "scope": "channels:read,chat:write", "team": map[string]any{"id": "T1"},
				"authed_user": map[string]any{"id": "U1", "scope": "search:read,channels:history",
					"access_token": "xoxp-1", "token_type": "user"},
			}),
			want: []tokenGrant{
				{TokenType: registry.BotToken, HasScope: true, Scopes: registry.NewScopeSet("channels:read", "chat:write"), Account: "T1"},
				{TokenType: registry.UserToken, HasScope: true, Scopes: registry.NewScopeSet("search:read", "channels:history"), Account: "U1"},
			},
		},
		{
			name:     "slack user scopes alone carry no bot token",
			provider: registry.Slack,
			tok: tokenFrom("", "", map[string]any{
				"ok": true, "authed_user": map[string]any{"id": "U1", "scope": "search:read", "access_token": "xoxp-2"},
			}),
			want: []tokenGrant{{TokenType: registry.UserToken, HasScope: true, Scopes: registry.ScopeSet{"search:read"}, Account: "U1"}},
		},
		{
			name:     "atlassian space separated",
			provider: registry.Atlassian,
			tok:      tokenFrom("eyJ1", "r", map[string]any{"scope": "read:jira-work offline_access read:jira-user"}),
			want: []tokenGrant{{HasScope: true, Scopes: registry.NewScopeSet(
				"read:jira-work", "offline_access", "read:jira-user")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := grantsFromToken(tt.provider, tt.tok)
			for i := range got {
				got[i].Token = store.Token{}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("grantsFromToken() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthCodeURL(t *testing.T) {
	g := New(Options{Store: store.NewMemory(), PublicURL: "https://sg.example"})
	conn := func(p *registry.Provider) *registry.Connection {
		return &registry.Connection{Name: string(p.ID), Provider: p, ClientID: "cid", Endpoints: p.Endpoints}
	}
	tests := []struct {
		name       string
		conn       *registry.Connection
		key        string
		scopes     registry.ScopeSet
		hasRefresh bool
		want       map[string]string
		absent     []string
	}{
		{"google first consent", conn(registry.Google), "google", registry.ScopeSet{registry.GmailSend}, false,
			map[string]string{"scope": string(registry.GmailSend) + " " + string(registry.GoogleEmail) + " openid",
				"include_granted_scopes": "true", "access_type": "offline", "prompt": "consent"}, nil},
		{"google with a refresh token held", conn(registry.Google), "google", registry.ScopeSet{registry.GmailReadonly}, true,
			map[string]string{"include_granted_scopes": "true", "access_type": "offline"}, []string{"prompt"}},
		{"microsoft named graph scopes and offline_access", conn(registry.Microsoft), "microsoft", registry.ScopeSet{"Mail.Read"}, false,
			map[string]string{"scope": "Mail.Read offline_access openid"}, []string{"include_granted_scopes"}},
		{"slack bot scopes", conn(registry.Slack), "slack", registry.NewScopeSet("chat:write", "channels:read"), false,
			map[string]string{"scope": "channels:read,chat:write"}, []string{"user_scope"}},
		{"slack user scopes", conn(registry.Slack), "slack/user", registry.NewScopeSet("search:read"), false,
			map[string]string{"user_scope": "search:read"}, []string{"scope"}},
		{"atlassian", conn(registry.Atlassian), "atlassian", registry.NewScopeSet("read:jira-work"), false,
			map[string]string{"scope": "offline_access read:jira-work", "audience": "api.atlassian.com", "prompt": "consent"}, nil},
		{"atlassian repeats what is held, having no incremental consent", conn(registry.Atlassian), "atlassian",
			registry.NewScopeSet("write:jira-work"), true,
			map[string]string{"scope": "offline_access read:jira-user write:jira-work"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authz := &store.Authorization{State: "st", Connection: tt.key, Scopes: tt.scopes, Verifier: oauth2.GenerateVerifier()}
			var held *store.Account
			if tt.hasRefresh {
				held = &store.Account{Status: store.StatusActive, Token: store.Token{RefreshToken: "r"},
					Granted: registry.ScopeSet{"read:jira-user"}}
			}
			u, err := url.Parse(g.authCodeURL(tt.conn, authz, held))
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			for k, want := range tt.want {
				if got := q.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			for _, k := range tt.absent {
				if q.Has(k) {
					t.Errorf("%s = %q, want it absent", k, q.Get(k))
				}
			}
			if q.Get("state") != "st" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
				q.Get("redirect_uri") != "https://sg.example/oauth/callback" {
				t.Errorf("url %s lacks state, PKCE or redirect", u)
			}
		})
	}
}

func TestParseSlackToken(t *testing.T) {
	resp := &http.Response{StatusCode: 200}
	_, err := parseSlackToken(resp, []byte(`{"ok":false,"error":"invalid_code"}`))
	var re *oauth2.RetrieveError
	if !asRetrieve(err, &re) || re.ErrorCode != "invalid_code" {
		t.Errorf("ok:false = %v, want a RetrieveError with invalid_code", err)
	}
	tok, err := parseSlackToken(resp, []byte(`{"ok":true,"access_token":"xoxb-1","scope":"chat:write","authed_user":{"id":"U1"}}`))
	if err != nil || tok.AccessToken != "xoxb-1" || tok.Extra("scope") != "chat:write" {
		t.Errorf("ok:true = %+v, %v", tok, err)
	}
	if _, err := parseSlackToken(resp, []byte(`<html>`)); err == nil || strings.Contains(err.Error(), "xoxb") {
		t.Errorf("non-JSON = %v, want an error", err)
	}
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	*re = r
	return ok
}
