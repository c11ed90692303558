package teams

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// SendInput is the input of teams_send_channel_message.
type SendInput struct {
	TeamID    string `json:"team_id" jsonschema:"description=Team id\\, from teams_list_joined_teams.,minLength=1"`
	ChannelID string `json:"channel_id" jsonschema:"description=Channel id\\, from teams_list_channels\\, e.g. 19:abc...@thread.tacv2.,minLength=1"`
	Message   string `json:"message" jsonschema:"minLength=1"`
	Subject   string `json:"subject,omitempty" jsonschema:"description=Optional subject line above the message."`
	HTML      bool   `json:"html,omitempty" jsonschema:"description=True when message is HTML."`
}

// ChatMessage is Graph's chatMessage resource, with the members the tool uses.
type ChatMessage struct {
	ID              string    `json:"id"`
	CreatedDateTime time.Time `json:"createdDateTime"`
	WebURL          string    `json:"webUrl"`
	Subject         *string   `json:"subject"`
	Body            struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"body"`
	ChannelIdentity struct {
		TeamID    string `json:"teamId"`
		ChannelID string `json:"channelId"`
	} `json:"channelIdentity"`
}

// SendOutput is the structured result of teams_send_channel_message.
type SendOutput struct {
	MessageID string `json:"message_id"`
	TeamID    string `json:"team_id"`
	ChannelID string `json:"channel_id"`
	Created   string `json:"created"`
	WebURL    string `json:"web_url,omitempty"`
}

func sendChannelMessage() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "teams_send_channel_message",
		Title: "Post in a Teams channel",
		Description: "Post a message as the user in a channel of one of their Microsoft Teams " +
			"teams; everyone in it sees it.",
		Provider: "microsoft",
		// Group.ReadWrite.All is accepted too, for older apps; ChannelMessage.Send only posts.
		Requirement: registry.AnyOf(registry.GraphChannelMessageSend, registry.GraphGroupReadWriteAll),
		Operations:  []string{"POST /teams/{id}/channels/{id}/messages"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runSend)
}

// Check refuses empty ids and an empty message.
func (in *SendInput) Check() error {
	if err := checkID("team_id", in.TeamID); err != nil {
		return err
	}
	if err := checkID("channel_id", in.ChannelID); err != nil {
		return err
	}
	if strings.TrimSpace(in.Message) == "" {
		return registry.Errorf("message must not be empty")
	}
	return nil
}

func runSend(ctx context.Context, call *registry.Call, in SendInput) (registry.Result, error) {
	team, ch := strings.TrimSpace(in.TeamID), strings.TrimSpace(in.ChannelID)
	ct := "text"
	if in.HTML {
		ct = "html"
	}
	body := map[string]any{"body": map[string]string{"contentType": ct, "content": in.Message}}
	if in.Subject != "" {
		body["subject"] = in.Subject
	}
	var msg ChatMessage
	path := "/teams/" + url.PathEscape(team) + "/channels/" + url.PathEscape(ch) + "/messages"
	err := graphapi.Do(ctx, call, graphapi.Request{Method: "POST", JSON: body,
		URL: graphapi.URL(call, path, nil)}, &msg)
	if graphapi.IsStatus(err, 404) {
		return registry.Result{}, registry.Errorf("No channel %q in a team %q the user belongs to; "+
			"nothing was posted. List the teams and channels for current ids.", ch, team)
	}
	if err != nil {
		return registry.Result{}, err
	}
	out := SendOutput{MessageID: msg.ID, TeamID: team, ChannelID: ch,
		Created: msg.CreatedDateTime.UTC().Format(time.RFC3339), WebURL: msg.WebURL}
	return registry.Result{
		Text:       fmt.Sprintf("Posted message %s in channel %s.", msg.ID, ch),
		Structured: out,
	}, nil
}
