// Package slack implements scopegate's Slack tools on Slack's Web API. Each tool is an input
// struct, a token type (bot or user), a requirement that agrees with Slack's method reference
// for that token type and every method the tool calls, and a handler.
//
// Most tools use the bot token, so scopegate acts in Slack as its own app: what it posts is
// labelled as the app's, and it reaches only the channels the app was added to or joined.
// Slack's conversation scopes come per conversation type (channels for public channels,
// groups for private ones, im and mpim for direct messages); a requirement is fixed per
// tool, so the conversation tools work with public channels, whose scopes are the ones
// they ask for.
package slack

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/slackapi"
)

// Tools returns the Slack tools in the order they are listed: reads, then writes.
func Tools() []registry.Tool {
	return []registry.Tool{
		listChannels(),
		readChannelHistory(),
		listUsers(),
		getUser(),
		findUserByEmail(),
		listFiles(),
		joinChannel(),
		createChannel(),
		sendMessage(),
		uploadFile(),
	}
}

var (
	conversationID = regexp.MustCompile(`^[CGD][A-Z0-9]{2,}$`)
	userID         = regexp.MustCompile(`^[UWB][A-Z0-9]{2,}$`)
	messageTS      = regexp.MustCompile(`^[0-9]{1,12}\.[0-9]{1,8}$`)
)

// checkChannelID refuses what cannot be a Slack conversation id. Names are not accepted:
// an id stays right when a channel is renamed.
func checkChannelID(field, id string, optional bool) error {
	if id == "" && optional {
		return nil
	}
	if !conversationID.MatchString(id) {
		return registry.Errorf("%s must be a Slack conversation id such as C0123ABCD, not a "+
			"name; slack_list_channels shows the ids (got %q)", field, id)
	}
	return nil
}

// checkTS refuses what cannot be a Slack message timestamp.
func checkTS(field, ts string) error {
	if ts != "" && !messageTS.MatchString(ts) {
		return registry.Errorf("%s must be a message ts such as 1712345678.123456, as "+
			"slack_read_channel_history shows it (got %q)", field, ts)
	}
	return nil
}

// checkRange refuses a number outside min..max; zero means the default.
func checkRange(field string, v, min, max int) error {
	if v != 0 && (v < min || v > max) {
		return registry.Errorf("%s must be between %d and %d, got %d", field, min, max, v)
	}
	return nil
}

// orDefault returns v, or def when v is zero.
func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// tsTime reads a message ts (seconds since the epoch, a dot, a sequence) as a time in UTC
// written in RFC 3339, or "" when it is not one.
func tsTime(ts string) string {
	sec, _, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n <= 0 {
		return ""
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}

// unixTime writes seconds since the epoch in RFC 3339, or "" for zero.
func unixTime(sec int64) string {
	if sec <= 0 {
		return ""
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}

// more writes the line that tells the model how to get the next page.
func more(cursor string) string {
	if cursor == "" {
		return ""
	}
	return fmt.Sprintf("\nMore are available: call again with cursor %q.", cursor)
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(none)"
	}
	return s
}

// newTool builds a tool whose handler calls Slack through a client that knows the tool's
// requirement and hints.
func newTool[In any](spec registry.Spec, hints slackapi.Hints, run runFunc[In]) registry.Tool {
	return registry.NewTool(spec,
		func(ctx context.Context, call *registry.Call, in In) (registry.Result, error) {
			return run(ctx, slackapi.New(call, spec.Requirement, hints), in)
		})
}

// runFunc is a Slack tool's handler.
type runFunc[In any] func(ctx context.Context, api *slackapi.Client, in In) (registry.Result, error)
