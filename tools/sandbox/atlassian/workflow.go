package atlassian

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// listComments serves GET /rest/api/3/issue/{issueIdOrKey}/comment, oldest first, with
// startAt and maxResults paging.
func (s *Server) listComments(w http.ResponseWriter, r *http.Request, st *site) {
	is := st.issue(r.PathValue("issueIdOrKey"))
	if is == nil {
		writeNoIssue(w)
		return
	}
	q := r.URL.Query()
	start, _ := strconv.Atoi(q.Get("startAt"))
	size := 5000
	if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n >= 0 {
		size = n
	}
	start = max(0, min(start, len(is.comments)))
	end := min(start+size, len(is.comments))
	page := []object{}
	for _, c := range is.comments[start:end] {
		page = append(page, commentJSON(st, is, c))
	}
	writeJSON(w, http.StatusOK, object{"startAt": start, "maxResults": size,
		"total": len(is.comments), "comments": page})
}

// addComment serves POST /rest/api/3/issue/{issueIdOrKey}/comment: the body must be an
// ADF document with some text.
func (s *Server) addComment(w http.ResponseWriter, r *http.Request, st *site) {
	is := st.issue(r.PathValue("issueIdOrKey"))
	if is == nil {
		writeNoIssue(w)
		return
	}
	var req struct {
		Body json.RawMessage `json:"body"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeJiraError(w, http.StatusBadRequest, nil, invalidPayload)
		return
	}
	problem := ""
	switch {
	case len(req.Body) == 0 || string(req.Body) == "null":
		problem = "Comment body can not be empty!"
	case !validADF(req.Body):
		problem = "Comment body is not valid!"
	case adfEmpty(req.Body):
		problem = "Comment body can not be empty!"
	}
	if problem != "" {
		writeJiraError(w, http.StatusBadRequest, map[string]string{"comment": problem})
		return
	}
	c := st.addComment(is, s.me, req.Body, stamp(s.now()))
	s.log.Info("comment added", "site", st.name, "key", is.key)
	writeJSON(w, http.StatusCreated, commentJSON(st, is, c))
}

// listTransitions serves GET /rest/api/3/issue/{issueIdOrKey}/transitions: the transitions
// the issue's workflow offers from its current status.
func (s *Server) listTransitions(w http.ResponseWriter, r *http.Request, st *site) {
	is := st.issue(r.PathValue("issueIdOrKey"))
	if is == nil {
		writeNoIssue(w)
		return
	}
	wf := is.project.workflow
	list := []object{}
	for _, t := range wf.available(is.status) {
		if id := r.URL.Query().Get("transitionId"); id == "" || id == t.id {
			list = append(list, transitionJSON(st, wf, t))
		}
	}
	writeJSON(w, http.StatusOK, object{"expand": "transitions", "transitions": list})
}

// doTransition serves POST /rest/api/3/issue/{issueIdOrKey}/transitions: it moves the
// issue along one of its available transitions and answers 204.
func (s *Server) doTransition(w http.ResponseWriter, r *http.Request, st *site) {
	is := st.issue(r.PathValue("issueIdOrKey"))
	if is == nil {
		writeNoIssue(w)
		return
	}
	var req struct {
		Transition *struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeJiraError(w, http.StatusBadRequest, nil, invalidPayload)
		return
	}
	if req.Transition == nil || req.Transition.ID == "" {
		writeJiraError(w, http.StatusBadRequest, nil, "Missing 'transition' identifier")
		return
	}
	for _, t := range is.project.workflow.available(is.status) {
		if t.id == req.Transition.ID {
			is.status, is.updated = t.to, stamp(s.now())
			s.log.Info("issue transitioned", "site", st.name, "key", is.key, "transition", t.name)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeJiraError(w, http.StatusBadRequest, nil,
		"Transition id '"+req.Transition.ID+"' is not valid for this issue.")
}
