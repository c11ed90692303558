package microsoft

import (
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Outlook's answers for ids that are not ids and ids that name nothing.
const (
	msgMalformed = "Id is malformed."
	msgNotFound  = "The specified object was not found in the store."
	// msgAccessDenied is Outlook's answer to a token without the permission.
	msgAccessDenied = "Access is denied. Check credentials and try again."
)

// findMessage resolves the {id} of a message path, answering the request itself when it
// names no message. The caller holds s.mu.
func (s *Server) findMessage(w http.ResponseWriter, r *graphRequest) *message {
	id := r.params[0]
	if !wellFormedItemID(id) {
		s.writeError(w, r.Request, 400, "ErrorInvalidIdMalformed", msgMalformed)
		return nil
	}
	m := s.mail.message(id)
	if m == nil {
		s.writeError(w, r.Request, 404, "ErrorItemNotFound", msgNotFound)
	}
	return m
}

// getMessage serves GET /me/messages/{id}, with $expand=attachments (a nested $select is
// accepted; attachment bytes are never sent).
func (s *Server) getMessage(w http.ResponseWriter, r *graphRequest) {
	expand := r.URL.Query().Get("$expand")
	if name, _, _ := strings.Cut(expand, "("); expand != "" && !strings.EqualFold(name, "attachments") {
		s.writeError(w, r.Request, 400, "BadRequest", fmt.Sprintf("Parsing OData Select and "+
			"Expand failed: Could not find a property named '%s' on type 'microsoft.graph.message'.", expand))
		return
	}
	if expand != "" && r.onlyBasic("Mail") {
		s.writeError(w, r.Request, 403, "ErrorAccessDenied", msgAccessDenied)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessage(w, r)
	if m == nil {
		return
	}
	items, bad := s.messageEntities(r, []*message{m})
	if bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	e := items[0]
	e["@odata.context"] = s.context("messages/$entity")
	if expand != "" {
		e["attachments"] = m.attachmentEntities()
	}
	writeGraph(w, r.Request, 200, e)
}

// patchMessage serves PATCH /me/messages/{id} for the properties a mail client changes.
func (s *Server) patchMessage(w http.ResponseWriter, r *graphRequest) {
	var in struct {
		IsRead     *bool     `json:"isRead"`
		Importance *string   `json:"importance"`
		Categories *[]string `json:"categories"`
		Flag       *struct {
			FlagStatus string `json:"flagStatus"`
		} `json:"flag"`
	}
	if bad := decodeBody(r.Request, &in); bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessage(w, r)
	if m == nil {
		return
	}
	if in.IsRead != nil {
		m.isRead = *in.IsRead
	}
	if in.Importance != nil {
		m.importance = strings.ToLower(*in.Importance)
	}
	if in.Categories != nil {
		m.categories = *in.Categories
	}
	if in.Flag != nil {
		m.flag = in.Flag.FlagStatus
	}
	m.version++
	m.modified = s.now()
	writeGraph(w, r.Request, 200, m.entity(nil))
}

// deleteMessage serves DELETE /me/messages/{id}. The message leaves every folder the API
// sees (Exchange keeps it among the recoverable items).
func (s *Server) deleteMessage(w http.ResponseWriter, r *graphRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessage(w, r); m != nil {
		s.mail.remove(m.id)
		requestIDs(w, r.Request)
		w.WriteHeader(http.StatusNoContent)
	}
}

// moveMessage serves POST /me/messages/{id}/move. Like Exchange, the moved message gets
// a new id, which the answer carries.
func (s *Server) moveMessage(w http.ResponseWriter, r *graphRequest) {
	var in struct {
		DestinationID string `json:"destinationId"`
	}
	if bad := decodeBody(r.Request, &in); bad != "" || in.DestinationID == "" {
		s.writeError(w, r.Request, 400, "ErrorInvalidParameter",
			"The value of the parameter 'DestinationId' is empty.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessage(w, r)
	if m == nil {
		return
	}
	dest := s.mail.folder(in.DestinationID)
	switch {
	case dest == nil && !wellFormedItemID(in.DestinationID):
		s.writeError(w, r.Request, 400, "ErrorInvalidIdMalformed", msgMalformed)
		return
	case dest == nil:
		s.writeError(w, r.Request, 404, "ErrorItemNotFound", msgNotFound)
		return
	}
	m.folderID, m.id = dest.id, newItemID()
	m.version++
	m.modified = s.now()
	e := m.entity(nil)
	e["@odata.context"] = s.context("messages/$entity")
	writeGraph(w, r.Request, http.StatusCreated, e)
}

// outgoing is the message of a sendMail or reply request.
type outgoing struct {
	Subject string `json:"subject"`
	Body    struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"body"`
	To  []recipientIn `json:"toRecipients"`
	Cc  []recipientIn `json:"ccRecipients"`
	Bcc []recipientIn `json:"bccRecipients"`
}

type recipientIn struct {
	EmailAddress address `json:"emailAddress"`
}

// sendMail serves POST /me/sendMail: the message is saved to Sent Items unless
// saveToSentItems is false, and delivered to the inbox when the account is a recipient.
func (s *Server) sendMail(w http.ResponseWriter, r *graphRequest) {
	var in struct {
		Message         *outgoing `json:"message"`
		SaveToSentItems *bool     `json:"saveToSentItems"`
	}
	if bad := decodeBody(r.Request, &in); bad != "" || in.Message == nil {
		s.writeError(w, r.Request, 400, "ErrorInvalidParameter", "The message parameter is missing.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	save := in.SaveToSentItems == nil || *in.SaveToSentItems
	if s.deliver(w, r, in.Message, nil, save) {
		requestIDs(w, r.Request)
		w.WriteHeader(http.StatusAccepted)
	}
}

// replyMessage serves POST /me/messages/{id}/reply: to the sender, with the comment
// above the quoted original, in the same conversation.
func (s *Server) replyMessage(w http.ResponseWriter, r *graphRequest) {
	var in struct {
		Comment string    `json:"comment"`
		Message *outgoing `json:"message"`
	}
	if bad := decodeBody(r.Request, &in); bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	orig := s.findMessage(w, r)
	if orig == nil {
		return
	}
	out := in.Message
	if out == nil {
		out = &outgoing{}
	}
	out.To = append([]recipientIn{{EmailAddress: orig.from}}, out.To...)
	if out.Subject == "" {
		out.Subject = "RE: " + orig.subject
	}
	_, quoted := orig.bodyAs(false)
	out.Body.ContentType = "text"
	out.Body.Content = strings.TrimSpace(in.Comment+"\n"+out.Body.Content) + "\n\n" +
		"From: " + orig.from.Name + " <" + orig.from.Address + ">\n" + quoted
	if s.deliver(w, r, out, orig, true) {
		requestIDs(w, r.Request)
		w.WriteHeader(http.StatusAccepted)
	}
}

// deliver checks an outgoing message's recipients and files it. It answers the request
// itself and returns false when Exchange would refuse it. The caller holds s.mu.
func (s *Server) deliver(w http.ResponseWriter, r *graphRequest, out *outgoing, inReplyTo *message,
	save bool) bool {
	all := slices.Concat(out.To, out.Cc, out.Bcc)
	if len(all) == 0 {
		s.writeError(w, r.Request, 400, "ErrorInvalidRecipients", "At least one recipient isn't "+
			"valid., A message can't be sent because it contains no recipients.")
		return false
	}
	toSelf := false
	for _, rc := range all {
		if _, err := mail.ParseAddress(rc.EmailAddress.Address); err != nil {
			s.writeError(w, r.Request, 400, "ErrorInvalidRecipients", fmt.Sprintf("At least one "+
				"recipient isn't valid., Recipient '%s' is not resolved. All recipients must be "+
				"resolved before a message can be submitted.", rc.EmailAddress.Address))
			return false
		}
		toSelf = toSelf || strings.EqualFold(rc.EmailAddress.Address, s.mail.owner.Address)
	}
	now := s.now()
	m := &message{
		subject: out.Subject, body: out.Body.Content,
		html: strings.EqualFold(out.Body.ContentType, "html"), from: s.mail.owner,
		to: addresses(out.To), cc: addresses(out.Cc), bcc: addresses(out.Bcc),
		received: now, sent: now, modified: now, isRead: true,
		conversationID: randomToken("AAQkAD", 30) + "=",
		internetID:     "<" + randomToken("", 18) + "@" + s.ids.domain + ">",
	}
	if inReplyTo != nil {
		m.conversationID = inReplyTo.conversationID
	}
	if save {
		sent := *m
		sent.id, sent.folderID = newItemID(), s.mail.folder("sentitems").id
		s.mail.messages = append(s.mail.messages, &sent)
	}
	if toSelf {
		got := *m
		got.id, got.folderID, got.isRead, got.bcc = newItemID(), s.mail.folder("inbox").id, false, nil
		s.mail.messages = append(s.mail.messages, &got)
	}
	s.log.Info("mail sent", "recipients", len(all))
	return true
}

var nameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\s+`)
})

func addresses(in []recipientIn) []address {
	out := make([]address, 0, len(in))
	for _, rc := range in {
		a := rc.EmailAddress
		if a.Name == "" {
			a.Name = a.Address
		}
		a.Name = nameRE().ReplaceAllString(a.Name, " ")
		out = append(out, a)
	}
	return out
}
