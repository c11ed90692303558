package tools

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
)

var namePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func TestRegistryInvariants(t *testing.T) {
	seen := map[string]bool{}
	for _, tool := range All() {
		t.Run(tool.Name, func(t *testing.T) {
			if !namePattern.MatchString(tool.Name) {
				t.Errorf("name %q does not match %s", tool.Name, namePattern)
			}
			if seen[tool.Name] {
				t.Errorf("name %q is used twice", tool.Name)
			}
			seen[tool.Name] = true
			if tool.Handler == nil || tool.Validate == nil {
				t.Error("tool has no handler or validator")
			}
			if tool.Title == "" || tool.Description == "" {
				t.Error("tool has no title or description")
			}
			if len(tool.Operations) == 0 {
				t.Error("tool names no provider operation")
			}

			p, ok := registry.ProviderByID(tool.Provider)
			if !ok {
				t.Fatalf("unknown provider %q", tool.Provider)
			}
			if len(tool.Requirement) == 0 {
				t.Error("tool has no requirement")
			}
			for _, alt := range tool.Requirement {
				if len(alt) == 0 {
					t.Error("requirement has an empty alternative")
				}
				for _, s := range alt {
					if _, ok := p.Lookup(s); !ok {
						t.Errorf("scope %s is not in the %s catalog", s, p.ID)
					}
				}
			}

			var schema map[string]any
			if err := json.Unmarshal(tool.InputSchema, &schema); err != nil {
				t.Fatalf("input schema is not JSON: %v", err)
			}
			if schema["type"] != "object" {
				t.Errorf("input schema type = %v, want object", schema["type"])
			}
			for _, bad := range []string{`"$ref"`, `"$defs"`, `"definitions"`, `"$schema"`, `"$id"`} {
				if bytes.Contains(tool.InputSchema, []byte(bad)) {
					t.Errorf("input schema contains %s; it must be inline", bad)
				}
			}
		})
	}
}

// googleFacts reads what Google's discovery documents say each operation
// accepts, as kept in testdata/provider-facts.
func googleFacts(t *testing.T) map[string]struct {
	HTTP           string   `json:"http"`
	AcceptedScopes []string `json:"accepted_scopes"`
} {
	t.Helper()
	data, err := os.ReadFile("../testdata/provider-facts/google.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Operations map[string]struct {
			HTTP           string   `json:"http"`
			AcceptedScopes []string `json:"accepted_scopes"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Operations
}

// TestRequirementsAgreeWithProviderSpecs checks every alternative of every
// tool's requirement against every operation the tool calls, and that the
// first alternative is not broader than a later one.
func TestRequirementsAgreeWithProviderSpecs(t *testing.T) {
	ops := googleFacts(t)
	for _, tool := range All() {
		if tool.Provider != "google" {
			continue
		}
		t.Run(tool.Name, func(t *testing.T) {
			for _, op := range tool.Operations {
				facts, ok := ops[op]
				if !ok {
					t.Errorf("operation %s is not in Google's published facts", op)
					continue
				}
				accepted := registry.NewScopeSet(scopes(facts.AcceptedScopes)...)
				for i, alt := range tool.Requirement {
					// Google accepts any one listed scope, so an alternative
					// works when one of its scopes is listed.
					ok := false
					for _, s := range alt {
						ok = ok || accepted.Has(s)
					}
					if !ok {
						t.Errorf("alternative %d %v is not accepted by %s (accepts %v)", i, alt, op, facts.AcceptedScopes)
					}
				}
			}
			first := tool.Requirement[0]
			for i, alt := range tool.Requirement[1:] {
				for _, s := range alt {
					info, _ := registry.Google.Lookup(s)
					for _, broader := range info.CoveredBy {
						if first.Has(broader) {
							t.Errorf("first alternative %v is broader than alternative %d %v", first, i+1, alt)
						}
					}
				}
			}
		})
	}
}

// TestAnnotationsAgreeWithOperations checks the annotations against the
// HTTP methods of the operations a tool calls.
func TestAnnotationsAgreeWithOperations(t *testing.T) {
	ops := googleFacts(t)
	for _, tool := range All() {
		t.Run(tool.Name, func(t *testing.T) {
			a := tool.Annotations
			writes, deletes := false, false
			for _, op := range tool.Operations {
				method, _, _ := strings.Cut(ops[op].HTTP, " ")
				writes = writes || method != "GET"
				deletes = deletes || method == "DELETE" || strings.HasSuffix(op, ".trash") || strings.HasSuffix(op, ".delete")
			}
			if a.ReadOnly == writes {
				t.Errorf("readOnly = %v, but the tool's operations write = %v", a.ReadOnly, writes)
			}
			if a.ReadOnly && a.Destructive {
				t.Error("a read-only tool cannot be destructive")
			}
			if deletes && !a.Destructive {
				t.Error("the tool deletes or trashes but is not marked destructive")
			}
			if !a.OpenWorld {
				t.Error("every provider tool reaches beyond scopegate: openWorld must be true")
			}
		})
	}
}

func scopes(list []string) []registry.Scope {
	out := make([]registry.Scope, len(list))
	for i, s := range list {
		out[i] = registry.Scope(s)
	}
	return out
}

func TestProviderFactsMatchSandbox(t *testing.T) {
	kept, err := os.ReadFile("../testdata/provider-facts/google.json")
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := os.ReadFile("sandbox/google/facts.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, embedded) {
		t.Error("testdata/provider-facts/google.json differs from the sandbox's facts.json; both derive from Google's discovery documents and must agree (copy one over the other after regenerating)")
	}
}
