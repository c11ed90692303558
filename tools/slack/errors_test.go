package slack_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	sandbox "github.com/scopegate/scopegate/tools/sandbox/slack"
	"github.com/scopegate/scopegate/tools/slack"
)

// everyBotScope and everyUserScope are what the tools need on each token.
var (
	everyBotScope = []registry.Scope{registry.SlackChannelsRead, registry.SlackChannelsHistory,
		registry.SlackChannelsJoin, registry.SlackChannelsManage, registry.SlackChatWrite,
		registry.SlackUsersRead, registry.SlackUsersReadEmail, registry.SlackFilesWrite}
	everyUserScope = []registry.Scope{registry.SlackFilesRead}
)

func TestProviderErrorsReadForTheModel(t *testing.T) {
	h := newHarness(t, everyBotScope, everyUserScope)
	tests := []struct {
		tool string
		args args
		want []string
	}{
		{"slack_list_channels", args{"cursor": "bm9wZQ=="},
			[]string{"invalid_cursor", "start again"}},
		{"slack_read_channel_history", args{"channel_id": "C07RANDOM0"},
			[]string{"not_in_channel", "Call slack_join_channel"}},
		{"slack_list_users", args{"cursor": "bm9wZQ=="}, []string{"invalid_cursor"}},
		{"slack_get_user", args{"user_id": "U0000NONE"},
			[]string{"user_not_found", "slack_list_users"}},
		{"slack_find_user_by_email", args{"email": "zed@example.com"}, []string{"users_not_found"}},
		{"slack_list_files", args{"user_id": "U0000NONE"}, []string{"user_not_found"}},
		{"slack_join_channel", args{"channel_id": "C07OLDPROJ"}, []string{"is_archived"}},
		{"slack_join_channel", args{"channel_id": "C07LEADERS"},
			[]string{"channel_not_found", "slack_list_channels"}},
		{"slack_create_channel", args{"name": "general"},
			[]string{"name_taken", "include_archived"}},
		{"slack_send_message", args{"channel_id": "C07RANDOM0", "text": "hi"},
			[]string{"not_in_channel", "slack_join_channel"}},
		{"slack_send_message",
			args{"channel_id": "C07GENERAL", "text": "hi", "thread_ts": "1.000001"},
			[]string{"thread_not_found"}},
		{"slack_upload_file", args{"filename": "a.txt", "content": "a", "channel_id": "C07RANDOM0"},
			[]string{"not_in_channel", "slack_join_channel"}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			r := h.Call(t, tt.tool, tt.args)
			if !r.IsError {
				t.Fatalf("%s(%v) succeeded, want Slack's refusal: %s", tt.tool, tt.args, r.Text)
			}
			if !mentions(r.Text, tt.want...) {
				t.Errorf("%s = %q, want it to mention %q", tt.tool, r.Text, tt.want)
			}
		})
	}
}

// TestRateLimits checks Slack's HTTP 429: a read waits out a short Retry-After in the gate,
// while a write, or a wait too long, reaches the model with when to try again.
func TestRateLimits(t *testing.T) {
	var reads atomic.Int32
	limit := func(method string) time.Duration {
		switch method {
		case "chat.postMessage", "conversations.list":
			return 30 * time.Second
		case "users.list":
			if reads.Add(1) == 1 {
				return time.Second
			}
		}
		return 0
	}
	h := scopechecktest.New(t, slack.Tools(), scopechecktest.SlackSandboxWith(
		func(o *sandbox.Options) { o.RateLimit = limit }, nil))
	h.GrantOn(t, "slack", everyBotScope...)

	r := h.Call(t, "slack_send_message", args{"channel_id": "C07GENERAL", "text": "hi"})
	if !r.IsError || !mentions(r.Text, "rate limit", "Wait 30 seconds") {
		t.Errorf("rate-limited send = %q, want when to try again", r.Text)
	}
	r = h.Call(t, "slack_list_channels", args{})
	if !r.IsError || !strings.Contains(r.Text, "Wait 30 seconds") {
		t.Errorf("read limited for long = %q, want when to try again", r.Text)
	}
	start := time.Now()
	h.MustSucceed(t, "slack_list_users", args{})
	if waited := time.Since(start); waited < time.Second || reads.Load() != 2 {
		t.Errorf("users.list took %v over %d calls, want the gate to wait a second and retry once",
			waited, reads.Load())
	}
}

// TestSlackRefusingAGrantedScopeCorrectsTheGrant stores a grant that claims more than Slack
// holds: Slack's missing_scope then becomes an authorization request, and the stored grant
// loses the scope.
func TestSlackRefusingAGrantedScopeCorrectsTheGrant(t *testing.T) {
	h := newHarness(t, []registry.Scope{registry.SlackUsersRead}, nil)
	ctx := context.Background()
	acct, err := h.Store.Account(ctx, scopechecktest.Identifier, "slack")
	if err != nil {
		t.Fatal(err)
	}
	acct.Granted = acct.Granted.Union(registry.ScopeSet{registry.SlackUsersReadEmail})
	if err := h.Store.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}

	ar := h.Call(t, "slack_find_user_by_email", args{"email": "bo@example.com"}).
		AuthorizationRequired(t)
	if ar.Reason != "provider_refused_scope" ||
		ar.MissingScopes[0].Scope != string(registry.SlackUsersReadEmail) {
		t.Errorf("result = %s %+v, want provider_refused_scope asking for users:read.email",
			ar.Reason, ar.MissingScopes)
	}
	acct, _ = h.Store.Account(ctx, scopechecktest.Identifier, "slack")
	if g := acct.Granted; g.Has(registry.SlackUsersReadEmail) || !g.Has(registry.SlackUsersRead) {
		t.Errorf("stored grant = %v, want users:read only", acct.Granted)
	}
}

// TestPrivateConversationsAreOutsideTheHistoryTool reads a private channel the app is in:
// Slack wants groups:history, which the tool does not ask for, so the answer says so and the
// stored grant keeps channels:history.
func TestPrivateConversationsAreOutsideTheHistoryTool(t *testing.T) {
	h := newHarness(t, []registry.Scope{registry.SlackChannelsHistory}, nil)
	r := h.Call(t, "slack_read_channel_history", args{"channel_id": "C07DEPLOYS"})
	if !r.IsError || !mentions(r.Text, "groups:history", "public channels only") {
		t.Errorf("private channel = %q, want a refusal naming groups:history", r.Text)
	}
	acct, _ := h.Store.Account(context.Background(), scopechecktest.Identifier, "slack")
	if !acct.Granted.Has(registry.SlackChannelsHistory) {
		t.Errorf("stored grant = %v; a refusal for another conversation type must not shrink it",
			acct.Granted)
	}
}

// TestGateSendsSlackTokensAsBearer checks the Authorization header the gate sends: Slack
// takes tokens only with the Bearer scheme, whatever token_type its OAuth answer named ("bot"
// or "user"), and refuses anything else with invalid_auth.
func TestGateSendsSlackTokensAsBearer(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	logTo := func(o *sandbox.Options) {
		o.Logger = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	}
	h := scopechecktest.New(t, slack.Tools(), scopechecktest.SlackSandboxWith(logTo, nil))
	h.GrantOn(t, "slack", registry.SlackUsersRead)
	h.Call(t, "slack_list_users", args{})
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), "does not use the Bearer scheme") {
		t.Error("the gate sent the Slack token without the Bearer scheme (the stored token_type " +
			"\"bot\" or \"user\" is not an HTTP authorization scheme); Slack answers invalid_auth")
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestRevokedTokenSaysSo(t *testing.T) {
	h := newHarness(t, []registry.Scope{registry.SlackUsersRead}, nil)
	acct, err := h.Store.Account(context.Background(), scopechecktest.Identifier, "slack")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/sandbox/slack"+sandbox.RevokePath, nil)
	req.Header.Set("Authorization", "Bearer "+acct.Token.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// Slack says token_revoked with HTTP 200: the account needs a new
	// authorization, and the answer offers the link for it.
	revokedToken := acct.Token.AccessToken
	for range 2 {
		r := h.Call(t, "slack_list_users", args{})
		if strings.Contains(r.Text, revokedToken) {
			t.Errorf("the result holds the token: %s", r.Text)
		}
		ar := r.AuthorizationRequired(t)
		if ar.Reason != "needs_reauthorization" || ar.AuthorizationURL == "" {
			t.Errorf("revoked token = %+v, want needs_reauthorization with a link", ar)
		}
	}
	acct, err = h.Store.Account(context.Background(), scopechecktest.Identifier, "slack")
	if err != nil || acct.Status != "needs_reauthorization" {
		t.Fatalf("account after Slack revoked its token = %+v, %v, want needs_reauthorization", acct, err)
	}

	// Connecting again brings the tool back.
	h.GrantOn(t, "slack", registry.SlackUsersRead)
	h.MustSucceed(t, "slack_list_users", args{})
}

// mentions reports whether text contains every one of words.
func mentions(text string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}
