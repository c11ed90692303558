package google

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// messageJSON is Gmail's Message resource, fields in Gmail's order. Which fields are set
// depends on the requested format.
type messageJSON struct {
	ID           string    `json:"id"`
	ThreadID     string    `json:"threadId"`
	LabelIDs     []string  `json:"labelIds,omitempty"`
	Snippet      string    `json:"snippet,omitempty"`
	Payload      *partJSON `json:"payload,omitempty"`
	SizeEstimate int       `json:"sizeEstimate,omitempty"`
	Raw          string    `json:"raw,omitempty"`
	HistoryID    string    `json:"historyId,omitempty"`
	InternalDate string    `json:"internalDate,omitempty"`
}

// partJSON is Gmail's MessagePart resource.
type partJSON struct {
	PartID   string      `json:"partId"`
	MimeType string      `json:"mimeType"`
	Filename string      `json:"filename"`
	Headers  []header    `json:"headers,omitempty"`
	Body     *bodyJSON   `json:"body,omitempty"`
	Parts    []*partJSON `json:"parts,omitempty"`
}

// bodyJSON is Gmail's MessagePartBody resource. Attachments carry an ID instead of data.
type bodyJSON struct {
	AttachmentID string `json:"attachmentId,omitempty"`
	Size         int    `json:"size"`
	Data         string `json:"data,omitempty"`
}

// messageRef is the short message shape of lists and label changes.
type messageRef struct {
	ID       string   `json:"id"`
	ThreadID string   `json:"threadId"`
	LabelIDs []string `json:"labelIds,omitempty"`
}

// render shapes a message for a users.messages.get format: minimal, metadata, full or raw.
// keep filters the headers of the metadata format; empty keeps all.
func (m *message) render(format string, keep []string) messageJSON {
	out := messageJSON{
		ID:           m.id,
		ThreadID:     m.threadID,
		LabelIDs:     slices.Clone(m.labels),
		Snippet:      snippetOf(m.parsed.text),
		SizeEstimate: len(m.raw),
		HistoryID:    strconv.FormatUint(m.historyID, 10),
		InternalDate: strconv.FormatInt(m.internal.UnixMilli(), 10),
	}
	switch format {
	case "metadata":
		root := m.parsed.root
		out.Payload = &partJSON{PartID: root.partID, MimeType: root.mimeType,
			Filename: root.filename, Headers: filterHeaders(root.headers, keep)}
	case "full":
		out.Payload = renderPart(m.parsed.root)
	case "raw":
		out.Raw = base64.URLEncoding.EncodeToString(m.raw)
	}
	return out
}

func renderPart(p *part) *partJSON {
	out := &partJSON{
		PartID:   p.partID,
		MimeType: p.mimeType,
		Filename: p.filename,
		Headers:  filterHeaders(p.headers, nil),
		Body:     &bodyJSON{Size: len(p.data)},
	}
	switch {
	case len(p.parts) > 0:
		out.Body.Size = 0
		for _, c := range p.parts {
			out.Parts = append(out.Parts, renderPart(c))
		}
	case p.attachmentID != "":
		out.Body.AttachmentID = p.attachmentID
	case len(p.data) > 0:
		out.Body.Data = base64.URLEncoding.EncodeToString(p.data)
	}
	return out
}

// filterHeaders decodes header values and keeps those named in keep (all when keep is
// empty), compared case-insensitively.
func filterHeaders(hs []header, keep []string) []header {
	var out []header
	for _, h := range hs {
		if len(keep) > 0 && !slices.ContainsFunc(keep, func(k string) bool {
			return strings.EqualFold(k, h.Name)
		}) {
			continue
		}
		out = append(out, header{Name: h.Name, Value: decodeWords(h.Value)})
	}
	return out
}

// getProfile serves users.getProfile.
func (s *Server) getProfile(w http.ResponseWriter, _ *http.Request, _ accessToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, 200, struct {
		EmailAddress  string `json:"emailAddress"`
		MessagesTotal int    `json:"messagesTotal"`
		ThreadsTotal  int    `json:"threadsTotal"`
		HistoryID     string `json:"historyId"`
	}{s.account, len(s.mailbox.messages), s.mailbox.threads(),
		strconv.FormatUint(s.mailbox.history, 10)})
}

// listLabels serves users.labels.list.
func (s *Server) listLabels(w http.ResponseWriter, _ *http.Request, _ accessToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, 200, struct {
		Labels []label `json:"labels"`
	}{slices.Clone(s.mailbox.labels)})
}

// listParams are the checked query parameters of users.messages.list.
type listParams struct {
	query            query
	labelIDs         []string
	max              int
	after            string // page cursor: only IDs below it
	includeSpamTrash bool
}

// parseListParams reads users.messages.list parameters, writing Gmail's refusal when one is
// wrong.
func parseListParams(w http.ResponseWriter, r *http.Request, t accessToken) (listParams, bool) {
	v := r.URL.Query()
	if _, ok := v["q"]; ok && hasMetadataScope(t) {
		writeAPIError(w, 403, "forbidden", "Metadata scope does not support 'q' parameter")
		return listParams{}, false
	}
	p := listParams{query: parseQuery(v.Get("q")), labelIDs: v["labelIds"], max: 100}
	if raw := v.Get("maxResults"); raw != "" {
		n, err := strconv.ParseUint(raw, 10, 32)
		if err != nil {
			writeAPIError(w, 400, "invalid",
				fmt.Sprintf("Invalid value at 'max_results' (TYPE_UINT32), %q", raw))
			return listParams{}, false
		}
		if n > 0 {
			p.max = int(min(n, 500))
		}
	}
	if raw := v.Get("includeSpamTrash"); raw != "" {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			writeAPIError(w, 400, "invalid",
				fmt.Sprintf("Invalid value at 'include_spam_trash' (TYPE_BOOL), %q", raw))
			return listParams{}, false
		}
		p.includeSpamTrash = b
	}
	if tok := v.Get("pageToken"); tok != "" {
		n, err := strconv.ParseUint(tok, 10, 64)
		if err != nil {
			writeInvalidArgument(w, "Invalid pageToken")
			return listParams{}, false
		}
		p.after = fmt.Sprintf("%016x", n)
	}
	return p, true
}

// listMessages serves users.messages.list: newest first, SPAM and TRASH left out unless
// asked for, paged by an opaque token.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, t accessToken) {
	p, ok := parseListParams(w, r, t)
	if !ok {
		return
	}

	s.mu.Lock()
	now := s.now()
	var hits []*message
	for _, m := range s.mailbox.messages {
		if !p.includeSpamTrash && !p.query.reachesSpamTrash() &&
			(slices.Contains(m.labels, "SPAM") || slices.Contains(m.labels, "TRASH")) {
			continue
		}
		if !hasAll(m.labels, p.labelIDs) || !p.query.matches(s.mailbox, m, now) {
			continue
		}
		hits = append(hits, m)
	}
	s.mu.Unlock()
	slices.SortFunc(hits, func(a, b *message) int { return strings.Compare(b.id, a.id) })

	resp := struct {
		Messages           []messageRef `json:"messages,omitempty"`
		NextPageToken      string       `json:"nextPageToken,omitempty"`
		ResultSizeEstimate int          `json:"resultSizeEstimate"`
	}{ResultSizeEstimate: len(hits)}
	start := 0
	if p.after != "" {
		start, _ = slices.BinarySearchFunc(hits, p.after, func(m *message, id string) int {
			return strings.Compare(id, m.id)
		})
		// A cursor names the last message already returned; skip it if it is still there.
		if start < len(hits) && hits[start].id == p.after {
			start++
		}
	}
	end := min(start+p.max, len(hits))
	for _, m := range hits[start:end] {
		resp.Messages = append(resp.Messages, messageRef{ID: m.id, ThreadID: m.threadID})
	}
	if end < len(hits) {
		n, _ := strconv.ParseUint(hits[end-1].id, 16, 64)
		resp.NextPageToken = fmt.Sprintf("%020d", n)
	}
	writeJSON(w, 200, resp)
}

func hasAll(have, want []string) bool {
	for _, l := range want {
		if !slices.Contains(have, l) {
			return false
		}
	}
	return true
}

// getMessage serves users.messages.get.
func (s *Server) getMessage(w http.ResponseWriter, r *http.Request, t accessToken) {
	v := r.URL.Query()
	format := strings.ToLower(v.Get("format"))
	switch format {
	case "":
		format = "full"
	case "minimal", "metadata", "full", "raw":
	default:
		writeAPIError(w, 400, "invalid",
			fmt.Sprintf("Invalid value at 'format' (TYPE_ENUM), %q", v.Get("format")))
		return
	}
	if hasMetadataScope(t) && (format == "full" || format == "raw") {
		writeAPIError(w, 403, "forbidden",
			"Metadata scope doesn't allow format "+strings.ToUpper(format))
		return
	}
	var keep []string
	if format == "metadata" {
		keep = v["metadataHeaders"]
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.findMessage(w, r.PathValue("id"))
	if !ok {
		return
	}
	writeJSON(w, 200, m.render(format, keep))
}

// findMessage looks a message up, answering 400 for an ID that cannot exist and 404 for
// one that does not. The caller holds s.mu.
func (s *Server) findMessage(w http.ResponseWriter, id string) (*message, bool) {
	m, valid := s.mailbox.lookup(id)
	if !valid {
		writeInvalidArgument(w, "Invalid id value")
		return nil, false
	}
	if m == nil {
		writeNotFound(w)
		return nil, false
	}
	return m, true
}

// getAttachment serves users.messages.attachments.get.
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, _ accessToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.findMessage(w, r.PathValue("messageId"))
	if !ok {
		return
	}
	var found *part
	walkParts(m.parsed.root, func(p *part) {
		if p.attachmentID != "" && p.attachmentID == r.PathValue("id") {
			found = p
		}
	})
	if found == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, 200, bodyJSON{Size: len(found.data),
		Data: base64.URLEncoding.EncodeToString(found.data)})
}
