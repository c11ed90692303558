package slack

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// projectFacts is the copy of Slack's facts the project keeps for its own cross-checks.
const projectFacts = "../../../testdata/provider-facts/slack.json"

func TestFactsMatchProjectCopy(t *testing.T) {
	kept, err := os.ReadFile(projectFacts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, factsJSON) {
		t.Errorf("facts.json differs from %s; both derive from Slack's method reference and "+
			"must agree (copy the project's file over facts.json)", projectFacts)
	}
}

func TestEmbeddedFacts(t *testing.T) {
	f := loadFacts()
	tests := []struct {
		method, kind string
		want         []string
	}{
		{"conversations.join", botKind, []string{"channels:join"}},
		{"conversations.join", userKind, []string{"channels:write"}},
		{"search.messages", botKind, nil},
		{"chat.postMessage", userKind, []string{"chat:write"}},
	}
	for _, tt := range tests {
		if got := f.accepted(tt.method, tt.kind); !slices.Equal(got, tt.want) {
			t.Errorf("accepted(%s, %s) = %v, want %v", tt.method, tt.kind, got, tt.want)
		}
	}
	if !f.grantable("search:read", userKind) || f.grantable("search:read", botKind) {
		t.Error("search:read must be grantable to user tokens only")
	}
	got := forType(f.accepted("conversations.history", botKind), typePrivate)
	if !slices.Equal(got, []string{"groups:history"}) {
		t.Errorf("history scopes for private channels = %v, want groups:history", got)
	}
	for name := range methods {
		if _, ok := f.Operations[name]; !ok {
			t.Errorf("the sandbox implements %s, which the facts do not describe", name)
		}
	}
}
