package atlassian

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxSearchPage is the most issues one page of /search/jql holds in the sandbox.
const maxSearchPage = 100

// invalidPayload is Jira's answer to a body it cannot decode.
const invalidPayload = "Invalid request payload. Refer to the REST API documentation and try again."

// adfRequired is Jira's message for a rich-text field given anything but an ADF document.
const adfRequired = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"

// searchJQL serves GET /rest/api/3/search/jql: a bounded JQL query, the requested fields,
// and nextPageToken paging.
func (s *Server) searchJQL(w http.ResponseWriter, r *http.Request, st *site) {
	q := r.URL.Query()
	query, err := parseJQL(q.Get("jql"))
	if err == nil && query.where == nil {
		err = jqlError("Unbounded JQL queries are not allowed here. Please add a search " +
			"restriction to your query.")
	}
	env := &jqlEnv{st: st, me: s.me, now: s.now()}
	if err == nil {
		err = env.check(query.where)
	}
	if err != nil {
		writeJiraError(w, http.StatusBadRequest, nil, err.Error())
		return
	}

	size := 50
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeJiraError(w, http.StatusBadRequest, nil, "The value '"+v+"' is invalid for maxResults.")
			return
		}
		size = min(n, maxSearchPage)
	}
	start, ok := decodePageToken(q.Get("nextPageToken"))
	if !ok {
		writeJiraError(w, http.StatusBadRequest, nil, "The nextPageToken is invalid.")
		return
	}

	var found []*issue
	for _, is := range st.issues {
		if env.match(query.where, is) {
			found = append(found, is)
		}
	}
	if err := env.sortIssues(found, query.orderBy); err != nil {
		writeJiraError(w, http.StatusBadRequest, nil, err.Error())
		return
	}
	fields := fieldSelection(q["fields"], "id")
	end := min(start+size, len(found))
	page := []object{}
	for _, is := range found[min(start, end):end] {
		page = append(page, issueJSON(st, is, fields))
	}
	out := object{"issues": page, "isLast": end >= len(found)}
	if end < len(found) {
		out["nextPageToken"] = encodePageToken(end)
	}
	writeJSON(w, http.StatusOK, out)
}

// encodePageToken and decodePageToken make an opaque token of a result offset.
func encodePageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sandbox-page:" + strconv.Itoa(offset)))
}

func decodePageToken(tok string) (int, bool) {
	if tok == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "sandbox-page:"))
	return n, err == nil && n >= 0 && strings.HasPrefix(string(raw), "sandbox-page:")
}

// getIssue serves GET /rest/api/3/issue/{issueIdOrKey}; fields default to all.
func (s *Server) getIssue(w http.ResponseWriter, r *http.Request, st *site) {
	is := st.issue(r.PathValue("issueIdOrKey"))
	if is == nil {
		writeNoIssue(w)
		return
	}
	writeJSON(w, http.StatusOK, issueJSON(st, is, fieldSelection(r.URL.Query()["fields"], "*all")))
}

// createRequest is the part of IssueUpdateDetails the sandbox reads.
type createRequest struct {
	Fields struct {
		Project     *idOrKey        `json:"project"`
		IssueType   *idOrKey        `json:"issuetype"`
		Summary     *string         `json:"summary"`
		Description json.RawMessage `json:"description"`
		Labels      []string        `json:"labels"`
		Priority    *idOrKey        `json:"priority"`
	} `json:"fields"`
}

// idOrKey is how Jira's request bodies refer to an object: by id, key or name.
type idOrKey struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

func (r *idOrKey) ref() string {
	if r == nil {
		return ""
	}
	return strings.TrimSpace(r.ID + r.Key + r.Name)
}

// createIssue serves POST /rest/api/3/issue. Field problems are all reported at once, each
// under its field, as Jira does.
func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, st *site) {
	var req createRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeJiraError(w, http.StatusBadRequest, nil, invalidPayload)
		return
	}
	f := req.Fields
	errs := map[string]string{}
	p := st.project(f.Project.ref())
	if p == nil {
		errs["project"] = "Specify a valid project ID or key"
	} else if !p.canCreate {
		writeJiraError(w, http.StatusForbidden, nil,
			"You do not have permission to create issues in this project.")
		return
	}
	var it *issueType
	switch ref := f.IssueType.ref(); {
	case ref == "":
		errs["issuetype"] = "Specify an issue type"
	case p != nil:
		for _, t := range p.issueTypes {
			if t.id == ref || strings.EqualFold(t.name, ref) {
				it = t
			}
		}
		if it == nil {
			errs["issuetype"] = "Specify a valid issue type"
		}
	}
	switch {
	case f.Summary == nil || strings.TrimSpace(*f.Summary) == "":
		errs["summary"] = "You must specify a summary of the issue."
	case strings.ContainsAny(*f.Summary, "\r\n"):
		errs["summary"] = "The summary is invalid because it contains newline characters."
	case utf8.RuneCountInString(*f.Summary) > 255:
		errs["summary"] = "Summary must be less than 255 characters."
	}
	if len(f.Description) > 0 && string(f.Description) != "null" && !validADF(f.Description) {
		errs["description"] = adfRequired
	}
	prio := "3"
	if ref := f.Priority.ref(); ref != "" {
		prio = ""
		for _, pr := range priorities {
			if pr.id == ref || strings.EqualFold(pr.name, ref) {
				prio = pr.id
			}
		}
		if prio == "" {
			errs["priority"] = "Specify the Priority (id or name) in the string format"
		}
	}
	if len(errs) > 0 {
		writeJiraError(w, http.StatusBadRequest, errs)
		return
	}

	is := st.newIssue(p, it, *f.Summary, stamp(s.now()))
	is.reporter, is.priority, is.labels = s.me, prio, f.Labels
	if len(f.Description) > 0 && string(f.Description) != "null" {
		is.description = f.Description
	}
	s.log.Info("issue created", "site", st.name, "key", is.key)
	writeJSON(w, http.StatusCreated, object{"id": is.id, "key": is.key,
		"self": selfURL(st, "/issue/%s", is.id)})
}
