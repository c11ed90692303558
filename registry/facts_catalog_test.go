package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// providerSpecsDir holds the providers' scope truth tables, in the shared
// folder beside the repository.
const providerSpecsDir = "../../shared/provider-specs"

// factsDir holds the facts derived from them, which the tests below and the
// sandbox read.
const factsDir = "../testdata/provider-facts"

func init() {
	// -update may already be registered by another test file of this
	// package; registering it twice would panic.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

// updating reports whether the tests were run with -update.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// factsFile is one file under testdata/provider-facts: what a provider's
// published specification says each operation accepts. Its fields, like
// those of the operation types, are in the order encoding/json writes
// them, so the files keep sorted keys.
type factsFile[Op any] struct {
	Operations map[string]Op `json:"operations"`
	// ScopeDescriptions are the provider's own words, kept verbatim.
	ScopeDescriptions map[string]any `json:"scope_descriptions"`
	Source            string         `json:"source"`
}

// graphSchemes are the Graph permission schemes of a signed-in user; the
// Application scheme is left out because scopegate never acts without one.
var graphSchemes = []string{"DelegatedWork", "DelegatedPersonal"}

// graphFacts is one Graph operation, delegated schemes only.
type graphFacts struct {
	AcceptedByScheme map[string][]string `json:"accepted_by_scheme"`
	// AcceptedScopes is the union of AcceptedByScheme; any one scope
	// authorizes the operation for an account of its scheme.
	AcceptedScopes []string `json:"accepted_scopes"`
	HTTP           string   `json:"http"`
	// LeastMarkers flags least-privilege markers that belong to another
	// HTTP method of the same path; such a marker does not make the scope
	// least privileged for this operation.
	LeastMarkers    leastMarkers        `json:"least_marker_from_multi_method_pathset,omitempty"`
	LeastPrivileged map[string][]string `json:"least_privileged"`
}

// leastMarkers maps a Graph scheme to scopes and the HTTP methods of the
// path set their least-privilege marker comes from.
type leastMarkers map[string]map[string][]string

// slackFacts is one Slack Web API method.
type slackFacts struct {
	// AcceptedScopesByToken maps "bot" and "user" to the scopes that token
	// type may use; for conversations.* they are alternatives that depend
	// on the conversation's type.
	AcceptedScopesByToken map[string][]string `json:"accepted_scopes_by_token"`
	Deprecated            bool                `json:"deprecated,omitempty"`
	HTTP                  string              `json:"http"`
	NoScopeRequired       bool                `json:"no_scope_required,omitempty"`
}

// jiraFacts is one Jira REST operation.
type jiraFacts struct {
	// AcceptedScopes holds the classic scope.
	AcceptedScopes []string `json:"accepted_scopes"`
	Deprecated     bool     `json:"deprecated"`
	// GranularScopesSet is the granular alternative, needed in full.
	GranularScopesSet []string `json:"granular_scopes_set"`
	HTTP              string   `json:"http"`
}

// specHeader is what every provider spec shares.
type specHeader struct {
	Source            string         `json:"source"`
	ScopeDescriptions map[string]any `json:"scope_descriptions"`
}

func derivedSource(name, source string) string {
	return "Derived from provider-specs/" + name + ".json, whose source reads: " + source
}

// sorted returns a sorted copy of list that is never nil, so that an empty
// list is written as [] rather than null.
func sorted(list []string) []string {
	out := append([]string{}, list...)
	slices.Sort(out)
	return out
}

func deriveGraphFacts(spec []byte) (any, error) {
	var full struct {
		specHeader
		Operations map[string]struct {
			HTTP             string              `json:"http"`
			AcceptedByScheme map[string][]string `json:"accepted_by_scheme"`
			LeastPrivileged  map[string][]string `json:"least_privileged"`
			LeastMarkers     leastMarkers        `json:"least_marker_from_multi_method_pathset"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(spec, &full); err != nil {
		return nil, err
	}

	f := factsFile[graphFacts]{
		Operations:        map[string]graphFacts{},
		ScopeDescriptions: full.ScopeDescriptions,
		Source:            derivedSource("microsoft", full.Source),
	}
	for id, op := range full.Operations {
		facts := graphFacts{
			AcceptedByScheme: map[string][]string{},
			HTTP:             op.HTTP,
			LeastPrivileged:  map[string][]string{},
		}
		var union []string
		for _, scheme := range graphSchemes {
			if scopes, ok := op.AcceptedByScheme[scheme]; ok {
				facts.AcceptedByScheme[scheme] = sorted(scopes)
				union = append(union, scopes...)
			}
			if least, ok := op.LeastPrivileged[scheme]; ok {
				facts.LeastPrivileged[scheme] = sorted(least)
			}
			if marker := op.LeastMarkers[scheme]; len(marker) > 0 {
				if facts.LeastMarkers == nil {
					facts.LeastMarkers = leastMarkers{}
				}
				facts.LeastMarkers[scheme] = marker
			}
		}
		facts.AcceptedScopes = slices.Compact(sorted(union))
		f.Operations[id] = facts
	}
	return f, nil
}

func deriveSlackFacts(spec []byte) (any, error) {
	var full struct {
		specHeader
		Operations map[string]struct {
			HTTP                  string              `json:"http"`
			AcceptedScopesByToken map[string][]string `json:"accepted_scopes_by_token"`
			NoScopeRequired       bool                `json:"no_scope_required"`
			Deprecated            bool                `json:"deprecated"`
		} `json:"operations"`
	}
	if err := json.Unmarshal(spec, &full); err != nil {
		return nil, err
	}

	f := factsFile[slackFacts]{
		Operations:        map[string]slackFacts{},
		ScopeDescriptions: full.ScopeDescriptions,
		Source:            derivedSource("slack", full.Source),
	}
	for id, op := range full.Operations {
		facts := slackFacts{
			AcceptedScopesByToken: map[string][]string{},
			Deprecated:            op.Deprecated,
			HTTP:                  op.HTTP,
			NoScopeRequired:       op.NoScopeRequired,
		}
		for _, token := range []TokenType{BotToken, UserToken} {
			if scopes, ok := op.AcceptedScopesByToken[string(token)]; ok {
				facts.AcceptedScopesByToken[string(token)] = sorted(scopes)
			}
		}
		f.Operations[id] = facts
	}
	return f, nil
}

func deriveJiraFacts(spec []byte) (any, error) {
	var full struct {
		specHeader
		Operations map[string]jiraFacts `json:"operations"`
	}
	if err := json.Unmarshal(spec, &full); err != nil {
		return nil, err
	}

	f := factsFile[jiraFacts]{
		Operations:        map[string]jiraFacts{},
		ScopeDescriptions: full.ScopeDescriptions,
		Source:            derivedSource("jira", full.Source),
	}
	for id, op := range full.Operations {
		op.AcceptedScopes = sorted(op.AcceptedScopes)
		op.GranularScopesSet = sorted(op.GranularScopesSet)
		f.Operations[id] = op
	}
	return f, nil
}

// encodeFacts writes facts the way every file under testdata/provider-facts
// is written: two-space indent, sorted keys, no HTML escaping.
func encodeFacts(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func TestProviderFactsMatchSpecs(t *testing.T) {
	tests := []struct {
		name   string
		derive func([]byte) (any, error)
	}{
		{"microsoft", deriveGraphFacts},
		{"slack", deriveSlackFacts},
		{"jira", deriveJiraFacts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			specPath := filepath.Join(providerSpecsDir, tt.name+".json")
			spec, err := os.ReadFile(specPath)
			if errors.Is(err, fs.ErrNotExist) {
				if os.Getenv("CI") == "true" {
					t.Fatalf("provider specs missing at %s; CI must check the facts against them",
						specPath)
				}
				t.Skipf("provider specs not found at %s; facts left unchecked", specPath)
			}
			if err != nil {
				t.Fatal(err)
			}
			facts, err := tt.derive(spec)
			if err != nil {
				t.Fatalf("deriving facts from %s: %v", specPath, err)
			}
			want, err := encodeFacts(facts)
			if err != nil {
				t.Fatal(err)
			}

			factsPath := filepath.Join(factsDir, tt.name+".json")
			if updating() {
				if err := os.WriteFile(factsPath, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(factsPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (-want +got):\n%s\n"+
					"run go test ./registry/ -run %s -update",
					factsPath, specPath, cmp.Diff(string(want), string(got)), t.Name())
			}
		})
	}
}

// loadFacts reads a provider's kept facts file.
func loadFacts[Op any](t *testing.T, name string) factsFile[Op] {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(factsDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f factsFile[Op]
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("reading %s facts: %v", name, err)
	}
	return f
}

// acceptedByOperation maps each operation of a provider to every scope it
// accepts in any form: each Graph delegated scheme, each Slack token type,
// Jira's classic scope and every member of its granular set.
func acceptedByOperation(t *testing.T, p *Provider) map[string]ScopeSet {
	t.Helper()
	out := map[string]ScopeSet{}
	add := func(op string, lists ...[]string) {
		var all []Scope
		for _, list := range lists {
			for _, s := range list {
				all = append(all, Scope(s))
			}
		}
		out[op] = NewScopeSet(all...)
	}
	switch p {
	case Microsoft:
		for id, op := range loadFacts[graphFacts](t, "microsoft").Operations {
			add(id, slices.Collect(maps.Values(op.AcceptedByScheme))...)
		}
	case Slack:
		for id, op := range loadFacts[slackFacts](t, "slack").Operations {
			add(id, slices.Collect(maps.Values(op.AcceptedScopesByToken))...)
		}
	case Atlassian:
		for id, op := range loadFacts[jiraFacts](t, "jira").Operations {
			add(id, op.AcceptedScopes, op.GranularScopesSet)
		}
	default:
		t.Fatalf("no facts file for provider %s", p.ID)
	}
	return out
}

// identityScopes are the catalog entries of each provider that reach no
// API data and so are accepted by no operation.
var identityScopes = map[ProviderID][]ScopeInfo{
	"microsoft": microsoftIdentityScopes,
	"slack":     nil,
	"atlassian": atlassianIdentityScopes,
}

func TestCatalogCoversProviderFacts(t *testing.T) {
	for _, p := range []*Provider{Microsoft, Slack, Atlassian} {
		t.Run(string(p.ID), func(t *testing.T) {
			var accepted ScopeSet
			for _, scopes := range acceptedByOperation(t, p) {
				accepted = accepted.Union(scopes)
			}
			for _, s := range accepted {
				if _, ok := p.Lookup(s); !ok {
					t.Errorf("%s is accepted by an operation of %s but is not in the catalog",
						s, p.ID)
				}
			}

			var covers, identity []Scope
			for _, info := range p.Catalog {
				covers = append(covers, info.CoveredBy...)
			}
			for _, info := range identityScopes[p.ID] {
				identity = append(identity, info.Scope)
			}
			coverSet, identitySet := NewScopeSet(covers...), NewScopeSet(identity...)
			for _, info := range p.Catalog {
				s := info.Scope
				if !accepted.Has(s) && !coverSet.Has(s) && !identitySet.Has(s) {
					t.Errorf("catalog scope %s is accepted by no operation of %s and covers "+
						"no scope that is", s, p.ID)
				}
			}
			for _, s := range identity {
				if _, ok := p.Lookup(s); !ok {
					t.Errorf("identity scope %s is not in the catalog", s)
				}
			}
		})
	}
}

// coverageGaps are operations where the provider's facts leave out a scope
// the catalog lists as covering one the operation accepts.
var coverageGaps = map[string]ScopeSet{
	// Microsoft's permissions data lists only the read permissions for
	// single messages and events, although it lists the read-write ones for
	// the collections they belong to.
	"GET /me/messages/{id}": {GraphMailReadWrite},
	"GET /me/events/{id}":   {GraphCalendarsReadWrite},
}

// TestCoveredByAgreesWithProviderFacts checks that wherever an operation
// accepts a scope, it accepts every scope the catalog says covers it.
func TestCoveredByAgreesWithProviderFacts(t *testing.T) {
	for _, p := range []*Provider{Microsoft, Slack, Atlassian} {
		t.Run(string(p.ID), func(t *testing.T) {
			for op, accepted := range acceptedByOperation(t, p) {
				var missing []Scope
				for _, s := range accepted {
					info, _ := p.Lookup(s)
					missing = append(missing, accepted.Missing(NewScopeSet(info.CoveredBy...))...)
				}
				got := NewScopeSet(missing...)
				if diff := cmp.Diff(coverageGaps[op], got, emptyIsNil); diff != "" {
					t.Errorf("%s: covering scopes it does not accept mismatch (-want +got):\n%s",
						op, diff)
				}
			}
		})
	}
}

// emptyIsNil makes an empty scope set equal to a nil one.
var emptyIsNil = cmp.Comparer(func(a, b ScopeSet) bool { return slices.Equal(a, b) })

// slackTokenTypeExceptions are token types that Slack's method reference
// lists for a scope although Slack's scope reference does not grant the
// scope to that token type; the catalog follows the scope reference.
var slackTokenTypeExceptions = map[Scope]TokenType{
	// conversations.create lists channels:write for bot tokens too, but
	// bots get channels:manage; channels:write is a user token scope.
	SlackChannelsWrite: BotToken,
}

func TestSlackTokenTypesAgreeWithFacts(t *testing.T) {
	columns := map[Scope][]TokenType{}
	for _, op := range loadFacts[slackFacts](t, "slack").Operations {
		for token, scopes := range op.AcceptedScopesByToken {
			for _, s := range scopes {
				columns[Scope(s)] = append(columns[Scope(s)], TokenType(token))
			}
		}
	}

	for _, info := range Slack.Catalog {
		want := slices.Compact(slices.Sorted(slices.Values(columns[info.Scope])))
		if except, ok := slackTokenTypeExceptions[info.Scope]; ok {
			if !slices.Contains(want, except) {
				t.Errorf("%s: the facts no longer list it for %s tokens; drop the exception",
					info.Scope, except)
			}
			want = slices.DeleteFunc(want, func(tt TokenType) bool { return tt == except })
		}
		got := info.TokenTypes
		if got == nil {
			got = Slack.TokenTypes
		}
		got = slices.Sorted(slices.Values(got))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s token types mismatch (-facts +catalog):\n%s", info.Scope, diff)
		}
	}
}

func TestGraphSensitivityAgreesWithFacts(t *testing.T) {
	descriptions := loadFacts[graphFacts](t, "microsoft").ScopeDescriptions
	for _, info := range Microsoft.Catalog {
		want := NotSensitive
		desc, _ := descriptions[string(info.Scope)].(map[string]any)
		if admin, _ := desc["delegated_requires_admin_consent"].(bool); admin {
			want = AdminConsent
		}
		if info.Sensitivity != want {
			t.Errorf("%s sensitivity = %q, want %q (delegated_requires_admin_consent)",
				info.Scope, info.Sensitivity, want)
		}
	}
}
