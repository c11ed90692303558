package google

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// header is one message header in its original spelling and place.
type header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// part is one node of a parsed MIME tree, the shape of Gmail's MessagePart.
type part struct {
	partID       string
	mimeType     string
	filename     string
	headers      []header
	data         []byte // decoded body of a leaf
	attachmentID string // set for leaves with a filename
	parts        []*part
}

// parsedMessage is an RFC 5322 message taken apart the way Gmail presents it.
type parsedMessage struct {
	headers mail.Header
	root    *part
	text    string // the readable body, for search and the snippet
}

// maxDepth bounds multipart nesting, as a guard against hostile input.
const maxDepth = 8

// parseMessage parses a raw RFC 5322 message: its headers in order, and its MIME tree.
func parseMessage(raw []byte) (*parsedMessage, error) {
	headers, body, err := splitHeaders(raw)
	if err != nil {
		return nil, err
	}
	m := &parsedMessage{headers: make(mail.Header)}
	for _, h := range headers {
		key := textproto.CanonicalMIMEHeaderKey(h.Name)
		m.headers[key] = append(m.headers[key], h.Value)
	}
	m.root = parsePart(headers, body, "", 0)
	m.text = readableText(m.root)
	return m, nil
}

// splitHeaders reads the header block of raw, unfolding continuation lines, and returns the
// headers in order and the body after the blank line.
func splitHeaders(raw []byte) ([]header, []byte, error) {
	r := bufio.NewReader(bytes.NewReader(raw))
	var headers []header
	read := 0
	for {
		line, err := r.ReadString('\n')
		read += len(line)
		trimmed := strings.TrimRight(line, "\r\n")
		if trimmed == "" {
			break
		}
		if trimmed[0] == ' ' || trimmed[0] == '\t' {
			if len(headers) == 0 {
				return nil, nil, errors.New("message starts with a continuation line")
			}
			headers[len(headers)-1].Value += " " + strings.TrimSpace(trimmed)
		} else {
			name, value, ok := strings.Cut(trimmed, ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				return nil, nil, errors.New("malformed header line")
			}
			headers = append(headers, header{Name: name, Value: strings.TrimSpace(value)})
		}
		if err == io.EOF {
			break
		}
	}
	if len(headers) == 0 {
		return nil, nil, errors.New("message has no headers")
	}
	return headers, raw[min(read, len(raw)):], nil
}

// parsePart builds the MIME node for headers and body. Gmail numbers parts "" for the
// message, then "0", "1", and "0.1" for nested parts.
func parsePart(headers []header, body []byte, id string, depth int) *part {
	p := &part{partID: id, headers: headers, mimeType: "text/plain"}
	params := map[string]string{}
	if ct := headerValue(headers, "Content-Type"); ct != "" {
		mt, ps, err := mime.ParseMediaType(ct)
		if err == nil {
			p.mimeType, params = mt, ps
		} else {
			p.mimeType = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
		}
	}
	if _, ps, err := mime.ParseMediaType(headerValue(headers, "Content-Disposition")); err == nil {
		p.filename = ps["filename"]
	}
	if p.filename == "" {
		p.filename = params["name"]
	}

	if strings.HasPrefix(p.mimeType, "multipart/") && params["boundary"] != "" && depth < maxDepth {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for i := 0; ; i++ {
			child, err := mr.NextRawPart()
			if err != nil {
				break
			}
			data, err := io.ReadAll(child)
			if err != nil {
				break
			}
			p.parts = append(p.parts, parsePart(orderedHeaders(child.Header), data,
				childID(id, i), depth+1))
		}
		return p
	}
	p.data = decodeBody(headerValue(headers, "Content-Transfer-Encoding"), body)
	return p
}

func childID(parent string, i int) string {
	if parent == "" {
		return strconv.Itoa(i)
	}
	return parent + "." + strconv.Itoa(i)
}

// orderedHeaders lists a part's headers. The multipart reader keeps no order, so the
// content headers come first and the rest alphabetically.
func orderedHeaders(h textproto.MIMEHeader) []header {
	first := []string{"Content-Type", "Content-Disposition", "Content-Transfer-Encoding"}
	keys := make([]string, 0, len(h))
	for k := range h {
		if !slices.Contains(first, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []header
	for _, k := range append(first, keys...) {
		for _, v := range h[k] {
			out = append(out, header{Name: k, Value: v})
		}
	}
	return out
}

// decodeBody undoes a Content-Transfer-Encoding. A body that does not decode is kept as is,
// as mail readers do.
func decodeBody(encoding string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		clean := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(body))
		if b, err := base64.StdEncoding.DecodeString(clean); err == nil {
			return b
		}
	case "quoted-printable":
		if b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))); err == nil {
			return b
		}
	}
	return body
}

// headerValue returns the first value of the named header, compared case-insensitively.
func headerValue(headers []header, name string) string {
	for _, h := range headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// decodeWords decodes RFC 2047 encoded words, as Gmail does in the headers it returns.
func decodeWords(v string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// readableText returns a message's text: its text/plain parts, or failing that its
// text/html parts without markup. Attachments do not count.
func readableText(root *part) string {
	var plain, htmlText []string
	var walk func(p *part)
	walk = func(p *part) {
		for _, c := range p.parts {
			walk(c)
		}
		if len(p.parts) > 0 || p.filename != "" {
			return
		}
		switch p.mimeType {
		case "text/plain":
			plain = append(plain, string(p.data))
		case "text/html":
			htmlText = append(htmlText, stripTags(string(p.data)))
		}
	}
	walk(root)
	if len(plain) > 0 {
		return strings.Join(plain, "\n")
	}
	return strings.Join(htmlText, "\n")
}

// stripTags removes markup from HTML, well enough for a snippet and search.
func stripTags(s string) string {
	var b strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
			b.WriteByte(' ')
		case !inTag:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

// snippetOf shortens text to Gmail's snippet: whitespace collapsed, at most 200 characters,
// HTML-escaped.
func snippetOf(text string) string {
	s := strings.Join(strings.Fields(text), " ")
	if r := []rune(s); len(r) > 200 {
		s = strings.TrimSpace(string(r[:200]))
	}
	return html.EscapeString(s)
}
