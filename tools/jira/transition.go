package jira

import (
	"context"
	"fmt"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/jiraapi"
)

// TransitionInput is the input of jira_transition_issue.
type TransitionInput struct {
	IssueKey   string `json:"issue_key" jsonschema:"description=Issue key\\, e.g. DEMO-12."`
	Transition string `json:"transition" jsonschema:"description=Transition name (e.g. 'Start Progress') or id\\, or a status name (e.g. Done) that one transition leads to."`
	Site       string `json:"site,omitempty" jsonschema:"description=Jira site name or URL; needed only when the account reaches several."`
}

// TransitionOutput is the structured result of jira_transition_issue.
type TransitionOutput struct {
	Site           string `json:"site"`
	IssueKey       string `json:"issue_key"`
	TransitionID   string `json:"transition_id"`
	TransitionName string `json:"transition_name"`
	// Status is the status the transition leads to.
	Status string `json:"status"`
	URL    string `json:"url"`
}

func transitionIssue() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "jira_transition_issue",
		Title: "Move a Jira issue through its workflow",
		Description: "Move a Jira issue to another status by a workflow transition; if none " +
			"fits, the result lists those offered.",
		Provider: provider,
		// Listing the transitions reads (read:jira-work) and taking one writes
		// (write:jira-work); Jira accepts neither scope for the other operation.
		Requirement: requirement([]registry.Scope{registry.JiraReadWork, registry.JiraWriteWork},
			registry.JiraReadFieldConfiguration, registry.JiraReadIssueTransition,
			registry.JiraReadStatus, registry.JiraWriteIssueProperty, registry.JiraWriteIssue),
		Operations: []string{"GET /rest/api/3/issue/{issueIdOrKey}/transitions",
			"POST /rest/api/3/issue/{issueIdOrKey}/transitions"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runTransition)
}

// Check refuses a malformed key and an empty transition.
func (in *TransitionInput) Check() error {
	if _, err := issueKey("issue_key", in.IssueKey); err != nil {
		return err
	}
	if strings.TrimSpace(in.Transition) == "" {
		return registry.Errorf("transition must name a transition or its id, such as 'In Progress'")
	}
	return nil
}

func runTransition(ctx context.Context, call *registry.Call, in TransitionInput) (registry.Result, error) {
	key, err := issueKey("issue_key", in.IssueKey)
	if err != nil {
		return registry.Result{}, err
	}
	jc, err := jiraapi.Open(ctx, call, in.Site)
	if err != nil {
		return registry.Result{}, err
	}
	var list transitionsPage
	req := jiraapi.Request{Method: "GET", Path: issuePath(key, "transitions"), Subject: "issue " + key}
	if err := jc.Do(ctx, req, &list); err != nil {
		return registry.Result{}, err
	}
	t, err := pickTransition(key, list.Transitions, in.Transition)
	if err != nil {
		return registry.Result{}, err
	}

	req = jiraapi.Request{Method: "POST", Path: issuePath(key, "transitions"), Subject: "issue " + key,
		Body: map[string]map[string]string{"transition": {"id": t.ID}}}
	if err := jc.Do(ctx, req, nil); err != nil {
		return registry.Result{}, err
	}
	out := TransitionOutput{Site: jc.Site.Host(), IssueKey: key, TransitionID: t.ID,
		TransitionName: t.Name, Status: t.To.Name, URL: jc.BrowseURL(key)}
	text := fmt.Sprintf("Moved %s with %q; it is now %s.", key, t.Name, t.To.Name)
	return registry.Result{Text: text, Structured: out}, nil
}

// pickTransition finds the transition want names: by id, else by name, else by the name of
// the status it leads to, all without case. Anything but exactly one match is an error
// that lists what the issue can take.
func pickTransition(key string, list []transitionBean, want string) (transitionBean, error) {
	want = strings.TrimSpace(want)
	if len(list) == 0 {
		return transitionBean{}, registry.Errorf("%s cannot be moved by this user from its current "+
			"status: Jira offers no transition.", key)
	}
	for _, match := range []func(transitionBean) bool{
		func(t transitionBean) bool { return t.ID == want },
		func(t transitionBean) bool { return strings.EqualFold(t.Name, want) },
		func(t transitionBean) bool { return strings.EqualFold(t.To.Name, want) },
	} {
		var found []transitionBean
		for _, t := range list {
			if match(t) {
				found = append(found, t)
			}
		}
		switch {
		case len(found) == 1:
			return found[0], nil
		case len(found) > 1:
			return transitionBean{}, registry.Errorf("%q matches several transitions of %s: %s. "+
				"Call again with the id of the one meant.", want, key, describeTransitions(found))
		}
	}
	return transitionBean{}, registry.Errorf("%s has no transition %q from its current status. "+
		"It can take: %s. Call again with one of these names or ids.", key, want,
		describeTransitions(list))
}

// describeTransitions lists transitions as `"Name" (id 21) to Status`.
func describeTransitions(list []transitionBean) string {
	parts := make([]string, len(list))
	for i, t := range list {
		parts[i] = fmt.Sprintf("%q (id %s) to %s", t.Name, t.ID, t.To.Name)
	}
	return strings.Join(parts, "; ")
}
