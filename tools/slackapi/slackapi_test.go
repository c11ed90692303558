package slackapi

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
)

func golden(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../testdata/slack/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExplainGoldenRefusals(t *testing.T) {
	history := registry.AnyOf(registry.SlackChannelsHistory)
	chat := registry.AnyOf(registry.SlackChatWrite)
	tests := []struct {
		name   string
		file   string
		status int
		header http.Header
		req    registry.Requirement
		hints  Hints
		want   []string // in the ToolError's message; nil means a ScopeError
	}{
		{"missing scope the tool relies on", "error.missing_scope.json", 200, nil, chat, nil, nil},
		{"missing scope of another conversation type", "error.missing_scope_other_type.json",
			200, nil, history, Hints{"missing_scope": "Public channels only."},
			[]string{"needs groups:history", "Public channels only."}},
		{"revoked", "error.token_revoked.json", 200, nil, chat, nil, []string{revokedMark}},
		{"not in channel with the tool's hint", "error.not_in_channel.json", 200, nil, chat,
			Hints{"not_in_channel": "Call slack_join_channel first."},
			[]string{"not_in_channel", "not a member", "Call slack_join_channel first."}},
		{"rate limited", "error.ratelimited.json", 429, http.Header{"Retry-After": {"17"}},
			chat, nil,
			[]string{"rate limit for chat.postMessage", "Wait 17 seconds"}},
		{"invalid arguments with Slack's notes", "error.invalid_arguments.json", 200, nil,
			chat, nil,
			[]string{"invalid_arguments", "missing required field: channel"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decoded := Decode("chat.postMessage", tt.status, tt.header, golden(t, tt.file), nil)
			err := Explain(decoded, tt.req, tt.hints)
			if tt.want == nil {
				var se *registry.ScopeError
				if !errors.As(err, &se) || se.Missing.String() != "chat:write" {
					t.Fatalf("Explain = %v, want a ScopeError missing chat:write", err)
				}
				return
			}
			if tt.want[0] == revokedMark {
				var re *registry.RevokedError
				if !errors.As(err, &re) || !strings.Contains(re.Detail, "token_revoked") {
					t.Fatalf("Explain = %#v, want a RevokedError naming token_revoked", err)
				}
				return
			}
			var te *registry.ToolError
			if !errors.As(err, &te) {
				t.Fatalf("Explain = %#v, want a ToolError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(te.Message, w) {
					t.Errorf("message %q lacks %q", te.Message, w)
				}
			}
		})
	}
}

func TestDecodeOddAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"server error page", 503, "<html>down</html>", "temporary problem"},
		{"not JSON with 200", 200, "<html>", "could not read"},
		{"other status", 404, "", "HTTP 404"},
		{"ok false without a code", 200, `{"ok":false}`, "unknown_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decoded := Decode("users.list", tt.status, http.Header{}, []byte(tt.body), nil)
			err := Explain(decoded, nil, nil)
			var te *registry.ToolError
			if !errors.As(err, &te) || !strings.Contains(te.Message, tt.want) {
				t.Errorf("Decode(%d, %q) = %v, want a ToolError mentioning %q", tt.status, tt.body,
					err, tt.want)
			}
		})
	}
	var out struct {
		Members []struct {
			ID string `json:"id"`
		} `json:"members"`
	}
	err := Decode("users.list", 200, http.Header{}, golden(t, "users.list.json"), &out)
	if err != nil || len(out.Members) != 2 {
		t.Errorf("Decode(users.list.json) = %v, %+v", err, out)
	}
}

// pagedSlack serves a list of five channels in pages of at most limit, recording requests.
type pagedSlack struct {
	forms []url.Values
	paths []string
}

func (p *pagedSlack) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	form, _ := url.ParseQuery(string(body))
	p.forms = append(p.forms, form)
	p.paths = append(p.paths, req.URL.Host+req.URL.Path)
	ids := []string{"C1", "C2", "C3", "C4", "C5"}
	start := 0
	if c := form.Get("cursor"); c != "" {
		pos, _ := base64.StdEncoding.DecodeString(c)
		for i, id := range ids {
			if id == string(pos) {
				start = i
			}
		}
	}
	// Slack may return fewer than asked: this one never returns more than two.
	n := min(2, len(ids)-start)
	if l := form.Get("limit"); l == "1" {
		n = 1
	}
	var b strings.Builder
	b.WriteString(`{"ok":true,"channels":[`)
	for i := start; i < start+n; i++ {
		if i > start {
			b.WriteString(",")
		}
		b.WriteString(`{"id":"` + ids[i] + `"}`)
	}
	next := ""
	if start+n < len(ids) {
		next = base64.StdEncoding.EncodeToString([]byte(ids[start+n]))
	}
	b.WriteString(`],"response_metadata":{"next_cursor":"` + next + `"}}`)
	return &http.Response{StatusCode: 200, Header: http.Header{},
		Body: io.NopCloser(strings.NewReader(b.String()))}, nil
}

func TestListFollowsCursors(t *testing.T) {
	type item struct {
		ID string `json:"id"`
	}
	p := &pagedSlack{}
	call := &registry.Call{HTTP: &http.Client{Transport: p}, APIBaseURL: "http://sandbox.test"}
	c := New(call, nil, nil)
	items, next, err := List[item](context.Background(), c, "conversations.list", "channels",
		url.Values{"types": {"public_channel"}}, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]item{{"C1"}, {"C2"}, {"C3"}}, items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if next == "" {
		t.Error("no cursor after three of five items")
	}
	limits := []string{p.forms[0].Get("limit"), p.forms[1].Get("limit")}
	if !cmp.Equal(limits, []string{"3", "1"}) {
		t.Errorf("limits asked = %v, want 3 then the 1 still missing", limits)
	}
	if p.paths[0] != "sandbox.test/api/conversations.list" ||
		p.forms[1].Get("types") != "public_channel" {
		t.Errorf("requests = %v %v", p.paths, p.forms)
	}

	rest, next, err := List[item](context.Background(), c, "conversations.list", "channels",
		nil, next, 10)
	if err != nil || len(rest) != 2 || next != "" {
		t.Errorf("rest = %v, cursor %q, %v; want C4 and C5 and no cursor", rest, next, err)
	}
}

func TestUploadGoesOnlyToSlack(t *testing.T) {
	p := &pagedSlack{}
	tests := []struct {
		api, upload string
		ok          bool
	}{
		{"", "https://files.slack.com/upload/v1/abc", true},
		{"http://127.0.0.1:9/sb", "http://127.0.0.1:9/sb/upload/v1/abc", true},
		{"", "http://files.slack.com/upload/v1/abc", false},
		{"", "https://files.slack.com.evil.example/upload", false},
		{"http://127.0.0.1:9/sb", "http://127.0.0.1:10/upload/v1/abc", false},
		{"", "://bad", false},
	}
	for _, tt := range tests {
		c := New(&registry.Call{HTTP: &http.Client{Transport: p}, APIBaseURL: tt.api}, nil, nil)
		before := len(p.paths)
		err := c.Upload(context.Background(), tt.upload, []byte("x"))
		sent := len(p.paths) > before
		if (err == nil) != tt.ok || sent != tt.ok {
			t.Errorf("Upload(%q) with API at %q = %v (sent %v), want allowed %v",
				tt.upload, tt.api, err, sent, tt.ok)
		}
	}
}

// revokedMark in a case's want means Explain must say the token no longer
// works at all.
const revokedMark = "(revoked)"
