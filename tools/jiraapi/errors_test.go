package jiraapi

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
)

func golden(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../testdata/jira/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   http.Header
		body     []byte
		subject  string
		wantText []string // empty: a ScopeError is wanted
	}{
		{"scope does not match", 401, nil, golden(t, "error-401-scope.json"), "", nil},
		{"token refused", 401, nil, []byte(`{"code":401,"message":"Unauthorized"}`), "",
			[]string{"did not accept the stored authorization (Unauthorized)", "reconnect"}},
		{"project permission", 403, nil, golden(t, "error-403.json"), "",
			[]string{"Jira refused: You do not have permission to create issues in this project.",
				"not an access scopegate can ask for"}},
		{"missing issue", 404, nil, golden(t, "error-404-issue.json"), "issue NW-404",
			[]string{"Jira found no issue NW-404: Issue does not exist or you do not have " +
				"permission to see it."}},
		{"field errors", 400, nil, golden(t, "error-400-fields.json"), "",
			[]string{"issuetype: Specify an issue type; summary: You must specify a summary of the issue.",
				"Fix the arguments"}},
		{"removed endpoint", 410, nil, golden(t, "error-410-search.json"), "",
			[]string{"no longer offers", "/rest/api/3/search/jql"}},
		{"rate limit", 429, http.Header{"Retry-After": {"17"}}, nil, "",
			[]string{"rate limit", "Wait 17 seconds before calling again."}},
		{"rate limit with reset only", 429, http.Header{"X-Ratelimit-Reset": {"2025-06-02T09:31Z"}}, nil, "",
			[]string{"Wait until 09:31 UTC"}},
		{"server trouble", 503, nil, []byte("<html>upstream</html>"), "",
			[]string{"temporary problem (503 Service Unavailable)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == nil {
				header = http.Header{}
			}
			err := Classify(tt.status, header, tt.body, tt.subject)
			if tt.wantText == nil {
				var se *registry.ScopeError
				if !errors.As(err, &se) || se.Detail != "Unauthorized; scope does not match" {
					t.Errorf("Classify = %v, want a ScopeError with Jira's message", err)
				}
				return
			}
			var te *registry.ToolError
			if !errors.As(err, &te) || te.Status != tt.status {
				t.Fatalf("Classify = %v, want a ToolError with status %d", err, tt.status)
			}
			for _, part := range tt.wantText {
				if !strings.Contains(te.Message, part) {
					t.Errorf("message %q lacks %q", te.Message, part)
				}
			}
		})
	}
}
