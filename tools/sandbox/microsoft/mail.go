package microsoft

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// address is an emailAddress resource.
type address struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// attachment is a file attached to a message.
type attachment struct {
	id, name, contentType string
	size                  int
}

// message is one mail item in the mailbox.
type message struct {
	id, folderID, conversationID, internetID string
	subject, body                            string
	html                                     bool
	from                                     address
	to, cc, bcc                              []address
	received, sent, modified                 time.Time
	isRead, isDraft                          bool
	importance, flag                         string
	categories                               []string
	attachments                              []attachment
	version                                  int
}

// mailFolder is a folder of the mailbox; wellKnown is its well-known name, if any.
type mailFolder struct {
	id, wellKnown, displayName string
}

// mailbox is the account's mail: folders and messages.
type mailbox struct {
	owner    address
	folders  []*mailFolder
	messages []*message
}

// wellKnownFolders are the folders Outlook gives every mailbox, by well-known name.
var wellKnownFolders = []struct{ name, display string }{
	{"inbox", "Inbox"}, {"drafts", "Drafts"}, {"sentitems", "Sent Items"},
	{"deleteditems", "Deleted Items"}, {"archive", "Archive"}, {"junkemail", "Junk Email"},
	{"outbox", "Outbox"},
}

func newMailbox(owner address) *mailbox {
	m := &mailbox{owner: owner}
	for _, f := range wellKnownFolders {
		m.folders = append(m.folders, &mailFolder{id: newItemID(), wellKnown: f.name, displayName: f.display})
	}
	return m
}

// newItemID returns an Exchange-shaped item id.
func newItemID() string {
	return randomToken("AAMkAD", 66) + "="
}

// wellFormedItemID reports whether id could be an Exchange item id; others are answered
// with ErrorInvalidIdMalformed, as Graph does.
func wellFormedItemID(id string) bool {
	return strings.HasPrefix(id, "AAMk") && len(id) > 20
}

// folder finds a folder by id or well-known name, without case.
func (m *mailbox) folder(ref string) *mailFolder {
	for _, f := range m.folders {
		if f.id == ref || strings.EqualFold(f.wellKnown, ref) {
			return f
		}
	}
	return nil
}

func (m *mailbox) message(id string) *message {
	for _, msg := range m.messages {
		if msg.id == id {
			return msg
		}
	}
	return nil
}

func (m *mailbox) remove(id string) {
	for i, msg := range m.messages {
		if msg.id == id {
			m.messages = append(m.messages[:i], m.messages[i+1:]...)
			return
		}
	}
}

// bodyAs returns the message body as text or HTML, converting as Outlook does when the
// client's Prefer header asks for the other type.
func (msg *message) bodyAs(wantHTML bool) (string, string) {
	switch {
	case wantHTML == msg.html:
	case wantHTML:
		return "html", "<html><body><div>" +
			strings.ReplaceAll(html.EscapeString(msg.body), "\n", "<br>") + "</div></body></html>"
	default:
		return "text", htmlToText(msg.body)
	}
	if msg.html {
		return "html", msg.body
	}
	return "text", msg.body
}

var (
	tagRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>|<br\s*/?>|</p>|<[^>]+>`)
	})
	spaceRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`[ \t]+`)
	})
)

// htmlToText keeps an HTML body's text, one line per paragraph or break.
func htmlToText(s string) string {
	s = tagRE().ReplaceAllStringFunc(s, func(tag string) string {
		t := strings.ToLower(tag)
		if strings.HasPrefix(t, "<br") || t == "</p>" {
			return "\n"
		}
		return ""
	})
	return strings.TrimSpace(spaceRE().ReplaceAllString(html.UnescapeString(s), " "))
}

// preview is a message's bodyPreview: its first 255 characters of text on one line.
func (msg *message) preview() string {
	_, text := msg.bodyAs(false)
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > 255 {
		text = string(r[:255])
	}
	return text
}

// entity renders the message as Graph's message resource. wantHTML says which body type
// to send; nil keeps the stored one.
func (msg *message) entity(wantHTML *bool) entity {
	asHTML := msg.html
	if wantHTML != nil {
		asHTML = *wantHTML
	}
	ct, content := msg.bodyAs(asHTML)
	flag := msg.flag
	if flag == "" {
		flag = "notFlagged"
	}
	importance := msg.importance
	if importance == "" {
		importance = "normal"
	}
	categories := msg.categories
	if categories == nil {
		categories = []string{}
	}
	changeKey := fmt.Sprintf("CQAAABYAAAA%08d", msg.version)
	return entity{
		"@odata.etag":                fmt.Sprintf(`W/"%s"`, changeKey),
		"id":                         msg.id,
		"createdDateTime":            graphTime(msg.received),
		"lastModifiedDateTime":       graphTime(msg.modified),
		"changeKey":                  changeKey,
		"categories":                 categories,
		"receivedDateTime":           graphTime(msg.received),
		"sentDateTime":               graphTime(msg.sent),
		"hasAttachments":             len(msg.attachments) > 0,
		"internetMessageId":          msg.internetID,
		"subject":                    msg.subject,
		"bodyPreview":                msg.preview(),
		"importance":                 importance,
		"parentFolderId":             msg.folderID,
		"conversationId":             msg.conversationID,
		"isDeliveryReceiptRequested": false,
		"isReadReceiptRequested":     false,
		"isRead":                     msg.isRead,
		"isDraft":                    msg.isDraft,
		"webLink": "https://outlook.office365.com/owa/?ItemID=" + url.QueryEscape(msg.id) +
			"&exvsurl=1&viewmodel=ReadMessageItem",
		"inferenceClassification": "focused",
		"body":                    entity{"contentType": ct, "content": content},
		"sender":                  recipient(msg.from),
		"from":                    recipient(msg.from),
		"toRecipients":            recipients(msg.to),
		"ccRecipients":            recipients(msg.cc),
		"bccRecipients":           recipients(msg.bcc),
		"replyTo":                 []entity{},
		"flag":                    entity{"flagStatus": flag},
	}
}

// attachmentEntities renders the attachments for $expand=attachments, without their
// bytes.
func (msg *message) attachmentEntities() []entity {
	out := []entity{}
	for _, a := range msg.attachments {
		out = append(out, entity{
			"@odata.type": "#microsoft.graph.fileAttachment", "id": a.id,
			"lastModifiedDateTime": graphTime(msg.received), "name": a.name,
			"contentType": a.contentType, "size": a.size, "isInline": false,
		})
	}
	return out
}

func recipient(a address) entity {
	return entity{"emailAddress": entity{"name": a.Name, "address": a.Address}}
}

func recipients(list []address) []entity {
	out := []entity{}
	for _, a := range list {
		out = append(out, recipient(a))
	}
	return out
}

// graphTime writes a date-time the way Outlook's mail resources do: UTC, whole seconds.
func graphTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// participants returns every address the message names, for search.
func (msg *message) participants() []address {
	out := []address{msg.from}
	out = append(out, msg.to...)
	out = append(out, msg.cc...)
	return append(out, msg.bcc...)
}

func matchesAddress(a address, s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(strings.ToLower(a.Address), s) || strings.Contains(strings.ToLower(a.Name), s)
}
