package jira_test

import (
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
)

// TestAddingAScopeKeepsTheEarlierOnes grants reading, then writing through
// a tool's own authorization link: Atlassian's consent replaces the grant,
// so the request must name what was held, and reading must still work.
func TestAddingAScopeKeepsTheEarlierOnes(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, registry.JiraReadWork)
	h.MustSucceed(t, "jira_search_issues", map[string]any{"jql": "project = DEMO"})

	create := map[string]any{"project_key": "DEMO", "issue_type": "Task", "summary": "Write access"}
	ar := h.Call(t, "jira_create_issue", create).AuthorizationRequired(t)
	if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(registry.JiraWriteWork) {
		t.Fatalf("asks for %+v, want only write:jira-work", ar.MissingScopes)
	}
	scopechecktest.Approve(t, ar.AuthorizationURL, nil)

	h.MustSucceed(t, "jira_create_issue", create)
	h.MustSucceed(t, "jira_search_issues", map[string]any{"jql": "project = DEMO"})
}

// TestUntickingAHeldScopeAtAtlassianIsRecorded: Atlassian asks again for
// what was held; unticking it loses it, and scopegate says so.
func TestUntickingAHeldScopeAtAtlassianIsRecorded(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, registry.JiraReadWork)
	ar := h.Call(t, "jira_create_issue", map[string]any{"project_key": "DEMO", "issue_type": "Task",
		"summary": "x"}).AuthorizationRequired(t)
	page := scopechecktest.Approve(t, ar.AuthorizationURL, func(s string) bool { return s != string(registry.JiraReadWork) })
	if !strings.Contains(page, `<main id="partial"`) || !strings.Contains(page, string(registry.JiraReadWork)) {
		t.Fatalf("the page should say reading was not kept:\n%s", page)
	}
	ar = h.Call(t, "jira_search_issues", map[string]any{"jql": "project = DEMO"}).AuthorizationRequired(t)
	if !ar.MissingScopes[0].DeclinedBefore {
		t.Errorf("the lost scope is not marked declined: %+v", ar.MissingScopes)
	}
}
