package slack

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/slackapi"
)

// maxTextRunes is the longest message text Slack takes.
const maxTextRunes = 40000

// message is the part of Slack's message object the tools read.
type message struct {
	Type       string `json:"type"`
	Subtype    string `json:"subtype"`
	User       string `json:"user"`
	BotID      string `json:"bot_id"`
	Text       string `json:"text"`
	TS         string `json:"ts"`
	ThreadTS   string `json:"thread_ts"`
	ReplyCount int    `json:"reply_count"`
	Files      []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"files"`
}

// Message is a message in a tool's result. TS identifies it in its channel; Time is the same
// moment in RFC 3339.
type Message struct {
	TS         string   `json:"ts"`
	Time       string   `json:"time,omitempty"`
	User       string   `json:"user,omitempty"`
	BotID      string   `json:"bot_id,omitempty"`
	Text       string   `json:"text"`
	ThreadTS   string   `json:"thread_ts,omitempty"`
	ReplyCount int      `json:"reply_count,omitempty"`
	Files      []string `json:"files,omitempty"`
}

func (m message) summary() Message {
	out := Message{TS: m.TS, Time: tsTime(m.TS), User: m.User, BotID: m.BotID, Text: m.Text,
		ThreadTS: m.ThreadTS, ReplyCount: m.ReplyCount}
	for _, f := range m.Files {
		out.Files = append(out.Files, f.Name)
	}
	return out
}

// HistoryInput is the input of slack_read_channel_history.
type HistoryInput struct {
	ChannelID string `json:"channel_id" jsonschema:"description=Channel id\\, e.g. C0123ABCD (see slack_list_channels)."`
	ThreadTS  string `json:"thread_ts,omitempty" jsonschema:"description=ts of a message with replies: read that thread instead."`
	Limit     int    `json:"limit,omitempty" jsonschema:"description=Default 20.,minimum=1,maximum=100"`
	Cursor    string `json:"cursor,omitempty" jsonschema:"description=An earlier call's next_cursor."`
}

// Check refuses malformed ids and page sizes.
func (in *HistoryInput) Check() error {
	if err := checkChannelID("channel_id", in.ChannelID, false); err != nil {
		return err
	}
	if err := checkTS("thread_ts", in.ThreadTS); err != nil {
		return err
	}
	return checkRange("limit", in.Limit, 1, 100)
}

// HistoryOutput is the structured result of slack_read_channel_history.
type HistoryOutput struct {
	ChannelID  string    `json:"channel_id"`
	ThreadTS   string    `json:"thread_ts,omitempty"`
	Messages   []Message `json:"messages"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

func readChannelHistory() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_read_channel_history",
		Title: "Read a Slack channel",
		Description: "Read a public channel's latest messages, newest first, or a thread " +
			"(thread_ts), oldest first. scopegate's app must be in the channel.",
		Provider: "slack",
		// The app's token reads only channels the app is in, which keeps what scopegate reads
		// to channels someone chose to add it to.
		TokenType: registry.BotToken,
		// Slack asks for the history scope of the conversation's type. Public channels need
		// channels:history; the tool asks for no other type's scope, and says so when a
		// private channel or direct message needs groups:, im: or mpim:history.
		Requirement: registry.AnyOf(registry.SlackChannelsHistory),
		Operations:  []string{"conversations.history", "conversations.replies"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}
	hints := slackapi.Hints{
		"not_in_channel":    "Call slack_join_channel with this channel_id, then read again.",
		"channel_not_found": "Find public channel ids with slack_list_channels.",
		"missing_scope":     "slack_read_channel_history reads public channels only.",
		"thread_not_found":  "Use the ts of a message that slack_read_channel_history listed.",
	}
	return newTool(spec, hints, runReadChannelHistory)
}

func runReadChannelHistory(ctx context.Context, api *slackapi.Client,
	in HistoryInput) (registry.Result, error) {
	method, args := "conversations.history", url.Values{"channel": {in.ChannelID}}
	if in.ThreadTS != "" {
		method = "conversations.replies"
		args.Set("ts", in.ThreadTS)
	}
	msgs, next, err := slackapi.List[message](ctx, api, method, "messages", args, in.Cursor,
		orDefault(in.Limit, 20))
	if err != nil {
		return registry.Result{}, err
	}
	out := HistoryOutput{ChannelID: in.ChannelID, ThreadTS: in.ThreadTS,
		Messages: make([]Message, 0, len(msgs)), NextCursor: next}
	seen := map[string]bool{}
	for _, m := range msgs {
		// Slack may repeat a thread's parent at the top of later pages of replies.
		if !seen[m.TS] {
			seen[m.TS] = true
			out.Messages = append(out.Messages, m.summary())
		}
	}
	return registry.Result{Text: historyText(out), Structured: out}, nil
}

func historyText(out HistoryOutput) string {
	where := "channel " + out.ChannelID
	if out.ThreadTS != "" {
		where = fmt.Sprintf("thread %s in %s", out.ThreadTS, out.ChannelID)
	}
	if len(out.Messages) == 0 {
		return "No messages in " + where + "." + more(out.NextCursor)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d messages in %s:\n", len(out.Messages), where)
	for _, m := range out.Messages {
		who := m.User
		if who == "" {
			who = m.BotID
		}
		fmt.Fprintf(&b, "- [%s] %s %s: %s", m.TS, m.Time, who, m.Text)
		if m.ReplyCount > 0 {
			fmt.Fprintf(&b, " (%d replies)", m.ReplyCount)
		}
		if len(m.Files) > 0 {
			fmt.Fprintf(&b, " (files: %s)", strings.Join(m.Files, ", "))
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + more(out.NextCursor)
}

// SendInput is the input of slack_send_message.
type SendInput struct {
	ChannelID      string `json:"channel_id" jsonschema:"description=Conversation id\\, e.g. C0123ABCD (see slack_list_channels)."`
	Text           string `json:"text" jsonschema:"description=Slack mrkdwn: *bold*\\, _italic_\\, <https://example.com|links>\\, <@U0123ABCD> mentions.,minLength=1"`
	ThreadTS       string `json:"thread_ts,omitempty" jsonschema:"description=ts of a thread's first message\\, to reply in it."`
	ReplyBroadcast bool   `json:"reply_broadcast,omitempty" jsonschema:"description=With thread_ts: also show the reply in the channel."`
}

// Check refuses empty or overlong text and malformed ids.
func (in *SendInput) Check() error {
	if err := checkChannelID("channel_id", in.ChannelID, false); err != nil {
		return err
	}
	if err := checkTS("thread_ts", in.ThreadTS); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(in.Text) == "":
		return registry.Errorf("text must not be empty")
	case utf8.RuneCountInString(in.Text) > maxTextRunes:
		return registry.Errorf("text has %d characters; Slack takes at most %d",
			utf8.RuneCountInString(in.Text), maxTextRunes)
	case in.ReplyBroadcast && in.ThreadTS == "":
		return registry.Errorf("reply_broadcast needs thread_ts")
	}
	return nil
}

// SendOutput is the structured result of slack_send_message.
type SendOutput struct {
	ChannelID string `json:"channel_id"`
	TS        string `json:"ts"`
	ThreadTS  string `json:"thread_ts,omitempty"`
}

func sendMessage() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_send_message",
		Title: "Send a Slack message",
		Description: "Post as scopegate's Slack app in a channel it is in, or in a thread " +
			"(thread_ts). Returns the message's ts.",
		Provider: "slack",
		// With the app's token the message shows as the app's, so nobody mistakes it for
		// something the person typed; chat:write on a user token would post as the person.
		TokenType:   registry.BotToken,
		Requirement: registry.AnyOf(registry.SlackChatWrite),
		Operations:  []string{"chat.postMessage"},
		Annotations: registry.Annotations{OpenWorld: true},
	}
	hints := slackapi.Hints{
		"not_in_channel": "For a public channel call slack_join_channel with this channel_id, " +
			"then send again; a private channel's members have to invite the app.",
		"channel_not_found": "Find public channel ids with slack_list_channels.",
		"thread_not_found":  "Use the ts of the thread's first message.",
	}
	return newTool(spec, hints, runSendMessage)
}

func runSendMessage(ctx context.Context, api *slackapi.Client,
	in SendInput) (registry.Result, error) {
	body := map[string]any{"channel": in.ChannelID, "text": in.Text}
	if in.ThreadTS != "" {
		body["thread_ts"] = in.ThreadTS
		body["reply_broadcast"] = in.ReplyBroadcast
	}
	var resp struct {
		Channel string  `json:"channel"`
		TS      string  `json:"ts"`
		Message message `json:"message"`
	}
	if err := api.PostJSON(ctx, "chat.postMessage", body, &resp); err != nil {
		return registry.Result{}, err
	}
	out := SendOutput{ChannelID: resp.Channel, TS: resp.TS, ThreadTS: in.ThreadTS}
	text := fmt.Sprintf("Sent to %s as scopegate's Slack app (ts %s).", out.ChannelID, out.TS)
	if out.ThreadTS != "" {
		text = fmt.Sprintf("Replied in thread %s of %s as scopegate's Slack app (ts %s).",
			out.ThreadTS, out.ChannelID, out.TS)
	}
	return registry.Result{Text: text, Structured: out}, nil
}
