// Package outlook implements scopegate's Outlook mail and calendar tools on Microsoft
// Graph v1.0 (delegated access, the signed-in user's own mailbox and calendar). Each tool
// is an input struct, a requirement that agrees with Microsoft's permissions data for
// every operation it calls, and a handler. The requirements also weigh what each
// permission lets Graph return: Mail.ReadBasic and Calendars.ReadBasic are accepted by the
// listings but withhold bodies, and Calendars.ReadBasic needs an administrator.
package outlook

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// Tools returns the Outlook tools in the order they are listed: mail reads, mail writes,
// then the calendar.
func Tools() []registry.Tool {
	return []registry.Tool{
		searchMessages(),
		getMessage(),
		sendMail(),
		moveMessage(),
		deleteMessage(),
		listEvents(),
		createEvent(),
	}
}

// EmailAddress is Graph's emailAddress resource.
type EmailAddress struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Recipient is Graph's recipient resource.
type Recipient struct {
	EmailAddress EmailAddress `json:"emailAddress"`
}

// String writes the recipient as "Name <address>", or the address alone.
func (r Recipient) String() string {
	a := r.EmailAddress
	if a.Name == "" || strings.EqualFold(a.Name, a.Address) {
		return a.Address
	}
	return fmt.Sprintf("%s <%s>", a.Name, a.Address)
}

// ItemBody is Graph's itemBody: content in "text" or "html".
type ItemBody struct {
	ContentType string `json:"contentType"`
	Content     string `json:"content"`
}

// Message is Graph's message resource, with the members the tools select.
type Message struct {
	ID                string       `json:"id"`
	Subject           string       `json:"subject"`
	BodyPreview       string       `json:"bodyPreview"`
	Body              *ItemBody    `json:"body"`
	From              *Recipient   `json:"from"`
	ToRecipients      []Recipient  `json:"toRecipients"`
	CcRecipients      []Recipient  `json:"ccRecipients"`
	ReceivedDateTime  time.Time    `json:"receivedDateTime"`
	IsRead            bool         `json:"isRead"`
	HasAttachments    bool         `json:"hasAttachments"`
	Importance        string       `json:"importance"`
	ConversationID    string       `json:"conversationId"`
	ParentFolderID    string       `json:"parentFolderId"`
	InternetMessageID string       `json:"internetMessageId"`
	WebLink           string       `json:"webLink"`
	Attachments       []Attachment `json:"attachments"`
}

// Attachment is one member of a message's attachments, without its bytes.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
	IsInline    bool   `json:"isInline"`
}

// messagePath returns the path of the signed-in user's message id, or of one of its
// actions, with the id escaped.
func messagePath(id string, action ...string) string {
	p := "/me/messages/" + url.PathEscape(id)
	for _, a := range action {
		p += "/" + a
	}
	return p
}

// recipientList turns addresses as the agent wrote them into Graph recipients.
func recipientList(field string, list []string) ([]Recipient, error) {
	var out []Recipient
	for _, s := range list {
		addrs, err := mail.ParseAddressList(s)
		if err != nil {
			return nil, registry.Errorf("%s: %q is not an email address (%v)", field, s, err)
		}
		for _, a := range addrs {
			out = append(out, Recipient{EmailAddress: EmailAddress{Name: a.Name, Address: a.Address}})
		}
	}
	return out, nil
}

func joinRecipients(list []Recipient) []string {
	out := make([]string, 0, len(list))
	for _, r := range list {
		out = append(out, r.String())
	}
	return out
}

// checkID refuses an empty id or one that cannot be a path segment.
func checkID(field, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return registry.Errorf("%s must not be empty", field)
	case strings.ContainsAny(id, "/?#"):
		return registry.Errorf("%s %q is not an Outlook id", field, id)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// parseWhen reads a time the agent wrote as RFC 3339 or as a date (midnight UTC).
func parseWhen(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, registry.Errorf("%s must be a date-time such as 2025-03-01T09:00:00Z "+
		"or a date such as 2025-03-01, got %q", field, s)
}
