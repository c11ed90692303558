package slack

import (
	"cmp"
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/slackapi"
)

// user is the part of Slack's user object the tools read.
type user struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Deleted  bool   `json:"deleted"`
	RealName string `json:"real_name"`
	TZ       string `json:"tz"`
	IsAdmin  bool   `json:"is_admin"`
	IsBot    bool   `json:"is_bot"`
	Profile  struct {
		Title       string `json:"title"`
		DisplayName string `json:"display_name"`
		RealName    string `json:"real_name"`
		Email       string `json:"email"`
	} `json:"profile"`
}

// User is a person (or bot) in a tool's result. Email is shown only when the grant includes
// users:read.email, as Slack leaves it out otherwise.
type User struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	RealName    string `json:"real_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Title       string `json:"title,omitempty"`
	Email       string `json:"email,omitempty"`
	TimeZone    string `json:"time_zone,omitempty"`
	Admin       bool   `json:"admin,omitempty"`
	Bot         bool   `json:"bot,omitempty"`
	Deactivated bool   `json:"deactivated,omitempty"`
}

func (u user) summary() User {
	return User{ID: u.ID, Name: u.Name, RealName: cmp.Or(u.RealName, u.Profile.RealName),
		DisplayName: u.Profile.DisplayName, Title: u.Profile.Title, Email: u.Profile.Email,
		TimeZone: u.TZ, Admin: u.IsAdmin, Bot: u.IsBot, Deactivated: u.Deleted}
}

func (u User) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (@%s, %s)", orNone(u.RealName), u.Name, u.ID)
	for _, s := range []string{u.Title, u.Email, u.TimeZone} {
		if s != "" {
			b.WriteString(", " + s)
		}
	}
	if u.Bot {
		b.WriteString(", bot")
	}
	if u.Deactivated {
		b.WriteString(", deactivated")
	}
	return b.String()
}

// ListUsersInput is the input of slack_list_users.
type ListUsersInput struct {
	Limit              int    `json:"limit,omitempty" jsonschema:"description=Accounts to read (default 100)\\, including bots and deactivated ones left out.,minimum=1,maximum=200"`
	Cursor             string `json:"cursor,omitempty" jsonschema:"description=An earlier call's next_cursor."`
	IncludeBots        bool   `json:"include_bots,omitempty" jsonschema:"description=Also list bots and apps."`
	IncludeDeactivated bool   `json:"include_deactivated,omitempty"`
}

// Check refuses a page size out of range.
func (in *ListUsersInput) Check() error { return checkRange("limit", in.Limit, 1, 200) }

// ListUsersOutput is the structured result of slack_list_users.
type ListUsersOutput struct {
	Users      []User `json:"users"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// The user tools read the directory with the app's token: it is the workspace's directory
// either way, and the app's token is the one the other tools hold.

func listUsers() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_list_users",
		Title: "List Slack people",
		Description: "List Slack members: ids (mention as <@ID>), names, titles, time zones, " +
			"and emails when scopegate may see them.",
		Provider:    "slack",
		TokenType:   registry.BotToken,
		Requirement: registry.AnyOf(registry.SlackUsersRead),
		Operations:  []string{"users.list"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}
	return newTool(spec, nil, runListUsers)
}

func runListUsers(ctx context.Context, api *slackapi.Client,
	in ListUsersInput) (registry.Result, error) {
	users, next, err := slackapi.List[user](ctx, api, "users.list", "members", nil, in.Cursor,
		orDefault(in.Limit, 100))
	if err != nil {
		return registry.Result{}, err
	}
	out := ListUsersOutput{Users: []User{}, NextCursor: next}
	for _, u := range users {
		bot := u.IsBot || u.ID == "USLACKBOT"
		if (bot && !in.IncludeBots) || (u.Deleted && !in.IncludeDeactivated) {
			continue
		}
		out.Users = append(out.Users, u.summary())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d people:", len(out.Users))
	for _, u := range out.Users {
		b.WriteString("\n- " + u.line())
	}
	return registry.Result{Text: b.String() + more(next), Structured: out}, nil
}

// GetUserInput is the input of slack_get_user.
type GetUserInput struct {
	UserID string `json:"user_id" jsonschema:"description=Member id\\, e.g. U0123ABCD."`
}

// Check refuses what cannot be a user id.
func (in *GetUserInput) Check() error {
	if !userID.MatchString(in.UserID) {
		return registry.Errorf("user_id must be a Slack user id such as U0123ABCD; "+
			"slack_list_users and slack_find_user_by_email show them (got %q)", in.UserID)
	}
	return nil
}

func getUser() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_get_user",
		Title: "Look up a Slack person",
		Description: "Show a Slack member by id: name, title, time zone, and email when " +
			"scopegate may see it.",
		Provider:    "slack",
		TokenType:   registry.BotToken,
		Requirement: registry.AnyOf(registry.SlackUsersRead),
		Operations:  []string{"users.info"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}
	hints := slackapi.Hints{
		"user_not_found": "slack_list_users and slack_find_user_by_email show ids.",
	}
	return newTool(spec, hints, runGetUser)
}

func runGetUser(ctx context.Context, api *slackapi.Client,
	in GetUserInput) (registry.Result, error) {
	return lookupUser(ctx, api, "users.info",
		url.Values{"user": {in.UserID}})
}

// FindByEmailInput is the input of slack_find_user_by_email.
type FindByEmailInput struct {
	Email string `json:"email"`
}

// Check refuses what is not a bare email address.
func (in *FindByEmailInput) Check() error {
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != in.Email {
		return registry.Errorf("email must be a bare address such as ana@example.com (got %q)",
			in.Email)
	}
	return nil
}

func findUserByEmail() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_find_user_by_email",
		Title: "Find a Slack person by email",
		Description: "Find the Slack member with an email address, with their id for mentions " +
			"and direct messages.",
		Provider:  "slack",
		TokenType: registry.BotToken,
		// Slack's lookup takes users:read.email alone.
		Requirement: registry.AnyOf(registry.SlackUsersReadEmail),
		Operations:  []string{"users.lookupByEmail"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}
	return newTool(spec, nil, runFindUserByEmail)
}

func runFindUserByEmail(ctx context.Context, api *slackapi.Client,
	in FindByEmailInput) (registry.Result, error) {
	return lookupUser(ctx, api, "users.lookupByEmail",
		url.Values{"email": {in.Email}})
}

// lookupUser calls a method that answers with one user.
func lookupUser(ctx context.Context, api *slackapi.Client, method string,
	args url.Values) (registry.Result, error) {
	var resp struct {
		User user `json:"user"`
	}
	if err := api.Post(ctx, method, args, &resp); err != nil {
		return registry.Result{}, err
	}
	u := resp.User.summary()
	return registry.Result{Text: u.line(), Structured: u}, nil
}
