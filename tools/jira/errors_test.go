package jira_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/jira"
	"github.com/scopegate/scopegate/tools/sandbox/atlassian"
)

func TestProviderErrorsReadForTheModel(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, classic...)
	tests := []struct {
		name string
		tool string
		args map[string]any
		want []string
	}{
		{"unknown project in JQL", "jira_search_issues", map[string]any{"jql": "project = NOPE"},
			[]string{"Jira refused the request: The value 'NOPE' does not exist for the field 'project'"}},
		{"unbounded JQL", "jira_search_issues", map[string]any{"jql": "ORDER BY updated"},
			[]string{"Unbounded JQL queries are not allowed here"}},
		{"missing issue", "jira_get_issue", map[string]any{"issue_key": "DEMO-99"},
			[]string{"Jira found no issue DEMO-99: Issue does not exist or you do not have " +
				"permission to see it."}},
		{"issue type the project lacks", "jira_create_issue", map[string]any{"project_key": "DEMO",
			"issue_type": "Incident", "summary": "x"}, []string{"issuetype: Specify a valid issue type"}},
		{"project without create permission", "jira_create_issue", map[string]any{"project_key": "OPS",
			"issue_type": "Task", "summary": "x"}, []string{
			"You do not have permission to create issues in this project", "permission inside Jira"}},
		{"comment on a missing issue", "jira_add_comment", map[string]any{"issue_key": "OPS-9", "body": "x"},
			[]string{"Jira found no issue OPS-9"}},
		{"transition of a missing issue", "jira_transition_issue",
			map[string]any{"issue_key": "DEMO-99", "transition": "Done"},
			[]string{"Jira found no issue DEMO-99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.Call(t, tt.tool, tt.args)
			for _, want := range tt.want {
				if !r.IsError || !strings.Contains(r.Text, want) {
					t.Errorf("%s = %q (isError %v), want it to contain %q", tt.tool, r.Text, r.IsError, want)
				}
			}
		})
	}
}

func TestRateLimitSaysWhenToTryAgain(t *testing.T) {
	var sandbox *atlassian.Server
	h := scopechecktest.New(t, jira.Tools(), scopechecktest.AtlassianSandboxWith(
		scopechecktest.AtlassianConfig{OneSite: true, Served: func(s *atlassian.Server) { sandbox = s }}))
	h.Grant(t, classic...)
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"jira_whoami", map[string]any{}},
		{"jira_list_projects", map[string]any{}},
		{"jira_create_issue", map[string]any{"project_key": "DEMO", "issue_type": "Task", "summary": "x"}},
	}
	for _, c := range calls {
		t.Run(c.tool, func(t *testing.T) {
			sandbox.LimitRate(1, 30*time.Second)
			defer sandbox.LimitRate(0, 0)
			r := h.Call(t, c.tool, c.args)
			if !r.IsError || !strings.Contains(r.Text, "Wait 30 seconds before calling again") {
				t.Errorf("%s when rate limited = %q (isError %v)", c.tool, r.Text, r.IsError)
			}
		})
	}
}

// TestProviderRefusesAScopeTheGrantClaims shows Jira's 401 "scope does not match" turning
// into an authorization-required result that corrects the stored grant.
func TestProviderRefusesAScopeTheGrantClaims(t *testing.T) {
	h := oneSite(t)
	h.Grant(t, registry.JiraReadWork)
	ctx := context.Background()
	acct, err := h.Store.Account(ctx, scopechecktest.Identifier, "jira")
	if err != nil {
		t.Fatal(err)
	}
	acct.Granted = acct.Granted.Union(registry.ScopeSet{registry.JiraReadUser})
	if err := h.Store.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}

	ar := h.Call(t, "jira_whoami", map[string]any{}).AuthorizationRequired(t)
	if ar.Reason != "provider_refused_scope" || len(ar.MissingScopes) != 1 ||
		ar.MissingScopes[0].Scope != string(registry.JiraReadUser) {
		t.Errorf("jira_whoami = %s asking for %+v, want provider_refused_scope for read:jira-user",
			ar.Reason, ar.MissingScopes)
	}
	acct, _ = h.Store.Account(ctx, scopechecktest.Identifier, "jira")
	if acct.Granted.Has(registry.JiraReadUser) || !acct.Granted.Has(registry.JiraReadWork) {
		t.Errorf("stored grant after the refusal = %v, want read:jira-work without read:jira-user",
			acct.Granted)
	}
	h.MustSucceed(t, "jira_search_issues", map[string]any{"jql": "project = DEMO"})
}
