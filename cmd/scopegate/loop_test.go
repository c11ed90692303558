package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	scopeSend     = "https://www.googleapis.com/auth/gmail.send"
	scopeReadonly = "https://www.googleapis.com/auth/gmail.readonly"
)

// authResult is the structuredContent of an authorization-required result.
type authResult struct {
	Status        string `json:"status"`
	Reason        string `json:"reason"`
	Tool          string `json:"tool"`
	Provider      string `json:"provider"`
	Connection    string `json:"connection"`
	MissingScopes []struct {
		Scope          string `json:"scope"`
		Title          string `json:"title"`
		Explanation    string `json:"explanation"`
		DeclinedBefore bool   `json:"declined_before"`
	} `json:"missing_scopes"`
	GrantedScopes    []string  `json:"granted_scopes"`
	AuthorizationURL string    `json:"authorization_url"`
	ExpiresAt        time.Time `json:"expires_at"`
	Message          string    `json:"message"`
}

func (a authResult) missing() []string {
	var out []string
	for _, m := range a.MissingScopes {
		out = append(out, m.Scope)
	}
	return out
}

// toolCaller is what the loop tests need of an MCP client.
type toolCaller func(t *testing.T, name string, args map[string]any) (structured json.RawMessage, text string, isError bool)

// sdkCaller connects the official Go SDK's client over Streamable HTTP
// and lists the tools it sees.
func sdkCaller(t *testing.T, mcpURL string) (toolCaller, []string) {
	t.Helper()
	return keyedSDKCaller(t, mcpURL, nil)
}

// mcpGoCaller connects mcp-go's client over SSE and lists the tools it sees.
func mcpGoCaller(t *testing.T, sseURL string) (toolCaller, []string) {
	t.Helper()
	return keyedSSECaller(t, sseURL, nil)
}

// wantAuthRequired decodes an authorization-required result and checks
// its shape, reason and missing scopes.
func wantAuthRequired(t *testing.T, structured json.RawMessage, text string, isError bool, reason string, missing ...string) authResult {
	t.Helper()
	var ar authResult
	if err := json.Unmarshal(structured, &ar); err != nil {
		t.Fatalf("structuredContent is not an authorization result: %v: %s", err, structured)
	}
	if isError || ar.Status != "authorization_required" {
		t.Fatalf("result isError=%v status=%q, want authorization_required: %s", isError, ar.Status, text)
	}
	if ar.Reason != reason {
		t.Errorf("reason = %q, want %q", ar.Reason, reason)
	}
	if !slices.Equal(ar.missing(), missing) {
		t.Errorf("missing_scopes = %v, want %v", ar.missing(), missing)
	}
	for _, m := range ar.MissingScopes {
		if m.Title == "" || m.Explanation == "" {
			t.Errorf("missing scope %s has no title or explanation", m.Scope)
		}
	}
	if !strings.Contains(text, ar.AuthorizationURL) || !strings.Contains(text, "again after approving") {
		t.Errorf("text does not give the link and say to call again:\n%s", text)
	}
	return ar
}

func wantSuccess(t *testing.T, structured json.RawMessage, text string, isError bool) map[string]any {
	t.Helper()
	if isError {
		t.Fatalf("tool failed: %s", text)
	}
	var m map[string]any
	if err := json.Unmarshal(structured, &m); err != nil {
		t.Fatalf("structuredContent: %v", err)
	}
	if m["status"] == "authorization_required" {
		t.Fatalf("still asks for authorization: %s", text)
	}
	return m
}

// TestWholeLoopOverStreamableHTTP runs a call, follows its authorization
// link through the connect page, the sandbox's consent form and the
// callback, and repeats the call, with the official Go SDK client.
func TestWholeLoopOverStreamableHTTP(t *testing.T) {
	demo := startDemo(t, "http")
	call, names := sdkCaller(t, demo.MCPURL)
	for _, want := range []string{"gmail_search_messages", "gmail_get_message", "gmail_send_email", "gmail_trash_message"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools/list lacks %s: %v", want, names)
		}
	}

	subject := "Quarterly numbers " + time.Now().Format("150405.000")
	send := map[string]any{"to": []string{"demo.user@example.com"}, "subject": subject, "body": "See attached."}
	s, text, isErr := call(t, "gmail_send_email", send)
	ar := wantAuthRequired(t, s, text, isErr, "not_connected", scopeSend)
	if ar.Tool != "gmail_send_email" || ar.Provider != "google" || ar.Connection != "google" {
		t.Errorf("result names tool %q provider %q connection %q", ar.Tool, ar.Provider, ar.Connection)
	}

	final, _ := authorize(t, ar.AuthorizationURL, nil, "approve")
	if final.Status != http.StatusOK || final.ID() != "connected" || !strings.Contains(final.Body, "return to your assistant") {
		t.Fatalf("callback page: status %d id %q:\n%s", final.Status, final.ID(), final.Body)
	}

	s, text, isErr = call(t, "gmail_send_email", send)
	sent := wantSuccess(t, s, text, isErr)
	if sent["id"] == "" {
		t.Fatalf("send returned no message id: %s", s)
	}

	// Searching needs a read scope the user has not granted: only that is asked for.
	search := map[string]any{"query": "subject:\"" + subject + "\""}
	s, text, isErr = call(t, "gmail_search_messages", search)
	ar = wantAuthRequired(t, s, text, isErr, "missing_scopes", scopeReadonly)
	if !slices.Contains(ar.GrantedScopes, scopeSend) {
		t.Errorf("granted_scopes = %v, want it to include gmail.send", ar.GrantedScopes)
	}
	final, consentURL := authorize(t, ar.AuthorizationURL, nil, "approve")
	if final.ID() != "connected" {
		t.Fatalf("second callback page id %q:\n%s", final.ID(), final.Body)
	}
	if u, _ := url.Parse(consentURL); strings.Contains(u.Query().Get("scope"), scopeSend) ||
		u.Query().Get("include_granted_scopes") != "true" || u.Query().Get("code_challenge_method") != "S256" {
		t.Errorf("incremental request %s must ask only for what is missing, with include_granted_scopes and PKCE", consentURL)
	}

	s, text, isErr = call(t, "gmail_search_messages", search)
	found := wantSuccess(t, s, text, isErr)
	msgs, _ := found["messages"].([]any)
	if len(msgs) == 0 || !strings.Contains(text, subject) {
		t.Fatalf("search for the sent message found nothing: %s", text)
	}
	// Send still works: incremental consent kept the earlier grant.
	s, text, isErr = call(t, "gmail_send_email", send)
	wantSuccess(t, s, text, isErr)
}

// TestPartialGrantAndDenialOverSSE unticks a scope on the consent form,
// then denies, with mcp-go's client over SSE.
func TestPartialGrantAndDenialOverSSE(t *testing.T) {
	demo := startDemo(t, "sse")
	call, _ := mcpGoCaller(t, demo.MCPURL)

	search := map[string]any{"query": "in:inbox"}
	s, text, isErr := call(t, "gmail_search_messages", search)
	ar := wantAuthRequired(t, s, text, isErr, "not_connected", scopeReadonly)
	if final, _ := authorize(t, ar.AuthorizationURL, nil, "approve"); final.ID() != "connected" {
		t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
	}

	// Partial grant: the user unticks the send scope and keeps the rest.
	send := map[string]any{"to": []string{"ana@example.com"}, "subject": "hi", "body": "hello"}
	s, text, isErr = call(t, "gmail_send_email", send)
	ar = wantAuthRequired(t, s, text, isErr, "missing_scopes", scopeSend)
	final, _ := authorize(t, ar.AuthorizationURL, func(scope string) bool { return scope != scopeSend }, "approve")
	if final.ID() != "partial" || !strings.Contains(final.Body, "gmail_send_email") {
		t.Fatalf("partial grant page id %q should name what stays unavailable:\n%s", final.ID(), final.Body)
	}
	s, text, isErr = call(t, "gmail_search_messages", search)
	wantSuccess(t, s, text, isErr)
	s, text, isErr = call(t, "gmail_send_email", send)
	ar = wantAuthRequired(t, s, text, isErr, "missing_scopes", scopeSend)
	if !ar.MissingScopes[0].DeclinedBefore || !strings.Contains(text, "declined") {
		t.Errorf("the next request should say the user declined before: %s", text)
	}
	if !slices.Contains(ar.GrantedScopes, scopeReadonly) || slices.Contains(ar.GrantedScopes, scopeSend) {
		t.Errorf("granted_scopes = %v, want read kept and send absent", ar.GrantedScopes)
	}

	// Denial: nothing changes but the record of what was declined.
	final, _ = authorize(t, ar.AuthorizationURL, nil, "deny")
	if final.ID() != "denied" {
		t.Fatalf("denial page id %q:\n%s", final.ID(), final.Body)
	}
	s, text, isErr = call(t, "gmail_search_messages", search)
	wantSuccess(t, s, text, isErr)
	s, text, isErr = call(t, "gmail_send_email", send)
	wantAuthRequired(t, s, text, isErr, "missing_scopes", scopeSend)
}

// TestCallbackRefusesBadState sends forged and replayed states to the
// callback: each gets a clear page and changes nothing.
func TestCallbackRefusesBadState(t *testing.T) {
	demo := startDemo(t, "http")
	call, _ := sdkCaller(t, demo.MCPURL)

	forged := get(t, demo.WebURL+"/oauth/callback?state=forged&code=whatever")
	if forged.Status != http.StatusBadRequest || forged.ID() != "unknown-state" {
		t.Errorf("forged state: status %d id %q", forged.Status, forged.ID())
	}
	missing := get(t, demo.WebURL+"/oauth/callback?code=whatever")
	if missing.Status != http.StatusBadRequest || missing.ID() != "bad-callback" {
		t.Errorf("missing state: status %d id %q", missing.Status, missing.ID())
	}
	unknownLink := get(t, demo.WebURL+"/connect/not-a-link")
	if unknownLink.Status != http.StatusNotFound || unknownLink.ID() != "unknown-link" {
		t.Errorf("unknown link: status %d id %q", unknownLink.Status, unknownLink.ID())
	}

	send := map[string]any{"to": []string{"ana@example.com"}, "subject": "hi", "body": "hello"}
	s, text, isErr := call(t, "gmail_send_email", send)
	ar := wantAuthRequired(t, s, text, isErr, "not_connected", scopeSend)
	final, _ := authorize(t, ar.AuthorizationURL, nil, "approve")
	if final.ID() != "connected" {
		t.Fatalf("callback page id %q", final.ID())
	}

	replayed := get(t, final.URL)
	if replayed.Status != http.StatusBadRequest || replayed.ID() != "replayed-state" {
		t.Errorf("replayed callback: status %d id %q", replayed.Status, replayed.ID())
	}
	used := get(t, ar.AuthorizationURL)
	if used.Status != http.StatusGone || used.ID() != "used-link" {
		t.Errorf("used link: status %d id %q", used.Status, used.ID())
	}
	s, text, isErr = call(t, "gmail_send_email", send)
	wantSuccess(t, s, text, isErr)
	if strings.Contains(demo.Stderr(), "code=") {
		t.Errorf("logs mention an authorization code:\n%s", demo.Stderr())
	}
}

// TestBadArgumentsGetClearErrors sends wrong types and missing fields.
func TestBadArgumentsGetClearErrors(t *testing.T) {
	demo := startDemo(t, "http")
	call, _ := sdkCaller(t, demo.MCPURL)
	tests := []struct {
		name string
		tool string
		args map[string]any
		want string
	}{
		{"wrong type", "gmail_search_messages", map[string]any{"max_results": "ten"}, "max_results"},
		{"missing required", "gmail_get_message", map[string]any{}, "message_id"},
		{"unknown field", "gmail_trash_message", map[string]any{"message_id": "1", "force": true}, "force"},
		{"bad address", "gmail_send_email", map[string]any{"to": []string{"not an address"}, "subject": "s", "body": "b"}, "not an email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, text, isErr := call(t, tt.tool, tt.args)
			if !isErr || !strings.Contains(text, tt.want) {
				t.Errorf("%s(%v) = %q (isError %v), want an error naming %q", tt.tool, tt.args, text, isErr, tt.want)
			}
		})
	}
}

// TestEveryProviderInTheDemo runs the whole loop once per provider the
// demo emulates: a read that needs authorization, the provider's consent
// page, and the same read again.
func TestEveryProviderInTheDemo(t *testing.T) {
	demo := startDemo(t, "http")
	call, _ := sdkCaller(t, demo.MCPURL)
	tests := []struct {
		tool, provider, connection string
		args                       map[string]any
	}{
		{"calendar_list_calendars", "google", "google", map[string]any{}},
		{"outlook_search_messages", "microsoft", "microsoft", map[string]any{}},
		{"slack_list_channels", "slack", "slack", map[string]any{}},
		{"jira_list_projects", "atlassian", "atlassian", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			s, text, isErr := call(t, tt.tool, tt.args)
			var ar authResult
			if err := json.Unmarshal(s, &ar); err != nil || isErr || ar.Status != "authorization_required" {
				t.Fatalf("%s on a fresh store = %s (isError %v)", tt.tool, text, isErr)
			}
			if ar.Provider != tt.provider || ar.Connection != tt.connection || ar.Reason != "not_connected" {
				t.Errorf("result names provider %q connection %q reason %q", ar.Provider, ar.Connection, ar.Reason)
			}
			final, _ := authorize(t, ar.AuthorizationURL, nil, "approve")
			if final.ID() != "connected" {
				t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
			}
			s, text, isErr = call(t, tt.tool, tt.args)
			wantSuccess(t, s, text, isErr)
		})
	}
}
