package google

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// maxRequestBody bounds JSON request bodies, near Gmail's 35 MB message limit.
const maxRequestBody = 36 << 20

// rawRequired is Gmail's answer to a send or draft without a message.
const rawRequired = "'raw' RFC822 payload message string or uploading message via " +
	"/upload/* URL required"

// outgoing is a message submitted by the client, checked and completed.
type outgoing struct {
	raw      []byte
	parsed   *parsedMessage
	toSelf   bool
	threadID string
}

// decodeJSON reads a JSON request body into v, answering Gmail's refusal when it cannot.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody)).Decode(v)
	if err != nil {
		writeAPIError(w, 400, "invalid", "Invalid JSON payload received. "+err.Error())
		return false
	}
	return true
}

// prepareOutgoing decodes and checks the raw message of a send or a draft, and completes
// its From, Date and Message-ID headers as Gmail does. needRecipient is true for sending.
// It writes Gmail's refusal and returns false when the message is not acceptable.
func (s *Server) prepareOutgoing(w http.ResponseWriter, raw string, needRecipient bool,
	now time.Time) (outgoing, bool) {
	if raw == "" {
		writeInvalidArgument(w, rawRequired)
		return outgoing{}, false
	}
	data, ok := decodeBase64(raw)
	if !ok {
		writeAPIError(w, 400, "invalid", "Invalid value at 'message.raw' (TYPE_BYTES), "+
			"Base64 decoding failed")
		return outgoing{}, false
	}
	headers, body, err := splitHeaders(data)
	if err != nil {
		headers, body = nil, data
	}
	for _, name := range []string{"To", "Cc", "Bcc"} {
		for _, h := range headers {
			if !strings.EqualFold(h.Name, name) {
				continue
			}
			if _, err := mail.ParseAddressList(decodeWords(h.Value)); err != nil {
				writeInvalidArgument(w, "Invalid "+name+" header")
				return outgoing{}, false
			}
		}
	}

	headers = s.completeHeaders(headers, now)
	var b bytes.Buffer
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("\r\n")
	b.Write(body)
	p, err := parseMessage(b.Bytes())
	if err != nil {
		writeInvalidArgument(w, "Invalid RFC 822 message")
		return outgoing{}, false
	}
	recipients := p.addresses("To", "Cc", "Bcc")
	if needRecipient && len(recipients) == 0 {
		writeInvalidArgument(w, "Recipient address required")
		return outgoing{}, false
	}
	return outgoing{
		raw:    b.Bytes(),
		parsed: p,
		toSelf: slices.Contains(recipients, strings.ToLower(s.account)),
	}, true
}

// completeHeaders sets From to the account, as Gmail sends only as the signed-in user, and
// adds a Date and a Message-ID when the client left them out.
func (s *Server) completeHeaders(headers []header, now time.Time) []header {
	given, family := displayName(s.account)
	from := mail.Address{Name: strings.TrimSpace(given + " " + family), Address: s.account}
	headers = slices.DeleteFunc(headers, func(h header) bool {
		if !strings.EqualFold(h.Name, "From") {
			return false
		}
		a, err := mail.ParseAddress(decodeWords(h.Value))
		return err != nil || !strings.EqualFold(a.Address, s.account)
	})
	if headerValue(headers, "From") == "" {
		headers = append(headers, header{Name: "From", Value: from.String()})
	}
	if headerValue(headers, "Date") == "" {
		headers = append(headers, header{Name: "Date", Value: now.Format(time.RFC1123Z)})
	}
	if headerValue(headers, "Message-ID") == "" {
		headers = append(headers, header{Name: "Message-ID",
			Value: "<" + randomToken("CA+sandbox") + "@mail.gmail.com>"})
	}
	return headers
}

// decodeBase64 accepts the base64url Gmail asks for, padded or not, and standard base64.
func decodeBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.RawURLEncoding,
		base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// threadFor resolves the threadId of a send or a draft. Gmail adds the message to the
// thread only when the subjects match; otherwise the message starts its own thread. The
// caller holds s.mu.
func (s *Server) threadFor(w http.ResponseWriter, threadID string, p *parsedMessage) (string,
	bool) {
	if threadID == "" {
		return "", true
	}
	if _, valid := s.mailbox.lookup(threadID); !valid {
		writeInvalidArgument(w, "Invalid thread_id value")
		return "", false
	}
	for _, m := range s.mailbox.messages {
		if m.threadID != threadID {
			continue
		}
		if baseSubject(m.parsed.headers.Get("Subject")) == baseSubject(p.headers.Get("Subject")) {
			return threadID, true
		}
		return "", true
	}
	writeNotFound(w)
	return "", false
}

// baseSubject strips reply and forward prefixes, as Gmail does when matching threads.
func baseSubject(subject string) string {
	s := strings.TrimSpace(decodeWords(subject))
	for {
		lower := strings.ToLower(s)
		cut := false
		for _, prefix := range []string{"re:", "fwd:", "fw:"} {
			if strings.HasPrefix(lower, prefix) {
				s, cut = strings.TrimSpace(s[len(prefix):]), true
				break
			}
		}
		if !cut {
			return strings.ToLower(s)
		}
	}
}

// sendMessage serves users.messages.send. The sent message is labeled SENT; when the
// account is among its recipients it is also delivered to the inbox, unread.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, t accessToken) {
	var req struct {
		Raw      string `json:"raw"`
		ThreadID string `json:"threadId"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	now := s.now()
	out, ok := s.prepareOutgoing(w, req.Raw, true, now)
	if !ok {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	thread, ok := s.threadFor(w, req.ThreadID, out.parsed)
	if !ok {
		return
	}
	labels := []string{"SENT"}
	if out.toSelf {
		labels = []string{"UNREAD", "SENT", "INBOX"}
	}
	m := s.mailbox.add(out.raw, out.parsed, labels, thread, now)
	s.log.Info("message sent", "client_id", t.clientID, "message_id", m.id)
	writeJSON(w, 200, messageRef{ID: m.id, ThreadID: m.threadID, LabelIDs: m.labels})
}

// createDraft serves users.drafts.create.
func (s *Server) createDraft(w http.ResponseWriter, r *http.Request, _ accessToken) {
	var req struct {
		Message *struct {
			Raw      string `json:"raw"`
			ThreadID string `json:"threadId"`
		} `json:"message"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Message == nil {
		writeInvalidArgument(w, rawRequired)
		return
	}
	now := s.now()
	out, ok := s.prepareOutgoing(w, req.Message.Raw, false, now)
	if !ok {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	thread, ok := s.threadFor(w, req.Message.ThreadID, out.parsed)
	if !ok {
		return
	}
	m := s.mailbox.add(out.raw, out.parsed, []string{"DRAFT"}, thread, now)
	var n [8]byte
	_, _ = rand.Read(n[:])
	id := fmt.Sprintf("r%d", binary.BigEndian.Uint64(n[:])>>1)
	s.mailbox.drafts[id] = m.id
	writeJSON(w, 200, struct {
		ID      string     `json:"id"`
		Message messageRef `json:"message"`
	}{id, messageRef{ID: m.id, ThreadID: m.threadID, LabelIDs: m.labels}})
}

// modifyMessage serves users.messages.modify.
func (s *Server) modifyMessage(w http.ResponseWriter, r *http.Request, _ accessToken) {
	var req struct {
		AddLabelIDs    []string `json:"addLabelIds"`
		RemoveLabelIDs []string `json:"removeLabelIds"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if len(req.AddLabelIDs) == 0 && len(req.RemoveLabelIDs) == 0 {
		writeInvalidArgument(w, "No label add or removes specified")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range slices.Concat(req.AddLabelIDs, req.RemoveLabelIDs) {
		if l, ok := s.mailbox.findLabel(id); !ok || l.ID != id {
			writeInvalidArgument(w, "Invalid label: "+id)
			return
		}
	}
	s.relabel(w, r, req.AddLabelIDs, req.RemoveLabelIDs)
}

// trashMessage serves users.messages.trash.
func (s *Server) trashMessage(w http.ResponseWriter, r *http.Request, _ accessToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.relabel(w, r, []string{"TRASH"}, nil)
}

// untrashMessage serves users.messages.untrash.
func (s *Server) untrashMessage(w http.ResponseWriter, r *http.Request, _ accessToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.relabel(w, r, nil, []string{"TRASH"})
}

// relabel changes the labels of the request's message and answers with its short form.
// The caller holds s.mu.
func (s *Server) relabel(w http.ResponseWriter, r *http.Request, add, remove []string) {
	m, ok := s.findMessage(w, r.PathValue("id"))
	if !ok {
		return
	}
	s.mailbox.relabel(m, add, remove)
	writeJSON(w, 200, messageRef{ID: m.id, ThreadID: m.threadID, LabelIDs: m.labels})
}

// deleteMessage serves users.messages.delete: a permanent delete, answered with 204.
func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request, t accessToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.findMessage(w, r.PathValue("id"))
	if !ok {
		return
	}
	delete(s.mailbox.messages, m.id)
	for d, id := range s.mailbox.drafts {
		if id == m.id {
			delete(s.mailbox.drafts, d)
		}
	}
	s.mailbox.history++
	s.log.Info("message deleted", "client_id", t.clientID, "message_id", m.id)
	w.WriteHeader(http.StatusNoContent)
}
