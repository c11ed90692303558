package google

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// label is a Gmail label, in the shape users.labels.list returns.
type label struct {
	ID                    string `json:"id"`
	Name                  string `json:"name"`
	MessageListVisibility string `json:"messageListVisibility,omitempty"`
	LabelListVisibility   string `json:"labelListVisibility,omitempty"`
	Type                  string `json:"type"`
}

// systemLabels are the labels every Gmail mailbox has, as Gmail lists them.
var systemLabels = []label{
	{ID: "CHAT", Name: "CHAT", MessageListVisibility: "hide", LabelListVisibility: "labelHide",
		Type: "system"},
	{ID: "SENT", Name: "SENT", Type: "system"},
	{ID: "INBOX", Name: "INBOX", Type: "system"},
	{ID: "IMPORTANT", Name: "IMPORTANT", MessageListVisibility: "hide",
		LabelListVisibility: "labelShow", Type: "system"},
	{ID: "TRASH", Name: "TRASH", MessageListVisibility: "hide", LabelListVisibility: "labelHide",
		Type: "system"},
	{ID: "DRAFT", Name: "DRAFT", Type: "system"},
	{ID: "SPAM", Name: "SPAM", MessageListVisibility: "hide", LabelListVisibility: "labelHide",
		Type: "system"},
	{ID: "CATEGORY_FORUMS", Name: "CATEGORY_FORUMS", Type: "system"},
	{ID: "CATEGORY_UPDATES", Name: "CATEGORY_UPDATES", Type: "system"},
	{ID: "CATEGORY_PERSONAL", Name: "CATEGORY_PERSONAL", Type: "system"},
	{ID: "CATEGORY_PROMOTIONS", Name: "CATEGORY_PROMOTIONS", Type: "system"},
	{ID: "CATEGORY_SOCIAL", Name: "CATEGORY_SOCIAL", Type: "system"},
	{ID: "STARRED", Name: "STARRED", Type: "system"},
	{ID: "UNREAD", Name: "UNREAD", Type: "system"},
}

// message is one stored message. Its ID, like Gmail's, is 16 hex digits: the internal date
// in milliseconds shifted left 20 bits, plus a sequence number.
type message struct {
	id        string
	threadID  string
	labels    []string
	internal  time.Time
	raw       []byte
	historyID uint64
	parsed    *parsedMessage
}

// mailbox is the account's mail. The Server's mutex guards it.
type mailbox struct {
	account  string
	labels   []label
	messages map[string]*message
	drafts   map[string]string // draft ID to message ID
	history  uint64
	seq      uint64
}

func newMailbox(account string, now time.Time) *mailbox {
	mb := &mailbox{
		account:  account,
		labels:   slices.Clone(systemLabels),
		messages: make(map[string]*message),
		drafts:   make(map[string]string),
		history:  4200,
	}
	mb.seed(now)
	return mb
}

// add stores a parsed message and returns it. An empty threadID starts a new thread.
func (mb *mailbox) add(raw []byte, p *parsedMessage, labels []string, threadID string,
	at time.Time) *message {
	mb.seq++
	mb.history++
	id := fmt.Sprintf("%016x", uint64(at.UnixMilli())<<20|mb.seq&0xfffff)
	if threadID == "" {
		threadID = id
	}
	m := &message{
		id: id, threadID: threadID, labels: labels, internal: at,
		raw: raw, historyID: mb.history, parsed: p,
	}
	n := 0
	walkParts(p.root, func(pt *part) {
		if pt.filename != "" && len(pt.parts) == 0 {
			n++
			pt.attachmentID = fmt.Sprintf("ANGjdJ_%s_%d", id, n)
		}
	})
	mb.messages[id] = m
	return m
}

func walkParts(p *part, fn func(*part)) {
	fn(p)
	for _, c := range p.parts {
		walkParts(c, fn)
	}
}

// lookup finds a message. It says "invalid" when the ID cannot be a Gmail ID at all, which
// Gmail answers with 400 rather than 404.
func (mb *mailbox) lookup(id string) (m *message, valid bool) {
	if _, err := strconv.ParseInt(id, 16, 64); err != nil || len(id) > 16 {
		return nil, false
	}
	return mb.messages[id], true
}

// relabel adds and removes labels on a message and records the change.
func (mb *mailbox) relabel(m *message, add, remove []string) {
	for _, l := range add {
		if !slices.Contains(m.labels, l) {
			m.labels = append(m.labels, l)
		}
	}
	m.labels = slices.DeleteFunc(m.labels, func(l string) bool {
		return slices.Contains(remove, l)
	})
	mb.history++
	m.historyID = mb.history
}

// findLabel resolves a label ID, or a label name as Gmail's search accepts it: case
// insensitive, with "-" standing for a space or "/".
func (mb *mailbox) findLabel(idOrName string) (label, bool) {
	norm := func(s string) string {
		return strings.NewReplacer(" ", "-", "/", "-").Replace(strings.ToLower(s))
	}
	for _, l := range mb.labels {
		if l.ID == idOrName || norm(l.Name) == norm(idOrName) {
			return l, true
		}
	}
	return label{}, false
}

// threads counts the distinct threads.
func (mb *mailbox) threads() int {
	seen := make(map[string]bool)
	for _, m := range mb.messages {
		seen[m.threadID] = true
	}
	return len(seen)
}

// addresses returns the addresses in a message's headers, lowercased; unparsable headers
// give none.
func (p *parsedMessage) addresses(names ...string) []string {
	var out []string
	for _, n := range names {
		for _, v := range p.headers[n] {
			list, err := mail.ParseAddressList(v)
			if err != nil {
				continue
			}
			for _, a := range list {
				out = append(out, strings.ToLower(a.Address))
			}
		}
	}
	return out
}
