package slack

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/slackapi"
)

// conversation is the part of Slack's conversation object the tools read.
type conversation struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	IsPrivate  bool   `json:"is_private"`
	IsArchived bool   `json:"is_archived"`
	IsMember   bool   `json:"is_member"`
	Created    int64  `json:"created"`
	NumMembers int    `json:"num_members"`
	Topic      struct {
		Value string `json:"value"`
	} `json:"topic"`
	Purpose struct {
		Value string `json:"value"`
	} `json:"purpose"`
}

// Channel is a channel in a tool's result. AppIsMember says whether scopegate's Slack app
// is in it, which reading and posting with the app's token require.
type Channel struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Private     bool   `json:"private"`
	Archived    bool   `json:"archived"`
	AppIsMember bool   `json:"app_is_member"`
	Members     int    `json:"members,omitempty"`
	Topic       string `json:"topic,omitempty"`
	Purpose     string `json:"purpose,omitempty"`
	Created     string `json:"created,omitempty"`
}

func (c conversation) channel() Channel {
	return Channel{ID: c.ID, Name: c.Name, Private: c.IsPrivate, Archived: c.IsArchived,
		AppIsMember: c.IsMember, Members: c.NumMembers, Topic: c.Topic.Value,
		Purpose: c.Purpose.Value, Created: unixTime(c.Created)}
}

// ListChannelsInput is the input of slack_list_channels.
type ListChannelsInput struct {
	Limit           int    `json:"limit,omitempty" jsonschema:"description=Default 100.,minimum=1,maximum=200"`
	Cursor          string `json:"cursor,omitempty" jsonschema:"description=An earlier call's next_cursor."`
	IncludeArchived bool   `json:"include_archived,omitempty"`
}

// ListChannelsOutput is the structured result of slack_list_channels.
type ListChannelsOutput struct {
	Channels   []Channel `json:"channels"`
	NextCursor string    `json:"next_cursor,omitempty"`
}

// Check refuses a page size out of range.
func (in *ListChannelsInput) Check() error { return checkRange("limit", in.Limit, 1, 200) }

func listChannels() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_list_channels",
		Title: "List Slack channels",
		Description: "List the Slack workspace's public channels: ids, topics, member counts, " +
			"and whether scopegate's app is in them (it must be to read or post).",
		Provider: "slack",
		// The app's token sees every public channel and says which ones the app is in,
		// which is what the reading and posting tools (all on the bot token) need to know.
		TokenType: registry.BotToken,
		// conversations.list takes the read scope of each conversation type it is asked
		// for, and Slack refuses the whole list when one is missing. The tool asks for
		// types=public_channel only, so channels:read is all it needs; groups:read, im:read
		// and mpim:read would only serve types it does not list.
		Requirement: registry.AnyOf(registry.SlackChannelsRead),
		Operations:  []string{"conversations.list"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}
	return newTool(spec, nil, runListChannels)
}

func runListChannels(ctx context.Context, api *slackapi.Client,
	in ListChannelsInput) (registry.Result, error) {
	args := url.Values{"types": {"public_channel"},
		"exclude_archived": {strconv.FormatBool(!in.IncludeArchived)}}
	convs, next, err := slackapi.List[conversation](ctx, api, "conversations.list", "channels",
		args, in.Cursor, orDefault(in.Limit, 100))
	if err != nil {
		return registry.Result{}, err
	}
	out := ListChannelsOutput{Channels: make([]Channel, 0, len(convs)), NextCursor: next}
	for _, c := range convs {
		out.Channels = append(out.Channels, c.channel())
	}
	return registry.Result{Text: channelsText(out), Structured: out}, nil
}

func channelsText(out ListChannelsOutput) string {
	if len(out.Channels) == 0 {
		return "No public channels found." + more(out.NextCursor)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d public channels:\n", len(out.Channels))
	for _, c := range out.Channels {
		fmt.Fprintf(&b, "- #%s (%s), %d members", c.Name, c.ID, c.Members)
		if c.AppIsMember {
			b.WriteString(", the app is a member")
		}
		if c.Archived {
			b.WriteString(", archived")
		}
		if c.Topic != "" {
			fmt.Fprintf(&b, ": %s", c.Topic)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n") + more(out.NextCursor)
}

// ChannelInput names one conversation.
type ChannelInput struct {
	ChannelID string `json:"channel_id" jsonschema:"description=Channel id\\, e.g. C0123ABCD (see slack_list_channels)."`
}

// Check refuses what cannot be a conversation id.
func (in *ChannelInput) Check() error { return checkChannelID("channel_id", in.ChannelID, false) }

// JoinOutput is the structured result of slack_join_channel.
type JoinOutput struct {
	Channel       Channel `json:"channel"`
	AlreadyMember bool    `json:"already_member"`
}

func joinChannel() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_join_channel",
		Title: "Join a Slack channel",
		Description: "Add scopegate's Slack app to a public channel, so it can read and post " +
			"there.",
		Provider: "slack",
		// Slack's join differs by token: the app's token joins the app with channels:join,
		// while a user token would join the person with channels:write, a far broader scope
		// (create, rename, archive as you). The tools that need membership use the app's
		// token, so it is the app that must join.
		TokenType:   registry.BotToken,
		Requirement: registry.AnyOf(registry.SlackChannelsJoin),
		Operations:  []string{"conversations.join"},
		Annotations: registry.Annotations{Idempotent: true, OpenWorld: true},
	}
	hints := slackapi.Hints{
		"method_not_supported_for_channel_type": "Only public channels can be joined; a member " +
			"of a private channel has to invite the app.",
		"channel_not_found": "Find public channel ids with slack_list_channels.",
	}
	return newTool(spec, hints, runJoinChannel)
}

func runJoinChannel(ctx context.Context, api *slackapi.Client,
	in ChannelInput) (registry.Result, error) {
	var resp struct {
		Channel          conversation      `json:"channel"`
		Warning          string            `json:"warning"`
		ResponseMetadata slackapi.Metadata `json:"response_metadata"`
	}
	args := url.Values{"channel": {in.ChannelID}}
	if err := api.Post(ctx, "conversations.join", args, &resp); err != nil {
		return registry.Result{}, err
	}
	out := JoinOutput{Channel: resp.Channel.channel(),
		AlreadyMember: resp.Warning == "already_in_channel" ||
			slices.Contains(resp.ResponseMetadata.Warnings, "already_in_channel")}
	out.Channel.AppIsMember = true
	verb := "joined"
	if out.AlreadyMember {
		verb = "was already in"
	}
	text := fmt.Sprintf("scopegate's Slack app %s #%s (%s).", verb, out.Channel.Name,
		out.Channel.ID)
	return registry.Result{Text: text, Structured: out}, nil
}

// CreateChannelInput is the input of slack_create_channel.
type CreateChannelInput struct {
	Name string `json:"name" jsonschema:"description=Without #: lowercase letters\\, digits\\, hyphens and underscores.,minLength=1,maxLength=80"`
}

// Check refuses names Slack would refuse for their form.
func (in *CreateChannelInput) Check() error {
	switch {
	case strings.HasPrefix(in.Name, "#"):
		return registry.Errorf("name must not start with #; give %q",
			strings.TrimPrefix(in.Name, "#"))
	case strings.TrimSpace(in.Name) == "" || utf8.RuneCountInString(in.Name) > 80:
		return registry.Errorf("name must have 1 to 80 characters")
	}
	return nil
}

func createChannel() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_create_channel",
		Title: "Create a Slack channel",
		Description: "Create a public Slack channel; scopegate's app joins it and can post " +
			"there. Returns its id.",
		Provider: "slack",
		// With the app's token the channel is created by the app, which can then post in it
		// without joining; channels:manage does not let it read any channel's messages. A
		// user token would need channels:write and create the channel as the person.
		TokenType: registry.BotToken,
		// Private channels would need groups:write; the tool creates public ones only.
		Requirement: registry.AnyOf(registry.SlackChannelsManage),
		Operations:  []string{"conversations.create"},
		Annotations: registry.Annotations{OpenWorld: true},
	}
	hints := slackapi.Hints{
		"name_taken": "slack_list_channels with include_archived shows the existing channels.",
	}
	return newTool(spec, hints, runCreateChannel)
}

func runCreateChannel(ctx context.Context, api *slackapi.Client,
	in CreateChannelInput) (registry.Result, error) {
	var resp struct {
		Channel conversation `json:"channel"`
	}
	args := url.Values{"name": {in.Name}, "is_private": {"false"}}
	if err := api.Post(ctx, "conversations.create", args, &resp); err != nil {
		return registry.Result{}, err
	}
	ch := resp.Channel.channel()
	text := fmt.Sprintf("Created the public channel #%s (%s); scopegate's Slack app is in it.",
		ch.Name, ch.ID)
	return registry.Result{Text: text, Structured: ch}, nil
}
