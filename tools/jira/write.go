package jira

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/jiraapi"
)

// CreateIssueInput is the input of jira_create_issue.
type CreateIssueInput struct {
	ProjectKey  string `json:"project_key" jsonschema:"description=Project key\\, e.g. DEMO (see jira_list_projects)."`
	IssueType   string `json:"issue_type" jsonschema:"description=An issue type the project offers\\, e.g. Task\\, Bug or Story."`
	Summary     string `json:"summary" jsonschema:"description=One-line title\\, at most 255 characters."`
	Description string `json:"description,omitempty" jsonschema:"description=Plain text; blank lines separate paragraphs."`
	Site        string `json:"site,omitempty" jsonschema:"description=Jira site name or URL; needed only when the account reaches several."`
}

// CreateIssueOutput is the structured result of jira_create_issue.
type CreateIssueOutput struct {
	Site string `json:"site"`
	Key  string `json:"key"`
	ID   string `json:"id"`
	URL  string `json:"url"`
}

var projectKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func createIssue() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "jira_create_issue",
		Title:       "Create a Jira issue",
		Description: "Create a Jira issue with a type, summary and plain-text description.",
		Provider:    provider,
		Requirement: requirement([]registry.Scope{registry.JiraWriteWork},
			registry.JiraReadIssue, registry.JiraWriteAttachment, registry.JiraWriteCommentProperty,
			registry.JiraWriteComment, registry.JiraWriteIssue),
		Operations:  []string{"POST /rest/api/3/issue"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runCreateIssue)
}

// Check refuses a malformed project key, an empty issue type and a summary Jira would
// refuse.
func (in *CreateIssueInput) Check() error {
	switch summary := strings.TrimSpace(in.Summary); {
	case !projectKeyPattern.MatchString(strings.TrimSpace(in.ProjectKey)):
		return registry.Errorf("project_key must be a project key such as DEMO, got %q", in.ProjectKey)
	case strings.TrimSpace(in.IssueType) == "":
		return registry.Errorf("issue_type must name an issue type, such as Task")
	case summary == "":
		return registry.Errorf("summary must not be empty")
	case strings.ContainsAny(summary, "\r\n"):
		return registry.Errorf("summary must be a single line; put details in description")
	case utf8.RuneCountInString(summary) > 255:
		return registry.Errorf("summary must be at most 255 characters, got %d",
			utf8.RuneCountInString(summary))
	}
	return nil
}

// createFields is the fields member of IssueUpdateDetails that jira_create_issue sends.
type createFields struct {
	Project     keyRef        `json:"project"`
	IssueType   nameRef       `json:"issuetype"`
	Summary     string        `json:"summary"`
	Description *jiraapi.Node `json:"description,omitempty"`
}

type keyRef struct {
	Key string `json:"key"`
}

type nameRef struct {
	Name string `json:"name"`
}

func runCreateIssue(ctx context.Context, call *registry.Call, in CreateIssueInput) (registry.Result, error) {
	jc, err := jiraapi.Open(ctx, call, in.Site)
	if err != nil {
		return registry.Result{}, err
	}
	project := strings.ToUpper(strings.TrimSpace(in.ProjectKey))
	body := map[string]createFields{"fields": {
		Project:     keyRef{Key: project},
		IssueType:   nameRef{Name: strings.TrimSpace(in.IssueType)},
		Summary:     strings.TrimSpace(in.Summary),
		Description: jiraapi.FromText(in.Description),
	}}
	var created createdIssue
	req := jiraapi.Request{Method: "POST", Path: "/issue", Body: body, Subject: "project " + project}
	if err := jc.Do(ctx, req, &created); err != nil {
		return registry.Result{}, err
	}
	out := CreateIssueOutput{Site: jc.Site.Host(), Key: created.Key, ID: created.ID,
		URL: jc.BrowseURL(created.Key)}
	text := fmt.Sprintf("Created %s in %s on %s: %s", out.Key, project, out.Site, out.URL)
	return registry.Result{Text: text, Structured: out}, nil
}

// AddCommentInput is the input of jira_add_comment.
type AddCommentInput struct {
	IssueKey string `json:"issue_key" jsonschema:"description=Issue key\\, e.g. DEMO-12."`
	Body     string `json:"body" jsonschema:"description=Plain text; blank lines separate paragraphs."`
	Site     string `json:"site,omitempty" jsonschema:"description=Jira site name or URL; needed only when the account reaches several."`
}

// AddCommentOutput is the structured result of jira_add_comment.
type AddCommentOutput struct {
	Site      string `json:"site"`
	IssueKey  string `json:"issue_key"`
	CommentID string `json:"comment_id"`
	Created   string `json:"created"`
	URL       string `json:"url"`
}

func addComment() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "jira_add_comment",
		Title:       "Comment on a Jira issue",
		Description: "Add a plain-text comment to a Jira issue as the connected user.",
		Provider:    provider,
		Requirement: requirement([]registry.Scope{registry.JiraWriteWork},
			registry.JiraReadAvatar, registry.JiraReadCommentProperty, registry.JiraReadComment,
			registry.JiraReadGroup, registry.JiraReadProjectRole, registry.JiraReadProject,
			registry.JiraReadUserGranular, registry.JiraWriteComment),
		Operations:  []string{"POST /rest/api/3/issue/{issueIdOrKey}/comment"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runAddComment)
}

// Check refuses a malformed key and an empty comment.
func (in *AddCommentInput) Check() error {
	if _, err := issueKey("issue_key", in.IssueKey); err != nil {
		return err
	}
	if jiraapi.FromText(in.Body) == nil {
		return registry.Errorf("body must hold the comment's text")
	}
	return nil
}

func runAddComment(ctx context.Context, call *registry.Call, in AddCommentInput) (registry.Result, error) {
	key, err := issueKey("issue_key", in.IssueKey)
	if err != nil {
		return registry.Result{}, err
	}
	jc, err := jiraapi.Open(ctx, call, in.Site)
	if err != nil {
		return registry.Result{}, err
	}
	var c commentBean
	req := jiraapi.Request{Method: "POST", Path: issuePath(key, "comment"), Subject: "issue " + key,
		Body: map[string]*jiraapi.Node{"body": jiraapi.FromText(in.Body)}}
	if err := jc.Do(ctx, req, &c); err != nil {
		return registry.Result{}, err
	}
	out := AddCommentOutput{Site: jc.Site.Host(), IssueKey: key, CommentID: c.ID,
		Created: when(c.Created), URL: jc.BrowseURL(key) + "?focusedCommentId=" + c.ID}
	return registry.Result{Text: fmt.Sprintf("Commented on %s: %s", key, out.URL), Structured: out}, nil
}
