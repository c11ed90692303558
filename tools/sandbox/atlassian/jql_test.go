package atlassian

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runJQL runs a query on the seeded acme-demo site and returns the matching keys in order.
func runJQL(t *testing.T, q string) ([]string, error) {
	t.Helper()
	now := time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)
	me, sites := seed(DefaultAccount, now)
	env := &jqlEnv{st: sites[0], me: me, now: now}
	query, err := parseJQL(q)
	if err != nil {
		return nil, err
	}
	if query.where == nil {
		return nil, errors.New("unbounded")
	}
	if err := env.check(query.where); err != nil {
		return nil, err
	}
	var found []*issue
	for _, is := range env.st.issues {
		if env.match(query.where, is) {
			found = append(found, is)
		}
	}
	if err := env.sortIssues(found, query.orderBy); err != nil {
		return nil, err
	}
	keys := []string{}
	for _, is := range found {
		keys = append(keys, is.key)
	}
	return keys, nil
}

func TestJQLMatches(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{"project = DEMO", []string{"DEMO-5", "DEMO-4", "DEMO-3", "DEMO-2", "DEMO-1"}},
		{"project = ops ORDER BY key ASC", []string{"OPS-1", "OPS-2", "OPS-3"}},
		{`project = "Demo Project" AND status = "In Progress"`, []string{"DEMO-5", "DEMO-1"}},
		{"assignee = currentUser() ORDER BY priority DESC", []string{"DEMO-2", "OPS-1", "DEMO-4"}},
		{"assignee is EMPTY", []string{"OPS-3", "DEMO-5"}},
		{"assignee IS NOT EMPTY AND project = OPS", []string{"OPS-2", "OPS-1"}},
		{"statusCategory != Done AND project = DEMO ORDER BY created ASC",
			[]string{"DEMO-5", "DEMO-1", "DEMO-2", "DEMO-4"}},
		{`text ~ "form validation"`, []string{"DEMO-2"}},
		{`summary ~ "csv" OR description ~ "csv"`, []string{"DEMO-4", "DEMO-1"}},
		{"labels in (auth, reports)", []string{"DEMO-2", "DEMO-1"}},
		{"key in (DEMO-1, OPS-2) ORDER BY key", []string{"DEMO-1", "OPS-2"}},
		{"type = Bug AND NOT project = OPS", []string{"DEMO-2"}},
		{"updated >= -4d ORDER BY updated DESC", []string{"DEMO-2", "DEMO-1", "OPS-1", "OPS-2"}},
		{"created < 2025-04-05", []string{"OPS-3"}},
		{`assignee = "ana.ruiz@example.com"`, []string{"DEMO-1"}},
		{"(priority = Highest OR priority = High) AND status != Done ORDER BY key",
			[]string{"DEMO-1", "DEMO-2", "DEMO-5", "OPS-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := runJQL(t, tt.query)
			if err != nil {
				t.Fatalf("runJQL(%q): %v", tt.query, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("runJQL(%q) mismatch (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestJQLErrors(t *testing.T) {
	tests := []struct {
		query string
		want  string // a part of Jira's message
	}{
		{"project = NOPE", "The value 'NOPE' does not exist for the field 'project'."},
		{"colour = red", "Field 'colour' does not exist or you do not have permission to view it."},
		{"project DEMO", "Error in the JQL Query: Expecting operator but got 'DEMO'."},
		{`summary ~ "open`, "The quoted string \"open has not been completed."},
		{"project ~ DEMO", "The operator '~' is not supported by the 'project' field."},
		{"assignee = nobody()", "Unable to find JQL function 'nobody()'."},
		{"status = now()", "The field 'status' does not support searching by the function 'now'."},
		{"created > yesterday", "Date value 'yesterday' for field 'created' is invalid."},
		{"key = DEMO-99", "An issue with key 'DEMO-99' does not exist for field 'key'."},
		{"project = DEMO ORDER BY colour", "Field 'colour' does not exist"},
		{"project = DEMO AND", "Expecting a field name but got 'end of query'."},
		{"project in (DEMO OPS)", "Expecting ',' or ')' but got 'OPS'."},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, err := runJQL(t, tt.query)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("runJQL(%q) error = %v, want one containing %q", tt.query, err, tt.want)
			}
		})
	}
}
