package gmail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// message is the Gmail API's Message resource, with the fields scopegate reads.
type message struct {
	ID           string   `json:"id"`
	ThreadID     string   `json:"threadId"`
	LabelIDs     []string `json:"labelIds"`
	Snippet      string   `json:"snippet"`
	InternalDate string   `json:"internalDate"`
	Payload      part     `json:"payload"`
}

// part is the Gmail API's MessagePart resource.
type part struct {
	PartID   string `json:"partId"`
	MimeType string `json:"mimeType"`
	Filename string `json:"filename"`
	Headers  []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Body struct {
		AttachmentID string `json:"attachmentId"`
		Size         int    `json:"size"`
		Data         string `json:"data"`
	} `json:"body"`
	Parts []part `json:"parts"`
}

func (m *message) header(name string) string {
	for _, h := range m.Payload.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func (m *message) summary() MessageSummary {
	return MessageSummary{
		ID:       m.ID,
		ThreadID: m.ThreadID,
		From:     m.header("From"),
		To:       m.header("To"),
		Subject:  m.header("Subject"),
		Date:     m.header("Date"),
		Snippet:  html.UnescapeString(m.Snippet),
		Labels:   m.LabelIDs,
	}
}

// text returns the message's readable body: the first text/plain part, or
// else the first text/html part with its tags removed.
func (p *part) text() (body, format string) {
	if s, ok := p.find("text/plain"); ok {
		return s, "text"
	}
	if s, ok := p.find("text/html"); ok {
		return stripHTML(s), "html_as_text"
	}
	return "", "none"
}

func (p *part) find(mimeType string) (string, bool) {
	if strings.EqualFold(p.MimeType, mimeType) && p.Filename == "" && p.Body.Data != "" {
		return decodeData(p.Body.Data), true
	}
	for i := range p.Parts {
		if s, ok := p.Parts[i].find(mimeType); ok {
			return s, true
		}
	}
	return "", false
}

func (p *part) attachments(acc []Attachment) []Attachment {
	if p.Filename != "" {
		acc = append(acc, Attachment{
			Filename:     p.Filename,
			MimeType:     p.MimeType,
			Size:         p.Body.Size,
			AttachmentID: p.Body.AttachmentID,
		})
	}
	for i := range p.Parts {
		acc = p.Parts[i].attachments(acc)
	}
	return acc
}

// decodeData decodes a MessagePartBody's data, which Gmail sends as
// base64url, with or without padding.
func decodeData(s string) string {
	s = strings.TrimRight(s, "=")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}

var (
	tagRE    = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]+>`)
	blanksRE = regexp.MustCompile(`\n{3,}`)
)

func stripHTML(s string) string {
	s = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n\n").Replace(s)
	s = html.UnescapeString(tagRE.ReplaceAllString(s, ""))
	return strings.TrimSpace(blanksRE.ReplaceAllString(s, "\n\n"))
}

// draft is an outgoing message before it is encoded.
type draft struct {
	To, Cc, Bcc []*mail.Address
	Subject     string
	Body        string
	HTML        bool
	InReplyTo   string
	Date        time.Time
}

// rfc5322 renders the draft as an RFC 5322 message with a MIME body in
// UTF-8, quoted-printable. Gmail sets From to the signed-in account.
func (d *draft) rfc5322() []byte {
	var b bytes.Buffer
	writeHeader := func(name, value string) {
		fmt.Fprintf(&b, "%s: %s\r\n", name, value)
	}
	writeHeader("Date", d.Date.Format(time.RFC1123Z))
	if len(d.To) > 0 {
		writeHeader("To", addressList(d.To))
	}
	if len(d.Cc) > 0 {
		writeHeader("Cc", addressList(d.Cc))
	}
	if len(d.Bcc) > 0 {
		writeHeader("Bcc", addressList(d.Bcc))
	}
	writeHeader("Subject", mime.QEncoding.Encode("utf-8", d.Subject))
	if d.InReplyTo != "" {
		writeHeader("In-Reply-To", d.InReplyTo)
		writeHeader("References", d.InReplyTo)
	}
	writeHeader("MIME-Version", "1.0")
	ctype := "text/plain"
	if d.HTML {
		ctype = "text/html"
	}
	writeHeader("Content-Type", ctype+"; charset=UTF-8")
	writeHeader("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	body := strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\n", "\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(body))
	_ = qp.Close()
	return b.Bytes()
}

func addressList(list []*mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}
