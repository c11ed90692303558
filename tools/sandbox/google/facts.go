package google

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// factsJSON is Google's published scope facts, derived from provider-specs/google.json by
// TestFactsMatchProviderSpecs (go test -run TestFactsMatchProviderSpecs -update).
//
//go:embed facts.json
var factsJSON []byte

// facts is the subset of Google's API Discovery documents the sandbox needs: for each
// operation its HTTP method and path and the scopes that authorize it, and the scope
// descriptions Google shows on its consent screen.
type facts struct {
	Operations        map[string]operationFacts `json:"operations"`
	ScopeDescriptions map[string]string         `json:"scope_descriptions"`
	Source            string                    `json:"source"`
}

// operationFacts is one discovery method: "HTTP" is "METHOD /path" with {param} templates,
// and any one of AcceptedScopes authorizes a call.
type operationFacts struct {
	AcceptedScopes []string `json:"accepted_scopes"`
	HTTP           string   `json:"http"`
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
		if op.HTTP == "" || len(op.AcceptedScopes) == 0 {
			return nil, fmt.Errorf("operation %s has no http or no accepted scopes", id)
		}
	}
	return &f, nil
}

// loadFacts returns the embedded facts. A broken embedded file is a build mistake, so it
// panics.
func loadFacts() *facts {
	return oauthsim.MustParse("google sandbox", factsJSON, parseFacts)
}

// accepts reports whether any of granted authorizes the operation. An operation missing
// from the facts is authorized by nothing: the gate fails closed.
func (f *facts) accepts(operation string, granted []string) bool {
	op, ok := f.Operations[operation]
	if !ok {
		return false
	}
	for _, s := range granted {
		if slices.Contains(op.AcceptedScopes, s) {
			return true
		}
	}
	return false
}
