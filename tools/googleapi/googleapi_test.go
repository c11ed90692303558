package googleapi

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		wantScope bool
		want      string
	}{
		{"insufficient scope by detail", 403, nil,
			`{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED",
			"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT"}]}}`,
			true, ""},
		{"insufficient scope by header", 403, http.Header{"Www-Authenticate": {`Bearer error="insufficient_scope"`}}, `{}`, true, ""},
		{"not found", 404, nil, `{"error":{"code":404,"message":"Requested entity was not found.","errors":[{"reason":"notFound"}]}}`,
			false, "Google answered 404: Requested entity was not found. Check the id"},
		{"rate limit with retry hint", 429, http.Header{"Retry-After": {"17"}},
			`{"error":{"code":429,"message":"Too many requests","errors":[{"reason":"rateLimitExceeded"}]}}`,
			false, "Wait 17 seconds"},
		{"odd body", 502, nil, `<html>bad gateway</html>`, false, "Google answered 502: Bad Gateway. Google had a temporary problem"},
		{"forbidden for another reason", 403, nil,
			`{"error":{"code":403,"message":"Delegation denied for x@example.com","errors":[{"reason":"forbidden"}]}}`,
			false, "Delegation denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Classify(tt.status, tt.header, []byte(tt.body))
			var se *registry.ScopeError
			if errors.As(err, &se) != tt.wantScope {
				t.Fatalf("Classify() = %v, want scope error %v", err, tt.wantScope)
			}
			if !tt.wantScope && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Classify() = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}
