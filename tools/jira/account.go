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

// ListProjectsInput is the input of jira_list_projects.
type ListProjectsInput struct {
	Query      string `json:"query,omitempty" jsonschema:"description=Only projects whose key or name contains this (any case)."`
	MaxResults int    `json:"max_results,omitempty" jsonschema:"description=Default 50.,minimum=1,maximum=100"`
	StartAt    int    `json:"start_at,omitempty" jsonschema:"description=An earlier call's next_start_at.,minimum=0"`
	Site       string `json:"site,omitempty" jsonschema:"description=Jira site name or URL; needed only when the account reaches several."`
}

// Project is one project in jira_list_projects.
type Project struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	ID          string `json:"id"`
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
	Lead        string `json:"lead,omitempty"`
}

// ProjectsOutput is the structured result of jira_list_projects.
type ProjectsOutput struct {
	Site     string    `json:"site"`
	Projects []Project `json:"projects"`
	Total    int       `json:"total"`
	// NextStartAt is the start_at of the following page; absent on the last page.
	NextStartAt int `json:"next_start_at,omitempty"`
}

func listProjects() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "jira_list_projects",
		Title: "List Jira projects",
		Description: "List the Jira projects the user can see: keys (for new issues and JQL), " +
			"names, types and leads.",
		Provider: provider,
		Requirement: requirement([]registry.Scope{registry.JiraReadWork},
			registry.JiraReadApplicationRole, registry.JiraReadAvatar, registry.JiraReadGroup,
			registry.JiraReadIssueTypeHierarchy, registry.JiraReadIssueType,
			registry.JiraReadProjectCategory, registry.JiraReadProjectVersion,
			registry.JiraReadProjectComponent, registry.JiraReadProjectProperty,
			registry.JiraReadProject, registry.JiraReadUserGranular),
		Operations:  []string{"GET /rest/api/3/project/search"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runListProjects)
}

// Check refuses paging arguments out of range.
func (in *ListProjectsInput) Check() error {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return registry.Errorf("max_results must be between 1 and 100, got %d", in.MaxResults)
	}
	if in.StartAt < 0 {
		return registry.Errorf("start_at must not be negative, got %d", in.StartAt)
	}
	return nil
}

func runListProjects(ctx context.Context, call *registry.Call, in ListProjectsInput) (registry.Result, error) {
	jc, err := jiraapi.Open(ctx, call, in.Site)
	if err != nil {
		return registry.Result{}, err
	}
	size := in.MaxResults
	if size == 0 {
		size = 50
	}
	q := url.Values{"startAt": {strconv.Itoa(in.StartAt)}, "maxResults": {strconv.Itoa(size)},
		"orderBy": {"key"}, "expand": {"description,lead"}}
	if s := strings.TrimSpace(in.Query); s != "" {
		q.Set("query", s)
	}
	var page projectPage
	req := jiraapi.Request{Method: "GET", Path: "/project/search", Query: q}
	if err := jc.Do(ctx, req, &page); err != nil {
		return registry.Result{}, err
	}

	out := ProjectsOutput{Site: jc.Site.Host(), Projects: []Project{}, Total: page.Total}
	for _, p := range page.Values {
		out.Projects = append(out.Projects, Project{Key: p.Key, Name: p.Name, ID: p.ID,
			Type: p.ProjectTypeKey, Description: p.Description, Lead: p.Lead.name()})
	}
	if !page.IsLast {
		out.NextStartAt = page.StartAt + len(page.Values)
	}
	return registry.Result{Text: projectsText(out), Structured: out}, nil
}

func projectsText(out ProjectsOutput) string {
	if len(out.Projects) == 0 {
		return fmt.Sprintf("No Jira projects on %s match.", out.Site)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d projects on %s:\n", len(out.Projects), out.Total, out.Site)
	for _, p := range out.Projects {
		fmt.Fprintf(&b, "- %s: %s (%s, lead %s)\n", p.Key, p.Name, orNone(p.Type), orNone(p.Lead))
	}
	if out.NextStartAt > 0 {
		fmt.Fprintf(&b, "More projects: call again with start_at %d.", out.NextStartAt)
	}
	return strings.TrimRight(b.String(), "\n")
}

// WhoamiInput is the input of jira_whoami.
type WhoamiInput struct {
	Site string `json:"site,omitempty" jsonschema:"description=Jira site name or URL; needed only when the account reaches several."`
}

// WhoamiOutput is the structured result of jira_whoami.
type WhoamiOutput struct {
	Site        string `json:"site"`
	AccountID   string `json:"account_id"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email,omitempty"`
	TimeZone    string `json:"time_zone,omitempty"`
	Active      bool   `json:"active"`
}

func whoami() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "jira_whoami",
		Title: "Show the Jira user",
		Description: "Show the connected Jira user: account id (for JQL and assignments), name, " +
			"email, time zone.",
		Provider: provider,
		// GET /myself takes read:jira-user, not read:jira-work.
		Requirement: requirement([]registry.Scope{registry.JiraReadUser},
			registry.JiraReadApplicationRole, registry.JiraReadAvatar, registry.JiraReadGroup,
			registry.JiraReadUserGranular),
		Operations:  []string{"GET /rest/api/3/myself"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runWhoami)
}

func runWhoami(ctx context.Context, call *registry.Call, in WhoamiInput) (registry.Result, error) {
	jc, err := jiraapi.Open(ctx, call, in.Site)
	if err != nil {
		return registry.Result{}, err
	}
	var me userBean
	if err := jc.Do(ctx, jiraapi.Request{Method: "GET", Path: "/myself"}, &me); err != nil {
		return registry.Result{}, err
	}
	out := WhoamiOutput{Site: jc.Site.Host(), AccountID: me.AccountID, DisplayName: me.DisplayName,
		Email: me.EmailAddress, TimeZone: me.TimeZone, Active: me.Active}
	text := fmt.Sprintf("Connected to %s as %s (account id %s", out.Site, out.DisplayName, out.AccountID)
	if out.Email != "" {
		text += ", " + out.Email
	}
	return registry.Result{Text: text + ").", Structured: out}, nil
}
