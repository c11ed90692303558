package jira

import "encoding/json"

// The Jira response bodies the tools read, reduced to the members they use. Names follow
// the schemas of Atlassian's OpenAPI document (swagger-v3.v3.json); testdata/jira holds a
// body of each kind.

// searchPage is SearchAndReconcileResults, the answer of GET /rest/api/3/search/jql.
// nextPageToken is absent on the last page.
type searchPage struct {
	Issues        []issueBean `json:"issues"`
	NextPageToken string      `json:"nextPageToken"`
	IsLast        bool        `json:"isLast"`
}

// issueBean is IssueBean, an issue with the fields that were asked for.
type issueBean struct {
	ID     string      `json:"id"`
	Key    string      `json:"key"`
	Fields issueFields `json:"fields"`
}

// issueFields are the system fields the tools ask for. Description is an ADF document, or
// null when empty.
type issueFields struct {
	Summary     string          `json:"summary"`
	Status      *statusBean     `json:"status"`
	Assignee    *userBean       `json:"assignee"`
	Reporter    *userBean       `json:"reporter"`
	Priority    *namedBean      `json:"priority"`
	IssueType   *namedBean      `json:"issuetype"`
	Project     *projectBean    `json:"project"`
	Labels      []string        `json:"labels"`
	Created     string          `json:"created"`
	Updated     string          `json:"updated"`
	Description json.RawMessage `json:"description"`
	Comment     *commentPage    `json:"comment"`
}

// statusBean is StatusDetails, with its category.
type statusBean struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	StatusCategory struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	} `json:"statusCategory"`
}

// userBean is UserDetails or User. EmailAddress is present only where the user's profile
// visibility allows it (and always for GET /myself).
type userBean struct {
	AccountID    string `json:"accountId"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
	TimeZone     string `json:"timeZone"`
	Locale       string `json:"locale"`
	Active       bool   `json:"active"`
	AccountType  string `json:"accountType"`
}

// namedBean is a Priority or IssueTypeDetails, by id and name.
type namedBean struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// commentPage is PageOfComments, as the comment field of an issue holds it.
type commentPage struct {
	Comments []commentBean `json:"comments"`
	Total    int           `json:"total"`
}

// commentBean is Comment; Body is an ADF document.
type commentBean struct {
	ID      string          `json:"id"`
	Author  *userBean       `json:"author"`
	Body    json.RawMessage `json:"body"`
	Created string          `json:"created"`
	Updated string          `json:"updated"`
}

// transitionsPage is Transitions, the answer of GET .../transitions.
type transitionsPage struct {
	Transitions []transitionBean `json:"transitions"`
}

// transitionBean is IssueTransition: a move to the status To.
type transitionBean struct {
	ID   string     `json:"id"`
	Name string     `json:"name"`
	To   statusBean `json:"to"`
}

// createdIssue is CreatedIssue, the answer of POST /rest/api/3/issue.
type createdIssue struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self"`
}

// projectPage is PageBeanProject, the answer of GET /rest/api/3/project/search.
type projectPage struct {
	Values     []projectBean `json:"values"`
	StartAt    int           `json:"startAt"`
	MaxResults int           `json:"maxResults"`
	Total      int           `json:"total"`
	IsLast     bool          `json:"isLast"`
}

// projectBean is Project; Description and Lead come with expand=description,lead.
type projectBean struct {
	ID             string    `json:"id"`
	Key            string    `json:"key"`
	Name           string    `json:"name"`
	ProjectTypeKey string    `json:"projectTypeKey"`
	Style          string    `json:"style"`
	Simplified     bool      `json:"simplified"`
	Description    string    `json:"description"`
	Lead           *userBean `json:"lead"`
}

// name returns a user's display name, or "" for none.
func (u *userBean) name() string {
	if u == nil {
		return ""
	}
	return u.DisplayName
}

// name returns a named object's name, or "" for none.
func (n *namedBean) name() string {
	if n == nil {
		return ""
	}
	return n.Name
}

// name returns a status's name, or "" for none.
func (s *statusBean) name() string {
	if s == nil {
		return ""
	}
	return s.Name
}
