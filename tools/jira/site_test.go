package jira_test

import (
	"strings"
	"testing"

	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/jira"
)

// everyTool holds arguments that each Jira tool accepts.
var everyTool = []struct {
	tool string
	args map[string]any
}{
	{"jira_search_issues", map[string]any{"jql": "assignee = currentUser()"}},
	{"jira_get_issue", map[string]any{"issue_key": "DEMO-1"}},
	{"jira_list_projects", map[string]any{}},
	{"jira_whoami", map[string]any{}},
	{"jira_create_issue", map[string]any{"project_key": "DEMO", "issue_type": "Task", "summary": "x"}},
	{"jira_add_comment", map[string]any{"issue_key": "DEMO-1", "body": "x"}},
	{"jira_transition_issue", map[string]any{"issue_key": "DEMO-1", "transition": "Done"}},
}

func TestSeveralSitesAndNoneChosen(t *testing.T) {
	h := scopechecktest.New(t, jira.Tools(), scopechecktest.AtlassianSandbox())
	h.Grant(t, classic...)
	for _, c := range everyTool {
		t.Run(c.tool, func(t *testing.T) {
			r := h.Call(t, c.tool, c.args)
			for _, want := range []string{"reaches 2 Jira sites",
				"acme-demo (https://acme-demo.atlassian.net)", "acme-labs (https://acme-labs.atlassian.net)",
				"with site set"} {
				if !r.IsError || !strings.Contains(r.Text, want) {
					t.Errorf("%s without a site = %q (isError %v), want it to contain %q", c.tool,
						r.Text, r.IsError, want)
				}
			}
		})
	}
}

func TestSeveralSitesWithSiteGiven(t *testing.T) {
	h := scopechecktest.New(t, jira.Tools(), scopechecktest.AtlassianSandbox())
	h.Grant(t, classic...)

	var found jira.SearchOutput
	h.MustSucceed(t, "jira_search_issues", map[string]any{"jql": "assignee = currentUser()",
		"site": "acme-labs"}).Decode(t, &found)
	if found.Site != "acme-labs.atlassian.net" || len(found.Issues) != 1 || found.Issues[0].Key != "LAB-1" {
		t.Errorf("search on acme-labs = %+v, want LAB-1 only", found)
	}
	var created jira.CreateIssueOutput
	h.MustSucceed(t, "jira_create_issue", map[string]any{"project_key": "LAB", "issue_type": "Task",
		"summary": "Compare the two rankers", "site": "https://acme-labs.atlassian.net/"}).Decode(t, &created)
	if created.Key != "LAB-3" || !strings.HasPrefix(created.URL, "https://acme-labs.atlassian.net/") {
		t.Errorf("create on acme-labs = %+v, want LAB-3", created)
	}

	r := h.Call(t, "jira_get_issue", map[string]any{"issue_key": "LAB-1", "site": "acme-demo.atlassian.net"})
	if !r.IsError || !strings.Contains(r.Text, "Jira found no issue LAB-1") {
		t.Errorf("LAB-1 on acme-demo = %q, want not found", r.Text)
	}
	r = h.Call(t, "jira_whoami", map[string]any{"site": "elsewhere.atlassian.net"})
	if !r.IsError || !strings.Contains(r.Text, `No Jira site "elsewhere.atlassian.net"`) ||
		!strings.Contains(r.Text, "acme-labs (https://acme-labs.atlassian.net)") {
		t.Errorf("an unknown site = %q, want the list of sites", r.Text)
	}
}

func TestConfiguredSite(t *testing.T) {
	h := scopechecktest.New(t, jira.Tools(), scopechecktest.AtlassianSandboxWith(
		scopechecktest.AtlassianConfig{Site: "acme-labs.atlassian.net"}))
	h.Grant(t, classic...)

	var me jira.WhoamiOutput
	h.MustSucceed(t, "jira_whoami", map[string]any{}).Decode(t, &me)
	if me.Site != "acme-labs.atlassian.net" {
		t.Errorf("jira_whoami used %s, want the configured acme-labs.atlassian.net", me.Site)
	}
	h.MustSucceed(t, "jira_get_issue", map[string]any{"issue_key": "LAB-2", "site": "acme-labs"})
	r := h.Call(t, "jira_get_issue", map[string]any{"issue_key": "DEMO-1", "site": "acme-demo"})
	if !r.IsError || !strings.Contains(r.Text, "fixed to the site acme-labs.atlassian.net") {
		t.Errorf("asking for another site than the configured one = %q", r.Text)
	}
}

func TestOneSiteNeedsNoChoice(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, classic...)
	for _, c := range everyTool {
		t.Run(c.tool, func(t *testing.T) { h.MustSucceed(t, c.tool, c.args) })
	}
}
