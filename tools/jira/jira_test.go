package jira_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/jira"
)

// classic is every classic scope the Jira tools use.
var classic = []registry.Scope{registry.JiraReadWork, registry.JiraWriteWork, registry.JiraReadUser}

// oneSite serves the tools against a sandbox account with a single Jira site.
func oneSite(t *testing.T) *scopechecktest.Harness {
	t.Helper()
	return scopechecktest.New(t, jira.Tools(),
		scopechecktest.AtlassianSandboxWith(scopechecktest.AtlassianConfig{OneSite: true}))
}

func TestCreateReadCommentTransition(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, classic...)

	var me jira.WhoamiOutput
	h.MustSucceed(t, "jira_whoami", map[string]any{}).Decode(t, &me)
	if me.DisplayName != "Demo User" || me.Email != "demo.user@example.com" ||
		me.Site != "acme-demo.atlassian.net" {
		t.Errorf("jira_whoami = %+v", me)
	}

	description := "Clicking the link in the footer gives a 404.\nSeen on every page.\n\nFound by Ana."
	var created jira.CreateIssueOutput
	h.MustSucceed(t, "jira_create_issue", map[string]any{"project_key": "demo", "issue_type": "Bug",
		"summary": "Broken footer link", "description": description}).Decode(t, &created)
	if created.Key != "DEMO-6" || created.URL != "https://acme-demo.atlassian.net/browse/DEMO-6" {
		t.Fatalf("jira_create_issue = %+v, want DEMO-6 with its URL", created)
	}

	h.MustSucceed(t, "jira_add_comment", map[string]any{"issue_key": "demo-6",
		"body": "Fixed in the footer template.\n\nPlease check."})
	var issue jira.IssueOutput
	h.MustSucceed(t, "jira_get_issue", map[string]any{"issue_key": "DEMO-6"}).Decode(t, &issue)
	if issue.Summary != "Broken footer link" || issue.Type != "Bug" || issue.Status != "To Do" ||
		issue.Reporter != "Demo User" {
		t.Errorf("jira_get_issue = %+v", issue)
	}
	if issue.Description != description {
		t.Errorf("description read back = %q, want %q", issue.Description, description)
	}
	comment := "Fixed in the footer template.\n\nPlease check."
	if len(issue.Comments) != 1 || issue.Comments[0].Body != comment {
		t.Errorf("comments read back = %+v", issue.Comments)
	}

	var moved jira.TransitionOutput
	h.MustSucceed(t, "jira_transition_issue", map[string]any{"issue_key": "DEMO-6",
		"transition": "in progress"}).Decode(t, &moved)
	if moved.TransitionID != "21" || moved.Status != "In Progress" {
		t.Errorf("moving to In Progress = %+v", moved)
	}
	h.MustSucceed(t, "jira_transition_issue", map[string]any{"issue_key": "DEMO-6", "transition": "31"})
	h.MustSucceed(t, "jira_get_issue", map[string]any{"issue_key": "DEMO-6"}).Decode(t, &issue)
	if issue.Status != "Done" {
		t.Errorf("status after the Done transition = %s", issue.Status)
	}

	r := h.Call(t, "jira_transition_issue", map[string]any{"issue_key": "DEMO-6", "transition": "Reopen"})
	for _, want := range []string{`DEMO-6 has no transition "Reopen"`, `"To Do" (id 11) to To Do`,
		`"In Progress" (id 21) to In Progress`} {
		if !r.IsError || !strings.Contains(r.Text, want) {
			t.Errorf("unavailable transition = %q (isError %v), want it to contain %q",
				r.Text, r.IsError, want)
		}
	}
}

func TestSearchAndListProjects(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, registry.JiraReadWork)

	var page jira.SearchOutput
	args := map[string]any{"jql": "project = DEMO ORDER BY key ASC", "max_results": 3}
	h.MustSucceed(t, "jira_search_issues", args).Decode(t, &page)
	if len(page.Issues) != 3 || page.IsLast || page.NextPageToken == "" {
		t.Fatalf("first page = %+v, want 3 issues and a next page", page)
	}
	first := page.Issues[1]
	want := jira.IssueSummary{Key: "DEMO-2", Summary: "Login page rejects passwords with spaces",
		Status: "To Do", Assignee: "Demo User", Priority: "Highest", Updated: first.Updated,
		URL: "https://acme-demo.atlassian.net/browse/DEMO-2"}
	if diff := cmp.Diff(want, first); diff != "" || !strings.HasSuffix(first.Updated, "Z") {
		t.Errorf("DEMO-2 in the results mismatch (-want +got):\n%s", diff)
	}
	args["next_page_token"] = page.NextPageToken
	var next jira.SearchOutput
	h.MustSucceed(t, "jira_search_issues", args).Decode(t, &next)
	if len(next.Issues) != 2 || next.Issues[0].Key != "DEMO-4" || !next.IsLast || next.NextPageToken != "" {
		t.Errorf("second page = %+v, want DEMO-4 and DEMO-5", next)
	}

	var projects jira.ProjectsOutput
	h.MustSucceed(t, "jira_list_projects", map[string]any{"max_results": 1}).Decode(t, &projects)
	if len(projects.Projects) != 1 || projects.Projects[0].Key != "DEMO" || projects.Total != 2 ||
		projects.NextStartAt != 1 || projects.Projects[0].Lead != "Demo User" {
		t.Errorf("first project page = %+v", projects)
	}
	var rest jira.ProjectsOutput
	h.MustSucceed(t, "jira_list_projects", map[string]any{"start_at": 1}).Decode(t, &rest)
	if len(rest.Projects) != 1 || rest.Projects[0].Key != "OPS" || rest.NextStartAt != 0 {
		t.Errorf("second project page = %+v", rest)
	}
}

// granularSets is every Jira tool's granular alternative together.
func granularSets() []registry.Scope {
	var all registry.ScopeSet
	for _, tool := range jira.Tools() {
		all = all.Union(tool.Requirement[1])
	}
	return all
}

func TestGranularScopesSuffice(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, granularSets()...)
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"jira_whoami", map[string]any{}},
		{"jira_list_projects", map[string]any{}},
		{"jira_search_issues", map[string]any{"jql": "assignee = currentUser()"}},
		{"jira_get_issue", map[string]any{"issue_key": "DEMO-2"}},
		{"jira_create_issue", map[string]any{"project_key": "DEMO", "issue_type": "Task", "summary": "x"}},
		{"jira_add_comment", map[string]any{"issue_key": "DEMO-2", "body": "Noted."}},
		{"jira_transition_issue", map[string]any{"issue_key": "DEMO-2", "transition": "Done"}},
	}
	for _, c := range calls {
		t.Run(c.tool, func(t *testing.T) { h.MustSucceed(t, c.tool, c.args) })
	}
}

func TestMissingScopesAskForTheClassicScope(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, registry.JiraReadUser)
	tests := []struct {
		tool string
		args map[string]any
		want []string
	}{
		{"jira_search_issues", map[string]any{"jql": "project = DEMO"}, []string{"read:jira-work"}},
		{"jira_get_issue", map[string]any{"issue_key": "DEMO-1"}, []string{"read:jira-work"}},
		{"jira_list_projects", map[string]any{}, []string{"read:jira-work"}},
		{"jira_create_issue", map[string]any{"project_key": "DEMO", "issue_type": "Task", "summary": "x"},
			[]string{"write:jira-work"}},
		{"jira_add_comment", map[string]any{"issue_key": "DEMO-1", "body": "x"}, []string{"write:jira-work"}},
		{"jira_transition_issue", map[string]any{"issue_key": "DEMO-1", "transition": "Done"},
			[]string{"read:jira-work", "write:jira-work"}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			ar := h.Call(t, tt.tool, tt.args).AuthorizationRequired(t)
			var got []string
			for _, m := range ar.MissingScopes {
				got = append(got, m.Scope)
			}
			if ar.Reason != "missing_scopes" || !cmp.Equal(got, tt.want) {
				t.Errorf("%s asks for %v (%s), want %v", tt.tool, got, ar.Reason, tt.want)
			}
		})
	}

	h2 := oneSite(t)
	h2.Grant(t, registry.JiraReadWork, registry.JiraWriteWork)
	ar := h2.Call(t, "jira_whoami", map[string]any{}).AuthorizationRequired(t)
	if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != "read:jira-user" {
		t.Errorf("jira_whoami with read/write work asks for %+v, want read:jira-user", ar.MissingScopes)
	}
}
