package slack

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestScopesAreCheckedPerTokenKind(t *testing.T) {
	e := newEnv(t)
	// channels:write is in conversations.create's bot column, so a bot may hold it, but
	// conversations.join takes it only from user tokens.
	bot, user := e.tokens(t, "channels:read,channels:history,channels:write",
		"channels:write,users:read")
	tests := []struct {
		name            string
		token, method   string
		args            url.Values
		wantErr, needed string
	}{
		{"bot lacks users:read", bot, "users.list", nil, "missing_scope", "users:read"},
		{"user holds users:read", user, "users.list", nil, "", ""},
		{"bot join takes channels:join only", bot, "conversations.join",
			form("channel", "C07RANDOM0"), "missing_scope", "channels:join"},
		{"user join takes channels:write", user, "conversations.join",
			form("channel", "C07RANDOM0"), "", ""},
		{"listing a type needs that type's scope", bot, "conversations.list",
			url.Values{"types": {"public_channel,im"}}, "missing_scope", "im:read"},
		{"private history needs groups:history", bot, "conversations.history",
			form("channel", "C07DEPLOYS"), "missing_scope", "groups:history"},
		{"none of the alternatives", user, "conversations.history",
			form("channel", "C07GENERAL"), "missing_scope",
			"channels:history,groups:history,im:history,mpim:history"},
		{"bots read only where they are members", bot, "conversations.history",
			form("channel", "C07RANDOM0"), "not_in_channel", ""},
		{"private channels of others are not found", bot, "conversations.history",
			form("channel", "C07LEADERS"), "channel_not_found", ""},
		{"private channels cannot be joined", user, "conversations.join",
			form("channel", "C07LEADERS"), "method_not_supported_for_channel_type", ""},
		{"archived channels cannot be joined", user, "conversations.join",
			form("channel", "C07OLDPROJ"), "is_archived", ""},
		{"no token", "", "auth.test", nil, "not_authed", ""},
		{"unknown token", "xoxb-0-0-nope", "auth.test", nil, "invalid_auth", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := e.call(t, tt.token, tt.method, tt.args)
			if tt.wantErr == "" {
				if body["ok"] != true {
					t.Fatalf("%s = %v, want ok", tt.method, body)
				}
				return
			}
			if got := errorOf(t, body); got != tt.wantErr {
				t.Fatalf("%s error = %q, want %q (%v)", tt.method, got, tt.wantErr, body)
			}
			if tt.needed != "" && body["needed"] != tt.needed {
				t.Errorf("needed = %v, want %s", body["needed"], tt.needed)
			}
			if tt.wantErr == "missing_scope" && body["provided"] == nil {
				t.Error("missing_scope without provided")
			}
		})
	}
}

func TestAuthorizationHeaderNeedsBearer(t *testing.T) {
	e := newEnv(t)
	bot, _ := e.tokens(t, "users:read", "")
	for scheme, want := range map[string]string{"Bearer": "", "bearer": "", "bot": "invalid_auth"} {
		req, _ := http.NewRequest(http.MethodPost, e.ep.APIURL+"api/auth.test", nil)
		req.Header.Set("Authorization", scheme+" "+bot)
		_, body := do(t, req)
		if got, _ := body["error"].(string); got != want {
			t.Errorf("Authorization: %s <token>: error = %q, want %q", scheme, got, want)
		}
	}
}

func TestEmailsOnlyWithUsersReadEmail(t *testing.T) {
	e := newEnv(t)
	bot, user := e.tokens(t, "users:read", "users:read,users:read.email")
	email := func(token string) any {
		body := e.call(t, token, "users.info", form("user", installerID))
		return body["user"].(map[string]any)["profile"].(map[string]any)["email"]
	}
	if got := email(bot); got != nil {
		t.Errorf("users:read alone shows email %v", got)
	}
	if got := email(user); got != "ana@example.com" {
		t.Errorf("users:read.email shows email %v, want ana@example.com", got)
	}
	if got := e.refusal(t, bot, "users.lookupByEmail",
		form("email", "ana@example.com")); got != "missing_scope" {
		t.Errorf("lookupByEmail without users:read.email: error = %q", got)
	}
	if got := e.refusal(t, user, "users.lookupByEmail",
		form("email", "zed@example.com")); got != "users_not_found" {
		t.Errorf("lookupByEmail of a stranger: error = %q", got)
	}
}

// pageThrough calls method with limit 2 until next_cursor is empty, returning the ids (or
// ts) found under field.
func pageThrough(t *testing.T, e *env, token, method, field string, args url.Values) []string {
	t.Helper()
	var got []string
	cursor := ""
	for range 20 {
		a := form("limit", "2", "cursor", cursor)
		for k, v := range args {
			a[k] = v
		}
		body := e.call(t, token, method, a)
		if body["ok"] != true {
			t.Fatalf("%s = %v", method, body)
		}
		for _, item := range body[field].([]any) {
			m := item.(map[string]any)
			if id, ok := m["id"].(string); ok {
				got = append(got, id)
			} else {
				got = append(got, m["ts"].(string))
			}
		}
		md, _ := body["response_metadata"].(map[string]any)
		if cursor, _ = md["next_cursor"].(string); cursor == "" {
			return got
		}
	}
	t.Fatalf("%s never ended", method)
	return nil
}

func TestCursorPaging(t *testing.T) {
	e := newEnv(t)
	bot, user := e.tokens(t, "channels:read,users:read",
		"channels:history,groups:read,channels:read")

	channels := pageThrough(t, e, bot, "conversations.list", "channels", nil)
	want := []string{"C07GENERAL", "C07RANDOM0", "C07ENGINRG", "C07OLDPROJ"}
	if !slices.Equal(channels, want) {
		t.Errorf("public channels = %v, want %v", channels, want)
	}
	mixed := pageThrough(t, e, user, "conversations.list", "channels",
		url.Values{"types": {"public_channel,private_channel"}, "exclude_archived": {"true"}})
	want = []string{"C07GENERAL", "C07RANDOM0", "C07ENGINRG", "C07LEADERS", "C07DEPLOYS"}
	if !slices.Equal(mixed, want) {
		t.Errorf("the installer's channels = %v, want %v", mixed, want)
	}
	people := pageThrough(t, e, bot, "users.list", "members", nil)
	if len(people) != 5 || people[0] != installerID {
		t.Errorf("users = %v, want the five seeded members, the installer first", people)
	}
	history := pageThrough(t, e, user, "conversations.history", "messages",
		form("channel", "C07ENGINRG"))
	newestFirst := func(a, b string) int { return strings.Compare(b, a) }
	if len(history) != 6 || !slices.IsSortedFunc(history, newestFirst) {
		t.Errorf("engineering history = %v, want six top-level messages newest first", history)
	}

	if got := e.refusal(t, bot, "conversations.list",
		form("cursor", "%%%")); got != "invalid_cursor" {
		t.Errorf("bad cursor: error = %q, want invalid_cursor", got)
	}
	if got := e.refusal(t, bot, "conversations.list",
		form("limit", "5000")); got != "invalid_limit" {
		t.Errorf("huge limit: error = %q, want invalid_limit", got)
	}
}

func TestPostReplyAndReadTheThread(t *testing.T) {
	e := newEnv(t)
	bot, _ := e.tokens(t, "chat:write,channels:history", "")
	posted := e.call(t, bot, "chat.postMessage",
		form("channel", "C07GENERAL", "text", "Build 812 is out."))
	if posted["ok"] != true || posted["channel"] != "C07GENERAL" {
		t.Fatalf("chat.postMessage = %v", posted)
	}
	msg := posted["message"].(map[string]any)
	if msg["bot_id"] != botID || msg["user"] != botUserID || msg["text"] != "Build 812 is out." {
		t.Errorf("posted message = %v, want the bot's", msg)
	}
	parent := posted["ts"].(string)
	e.clock.Advance(time.Minute)
	reply := e.call(t, bot, "chat.postMessage", url.Values{"channel": {"C07GENERAL"},
		"text": {"Release notes follow."}, "thread_ts": {parent}})
	if reply["message"].(map[string]any)["thread_ts"] != parent {
		t.Fatalf("reply = %v, want it in the thread", reply)
	}

	thread := e.call(t, bot, "conversations.replies", form("channel", "C07GENERAL", "ts", parent))
	msgs := thread["messages"].([]any)
	if len(msgs) != 2 || msgs[0].(map[string]any)["reply_count"] != 1.0 {
		t.Errorf("thread = %v, want the parent with reply_count 1, then the reply", msgs)
	}
	history := e.call(t, bot, "conversations.history", form("channel", "C07GENERAL", "limit", "1"))
	top := history["messages"].([]any)[0].(map[string]any)
	if top["ts"] != parent || history["has_more"] != true {
		t.Errorf("history = %v, want the parent first (replies stay in the thread)", history)
	}

	refusals := []struct{ channel, text, thread, want string }{
		{"C07RANDOM0", "hello", "", "not_in_channel"},
		{"C07LEADERS", "hello", "", "channel_not_found"},
		{"C07OLDPROJ", "hello", "", "is_archived"},
		{"C07GENERAL", "", "", "no_text"},
		{"C07GENERAL", "hello", "1.23", "thread_not_found"},
	}
	for _, r := range refusals {
		body := e.call(t, bot, "chat.postMessage",
			form("channel", r.channel, "text", r.text, "thread_ts", r.thread))
		if got := errorOf(t, body); got != r.want {
			t.Errorf("post %+v: error = %q, want %q", r, got, r.want)
		}
	}
}

func TestJSONBodiesOnlyWhereSlackReadsThem(t *testing.T) {
	e := newEnv(t)
	bot, _ := e.tokens(t, "chat:write,channels:read,groups:read", "")
	send := func(method string, v any) map[string]any {
		data, _ := json.Marshal(v)
		req, _ := http.NewRequest(http.MethodPost, e.ep.APIURL+"api/"+method, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Authorization", "Bearer "+bot)
		_, body := do(t, req)
		return body
	}
	body := send("chat.postMessage", map[string]any{"channel": "C07GENERAL", "text": "From JSON"})
	if body["ok"] != true {
		t.Errorf("chat.postMessage with JSON = %v", body)
	}
	// conversations.list does not read JSON, so types falls back to public channels.
	body = send("conversations.list", map[string]any{"types": "private_channel"})
	for _, c := range body["channels"].([]any) {
		if c.(map[string]any)["is_private"] == true {
			t.Errorf("conversations.list read types from a JSON body: %v", c)
		}
	}
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.RateLimit = func(method string) time.Duration {
			if method == "users.list" {
				return 2500 * time.Millisecond
			}
			return 0
		}
	})
	bot, _ := e.tokens(t, "users:read", "")
	req, _ := http.NewRequest(http.MethodGet, e.ep.APIURL+"api/users.list", nil)
	req.Header.Set("Authorization", "Bearer "+bot)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
		t.Errorf("rate limited users.list = %s, Retry-After %q; want 429 and 3", resp.Status,
			resp.Header.Get("Retry-After"))
	}
	if body := e.call(t, bot, "users.info", form("user", installerID)); body["ok"] != true {
		t.Errorf("another method was limited too: %v", body)
	}
}

func TestCreateChannelNames(t *testing.T) {
	e := newEnv(t)
	bot, _ := e.tokens(t, "channels:manage,channels:history", "")
	created := e.call(t, bot, "conversations.create", form("name", "launch-plans"))
	ch, _ := created["channel"].(map[string]any)
	if created["ok"] != true || ch["is_member"] != true || ch["creator"] != botUserID {
		t.Fatalf("conversations.create = %v, want the bot as creator and member", created)
	}
	if body := e.call(t, bot, "conversations.history",
		form("channel", ch["id"].(string))); body["ok"] != true {
		t.Errorf("the creator cannot read its new channel: %v", body)
	}
	for name, want := range map[string]string{
		"launch-plans": "name_taken", "general": "name_taken",
		"Launch Plans": "invalid_name_specials",
		"":             "invalid_name_required", "---": "invalid_name_punctuation",
	} {
		if got := e.refusal(t, bot, "conversations.create", form("name", name)); got != want {
			t.Errorf("create %q: error = %q, want %q", name, got, want)
		}
	}
	private := e.call(t, bot, "conversations.create", form("name", "secret", "is_private", "true"))
	if errorOf(t, private) != "missing_scope" || private["needed"] != "groups:write" {
		t.Errorf("private channel with channels:manage = %v, want missing_scope for groups:write",
			private)
	}
}

func TestUnknownMethod(t *testing.T) {
	e := newEnv(t)
	status, body := e.post(t, e.ep.APIURL+"api/files.upload", "", nil)
	if status != http.StatusNotFound || body["error"] != "unknown_method" {
		t.Errorf("files.upload = %d %v, want 404 unknown_method: only the external flow is offered",
			status, body)
	}
}

func TestAccountIsInstallerEmail(t *testing.T) {
	if got := New(Options{}).Account(); got != InstallerEmail {
		t.Errorf("Account() = %q, want InstallerEmail %q", got, InstallerEmail)
	}
}
