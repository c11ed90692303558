package google

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// seedMessage describes one message of the starting mailbox. An empty From means the account
// sent it; an empty To means it was sent to the account.
type seedMessage struct {
	age        time.Duration
	from, to   string
	subject    string
	body       string
	html       bool // also carry an HTML alternative
	attachment string
	labels     []string
	reply      bool // continues the previous message's thread
}

// seedLabels are the account's own labels.
var seedLabels = []label{
	{ID: "Label_1", Name: "Receipts", MessageListVisibility: "show",
		LabelListVisibility: "labelShow", Type: "user"},
	{ID: "Label_2", Name: "Projects/Atlas", MessageListVisibility: "show",
		LabelListVisibility: "labelShow", Type: "user"},
}

// seedMessages is the starting mailbox, oldest first, so that searches find something.
var seedMessages = []seedMessage{
	{age: 9 * 24 * time.Hour, from: "Priya Raman <priya.raman@example.org>",
		subject: "Atlas kickoff agenda",
		body: "Hi,\n\nAgenda for Monday's Atlas kickoff: scope, milestones, and who owns " +
			"the migration plan. Please add topics to the doc before Friday.\n\nPriya",
		labels: []string{"INBOX", "CATEGORY_PERSONAL", "Label_2"}},
	{age: 8 * 24 * time.Hour, from: "Tomas Novak <tomas.novak@example.org>",
		subject: "Old meeting notes",
		body:    "Notes from the February sync, superseded by the new tracker.",
		labels:  []string{"TRASH", "CATEGORY_PERSONAL"}},
	{age: 6 * 24 * time.Hour, from: "Prize Department <winner@lottery.example>",
		subject: "You have won a prize!!!",
		body:    "Claim your reward now by replying with your bank details.",
		labels:  []string{"SPAM"}},
	{age: 5 * 24 * time.Hour, to: "Team <team@example.com>",
		subject: "Release notes for v2.4",
		body: "Hello team,\n\nv2.4 ships on Wednesday. Highlights: faster search, " +
			"a new export button and many small fixes.\n\nThanks",
		labels: []string{"SENT"}},
	{age: 3 * 24 * time.Hour, from: "The Weekly Gopher <newsletter@gophers.example>",
		subject: "The Weekly Gopher: generics tips and a new release",
		body: "This week: three patterns for generic code, the new toolchain release " +
			"and a profiling tutorial.",
		html:   true,
		labels: []string{"INBOX", "CATEGORY_PROMOTIONS", "UNREAD"}},
	{age: 2 * 24 * time.Hour, from: "Marco Bianchi <marco.bianchi@example.net>",
		subject: "Lunch on Thursday?",
		body:    "Are you free for lunch on Thursday at 12:30? The new ramen place opened.",
		labels:  []string{"INBOX", "STARRED", "CATEGORY_PERSONAL"}},
	{age: 47 * time.Hour, to: "Marco Bianchi <marco.bianchi@example.net>",
		subject: "Re: Lunch on Thursday?",
		body:    "Thursday works. See you there at 12:30!",
		labels:  []string{"SENT"}, reply: true},
	{age: 26 * time.Hour, from: "Atlas Cloud Billing <billing@atlascloud.example>",
		subject: "Your invoice for March is ready",
		body: "Your invoice INV-2024-0317 for 42.00 EUR is attached. It will be charged to " +
			"the card ending in 4242.",
		attachment: "invoice-INV-2024-0317.pdf",
		labels:     []string{"INBOX", "CATEGORY_UPDATES", "Label_1"}},
	{age: 2 * time.Hour, from: "Priya Raman <priya.raman@example.org>",
		subject: "Q3 planning doc: comments by Friday?",
		body: "Hi,\n\nCould you review the Q3 planning doc and leave comments by Friday? " +
			"The budget section needs your numbers.\n\nThanks,\nPriya",
		labels: []string{"INBOX", "IMPORTANT", "CATEGORY_PERSONAL", "UNREAD"}},
}

// seed fills the mailbox with seedLabels and seedMessages, dated relative to now.
func (mb *mailbox) seed(now time.Time) {
	mb.labels = append(mb.labels, seedLabels...)
	var prev *message
	for i, sm := range seedMessages {
		at := now.Add(-sm.age).Truncate(time.Second)
		raw := sm.compose(mb.account, at, i)
		p, err := parseMessage(raw)
		if err != nil {
			panic(fmt.Sprintf("google sandbox: seed message %d: %v", i, err))
		}
		thread := ""
		if sm.reply && prev != nil {
			thread = prev.threadID
		}
		prev = mb.add(raw, p, append([]string(nil), sm.labels...), thread, at)
	}
}

// compose writes the seed message as RFC 5322 text.
func (sm seedMessage) compose(account string, at time.Time, n int) []byte {
	from, to := sm.from, sm.to
	if from == "" {
		from = account
	}
	if to == "" {
		to = account
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", from, to, sm.subject,
		at.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <seed-%d@sandbox.example>\r\nMIME-Version: 1.0\r\n", n)

	text := strings.ReplaceAll(sm.body, "\n", "\r\n")
	switch {
	case sm.attachment != "":
		b.WriteString("Content-Type: multipart/mixed; boundary=\"mixed-b\"\r\n\r\n")
		b.WriteString("--mixed-b\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n")
		b.WriteString(text + "\r\n--mixed-b\r\n")
		fmt.Fprintf(&b, "Content-Type: application/pdf; name=%q\r\n"+
			"Content-Disposition: attachment; filename=%q\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n", sm.attachment, sm.attachment)
		pdf := "%PDF-1.4\n% sandbox invoice\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(pdf)) + "\r\n--mixed-b--\r\n")
	case sm.html:
		b.WriteString("Content-Type: multipart/alternative; boundary=\"alt-b\"\r\n\r\n")
		b.WriteString("--alt-b\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n")
		b.WriteString(text + "\r\n--alt-b\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n")
		b.WriteString("<html><body><p>" + sm.body + "</p></body></html>\r\n--alt-b--\r\n")
	default:
		b.WriteString("Content-Type: text/plain; charset=\"UTF-8\"\r\n\r\n" + text + "\r\n")
	}
	return []byte(b.String())
}
