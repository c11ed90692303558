package atlassian

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// jiraTime is how Jira writes dates and times: "2024-03-05T10:15:30.000+0000".
const jiraTime = "2006-01-02T15:04:05.000-0700"

// object is a JSON object in the making; Jira's bodies have many optional members.
type object = map[string]any

func avatarURLs(seed string) object {
	base := "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/" + seed
	return object{"48x48": base + "/48", "24x24": base + "/24", "16x16": base + "/16",
		"32x32": base + "/32"}
}

// userJSON renders a user as Jira renders other users: without the email address, which
// the sandbox treats as hidden by the users' profile visibility.
func userJSON(st *site, u *user) any {
	if u == nil {
		return nil
	}
	return object{
		"self":        selfURL(st, "/user?accountId=%s", u.accountID),
		"accountId":   u.accountID,
		"avatarUrls":  avatarURLs(u.accountID),
		"displayName": u.displayName,
		"active":      true,
		"timeZone":    u.timeZone,
		"accountType": "atlassian",
	}
}

func statusJSON(st *site, s *status) object {
	c := s.category
	return object{
		"self":        selfURL(st, "/status/%s", s.id),
		"description": s.description,
		"iconUrl":     strings.TrimSuffix(st.url, "/") + "/images/icons/statuses/generic.png",
		"name":        s.name,
		"id":          s.id,
		"statusCategory": object{
			"self":      selfURL(st, "/statuscategory/%d", c.id),
			"id":        c.id,
			"key":       c.key,
			"colorName": c.colorName,
			"name":      c.name,
		},
	}
}

func priorityJSON(st *site, id string) object {
	p := priorityByID(id)
	return object{
		"self":    selfURL(st, "/priority/%s", p.id),
		"iconUrl": st.url + "/images/icons/priorities/" + strings.ToLower(p.name) + ".svg",
		"name":    p.name,
		"id":      p.id,
	}
}

func issueTypeJSON(st *site, it *issueType) object {
	return object{
		"self":           selfURL(st, "/issuetype/%s", it.id),
		"id":             it.id,
		"description":    it.description,
		"iconUrl":        selfURL(st, "/universal_avatar/view/type/issuetype/avatar/%s", it.id),
		"name":           it.name,
		"subtask":        false,
		"hierarchyLevel": it.hierarchyLevel,
	}
}

// projectRef is a project as issues refer to it.
func projectRef(st *site, p *project) object {
	return object{
		"self":           selfURL(st, "/project/%s", p.id),
		"id":             p.id,
		"key":            p.key,
		"name":           p.name,
		"projectTypeKey": p.typeKey,
		"simplified":     p.simplified,
		"avatarUrls":     avatarURLs("project-" + p.id),
	}
}

func commentJSON(st *site, is *issue, c *comment) object {
	return object{
		"self":         selfURL(st, "/issue/%s/comment/%s", is.id, c.id),
		"id":           c.id,
		"author":       userJSON(st, c.author),
		"body":         c.body,
		"updateAuthor": userJSON(st, c.author),
		"created":      c.created.Format(jiraTime),
		"updated":      c.updated.Format(jiraTime),
		"jsdPublic":    true,
	}
}

// allFields are the issue fields the sandbox keeps, in the order Jira lists them.
var allFields = []string{"issuetype", "project", "created", "priority", "labels", "assignee",
	"updated", "status", "description", "summary", "reporter", "comment"}

// fieldSelection parses Jira's fields parameter: comma-separated names, "*all",
// "*navigable", and names prefixed with a minus to exclude. def applies when the parameter
// is absent.
func fieldSelection(params []string, def string) []string {
	var terms []string
	for _, p := range params {
		for _, t := range strings.Split(p, ",") {
			if t = strings.TrimSpace(t); t != "" {
				terms = append(terms, t)
			}
		}
	}
	if len(terms) == 0 {
		terms = []string{def}
	}
	var out []string
	add := func(f string) {
		if slices.Contains(allFields, f) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, t := range terms {
		switch {
		case t == "*all":
			for _, f := range allFields {
				add(f)
			}
		case t == "*navigable":
			for _, f := range allFields {
				if f != "comment" {
					add(f)
				}
			}
		case !strings.HasPrefix(t, "-"):
			add(strings.ToLower(t))
		}
	}
	for _, t := range terms {
		if name, ok := strings.CutPrefix(t, "-"); ok {
			out = slices.DeleteFunc(out, func(f string) bool { return f == strings.ToLower(name) })
		}
	}
	return out
}

// issueJSON renders an issue with the given fields; with none, only its id, key and self.
func issueJSON(st *site, is *issue, fields []string) object {
	out := object{
		"expand": "renderedFields,names,schema,operations,editmeta,changelog," +
			"versionedRepresentations",
		"id":   is.id,
		"self": selfURL(st, "/issue/%s", is.id),
		"key":  is.key,
	}
	if len(fields) == 0 {
		return out
	}
	f := object{}
	for _, name := range fields {
		f[name] = fieldValue(st, is, name)
	}
	out["fields"] = f
	return out
}

func fieldValue(st *site, is *issue, name string) any {
	switch name {
	case "summary":
		return is.summary
	case "status":
		return statusJSON(st, is.project.workflow.status(is.status))
	case "assignee":
		return userJSON(st, is.assignee)
	case "reporter":
		return userJSON(st, is.reporter)
	case "priority":
		return priorityJSON(st, is.priority)
	case "issuetype":
		return issueTypeJSON(st, is.issueType)
	case "project":
		return projectRef(st, is.project)
	case "created":
		return is.created.Format(jiraTime)
	case "updated":
		return is.updated.Format(jiraTime)
	case "labels":
		return append([]string{}, is.labels...)
	case "description":
		if is.description == nil {
			return nil
		}
		return json.RawMessage(is.description)
	case "comment":
		comments := make([]object, len(is.comments))
		for i, c := range is.comments {
			comments[i] = commentJSON(st, is, c)
		}
		return object{"comments": comments, "self": selfURL(st, "/issue/%s/comment", is.id),
			"maxResults": len(comments), "total": len(comments), "startAt": 0}
	}
	return nil
}

// transitionJSON renders one transition available to an issue.
func transitionJSON(st *site, wf *workflow, t transition) object {
	return object{
		"id":            t.id,
		"name":          t.name,
		"to":            statusJSON(st, wf.status(t.to)),
		"hasScreen":     false,
		"isGlobal":      len(t.from) == 0,
		"isInitial":     false,
		"isAvailable":   true,
		"isConditional": false,
		"isLooped":      false,
	}
}

// stamp is the current time truncated as Jira stores it, to the millisecond.
func stamp(now time.Time) time.Time {
	return now.Truncate(time.Millisecond)
}
