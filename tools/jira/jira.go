// Package jira implements scopegate's Jira tools on the Jira Cloud platform REST API v3,
// reached through Atlassian's gateway with OAuth 2.0 (3LO). Each tool is an input struct, a
// requirement that agrees with Atlassian's OpenAPI document for every operation it calls,
// and a handler. Which cloud site a call uses is decided by tools/jiraapi.
package jira

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// provider is the registry's id of Atlassian.
const provider registry.ProviderID = "atlassian"

// Tools returns the Jira tools in the order they are listed: reads, then writes.
func Tools() []registry.Tool {
	return []registry.Tool{
		searchIssues(),
		getIssue(),
		listProjects(),
		whoami(),
		createIssue(),
		addComment(),
		transitionIssue(),
	}
}

// requirement builds a Jira requirement: the classic scopes, or else the whole granular set
// of every operation the tool calls.
//
// The classic alternative comes first, so it is what scopegate asks for. Atlassian
// recommends classic scopes for the platform REST API; one classic scope is a permission a
// person can judge on the consent page, where the granular alternative asks for five to
// eleven narrow scopes at once that together reach about as much, and that follow Jira's
// operations rather than what a person means by "read issues". The granular set stays as
// the alternative, so an app registered with granular scopes alone still works.
func requirement(classic []registry.Scope, granular ...registry.Scope) registry.Requirement {
	return registry.Requirement{registry.NewScopeSet(classic...), registry.NewScopeSet(granular...)}
}

// keyPattern is an issue key such as DEMO-12, or a numeric issue id.
var keyPattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$`)

// issueKey checks and normalizes an issue key argument.
func issueKey(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !keyPattern.MatchString(s) {
		return "", registry.Errorf("%s must be an issue key such as DEMO-12, got %q", field, s)
	}
	return strings.ToUpper(s), nil
}

// issuePath returns the path of an issue, followed by more path elements.
func issuePath(key string, elems ...string) string {
	p := "/issue/" + url.PathEscape(key)
	for _, e := range elems {
		p += "/" + url.PathEscape(e)
	}
	return p
}

// jiraTime is how Jira writes times: "2025-05-28T16:04:11.372+0200".
const jiraTime = "2006-01-02T15:04:05.000-0700"

// when rewrites a Jira time as RFC 3339, keeping the original when it does not parse.
func when(s string) string {
	t, err := time.Parse(jiraTime, s)
	if err != nil {
		return s
	}
	return t.Format(time.RFC3339)
}

// orNone returns s, or "none" when it is empty, for texts.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
