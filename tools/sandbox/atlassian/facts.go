package atlassian

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// factsJSON is Jira's published scope facts: a copy of testdata/provider-facts/jira.json,
// which TestFactsMatchProjectCopy keeps equal to it.
//
//go:embed facts.json
var factsJSON []byte

// facts is what Atlassian's OpenAPI document says about the Jira operations: for each its
// HTTP method and path, its classic scope and its granular set, whether it is deprecated,
// and the scope descriptions Atlassian shows on its consent screen.
type facts struct {
	Operations        map[string]operationFacts `json:"operations"`
	ScopeDescriptions map[string]string         `json:"scope_descriptions"`
}

// operationFacts is one operation. "HTTP" is "METHOD /path" with {param} templates. Any one
// of AcceptedScopes (the classic scope) authorizes a call, and so does GranularSet, when
// every one of its scopes is granted.
type operationFacts struct {
	HTTP           string   `json:"http"`
	AcceptedScopes []string `json:"accepted_scopes"`
	GranularSet    []string `json:"granular_scopes_set"`
	Deprecated     bool     `json:"deprecated"`
}

// parseFacts decodes and checks a facts document.
func parseFacts(data []byte) (*facts, error) {
	var f facts
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decoding facts: %w", err)
	}
	if len(f.Operations) == 0 || len(f.ScopeDescriptions) == 0 {
		return nil, fmt.Errorf("facts hold no operations or no scope descriptions")
	}
	for id, op := range f.Operations {
		if op.HTTP != id || len(op.AcceptedScopes) == 0 {
			return nil, fmt.Errorf("operation %s has another http or no accepted scopes", id)
		}
	}
	return &f, nil
}

// loadFacts returns the embedded facts. A broken embedded file is a build mistake, so it
// panics.
func loadFacts() *facts {
	return oauthsim.MustParse("atlassian sandbox", factsJSON, parseFacts)
}

// accepts reports whether granted authorizes the operation: its classic scope, or its whole
// granular set. An operation missing from the facts is authorized by nothing.
func (f *facts) accepts(operation string, granted []string) bool {
	op, ok := f.Operations[operation]
	if !ok {
		return false
	}
	for _, s := range op.AcceptedScopes {
		if slices.Contains(granted, s) {
			return true
		}
	}
	if len(op.GranularSet) == 0 {
		return false
	}
	for _, s := range op.GranularSet {
		if !slices.Contains(granted, s) {
			return false
		}
	}
	return true
}

// known reports whether Atlassian defines the scope.
func (f *facts) known(scope string) bool {
	_, ok := f.ScopeDescriptions[scope]
	return ok
}
