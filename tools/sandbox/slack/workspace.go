package slack

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The seeded workspace's fixed identities. Every registered app shares the one bot user.
const (
	teamID      = "T07SANDBOX"
	teamName    = "Sandbox Workspace"
	teamDomain  = "sandbox"
	appID       = "A07SCOPEGT"
	botID       = "B07SCOPEGT"
	botUserID   = "U07SGBOT01"
	installerID = "U07ANA0001"
)

// InstallerEmail is the email address of the workspace member who installs
// apps and to whom user tokens belong: what Server.Account returns.
const InstallerEmail = "ana@example.com"

// Conversation types, as conversations.list's types argument names them.
const (
	typePublic  = "public_channel"
	typePrivate = "private_channel"
	typeIM      = "im"
	typeMPIM    = "mpim"
)

// person is a member of the workspace, or the bot user.
type person struct {
	ID, Name, RealName, DisplayName, Email, Title string
	TZ, TZLabel                                   string
	TZOffset                                      int
	Admin, Owner, Bot, Deleted                    bool
	BotID                                         string
	Updated                                       int64
}

// conversation is a channel, a private channel, a direct message or a group direct message.
type conversation struct {
	ID, Name, Type    string
	Created           int64
	Creator           string
	Archived, General bool
	Topic, Purpose    string
	Members           []string
	messages          []*message // oldest first
}

// message is one message; a reply has ThreadTS set to its parent's TS.
type message struct {
	TS, User, Text, ThreadTS string
	BotID, AppID             string
	Broadcast                bool
	Files                    []string
	replies                  []*message // oldest first, on a parent only
}

// file is an uploaded file and the conversations it was shared in.
type file struct {
	ID, Name, Title, Mimetype, Filetype, User string
	Created                                   int64
	Size                                      int
	Shares                                    []string
}

// workspace is the one Slack workspace the sandbox serves. The Server's mutex guards it.
type workspace struct {
	people []*person
	convs  []*conversation
	files  []*file
	lastTS stamp
	nextID int
}

// stamp is a message timestamp: seconds and a sequence in microseconds, written
// "1700000000.000100" as Slack writes ts.
type stamp struct {
	sec  int64
	usec int
}

func (st stamp) String() string { return fmt.Sprintf("%d.%06d", st.sec, st.usec) }

// newTS returns a timestamp at t, later than every earlier one.
func (ws *workspace) newTS(t time.Time) string {
	st := stamp{t.Unix(), t.Nanosecond() / 1000}
	if st.sec < ws.lastTS.sec || (st.sec == ws.lastTS.sec && st.usec <= ws.lastTS.usec) {
		st = ws.lastTS
		st.usec++
		if st.usec == 1_000_000 {
			st = stamp{st.sec + 1, 0}
		}
	}
	ws.lastTS = st
	return st.String()
}

// newID returns a fresh id with Slack's one-letter prefix.
func (ws *workspace) newID(prefix string) string {
	ws.nextID++
	return fmt.Sprintf("%s08%07d", prefix, ws.nextID)
}

func (ws *workspace) installer() *person { return ws.person(installerID) }

func (ws *workspace) person(id string) *person {
	for _, p := range ws.people {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// conversation finds a conversation by id, or by name with or without "#".
func (ws *workspace) conversation(ref string) *conversation {
	name := strings.TrimPrefix(ref, "#")
	for _, c := range ws.convs {
		if c.ID == ref || (c.Name != "" && c.Name == name && c.Type != typeIM) {
			return c
		}
	}
	return nil
}

func (ws *workspace) file(id string) *file {
	for _, f := range ws.files {
		if f.ID == id {
			return f
		}
	}
	return nil
}

func (c *conversation) member(who string) bool { return slices.Contains(c.Members, who) }

// visibleTo reports whether who can see that the conversation exists: every public channel,
// and the others only to their members.
func (c *conversation) visibleTo(who string) bool {
	return c.Type == typePublic || c.member(who)
}

// message finds a top-level message or a reply by ts.
func (c *conversation) message(ts string) *message {
	for _, m := range c.messages {
		if m.TS == ts {
			return m
		}
		for _, r := range m.replies {
			if r.TS == ts {
				return r
			}
		}
	}
	return nil
}

// post adds a message, as a reply when m.ThreadTS names a parent.
func (c *conversation) post(m *message) {
	if m.ThreadTS == "" {
		c.messages = append(c.messages, m)
		return
	}
	parent := c.message(m.ThreadTS)
	parent.ThreadTS = parent.TS
	parent.replies = append(parent.replies, m)
	if m.Broadcast {
		c.messages = append(c.messages, m)
	}
}

// visibleTo reports whether who can see a file: its owner, a member of a conversation it was
// shared in, or, for people, anyone when it was shared in a public channel.
func (f *file) visibleTo(ws *workspace, who string) bool {
	if f.User == who {
		return true
	}
	for _, id := range f.Shares {
		c := ws.conversation(id)
		if c != nil && (c.member(who) || (c.Type == typePublic && who != botUserID)) {
			return true
		}
	}
	return false
}
