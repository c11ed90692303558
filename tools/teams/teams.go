// Package teams implements scopegate's Microsoft Teams tools on Microsoft Graph v1.0
// (delegated access, work and school accounts only: Teams has no personal-account
// permissions). Each tool is an input struct, a requirement that agrees with Microsoft's
// permissions data for every operation it calls, and a handler.
//
// The requirements list, after the narrow Teams permissions, the broader ones Graph also
// accepts (settings, groups, directory, every user), so that a grant already holding one
// is recognized. The AgentIdUser permissions, which Graph also accepts for the list of
// teams, are left out: they exist to manage agent accounts, not to read a person's teams.
package teams

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// Tools returns the Teams tools in the order they are listed: reads, then writes.
func Tools() []registry.Tool {
	return []registry.Tool{
		listJoinedTeams(),
		listChannels(),
		sendChannelMessage(),
	}
}

// Team is Graph's team resource, with the members the tools use.
type Team struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	IsArchived  bool   `json:"isArchived"`
}

// TeamInfo is one team as the tools return it.
type TeamInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Archived    bool   `json:"archived,omitempty"`
}

// ListTeamsInput is the input of teams_list_joined_teams; it takes no arguments.
type ListTeamsInput struct{}

// ListTeamsOutput is the structured result of teams_list_joined_teams.
type ListTeamsOutput struct {
	Teams []TeamInfo `json:"teams"`
}

func listJoinedTeams() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "teams_list_joined_teams",
		Title:       "List your Teams teams",
		Description: "List the user's Microsoft Teams teams with ids and descriptions.",
		Provider:    "microsoft",
		Requirement: registry.AnyOf(
			registry.GraphTeamReadBasicAll, registry.GraphTeamSettingsReadAll,
			registry.GraphTeamSettingsReadWriteAll, registry.GraphUserReadAll,
			registry.GraphUserReadWriteAll, registry.GraphDirectoryReadAll,
			registry.GraphDirectoryReadWriteAll,
		),
		Operations:  []string{"GET /me/joinedTeams"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runListTeams)
}

func runListTeams(ctx context.Context, call *registry.Call, _ ListTeamsInput) (registry.Result, error) {
	// The list of joined teams is not paged: Graph returns it whole.
	var page graphapi.Collection[Team]
	err := graphapi.Do(ctx, call, graphapi.Request{Method: "GET",
		URL: graphapi.URL(call, "/me/joinedTeams", nil)}, &page)
	if err != nil {
		return registry.Result{}, err
	}
	out := ListTeamsOutput{Teams: make([]TeamInfo, 0, len(page.Value))}
	var b strings.Builder
	if len(page.Value) == 0 {
		b.WriteString("The user is not a member of any team.")
	} else {
		fmt.Fprintf(&b, "Member of %d teams:\n", len(page.Value))
	}
	for _, t := range page.Value {
		out.Teams = append(out.Teams, TeamInfo{ID: t.ID, Name: t.DisplayName,
			Description: t.Description, Archived: t.IsArchived})
		fmt.Fprintf(&b, "- [%s] %s", t.ID, t.DisplayName)
		if t.Description != "" {
			fmt.Fprintf(&b, ": %s", t.Description)
		}
		b.WriteString("\n")
	}
	return registry.Result{Text: strings.TrimRight(b.String(), "\n"), Structured: out}, nil
}

// Channel is Graph's channel resource, with the members the tools use.
type Channel struct {
	ID             string `json:"id"`
	DisplayName    string `json:"displayName"`
	Description    string `json:"description"`
	MembershipType string `json:"membershipType"`
	WebURL         string `json:"webUrl"`
}

// ChannelInfo is one channel as the tools return it.
type ChannelInfo struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	MembershipType string `json:"membership_type,omitempty"`
	WebURL         string `json:"web_url,omitempty"`
}

// ListChannelsInput is the input of teams_list_channels.
type ListChannelsInput struct {
	TeamID string `json:"team_id" jsonschema:"description=Team id\\, from teams_list_joined_teams.,minLength=1"`
}

// ListChannelsOutput is the structured result of teams_list_channels.
type ListChannelsOutput struct {
	TeamID   string        `json:"team_id"`
	Channels []ChannelInfo `json:"channels"`
}

func listChannels() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "teams_list_channels",
		Title:       "List a team's channels",
		Description: "List the channels of a Microsoft Teams team the user is in, with ids.",
		Provider:    "microsoft",
		Requirement: registry.AnyOf(
			registry.GraphChannelReadBasicAll, registry.GraphChannelSettingsReadAll,
			registry.GraphChannelSettingsReadWriteAll, registry.GraphGroupReadAll,
			registry.GraphGroupReadWriteAll, registry.GraphDirectoryReadAll,
			registry.GraphDirectoryReadWriteAll,
		),
		Operations:  []string{"GET /teams/{id}/channels"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runListChannels)
}

// Check refuses an empty or impossible team id.
func (in *ListChannelsInput) Check() error { return checkID("team_id", in.TeamID) }

func checkID(field, id string) error {
	if strings.TrimSpace(id) == "" {
		return registry.Errorf("%s must not be empty", field)
	}
	if strings.ContainsAny(id, "/?#") {
		return registry.Errorf("%s %q is not a Teams id", field, id)
	}
	return nil
}

func runListChannels(ctx context.Context, call *registry.Call,
	in ListChannelsInput) (registry.Result, error) {
	id := strings.TrimSpace(in.TeamID)
	var page graphapi.Collection[Channel]
	err := graphapi.Do(ctx, call, graphapi.Request{Method: "GET",
		URL: graphapi.URL(call, "/teams/"+url.PathEscape(id)+"/channels", nil)}, &page)
	if graphapi.IsStatus(err, 404) {
		return registry.Result{}, registry.Errorf("No team the user belongs to has id %q. List "+
			"the joined teams for current ids.", id)
	}
	if err != nil {
		return registry.Result{}, err
	}
	out := ListChannelsOutput{TeamID: id, Channels: make([]ChannelInfo, 0, len(page.Value))}
	var b strings.Builder
	fmt.Fprintf(&b, "%d channels:\n", len(page.Value))
	for _, c := range page.Value {
		out.Channels = append(out.Channels, ChannelInfo{ID: c.ID, Name: c.DisplayName,
			Description: c.Description, MembershipType: c.MembershipType, WebURL: c.WebURL})
		fmt.Fprintf(&b, "- [%s] %s", c.ID, c.DisplayName)
		if c.Description != "" {
			fmt.Fprintf(&b, ": %s", c.Description)
		}
		b.WriteString("\n")
	}
	return registry.Result{Text: strings.TrimRight(b.String(), "\n"), Structured: out}, nil
}
