package slack

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// factsJSON is Slack's published scope facts: a copy of testdata/provider-facts/slack.json,
// derived from Slack's per-method reference. TestFactsMatchProjectCopy keeps the two equal.
//
//go:embed facts.json
var factsJSON []byte

// Token kinds, as the facts name their columns.
const (
	botKind  = "bot"
	userKind = "user"
)

// facts is what Slack publishes about each Web API method: which scopes authorize it, per
// token kind.
type facts struct {
	Operations        map[string]operationFacts `json:"operations"`
	ScopeDescriptions map[string]*string        `json:"scope_descriptions"`
	Source            string                    `json:"source"`
}

// operationFacts is one Web API method. Any one scope of the token kind's list authorizes
// it; a method whose list is empty for a kind does not take that kind of token.
type operationFacts struct {
	HTTP       string              `json:"http"`
	ByToken    map[string][]string `json:"accepted_scopes_by_token"`
	NoScope    bool                `json:"no_scope_required"`
	Deprecated bool                `json:"deprecated"`
}

// parseFacts decodes and checks a facts document.
func parseFacts(data []byte) (*facts, error) {
	var f facts
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decoding facts: %w", err)
	}
	if len(f.Operations) == 0 {
		return nil, fmt.Errorf("facts hold no operations")
	}
	for name, op := range f.Operations {
		if !op.NoScope && len(op.ByToken) == 0 {
			return nil, fmt.Errorf("method %s lists no scopes", name)
		}
	}
	return &f, nil
}

// loadFacts returns the embedded facts. A broken embedded file is a build mistake, so it
// panics.
func loadFacts() *facts {
	return oauthsim.MustParse("slack sandbox", factsJSON, parseFacts)
}

// accepted returns the scopes that authorize method for a kind of token, in the facts'
// order.
func (f *facts) accepted(method, kind string) []string {
	return f.Operations[method].ByToken[kind]
}

// grantable reports whether scope can be granted to kind of token: some method accepts it
// for that kind.
func (f *facts) grantable(scope, kind string) bool {
	for _, op := range f.Operations {
		if slices.Contains(op.ByToken[kind], scope) {
			return true
		}
	}
	return false
}

// conversationFamily is the scope prefix Slack uses for each conversation type: channels are
// public channels, groups private channels, im direct messages and mpim group direct
// messages.
var conversationFamily = map[string]string{
	typePublic:  "channels:",
	typePrivate: "groups:",
	typeIM:      "im:",
	typeMPIM:    "mpim:",
}

// forType narrows accepted scopes to those of a conversation type.
func forType(accepted []string, convType string) []string {
	var out []string
	for _, s := range accepted {
		if strings.HasPrefix(s, conversationFamily[convType]) {
			out = append(out, s)
		}
	}
	return out
}
