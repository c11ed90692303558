package jira

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/jiraapi"
)

// SearchInput is the input of jira_search_issues.
type SearchInput struct {
	JQL           string `json:"jql" jsonschema:"description=JQL with at least one condition\\, e.g. 'project = DEMO AND statusCategory != Done ORDER BY updated DESC' or 'assignee = currentUser()'."`
	MaxResults    int    `json:"max_results,omitempty" jsonschema:"description=Default 20.,minimum=1,maximum=100"`
	NextPageToken string `json:"next_page_token,omitempty" jsonschema:"description=An earlier call's next_page_token. Keep the jql."`
	Site          string `json:"site,omitempty" jsonschema:"description=Jira site name or URL; needed only when the account reaches several."`
}

// IssueSummary is one issue in a search result.
type IssueSummary struct {
	Key      string `json:"key"`
	Summary  string `json:"summary"`
	Status   string `json:"status"`
	Assignee string `json:"assignee,omitempty"`
	Priority string `json:"priority,omitempty"`
	Updated  string `json:"updated,omitempty"`
	URL      string `json:"url"`
}

// SearchOutput is the structured result of jira_search_issues.
type SearchOutput struct {
	Site          string         `json:"site"`
	Issues        []IssueSummary `json:"issues"`
	NextPageToken string         `json:"next_page_token,omitempty"`
	IsLast        bool           `json:"is_last"`
}

// searchFields are the fields a search asks Jira for.
const searchFields = "summary,status,assignee,priority,updated"

func searchIssues() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "jira_search_issues",
		Title: "Search Jira issues",
		Description: "Search Jira issues with JQL; lists status, assignee, priority and last " +
			"update.",
		Provider: provider,
		Requirement: requirement([]registry.Scope{registry.JiraReadWork},
			registry.JiraReadAuditLog, registry.JiraReadAvatar, registry.JiraReadFieldConfiguration,
			registry.JiraReadIssueDetails, registry.JiraReadIssueMeta),
		Operations:  []string{"GET /rest/api/3/search/jql"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runSearch)
}

// Check refuses an empty query and a page size out of range.
func (in *SearchInput) Check() error {
	if strings.TrimSpace(in.JQL) == "" {
		return registry.Errorf("jql must hold a query, such as 'project = DEMO ORDER BY updated DESC'")
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return registry.Errorf("max_results must be between 1 and 100, got %d", in.MaxResults)
	}
	return nil
}

func runSearch(ctx context.Context, call *registry.Call, in SearchInput) (registry.Result, error) {
	jc, err := jiraapi.Open(ctx, call, in.Site)
	if err != nil {
		return registry.Result{}, err
	}
	size := in.MaxResults
	if size == 0 {
		size = 20
	}
	q := url.Values{"jql": {in.JQL}, "maxResults": {strconv.Itoa(size)}, "fields": {searchFields}}
	if in.NextPageToken != "" {
		q.Set("nextPageToken", in.NextPageToken)
	}
	var page searchPage
	if err := jc.Do(ctx, jiraapi.Request{Method: "GET", Path: "/search/jql", Query: q}, &page); err != nil {
		return registry.Result{}, err
	}

	out := SearchOutput{Site: jc.Site.Host(), Issues: []IssueSummary{}, IsLast: page.IsLast,
		NextPageToken: page.NextPageToken}
	for _, is := range page.Issues {
		f := is.Fields
		out.Issues = append(out.Issues, IssueSummary{Key: is.Key, Summary: f.Summary,
			Status: f.Status.name(), Assignee: f.Assignee.name(), Priority: f.Priority.name(),
			Updated: when(f.Updated), URL: jc.BrowseURL(is.Key)})
	}
	return registry.Result{Text: searchText(in.JQL, out), Structured: out}, nil
}

func searchText(jql string, out SearchOutput) string {
	var b strings.Builder
	if len(out.Issues) == 0 {
		fmt.Fprintf(&b, "No issues match %q on %s.", jql, out.Site)
		return b.String()
	}
	fmt.Fprintf(&b, "%d issues match %q on %s:\n", len(out.Issues), jql, out.Site)
	for _, is := range out.Issues {
		fmt.Fprintf(&b, "- %s [%s, %s] %s (assignee: %s, updated %s)\n", is.Key, is.Status,
			orNone(is.Priority), is.Summary, orNone(is.Assignee), is.Updated)
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "More issues match: call again with next_page_token %q.", out.NextPageToken)
	}
	return strings.TrimRight(b.String(), "\n")
}

// GetIssueInput is the input of jira_get_issue.
type GetIssueInput struct {
	IssueKey string `json:"issue_key" jsonschema:"description=Issue key\\, e.g. DEMO-12."`
	Site     string `json:"site,omitempty" jsonschema:"description=Jira site name or URL; needed only when the account reaches several."`
}

// Comment is a comment of an issue, as plain text.
type Comment struct {
	ID      string `json:"id"`
	Author  string `json:"author"`
	Created string `json:"created"`
	Body    string `json:"body"`
}

// IssueOutput is the structured result of jira_get_issue.
type IssueOutput struct {
	Site        string    `json:"site"`
	Key         string    `json:"key"`
	URL         string    `json:"url"`
	Summary     string    `json:"summary"`
	Type        string    `json:"type"`
	Project     string    `json:"project"`
	Status      string    `json:"status"`
	Priority    string    `json:"priority,omitempty"`
	Assignee    string    `json:"assignee,omitempty"`
	Reporter    string    `json:"reporter,omitempty"`
	Labels      []string  `json:"labels,omitempty"`
	Created     string    `json:"created"`
	Updated     string    `json:"updated"`
	Description string    `json:"description"`
	Comments    []Comment `json:"comments"`
	// CommentsTotal counts every comment; Comments holds the newest maxComments.
	CommentsTotal int `json:"comments_total"`
}

// issueFieldsWanted are the fields jira_get_issue asks Jira for.
const issueFieldsWanted = "summary,issuetype,project,status,priority,assignee,reporter,labels," +
	"created,updated,description,comment"

// maxComments is how many of the newest comments jira_get_issue returns.
const maxComments = 20

func getIssue() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "jira_get_issue",
		Title:       "Read a Jira issue",
		Description: "Read a Jira issue: fields, description as plain text and newest comments.",
		Provider:    provider,
		Requirement: requirement([]registry.Scope{registry.JiraReadWork},
			registry.JiraReadAvatar, registry.JiraReadFieldConfiguration, registry.JiraReadIssueMeta,
			registry.JiraReadIssueSecurityLevel, registry.JiraReadIssueChangelog,
			registry.JiraReadIssueVote, registry.JiraReadIssue, registry.JiraReadStatus,
			registry.JiraReadUserGranular),
		Operations:  []string{"GET /rest/api/3/issue/{issueIdOrKey}"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runGetIssue)
}

// Check refuses a malformed issue key.
func (in *GetIssueInput) Check() error {
	_, err := issueKey("issue_key", in.IssueKey)
	return err
}

func runGetIssue(ctx context.Context, call *registry.Call, in GetIssueInput) (registry.Result, error) {
	key, err := issueKey("issue_key", in.IssueKey)
	if err != nil {
		return registry.Result{}, err
	}
	jc, err := jiraapi.Open(ctx, call, in.Site)
	if err != nil {
		return registry.Result{}, err
	}
	var is issueBean
	req := jiraapi.Request{Method: "GET", Path: issuePath(key), Subject: "issue " + key,
		Query: url.Values{"fields": {issueFieldsWanted}}}
	if err := jc.Do(ctx, req, &is); err != nil {
		return registry.Result{}, err
	}
	out := issueOutput(jc, is)
	return registry.Result{Text: issueText(out), Structured: out}, nil
}

// issueOutput shapes an issue for the model, descriptions and comments as plain text.
func issueOutput(jc *jiraapi.Client, is issueBean) IssueOutput {
	f := is.Fields
	out := IssueOutput{Site: jc.Site.Host(), Key: is.Key, URL: jc.BrowseURL(is.Key),
		Summary: f.Summary, Type: f.IssueType.name(), Status: f.Status.name(),
		Priority: f.Priority.name(), Assignee: f.Assignee.name(), Reporter: f.Reporter.name(),
		Labels: f.Labels, Created: when(f.Created), Updated: when(f.Updated),
		Description: jiraapi.ToText(f.Description), Comments: []Comment{}}
	if f.Project != nil {
		out.Project = f.Project.Key
	}
	if f.Comment != nil {
		out.CommentsTotal = max(f.Comment.Total, len(f.Comment.Comments))
		comments := f.Comment.Comments
		comments = comments[max(0, len(comments)-maxComments):]
		for _, c := range comments {
			out.Comments = append(out.Comments, Comment{ID: c.ID, Author: c.Author.name(),
				Created: when(c.Created), Body: jiraapi.ToText(c.Body)})
		}
	}
	return out
}

func issueText(out IssueOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n%s in %s, status %s, priority %s, assignee %s, reporter %s.\n",
		out.Key, out.Summary, orNone(out.Type), out.Project, out.Status, orNone(out.Priority),
		orNone(out.Assignee), orNone(out.Reporter))
	if len(out.Labels) > 0 {
		fmt.Fprintf(&b, "Labels: %s.\n", strings.Join(out.Labels, ", "))
	}
	fmt.Fprintf(&b, "Created %s, updated %s. %s\n\nDescription:\n%s\n", out.Created, out.Updated,
		out.URL, orNone(out.Description))
	if out.CommentsTotal > len(out.Comments) {
		fmt.Fprintf(&b, "\nThe newest %d of %d comments:\n", len(out.Comments), out.CommentsTotal)
	} else if len(out.Comments) > 0 {
		fmt.Fprintf(&b, "\n%d comments:\n", len(out.Comments))
	}
	for _, c := range out.Comments {
		fmt.Fprintf(&b, "- %s, %s:\n%s\n", c.Author, c.Created, indent(c.Body))
	}
	return strings.TrimRight(b.String(), "\n")
}

// indent puts two spaces before every line of s.
func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
