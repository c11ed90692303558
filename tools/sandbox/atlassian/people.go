package atlassian

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// myself serves GET /rest/api/3/myself: the signed-in user, with the email address, which
// Jira shows a user about themselves.
func (s *Server) myself(w http.ResponseWriter, r *http.Request, st *site) {
	u := userJSON(st, s.me).(object)
	u["emailAddress"] = s.me.email
	u["locale"] = "en_US"
	u["groups"] = object{"size": 2, "items": []object{}}
	u["applicationRoles"] = object{"size": 1, "items": []object{}}
	u["expand"] = "groups,applicationRoles"
	writeJSON(w, http.StatusOK, u)
}

// searchProjects serves GET /rest/api/3/project/search: the projects the user can browse,
// filtered by query and keys, ordered by orderBy, paged with startAt and maxResults.
func (s *Server) searchProjects(w http.ResponseWriter, r *http.Request, st *site) {
	q := r.URL.Query()
	start, size := 0, 50
	if v := q.Get("startAt"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeJiraError(w, http.StatusBadRequest, nil, "The value '"+v+"' is invalid for startAt.")
			return
		}
		start = n
	}
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeJiraError(w, http.StatusBadRequest, nil, "The value '"+v+"' is invalid for maxResults.")
			return
		}
		size = min(n, 100)
	}

	needle := strings.ToLower(q.Get("query"))
	var found []*project
	for _, p := range st.projects {
		if needle != "" && !strings.Contains(strings.ToLower(p.key), needle) &&
			!strings.Contains(strings.ToLower(p.name), needle) {
			continue
		}
		if keys := q["keys"]; len(keys) > 0 && !slices.ContainsFunc(keys, func(k string) bool {
			return strings.EqualFold(k, p.key)
		}) {
			continue
		}
		found = append(found, p)
	}
	order := cmp.Or(q.Get("orderBy"), "key")
	desc := strings.HasPrefix(order, "-")
	switch strings.TrimLeft(order, "+-") {
	case "key":
		slices.SortFunc(found, func(a, b *project) int { return cmp.Compare(a.key, b.key) })
	case "name":
		slices.SortFunc(found, func(a, b *project) int { return cmp.Compare(a.name, b.name) })
	default:
		writeJiraError(w, http.StatusBadRequest, nil, "The value '"+order+"' is invalid for orderBy.")
		return
	}
	if desc {
		slices.Reverse(found)
	}

	expand := strings.Split(q.Get("expand"), ",")
	start = min(start, len(found))
	end := min(start+size, len(found))
	values := []object{}
	for _, p := range found[start:end] {
		values = append(values, projectJSON(st, p, expand))
	}
	page := func(at int) string {
		v := url.Values{"startAt": {strconv.Itoa(at)}, "maxResults": {strconv.Itoa(size)}}
		return selfURL(st, "/project/search?%s", v.Encode())
	}
	out := object{"self": page(start), "maxResults": size, "startAt": start, "total": len(found),
		"isLast": end >= len(found), "values": values}
	if end < len(found) {
		out["nextPage"] = page(end)
	}
	writeJSON(w, http.StatusOK, out)
}

// projectJSON renders a project as the project search lists it; expand may ask for its
// description and lead.
func projectJSON(st *site, p *project, expand []string) object {
	out := projectRef(st, p)
	out["expand"] = "description,lead,issueTypes,url,projectKeys,permissions,insight"
	out["style"] = map[bool]string{true: "next-gen", false: "classic"}[p.simplified]
	out["isPrivate"] = false
	out["properties"] = object{}
	if slices.Contains(expand, "description") {
		out["description"] = p.description
	}
	if slices.Contains(expand, "lead") {
		out["lead"] = userJSON(st, p.lead)
	}
	return out
}
