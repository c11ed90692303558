package slack

import (
	"fmt"
	"slices"
	"strings"
)

// The JSON objects Slack returns, in the field order of Slack's reference examples. Fields
// Slack sends but the sandbox has no use for (enterprise grids, Slack Connect, canvases) are
// left out.

type textValue struct {
	Value   string `json:"value"`
	Creator string `json:"creator"`
	LastSet int64  `json:"last_set"`
}

// channelJSON is Slack's conversation object for channels, private channels and group
// direct messages.
type channelJSON struct {
	ID                 string    `json:"id"`
	Name               string    `json:"name"`
	IsChannel          bool      `json:"is_channel"`
	IsGroup            bool      `json:"is_group"`
	IsIM               bool      `json:"is_im"`
	IsMPIM             bool      `json:"is_mpim"`
	IsPrivate          bool      `json:"is_private"`
	Created            int64     `json:"created"`
	IsArchived         bool      `json:"is_archived"`
	IsGeneral          bool      `json:"is_general"`
	Unlinked           int       `json:"unlinked"`
	NameNormalized     string    `json:"name_normalized"`
	IsShared           bool      `json:"is_shared"`
	IsOrgShared        bool      `json:"is_org_shared"`
	IsExtShared        bool      `json:"is_ext_shared"`
	IsPendingExtShared bool      `json:"is_pending_ext_shared"`
	PendingShared      []string  `json:"pending_shared"`
	ContextTeamID      string    `json:"context_team_id"`
	Creator            string    `json:"creator"`
	IsMember           bool      `json:"is_member"`
	Topic              textValue `json:"topic"`
	Purpose            textValue `json:"purpose"`
	PreviousNames      []string  `json:"previous_names"`
	NumMembers         int       `json:"num_members"`
}

// imJSON is Slack's conversation object for a direct message.
type imJSON struct {
	ID            string `json:"id"`
	Created       int64  `json:"created"`
	IsIM          bool   `json:"is_im"`
	IsOrgShared   bool   `json:"is_org_shared"`
	User          string `json:"user"`
	IsUserDeleted bool   `json:"is_user_deleted"`
	Priority      int    `json:"priority"`
}

// conversationJSON renders c as who sees it.
func (ws *workspace) conversationJSON(c *conversation, who string) any {
	if c.Type == typeIM {
		other := c.Members[0]
		if other == who && len(c.Members) > 1 {
			other = c.Members[1]
		}
		p := ws.person(other)
		return imJSON{ID: c.ID, Created: c.Created, IsIM: true, User: other,
			IsUserDeleted: p != nil && p.Deleted}
	}
	return channelJSON{
		ID:             c.ID,
		Name:           c.Name,
		IsChannel:      c.Type == typePublic || c.Type == typePrivate,
		IsGroup:        c.Type == typeMPIM,
		IsMPIM:         c.Type == typeMPIM,
		IsPrivate:      c.Type != typePublic,
		Created:        c.Created,
		IsArchived:     c.Archived,
		IsGeneral:      c.General,
		NameNormalized: c.Name,
		PendingShared:  []string{},
		ContextTeamID:  teamID,
		Creator:        c.Creator,
		IsMember:       c.member(who),
		Topic:          c.textValue(c.Topic),
		Purpose:        c.textValue(c.Purpose),
		PreviousNames:  []string{},
		NumMembers:     len(c.Members),
	}
}

// textValue renders a topic or purpose, set by the creator when the channel was created.
func (c *conversation) textValue(v string) textValue {
	if v == "" {
		return textValue{}
	}
	return textValue{Value: v, Creator: c.Creator, LastSet: c.Created}
}

// messageJSON is Slack's message object.
type messageJSON struct {
	Type            string     `json:"type"`
	Subtype         string     `json:"subtype,omitempty"`
	User            string     `json:"user,omitempty"`
	BotID           string     `json:"bot_id,omitempty"`
	AppID           string     `json:"app_id,omitempty"`
	Text            string     `json:"text"`
	TS              string     `json:"ts"`
	Team            string     `json:"team"`
	ThreadTS        string     `json:"thread_ts,omitempty"`
	ParentUserID    string     `json:"parent_user_id,omitempty"`
	ReplyCount      int        `json:"reply_count,omitempty"`
	ReplyUsersCount int        `json:"reply_users_count,omitempty"`
	LatestReply     string     `json:"latest_reply,omitempty"`
	ReplyUsers      []string   `json:"reply_users,omitempty"`
	Files           []fileJSON `json:"files,omitempty"`
	Upload          bool       `json:"upload,omitempty"`
}

// messageJSON renders m; parentUser is the thread parent's author for replies.
func (ws *workspace) messageJSON(m *message, parentUser string, who string) messageJSON {
	out := messageJSON{Type: "message", User: m.User, BotID: m.BotID, AppID: m.AppID,
		Text: m.Text, TS: m.TS, Team: teamID, ThreadTS: m.ThreadTS}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		out.ParentUserID = parentUser
		if m.Broadcast {
			out.Subtype = "thread_broadcast"
		}
	}
	if n := len(m.replies); n > 0 {
		out.ReplyCount = n
		out.LatestReply = m.replies[n-1].TS
		for _, r := range m.replies {
			if !slices.Contains(out.ReplyUsers, r.User) {
				out.ReplyUsers = append(out.ReplyUsers, r.User)
			}
		}
		out.ReplyUsersCount = len(out.ReplyUsers)
	}
	for _, id := range m.Files {
		if f := ws.file(id); f != nil {
			out.Files = append(out.Files, ws.fileJSON(f))
		}
	}
	out.Upload = len(out.Files) > 0
	return out
}

// profileJSON is a user's profile.
type profileJSON struct {
	Title                 string `json:"title"`
	Phone                 string `json:"phone"`
	RealName              string `json:"real_name"`
	RealNameNormalized    string `json:"real_name_normalized"`
	DisplayName           string `json:"display_name"`
	DisplayNameNormalized string `json:"display_name_normalized"`
	FirstName             string `json:"first_name,omitempty"`
	LastName              string `json:"last_name,omitempty"`
	StatusText            string `json:"status_text"`
	StatusEmoji           string `json:"status_emoji"`
	Email                 string `json:"email,omitempty"`
	BotID                 string `json:"bot_id,omitempty"`
	Image48               string `json:"image_48"`
	Team                  string `json:"team"`
}

// userJSON is Slack's user object.
type userJSON struct {
	ID                string      `json:"id"`
	TeamID            string      `json:"team_id"`
	Name              string      `json:"name"`
	Deleted           bool        `json:"deleted"`
	Color             string      `json:"color"`
	RealName          string      `json:"real_name"`
	TZ                string      `json:"tz"`
	TZLabel           string      `json:"tz_label"`
	TZOffset          int         `json:"tz_offset"`
	Profile           profileJSON `json:"profile"`
	IsAdmin           bool        `json:"is_admin"`
	IsOwner           bool        `json:"is_owner"`
	IsPrimaryOwner    bool        `json:"is_primary_owner"`
	IsRestricted      bool        `json:"is_restricted"`
	IsUltraRestricted bool        `json:"is_ultra_restricted"`
	IsBot             bool        `json:"is_bot"`
	IsAppUser         bool        `json:"is_app_user"`
	Updated           int64       `json:"updated"`
}

// userView renders p; the email address is shown only when withEmail, as Slack shows it only
// to tokens holding users:read.email.
func userView(p *person, withEmail bool) userJSON {
	first, last, _ := strings.Cut(p.RealName, " ")
	prof := profileJSON{Title: p.Title, RealName: p.RealName, RealNameNormalized: p.RealName,
		DisplayName: p.DisplayName, DisplayNameNormalized: p.DisplayName,
		BotID:   p.BotID,
		Image48: fmt.Sprintf("https://avatars.slack-edge.com/sandbox/%s_48.png", p.ID),
		Team:    teamID}
	if !p.Bot {
		prof.FirstName, prof.LastName = first, last
	}
	if withEmail {
		prof.Email = p.Email
	}
	return userJSON{ID: p.ID, TeamID: teamID, Name: p.Name, Deleted: p.Deleted, Color: "9f69e7",
		RealName: p.RealName, TZ: p.TZ, TZLabel: p.TZLabel, TZOffset: p.TZOffset, Profile: prof,
		IsAdmin: p.Admin, IsOwner: p.Owner, IsPrimaryOwner: p.Owner, IsBot: p.Bot,
		Updated: p.Updated}
}

// filesHost is where Slack serves private file downloads.
const filesHost = "https://files.slack.com/files-pri/"

// fileJSON is Slack's file object.
type fileJSON struct {
	ID                 string   `json:"id"`
	Created            int64    `json:"created"`
	Timestamp          int64    `json:"timestamp"`
	Name               string   `json:"name"`
	Title              string   `json:"title"`
	Mimetype           string   `json:"mimetype"`
	Filetype           string   `json:"filetype"`
	PrettyType         string   `json:"pretty_type"`
	User               string   `json:"user"`
	UserTeam           string   `json:"user_team"`
	Editable           bool     `json:"editable"`
	Size               int      `json:"size"`
	Mode               string   `json:"mode"`
	IsExternal         bool     `json:"is_external"`
	ExternalType       string   `json:"external_type"`
	IsPublic           bool     `json:"is_public"`
	PublicURLShared    bool     `json:"public_url_shared"`
	DisplayAsBot       bool     `json:"display_as_bot"`
	Username           string   `json:"username"`
	URLPrivate         string   `json:"url_private"`
	URLPrivateDownload string   `json:"url_private_download"`
	Permalink          string   `json:"permalink"`
	PermalinkPublic    string   `json:"permalink_public"`
	Channels           []string `json:"channels"`
	Groups             []string `json:"groups"`
	IMs                []string `json:"ims"`
	CommentsCount      int      `json:"comments_count"`
}

func (ws *workspace) fileJSON(f *file) fileJSON {
	out := fileJSON{ID: f.ID, Created: f.Created, Timestamp: f.Created, Name: f.Name,
		Title: f.Title, Mimetype: f.Mimetype, Filetype: f.Filetype,
		PrettyType: prettyType(f.Filetype), User: f.User, UserTeam: teamID, Size: f.Size,
		Mode: "hosted", ExternalType: "",
		URLPrivate:         filesHost + teamID + "-" + f.ID + "/" + f.Name,
		URLPrivateDownload: filesHost + teamID + "-" + f.ID + "/download/" + f.Name,
		Permalink: fmt.Sprintf("https://%s.slack.com/files/%s/%s/%s", teamDomain, f.User, f.ID,
			f.Name),
		PermalinkPublic: fmt.Sprintf("https://slack-files.com/%s-%s-sandbox", teamID, f.ID),
		Channels:        []string{}, Groups: []string{}, IMs: []string{},
	}
	for _, id := range f.Shares {
		c := ws.conversation(id)
		switch {
		case c == nil:
		case c.Type == typePublic:
			out.Channels = append(out.Channels, id)
			out.IsPublic = true
		case c.Type == typeIM:
			out.IMs = append(out.IMs, id)
		default:
			out.Groups = append(out.Groups, id)
		}
	}
	return out
}

// prettyType is the human name Slack shows for a filetype.
func prettyType(filetype string) string {
	switch filetype {
	case "text":
		return "Plain Text"
	case "markdown":
		return "Markdown (raw)"
	case "pdf", "csv", "png", "jpg", "gif", "json", "zip":
		return strings.ToUpper(filetype)
	case "", "binary":
		return "Binary"
	}
	return strings.ToUpper(filetype[:1]) + filetype[1:]
}
