package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
)

// goldenSlack answers every request from testdata/slack: /api/METHOD with METHOD.json, and
// upload URLs with Slack's "OK - <length>". It never reaches the network.
type goldenSlack struct {
	t    *testing.T
	mu   sync.Mutex
	sent []*http.Request
}

func (g *goldenSlack) RoundTrip(req *http.Request) (*http.Response, error) {
	g.mu.Lock()
	g.sent = append(g.sent, req)
	g.mu.Unlock()
	if strings.HasPrefix(req.URL.Path, "/upload/v1/") {
		n, _ := io.Copy(io.Discard, req.Body)
		return answer(http.StatusOK, "text/plain", "OK - "+strconv.FormatInt(n, 10)), nil
	}
	method, ok := strings.CutPrefix(req.URL.Path, "/api/")
	if !ok || req.URL.Host != "slack.com" {
		g.t.Errorf("request to %s, want only slack.com/api and files.slack.com/upload", req.URL)
		return answer(http.StatusNotFound, "text/plain", "not found"), nil
	}
	body, err := os.ReadFile("../../testdata/slack/" + method + ".json")
	if err != nil {
		g.t.Errorf("no golden answer for %s: %v", method, err)
		return answer(http.StatusNotFound, "text/plain", "not found"), nil
	}
	return answer(http.StatusOK, "application/json; charset=utf-8", string(body)), nil
}

func answer(status int, contentType, body string) *http.Response {
	return &http.Response{StatusCode: status, Status: http.StatusText(status),
		Header: http.Header{"Content-Type": {contentType}},
		Body:   io.NopCloser(strings.NewReader(body))}
}

// args are a tool call's arguments.
type args = map[string]any

// runGolden runs a tool against the golden answers and decodes its structured result.
func runGolden(t *testing.T, tool registry.Tool, in any, out any) *goldenSlack {
	t.Helper()
	g := &goldenSlack{t: t}
	call := &registry.Call{HTTP: &http.Client{Transport: g}}
	raw, _ := json.Marshal(in)
	res, err := tool.Handler(context.Background(), call, raw)
	if err != nil {
		t.Fatalf("%s: %v", tool.Name, err)
	}
	data, _ := json.Marshal(res.Structured)
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
	if res.Text == "" {
		t.Errorf("%s returned no text", tool.Name)
	}
	return g
}

func TestGoldenChannels(t *testing.T) {
	var got ListChannelsOutput
	runGolden(t, listChannels(), args{"limit": 2}, &got)
	want := ListChannelsOutput{Channels: []Channel{
		{ID: "C04TQ2X8K1M", Name: "announcements", AppIsMember: true, Members: 41,
			Topic: "News for everyone", Purpose: "Company-wide news.",
			Created: "2023-04-12T09:20:01Z"},
		{ID: "C05HZ7LMN2P", Name: "release-train", Archived: true, Members: 7,
			Created: "2023-08-02T10:34:04Z"},
	}, NextCursor: "dGVhbTpDMDVKMlFXRVJUWQ=="}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("slack_list_channels on conversations.list.json (-want +got):\n%s", diff)
	}

	var joined JoinOutput
	runGolden(t, joinChannel(), args{"channel_id": "C04TQ2X8K1M"}, &joined)
	if !joined.AlreadyMember || joined.Channel.Name != "announcements" {
		t.Errorf("slack_join_channel on conversations.join.json = %+v", joined)
	}
	var created Channel
	runGolden(t, createChannel(), args{"name": "q3-planning"}, &created)
	if created.ID != "C06NEWCHAN1" || !created.AppIsMember {
		t.Errorf("slack_create_channel on conversations.create.json = %+v", created)
	}
}

func TestGoldenMessages(t *testing.T) {
	var history HistoryOutput
	runGolden(t, readChannelHistory(), args{"channel_id": "C04TQ2X8K1M", "limit": 3},
		&history)
	if len(history.Messages) != 3 || history.NextCursor != "bmV4dF90czoxNzE2NzcwNDAxMDAwMTAw" {
		t.Fatalf("history = %+v", history)
	}
	want := Message{TS: "1716770402.000200", Time: "2024-05-27T00:40:02Z", User: "U05BOT00001",
		BotID: "B05BOT00001", Text: "Nightly build 2291 passed.", Files: []string{"build-2291.log"}}
	if diff := cmp.Diff(want, history.Messages[2]); diff != "" {
		t.Errorf("bot message with a file (-want +got):\n%s", diff)
	}
	if history.Messages[1].ReplyCount != 2 || history.Messages[1].ThreadTS != "1716812981.118409" {
		t.Errorf("thread parent = %+v", history.Messages[1])
	}

	var thread HistoryOutput
	g := runGolden(t, readChannelHistory(), args{"channel_id": "C04TQ2X8K1M",
		"thread_ts": "1716812981.118409"}, &thread)
	if len(thread.Messages) != 2 || thread.Messages[1].Text != "Watching the error rate." ||
		thread.NextCursor != "" {
		t.Errorf("thread = %+v", thread)
	}
	if p := g.sent[0].URL.Path; p != "/api/conversations.replies" {
		t.Errorf("thread read called %s, want conversations.replies", p)
	}

	var sent SendOutput
	g = runGolden(t, sendMessage(), args{"channel_id": "C04TQ2X8K1M",
		"text": "The 3.18 rollout is complete.", "thread_ts": "1716812981.118409"}, &sent)
	wantSent := SendOutput{ChannelID: "C04TQ2X8K1M", TS: "1716814133.552109",
		ThreadTS: "1716812981.118409"}
	if sent != wantSent {
		t.Errorf("send = %+v", sent)
	}
	if ct := g.sent[0].Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("chat.postMessage sent %q, want JSON with its charset", ct)
	}
}

func TestGoldenPeople(t *testing.T) {
	var people ListUsersOutput
	runGolden(t, listUsers(), args{"include_bots": true}, &people)
	want := []User{
		{ID: "U04TQ2X9A7B", Name: "marta", RealName: "Marta Lindqvist", DisplayName: "marta",
			Title: "Head of platform", TimeZone: "Europe/Stockholm", Admin: true},
		{ID: "U05BOT00001", Name: "releasebot", RealName: "Release bot",
			TimeZone: "America/Los_Angeles", Bot: true},
	}
	if diff := cmp.Diff(want, people.Users); diff != "" || people.NextCursor != "" {
		t.Errorf("users.list.json (-want +got):\n%s\ncursor %q", diff, people.NextCursor)
	}
	var found User
	runGolden(t, findUserByEmail(), args{"email": "ike@example.org"}, &found)
	if found.ID != "U05A1B2C3D4" || found.Email != "ike@example.org" ||
		found.Title != "Support engineer" {
		t.Errorf("users.lookupByEmail.json = %+v", found)
	}
}

func TestGoldenFiles(t *testing.T) {
	var files ListFilesOutput
	runGolden(t, listFiles(), args{}, &files)
	if len(files.Files) != 2 || files.Total != 2 || files.Pages != 1 {
		t.Fatalf("files.list.json = %+v", files)
	}
	want := File{ID: "F05PDF00002", Name: "postmortem-0412.pdf", Title: "Postmortem 04-12",
		Type: "pdf", Mimetype: "application/pdf", Size: 204881, User: "U04TQ2X9A7B",
		Created:   "2024-05-23T21:33:20Z",
		Permalink: "https://example-co.slack.com/files/U04TQ2X9A7B/F05PDF00002/postmortem-0412.pdf",
		SharedIn:  []string{"C05PRIV0001", "D05DM000001"}}
	if diff := cmp.Diff(want, files.Files[1]); diff != "" {
		t.Errorf("file shared privately (-want +got):\n%s", diff)
	}

	var up UploadOutput
	g := runGolden(t, uploadFile(), args{"filename": "rollout-notes.md",
		"content": "# Notes\n",
		"title":   "Rollout notes", "channel_id": "C04TQ2X8K1M"}, &up)
	if up.File.ID != "F06UPLOAD01" || up.File.Type != "markdown" ||
		up.File.SharedIn[0] != "C04TQ2X8K1M" {
		t.Errorf("upload = %+v", up)
	}
	var paths []string
	for _, r := range g.sent {
		paths = append(paths, r.URL.Host+r.URL.Path)
	}
	wantPaths := []string{"slack.com/api/files.getUploadURLExternal",
		"files.slack.com/upload/v1/CwABAAAAXAoAAZnZ5oYz",
		"slack.com/api/files.completeUploadExternal"}
	if diff := cmp.Diff(wantPaths, paths); diff != "" {
		t.Errorf("upload flow (-want +got):\n%s", diff)
	}
}
