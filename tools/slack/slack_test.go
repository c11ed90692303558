package slack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/slack"
)

// args are a tool call's arguments.
type args = map[string]any

// scopes lists scopes, for newHarness.
func scopes(s ...registry.Scope) []registry.Scope { return s }

// newHarness serves the Slack tools against the Slack sandbox, with the bot and user grants
// given (either may be empty).
func newHarness(t *testing.T, bot, user []registry.Scope) *scopechecktest.Harness {
	t.Helper()
	h := scopechecktest.New(t, slack.Tools(), scopechecktest.SlackSandbox())
	if len(bot) > 0 {
		h.GrantOn(t, "slack", bot...)
	}
	if len(user) > 0 {
		h.GrantOn(t, "slack/user", user...)
	}
	return h
}

func TestJoinReadAndPostInAChannel(t *testing.T) {
	h := newHarness(t, []registry.Scope{registry.SlackChannelsRead, registry.SlackChannelsJoin,
		registry.SlackChannelsHistory, registry.SlackChatWrite}, nil)

	var list slack.ListChannelsOutput
	h.MustSucceed(t, "slack_list_channels", args{"limit": 2}).Decode(t, &list)
	if len(list.Channels) != 2 || list.NextCursor == "" {
		t.Fatalf("first page = %+v, want two channels and a cursor", list)
	}
	var rest slack.ListChannelsOutput
	h.MustSucceed(t, "slack_list_channels", args{"cursor": list.NextCursor}).Decode(t, &rest)
	if len(rest.Channels) != 1 || rest.Channels[0].Name != "engineering" ||
		rest.Channels[0].AppIsMember || rest.NextCursor != "" {
		t.Fatalf("second page = %+v, want only #engineering, without the app", rest)
	}

	r := h.Call(t, "slack_read_channel_history", args{"channel_id": "C07ENGINRG"})
	if !r.IsError || !strings.Contains(r.Text, "not_in_channel") ||
		!strings.Contains(r.Text, "slack_join_channel") {
		t.Fatalf("reading before joining = %q, want not_in_channel and slack_join_channel", r.Text)
	}
	var joined slack.JoinOutput
	h.MustSucceed(t, "slack_join_channel", args{"channel_id": "C07ENGINRG"}).Decode(t, &joined)
	if joined.AlreadyMember || !joined.Channel.AppIsMember || joined.Channel.Name != "engineering" {
		t.Errorf("join = %+v", joined)
	}
	var again slack.JoinOutput
	h.MustSucceed(t, "slack_join_channel", args{"channel_id": "C07ENGINRG"}).Decode(t, &again)
	if !again.AlreadyMember {
		t.Error("joining twice did not say the app was already in the channel")
	}

	var history slack.HistoryOutput
	h.MustSucceed(t, "slack_read_channel_history", args{"channel_id": "C07ENGINRG", "limit": 4}).
		Decode(t, &history)
	if len(history.Messages) != 4 || history.Messages[0].Text != "Thanks, all!" ||
		history.NextCursor == "" {
		t.Fatalf("history = %+v, want the four newest messages and a cursor", history)
	}
	var older slack.HistoryOutput
	h.MustSucceed(t, "slack_read_channel_history", args{"channel_id": "C07ENGINRG",
		"cursor": history.NextCursor}).Decode(t, &older)
	if len(older.Messages) != 2 || older.Messages[0].ReplyCount != 1 || older.NextCursor != "" {
		t.Fatalf("second page = %+v, want the two oldest, one with a reply", older)
	}

	var sent slack.SendOutput
	h.MustSucceed(t, "slack_send_message", args{"channel_id": "C07ENGINRG",
		"text": "Reviewing now."}).Decode(t, &sent)
	if sent.ChannelID != "C07ENGINRG" || sent.TS == "" {
		t.Fatalf("send = %+v", sent)
	}
	var reply slack.SendOutput
	h.MustSucceed(t, "slack_send_message", args{"channel_id": "C07ENGINRG",
		"text": "Done, *approved*.", "thread_ts": sent.TS}).Decode(t, &reply)
	var thread slack.HistoryOutput
	h.MustSucceed(t, "slack_read_channel_history", args{"channel_id": "C07ENGINRG",
		"thread_ts": sent.TS}).Decode(t, &thread)
	if len(thread.Messages) != 2 || thread.Messages[1].TS != reply.TS ||
		thread.Messages[0].BotID == "" || thread.Messages[1].Text != "Done, *approved*." {
		t.Errorf("thread = %+v, want the app's message and its reply", thread.Messages)
	}
}

func TestCreateChannel(t *testing.T) {
	h := newHarness(t, []registry.Scope{registry.SlackChannelsManage}, nil)
	var ch slack.Channel
	h.MustSucceed(t, "slack_create_channel", args{"name": "launch-plans"}).Decode(t, &ch)
	if ch.Name != "launch-plans" || !strings.HasPrefix(ch.ID, "C") || !ch.AppIsMember ||
		ch.Private {
		t.Errorf("created = %+v, want a public channel with the app in it", ch)
	}
	r := h.Call(t, "slack_create_channel", args{"name": "Launch Plans"})
	if !r.IsError || !strings.Contains(r.Text, "invalid_name_specials") {
		t.Errorf("create with capitals = %q, want Slack's invalid_name_specials explained", r.Text)
	}
	r = h.Call(t, "slack_create_channel", args{"name": "#launch"})
	if !r.IsError || !strings.Contains(r.Text, `give "launch"`) {
		t.Errorf("create with # = %q, want the input refused", r.Text)
	}
}

func TestPeople(t *testing.T) {
	h := newHarness(t, []registry.Scope{registry.SlackUsersRead}, nil)
	var people slack.ListUsersOutput
	h.MustSucceed(t, "slack_list_users", args{}).Decode(t, &people)
	if len(people.Users) != 3 || people.Users[0].RealName != "Ana Ruiz" ||
		people.Users[0].Email != "" {
		t.Errorf("people = %+v, want three active people and no emails", people.Users)
	}
	var everyone slack.ListUsersOutput
	h.MustSucceed(t, "slack_list_users", args{"include_bots": true, "include_deactivated": true}).
		Decode(t, &everyone)
	if len(everyone.Users) != 5 {
		t.Errorf("everyone = %+v, want five accounts", everyone.Users)
	}

	var u slack.User
	h.MustSucceed(t, "slack_get_user", args{"user_id": "U07CAM0003"}).Decode(t, &u)
	if u.Name != "cam" || u.Title != "Site reliability engineer" || u.TimeZone != "Europe/Madrid" {
		t.Errorf("user = %+v", u)
	}

	ar := h.Call(t, "slack_find_user_by_email", args{"email": "bo@example.com"}).
		AuthorizationRequired(t)
	if ar.TokenType != "bot" || ar.MissingScopes[0].Scope != string(registry.SlackUsersReadEmail) {
		t.Fatalf("find by email asks for %+v on %s, want users:read.email on bot",
			ar.MissingScopes, ar.TokenType)
	}
	h.GrantOn(t, "slack", registry.SlackUsersReadEmail)
	var found, again slack.User
	h.MustSucceed(t, "slack_find_user_by_email", args{"email": "bo@example.com"}).Decode(t, &found)
	if found.ID != "U07BO00002" || found.Email != "bo@example.com" {
		t.Errorf("found = %+v", found)
	}
	h.MustSucceed(t, "slack_get_user", args{"user_id": "U07CAM0003"}).Decode(t, &again)
	if again.Email != "cam@example.com" {
		t.Errorf("with users:read.email the address shows: %+v", again)
	}
}

func TestFiles(t *testing.T) {
	h := newHarness(t, scopes(registry.SlackFilesWrite), scopes(registry.SlackFilesRead))

	var up slack.UploadOutput
	h.MustSucceed(t, "slack_upload_file", args{"filename": "retro.md",
		"content": "# Retro\n- ship it\n", "title": "Retro notes", "channel_id": "C07GENERAL",
		"initial_comment": "Notes from today"}).Decode(t, &up)
	if !strings.HasPrefix(up.File.ID, "F") || up.File.Title != "Retro notes" ||
		up.File.Size != 18 || up.File.SharedIn[0] != "C07GENERAL" {
		t.Fatalf("upload = %+v", up)
	}
	var private slack.UploadOutput
	h.MustSucceed(t, "slack_upload_file", args{"filename": "pixel.png",
		"content_base64": "iVBORw0KGgo="}).Decode(t, &private)
	if private.File.Type != "png" || len(private.File.SharedIn) != 0 {
		t.Errorf("private binary upload = %+v", private)
	}

	var files slack.ListFilesOutput
	h.MustSucceed(t, "slack_list_files", args{"count": 2}).Decode(t, &files)
	if len(files.Files) != 2 || files.Files[0].Name != "retro.md" || files.Total != 6 ||
		files.Pages != 3 {
		t.Errorf("files = %+v, want the new shared file first of six the installer sees", files)
	}
	var pdfs slack.ListFilesOutput
	h.MustSucceed(t, "slack_list_files", args{"types": "pdfs"}).Decode(t, &pdfs)
	if len(pdfs.Files) != 1 || pdfs.Files[0].Name != "q3-roadmap.pdf" {
		t.Errorf("pdfs = %+v", pdfs.Files)
	}

	r := h.Call(t, "slack_upload_file",
		args{"filename": "a.txt", "content": "x", "content_base64": "eA=="})
	if !r.IsError || !strings.Contains(r.Text, "exactly one of content") {
		t.Errorf("doubled content = %q, want the input refused", r.Text)
	}
}

// TestEveryToolAsksForItsFirstAlternative grants an unrelated scope on both tokens, so every
// tool is refused before Slack is called, asking for its least privileged scope on its own
// token type.
func TestEveryToolAsksForItsFirstAlternative(t *testing.T) {
	h := newHarness(t, scopes(registry.SlackGroupsRead), scopes(registry.SlackGroupsRead))
	tests := []struct {
		tool  string
		args  args
		scope registry.Scope
		token string
	}{
		{"slack_list_channels", args{}, registry.SlackChannelsRead, "bot"},
		{"slack_read_channel_history", args{"channel_id": "C07GENERAL"},
			registry.SlackChannelsHistory, "bot"},
		{"slack_list_users", args{}, registry.SlackUsersRead, "bot"},
		{"slack_get_user", args{"user_id": "U07BO00002"}, registry.SlackUsersRead, "bot"},
		{"slack_find_user_by_email", args{"email": "bo@example.com"},
			registry.SlackUsersReadEmail, "bot"},
		{"slack_list_files", args{}, registry.SlackFilesRead, "user"},
		{"slack_join_channel", args{"channel_id": "C07RANDOM0"}, registry.SlackChannelsJoin, "bot"},
		{"slack_create_channel", args{"name": "x"}, registry.SlackChannelsManage, "bot"},
		{"slack_send_message", args{"channel_id": "C07GENERAL", "text": "hi"},
			registry.SlackChatWrite, "bot"},
		{"slack_upload_file", args{"filename": "a.txt", "content": "a"},
			registry.SlackFilesWrite, "bot"},
	}
	if len(tests) != len(slack.Tools()) {
		t.Fatalf("the table covers %d tools, the package has %d", len(tests), len(slack.Tools()))
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			ar := h.Call(t, tt.tool, tt.args).AuthorizationRequired(t)
			if ar.Reason != "missing_scopes" || len(ar.MissingScopes) != 1 ||
				ar.MissingScopes[0].Scope != string(tt.scope) || ar.TokenType != tt.token {
				t.Errorf("%s asks for %+v on %q (%s), want %s on %s", tt.tool, ar.MissingScopes,
					ar.TokenType, ar.Reason, tt.scope, tt.token)
			}
		})
	}
}

func TestBotAndUserGrantsStayApart(t *testing.T) {
	h := newHarness(t, scopes(registry.SlackFilesRead), scopes(registry.SlackChatWrite))

	ar := h.Call(t, "slack_send_message", args{"channel_id": "C07GENERAL", "text": "hi"}).
		AuthorizationRequired(t)
	if ar.TokenType != "bot" || ar.MissingScopes[0].Scope != string(registry.SlackChatWrite) {
		t.Errorf("chat:write on the user token let a bot tool through: %+v on %s",
			ar.MissingScopes, ar.TokenType)
	}
	ar = h.Call(t, "slack_list_files", args{}).AuthorizationRequired(t)
	if ar.TokenType != "user" || ar.MissingScopes[0].Scope != string(registry.SlackFilesRead) {
		t.Errorf("files:read on the bot token let a user tool through: %+v on %s",
			ar.MissingScopes, ar.TokenType)
	}

	ctx := context.Background()
	bot, err := h.Store.Account(ctx, scopechecktest.Identifier, "slack")
	if err != nil {
		t.Fatal(err)
	}
	user, err := h.Store.Account(ctx, scopechecktest.Identifier, "slack/user")
	if err != nil {
		t.Fatal(err)
	}
	if bot.Granted.String() != "files:read" || user.Granted.String() != "chat:write" ||
		!strings.HasPrefix(bot.Token.AccessToken, "xoxb-") ||
		!strings.HasPrefix(user.Token.AccessToken, "xoxp-") {
		t.Errorf("stored grants: bot %v, user %v; want files:read on xoxb-, chat:write on xoxp-",
			bot.Granted, user.Granted)
	}

	// Granting the bot scope now lets the bot tool through, and only it.
	h.GrantOn(t, "slack", registry.SlackChatWrite)
	h.MustSucceed(t, "slack_send_message", args{"channel_id": "C07GENERAL", "text": "hi"})
	h.Call(t, "slack_list_files", args{}).AuthorizationRequired(t)
}

// TestPartialGrantIsRemembered unticks one scope on the sandbox's install page: the gate
// stores what Slack granted and, asked again, says the scope was declined before.
func TestPartialGrantIsRemembered(t *testing.T) {
	h := newHarness(t, nil, nil)
	link, err := h.Gate.IssueLink(context.Background(), scopechecktest.Identifier, "slack", "",
		registry.NewScopeSet(registry.SlackChatWrite, registry.SlackChannelsJoin))
	if err != nil {
		t.Fatal(err)
	}
	page := scopechecktest.Approve(t, link, func(v string) bool { return v != "bot:channels:join" })
	if !strings.Contains(page, `<main id="partial"`) {
		t.Fatalf("a partial grant did not show the partial page:\n%s", page)
	}
	h.MustSucceed(t, "slack_send_message", args{"channel_id": "C07GENERAL", "text": "hi"})
	ar := h.Call(t, "slack_join_channel", args{"channel_id": "C07RANDOM0"}).AuthorizationRequired(t)
	if len(ar.MissingScopes) != 1 || !ar.MissingScopes[0].DeclinedBefore {
		t.Errorf("asking again = %+v, want channels:join marked as declined before", ar.MissingScopes)
	}
}
