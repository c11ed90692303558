package atlassian

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// user is an Atlassian account. Accounts are global: the same user appears on every site.
type user struct {
	accountID   string
	displayName string
	email       string
	timeZone    string
}

// site is one Jira Cloud site with its own projects, issues and ids.
type site struct {
	id, name, url string
	users         []*user
	projects      []*project
	issues        []*issue // in creation order
	nextIssueID   int
	nextComment   int
}

// project is a Jira project and what the signed-in user may do in it.
type project struct {
	id, key, name string
	typeKey       string // "software", "business" or "service_desk"
	simplified    bool   // team-managed
	description   string
	lead          *user
	workflow      *workflow
	issueTypes    []*issueType
	canCreate     bool
	nextNumber    int
}

// issueType is a kind of issue offered by a project.
type issueType struct {
	id, name, description string
	hierarchyLevel        int
}

// statusCategory is one of Jira's three fixed status categories.
type statusCategory struct {
	id                   int
	key, colorName, name string
}

// The status categories, with Jira's own ids, keys and colours.
var (
	categoryToDo       = statusCategory{2, "new", "blue-gray", "To Do"}
	categoryInProgress = statusCategory{4, "indeterminate", "yellow", "In Progress"}
	categoryDone       = statusCategory{3, "done", "green", "Done"}
)

// status is a workflow status.
type status struct {
	id, name, description string
	category              statusCategory
}

// transition moves an issue to the status To. From lists the statuses it starts from; a
// global transition (empty From) starts from any status but its target.
type transition struct {
	id, name string
	from     []string
	to       string
}

// workflow is a project's statuses and transitions. The first status is the initial one.
type workflow struct {
	statuses    []*status
	transitions []transition
}

func (wf *workflow) status(id string) *status {
	for _, st := range wf.statuses {
		if st.id == id {
			return st
		}
	}
	return nil
}

// available returns the transitions an issue in status from can take, in workflow order.
func (wf *workflow) available(from string) []transition {
	var out []transition
	for _, t := range wf.transitions {
		if (len(t.from) == 0 && t.to != from) || slices.Contains(t.from, from) {
			out = append(out, t)
		}
	}
	return out
}

// priority is one of Jira's default priorities.
type priority struct {
	id, name string
}

var priorities = []priority{
	{"1", "Highest"}, {"2", "High"}, {"3", "Medium"}, {"4", "Low"}, {"5", "Lowest"},
}

func priorityByID(id string) priority {
	for _, p := range priorities {
		if p.id == id {
			return p
		}
	}
	return priorities[2]
}

// issue is a Jira issue. Description and comment bodies are stored as the Atlassian
// Document Format JSON they were written in.
type issue struct {
	id, key     string
	project     *project
	issueType   *issueType
	summary     string
	description json.RawMessage // nil when empty
	status      string
	priority    string
	assignee    *user
	reporter    *user
	labels      []string
	created     time.Time
	updated     time.Time
	comments    []*comment
}

// comment is a comment on an issue.
type comment struct {
	id      string
	author  *user
	body    json.RawMessage
	created time.Time
	updated time.Time
}

// project returns the project with the given key or id.
func (st *site) project(keyOrID string) *project {
	for _, p := range st.projects {
		if strings.EqualFold(p.key, keyOrID) || p.id == keyOrID {
			return p
		}
	}
	return nil
}

// issue returns the issue with the given key (any case) or id.
func (st *site) issue(keyOrID string) *issue {
	for _, is := range st.issues {
		if strings.EqualFold(is.key, keyOrID) || is.id == keyOrID {
			return is
		}
	}
	return nil
}

// userByRef finds a user by account id, email address or display name, as JQL allows.
func (st *site) userByRef(ref string) *user {
	for _, u := range st.users {
		if u.accountID == ref || strings.EqualFold(u.email, ref) ||
			strings.EqualFold(u.displayName, ref) {
			return u
		}
	}
	return nil
}

// newIssue files an issue in p with the next key and id.
func (st *site) newIssue(p *project, it *issueType, summary string, at time.Time) *issue {
	p.nextNumber++
	st.nextIssueID++
	is := &issue{
		id:        strconv.Itoa(st.nextIssueID),
		key:       p.key + "-" + strconv.Itoa(p.nextNumber),
		project:   p,
		issueType: it,
		summary:   summary,
		status:    p.workflow.statuses[0].id,
		priority:  "3",
		created:   at,
		updated:   at,
	}
	st.issues = append(st.issues, is)
	return is
}

// addComment appends a comment to is.
func (st *site) addComment(is *issue, author *user, body json.RawMessage, at time.Time) *comment {
	st.nextComment++
	c := &comment{id: strconv.Itoa(st.nextComment), author: author, body: body, created: at, updated: at}
	is.comments = append(is.comments, c)
	is.updated = at
	return c
}
