package atlassian

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// operation is one Jira REST operation, keyed by its id in the facts ("GET /rest/api/3/myself").
type operation struct {
	id string
	// handle serves the call once the token, the site and the scopes are accepted; it runs
	// with s.mu held. Nil answers 501.
	handle func(s *Server, w http.ResponseWriter, r *http.Request, st *site)
}

// jiraOperations lists every operation in the facts. All of them are gated on scopes; the
// deprecated ones answer 410 as the removed search endpoints do, and the ones without a
// handler 501.
var jiraOperations = []operation{
	{"GET /rest/api/3/search/jql", (*Server).searchJQL},
	{"POST /rest/api/3/search/jql", nil},
	{"POST /rest/api/3/search/approximate-count", nil},
	{"GET /rest/api/3/search", nil},
	{"POST /rest/api/3/search", nil},
	{"GET /rest/api/3/issue/{issueIdOrKey}", (*Server).getIssue},
	{"POST /rest/api/3/issue", (*Server).createIssue},
	{"PUT /rest/api/3/issue/{issueIdOrKey}", nil},
	{"GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes", nil},
	{"GET /rest/api/3/issue/{issueIdOrKey}/comment", (*Server).listComments},
	{"POST /rest/api/3/issue/{issueIdOrKey}/comment", (*Server).addComment},
	{"GET /rest/api/3/issue/{issueIdOrKey}/transitions", (*Server).listTransitions},
	{"POST /rest/api/3/issue/{issueIdOrKey}/transitions", (*Server).doTransition},
	{"GET /rest/api/3/myself", (*Server).myself},
	{"GET /rest/api/3/project/search", (*Server).searchProjects},
	{"GET /rest/api/3/project/{projectIdOrKey}", nil},
	{"POST /rest/api/3/project", nil},
	{"GET /rest/api/3/user/search", nil},
	{"GET /rest/api/3/user/assignable/search", nil},
}

// route registers the operations under /ex/jira/{cloudId}. An operation missing from the
// facts is a build mistake, so it panics.
func (s *Server) route(ops []operation) {
	for _, op := range ops {
		f, ok := s.facts.Operations[op.id]
		if !ok {
			panic("atlassian sandbox: no facts for " + op.id)
		}
		method, path, _ := strings.Cut(f.HTTP, " ")
		s.mux.HandleFunc(method+" /ex/jira/{cloudId}"+path, s.apiHandler(op, f.Deprecated))
	}
}

// apiHandler gates an operation as Atlassian's gateway and Jira do: a valid token, a site
// the token reaches, then the operation's scopes; then Jira's rate limit.
func (s *Server) apiHandler(op operation, removed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := s.lookupAccess(r)
		if !ok {
			s.log.Info("api call unauthenticated", "operation", op.id)
			writeGatewayError(w, "Unauthorized")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		st := s.siteByID(r.PathValue("cloudId"))
		if st == nil || len(productScopes(t.scopes)) == 0 {
			s.log.Info("api call for a site the token does not reach", "operation", op.id)
			writeGatewayError(w, "Unauthorized")
			return
		}
		if removed {
			writeJiraError(w, http.StatusGone, nil, "The requested API has been removed. Please "+
				"migrate to the /rest/api/3/search/jql API. A full migration guideline is available "+
				"at https://developer.atlassian.com/changelog/#CHANGE-2046")
			return
		}
		if !s.facts.accepts(op.id, t.scopes) {
			s.log.Info("api call denied", "operation", op.id, "client_id", t.clientID,
				"granted_scopes", strings.Join(t.scopes, " "))
			writeGatewayError(w, "Unauthorized; scope does not match")
			return
		}
		if s.limited > 0 {
			s.limited--
			s.writeRateLimited(w)
			return
		}
		if op.handle == nil {
			writeJiraError(w, http.StatusNotImplemented, nil,
				"The Atlassian sandbox does not implement "+op.id+".")
			return
		}
		op.handle(s, w, r, st)
	}
}

// siteByID returns the account's site with the given cloud id.
func (s *Server) siteByID(cloudID string) *site {
	for _, st := range s.sites {
		if st.id == cloudID {
			return st
		}
	}
	return nil
}

// productScopes are the scopes that reach a site's data: all but offline_access.
func productScopes(scopes []string) []string {
	return slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool { return sc == offlineAccess })
}

// accessibleResources serves GET ResourcesPath: the sites the token reaches, each with the
// scopes granted on it.
func (s *Server) accessibleResources(w http.ResponseWriter, r *http.Request) {
	t, ok := s.lookupAccess(r)
	if !ok {
		writeGatewayError(w, "Unauthorized")
		return
	}
	type resource struct {
		ID        string   `json:"id"`
		URL       string   `json:"url"`
		Name      string   `json:"name"`
		Scopes    []string `json:"scopes"`
		AvatarURL string   `json:"avatarUrl"`
	}
	out := []resource{}
	if scopes := productScopes(t.scopes); len(scopes) > 0 {
		for _, st := range s.sites {
			out = append(out, resource{ID: st.id, URL: st.url, Name: st.name, Scopes: scopes,
				AvatarURL: "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/site.png"})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// gatewayError is the body api.atlassian.com answers a refused token with.
type gatewayError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeGatewayError(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnauthorized, gatewayError{Code: http.StatusUnauthorized, Message: msg})
}

// errorCollection is Jira's error body: messages about the request, and messages about
// fields, keyed by field.
type errorCollection struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

// writeJiraError writes Jira's error body. fields may be nil.
func writeJiraError(w http.ResponseWriter, status int, fields map[string]string, msgs ...string) {
	if fields == nil {
		fields = map[string]string{}
	}
	if msgs == nil {
		msgs = []string{}
	}
	writeJSON(w, status, errorCollection{ErrorMessages: msgs, Errors: fields})
}

// writeNoIssue answers a key that names no issue the user can see.
func writeNoIssue(w http.ResponseWriter) {
	writeJiraError(w, http.StatusNotFound, nil,
		"Issue does not exist or you do not have permission to see it.")
}

// writeRateLimited answers as Jira's burst rate limit does. The caller holds s.mu.
func (s *Server) writeRateLimited(w http.ResponseWriter) {
	secs := int(s.limitFor.Seconds())
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("X-RateLimit-Reset", s.now().UTC().Add(s.limitFor).Format("2006-01-02T15:04Z"))
	h.Set("RateLimit-Reason", "jira-burst-based")
	w.WriteHeader(http.StatusTooManyRequests)
}

// selfURL is the gateway address of a REST resource on st, as Jira writes "self" links for
// OAuth 2.0 calls.
func selfURL(st *site, format string, args ...any) string {
	return "https://api.atlassian.com/ex/jira/" + st.id + "/rest/api/3" + fmt.Sprintf(format, args...)
}
