package microsoft

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// listMessages serves GET /me/messages: the whole mailbox.
func (s *Server) listMessages(w http.ResponseWriter, r *graphRequest) {
	s.writeMessages(w, r, nil, "messages")
}

// listFolderMessages serves GET /me/mailFolders/{id}/messages.
func (s *Server) listFolderMessages(w http.ResponseWriter, r *graphRequest) {
	ref := r.params[0]
	s.mu.Lock()
	f := s.mail.folder(ref)
	s.mu.Unlock()
	switch {
	case f == nil && !wellFormedItemID(ref):
		s.writeError(w, r.Request, 400, "ErrorInvalidIdMalformed", msgMalformed)
		return
	case f == nil:
		s.writeError(w, r.Request, 404, "ErrorItemNotFound", msgNotFound)
		return
	}
	s.writeMessages(w, r, f, "mailFolders('"+ref+"')/messages")
}

// writeMessages answers a message listing with $search or $filter, $orderby, $select and
// paging. A token that reaches mail only through Mail.ReadBasic may not search and gets
// no bodies or previews.
func (s *Server) writeMessages(w http.ResponseWriter, r *graphRequest, f *mailFolder, what string) {
	q := r.URL.Query()
	search, filter, orderBy := q.Get("$search"), q.Get("$filter"), q.Get("$orderby")
	keep := func(*message) bool { return true }
	var bad string
	switch {
	case search != "" && r.onlyBasic("Mail"):
		s.writeError(w, r.Request, 403, "ErrorAccessDenied", msgAccessDenied)
		return
	case search != "" && (filter != "" || orderBy != ""):
		bad = "The query parameter 'OrderBy' or 'Filter' is invalid with '$search'."
	case search != "":
		keep, bad = parseSearch(search, s.now())
	case filter != "":
		keep, bad = parseMessageFilter(filter)
	}
	desc, sortField, msg := messageOrder(orderBy, filter)
	if bad == "" {
		bad = msg
	}
	win, msg := r.pageWindow(10, 1000, false)
	if bad == "" {
		bad = msg
	}
	if bad != "" {
		code := "BadRequest"
		if strings.HasPrefix(bad, "The restriction") {
			code = "InefficientFilter"
		}
		s.writeError(w, r.Request, 400, code, bad)
		return
	}

	s.mu.Lock()
	var found []*message
	for _, m := range s.mail.messages {
		if (f == nil || m.folderID == f.id) && keep(m) {
			found = append(found, m)
		}
	}
	slices.SortStableFunc(found, func(a, b *message) int {
		ta, tb := a.received, b.received
		if sortField == "sentdatetime" || search != "" {
			ta, tb = a.sent, b.sent
		}
		if desc {
			return tb.Compare(ta)
		}
		return ta.Compare(tb)
	})
	items, bad := s.messageEntities(r, found)
	s.mu.Unlock()
	if bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	s.writeCollection(w, r, s.context(what), items, win)
}

// messageOrder reads $orderby. Like Exchange, it refuses a sort on a property that the
// $filter does not restrict first.
func messageOrder(orderBy, filter string) (desc bool, field, bad string) {
	if orderBy == "" {
		return true, "receiveddatetime", ""
	}
	name, dir, _ := strings.Cut(strings.TrimSpace(orderBy), " ")
	field = strings.ToLower(name)
	if field != "receiveddatetime" && field != "sentdatetime" {
		return true, "", fmt.Sprintf("The sandbox sorts messages by receivedDateTime or "+
			"sentDateTime, not '%s'.", name)
	}
	if filter != "" && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(filter)), field) {
		return true, "", "The restriction or sort order is too complex for this operation."
	}
	return !strings.EqualFold(strings.TrimSpace(dir), "asc"), field, ""
}

// messageEntities renders messages for the request: Prefer body type, ReadBasic
// redaction, $select. The caller holds s.mu.
func (s *Server) messageEntities(r *graphRequest, list []*message) ([]entity, string) {
	prefer := preferHTML(r.Request)
	basic := r.onlyBasic("Mail")
	var fields []string
	out := make([]entity, 0, len(list))
	for i, m := range list {
		e := m.entity(prefer)
		if i == 0 {
			var bad string
			if fields, bad = r.selection("message", e); bad != "" {
				return nil, bad
			}
		}
		if basic {
			delete(e, "body")
			delete(e, "bodyPreview")
		}
		out = append(out, project(e, fields))
	}
	return out, ""
}

// preferHTML reads Prefer: outlook.body-content-type; nil means no preference.
func preferHTML(r *http.Request) *bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && strings.EqualFold(k, "outlook.body-content-type") {
				h := strings.EqualFold(strings.Trim(val, `"`), "html")
				return &h
			}
		}
	}
	return nil
}

// context returns the @odata.context of a resource of the signed-in user.
func (s *Server) context(what string) string {
	return fmt.Sprintf("https://graph.microsoft.com/v1.0/$metadata#users('%s')/%s", s.ids.oid, what)
}
