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

// opFacts is what a provider publishes about one operation, as kept in
// testdata/provider-facts.
type opFacts struct {
	HTTP           string              `json:"http"`
	AcceptedScopes []string            `json:"accepted_scopes"`
	ByToken        map[string][]string `json:"accepted_scopes_by_token"`
	GranularSet    []string            `json:"granular_scopes_set"`
	NoScope        bool                `json:"no_scope_required"`
	Deprecated     bool                `json:"deprecated"`
}

// factsFiles names each provider's facts file.
var factsFiles = map[registry.ProviderID]string{
	"google": "google.json", "microsoft": "microsoft.json", "slack": "slack.json", "atlassian": "jira.json",
}

func providerFacts(t *testing.T, p registry.ProviderID) map[string]opFacts {
	t.Helper()
	data, err := os.ReadFile("../testdata/provider-facts/" + factsFiles[p])
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Operations map[string]opFacts `json:"operations"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Operations
}

// accepts reports whether an alternative of a requirement authorizes an
// operation, by the provider's own rule:
//   - Google and Graph: any one listed scope authorizes (Graph without case);
//   - Slack: any one scope listed for the tool's token type;
//   - Jira: the classic scope, or the whole granular set together.
func accepts(p registry.ProviderID, tt registry.TokenType, f opFacts, alt registry.ScopeSet) bool {
	if f.NoScope {
		return true
	}
	anyOf := func(list []string) bool {
		for _, a := range list {
			for _, s := range alt {
				if a == string(s) || (p == "microsoft" && strings.EqualFold(a, string(s))) {
					return true
				}
			}
		}
		return false
	}
	switch p {
	case "slack":
		return anyOf(f.ByToken[string(tt)])
	case "atlassian":
		if anyOf(f.AcceptedScopes) {
			return true
		}
		return len(f.GranularSet) > 0 && len(alt.Missing(registry.NewScopeSet(scopes(f.GranularSet)...))) == 0
	default:
		return anyOf(f.AcceptedScopes)
	}
}

// TestRequirementsAgreeWithProviderSpecs checks every alternative of every
// tool's requirement against every operation the tool calls, and that the
// first alternative is not broader than a later one.
func TestRequirementsAgreeWithProviderSpecs(t *testing.T) {
	facts := map[registry.ProviderID]map[string]opFacts{}
	for _, tool := range All() {
		t.Run(tool.Name, func(t *testing.T) {
			ops, ok := facts[tool.Provider]
			if !ok {
				ops = providerFacts(t, tool.Provider)
				facts[tool.Provider] = ops
			}
			p, _ := registry.ProviderByID(tool.Provider)
			if (len(p.TokenTypes) > 0) != (tool.TokenType != "") {
				t.Errorf("token type %q: a tool says its token type exactly when its provider has several", tool.TokenType)
			}
			for _, op := range tool.Operations {
				f, ok := ops[op]
				if !ok {
					t.Errorf("operation %s is not in %s's published facts", op, tool.Provider)
					continue
				}
				if f.Deprecated {
					t.Errorf("operation %s is deprecated by %s", op, tool.Provider)
				}
				for i, alt := range tool.Requirement {
					if !accepts(tool.Provider, tool.TokenType, f, alt) {
						t.Errorf("alternative %d %v is not accepted by %s (%+v)", i, alt, op, f)
					}
				}
			}
			first := tool.Requirement[0]
			for i, alt := range tool.Requirement[1:] {
				for _, s := range alt {
					info, _ := p.Lookup(s)
					for _, broader := range info.CoveredBy {
						if first.Has(broader) {
							t.Errorf("first alternative %v is broader than alternative %d %v", first, i+1, alt)
						}
					}
				}
				if len(alt) < len(first) && len(first.Missing(alt)) == 0 {
					t.Errorf("first alternative %v needs more than alternative %d %v", first, i+1, alt)
				}
			}
		})
	}
}

// TestAnnotationsAgreeWithOperations checks the annotations against the
// HTTP methods of the operations a tool calls.
func TestAnnotationsAgreeWithOperations(t *testing.T) {
	for _, tool := range All() {
		t.Run(tool.Name, func(t *testing.T) {
			ops := providerFacts(t, tool.Provider)
			a := tool.Annotations
			writes, deletes := false, false
			for _, op := range tool.Operations {
				method, _, _ := strings.Cut(ops[op].HTTP, " ")
				if tool.Provider == "slack" {
					method = slackMethod(op)
				}
				if queryByPost[op] {
					method = "GET"
				}
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

// queryByPost lists operations sent as POST that only read: the query
// travels in the body.
var queryByPost = map[string]bool{
	"calendar.freebusy.query": true,
}

// slackMethod classifies a Slack Web API method, whose facts all say POST,
// by what it does: reads are GET-like, the rest write, and deletions delete.
func slackMethod(op string) string {
	_, verb, _ := strings.Cut(op, ".")
	switch {
	case strings.HasPrefix(verb, "list"), strings.HasPrefix(verb, "history"), strings.HasPrefix(verb, "info"),
		strings.HasPrefix(verb, "lookup"), strings.HasPrefix(verb, "replies"), op == "auth.test":
		return "GET"
	case strings.HasPrefix(verb, "delete"):
		return "DELETE"
	}
	return "POST"
}
