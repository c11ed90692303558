package google

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite facts.json from the shared provider specs")

// providerSpecsPath is Google's scope truth table, in the shared folder beside the repository.
const providerSpecsPath = "../../../../shared/provider-specs/google.json"

// deriveFacts reduces the provider specs to the facts file: every operation's http and
// accepted scopes, the scope descriptions, and a source naming where they came from.
func deriveFacts(spec []byte) ([]byte, error) {
	var full struct {
		Source            string                    `json:"source"`
		ScopeDescriptions map[string]string         `json:"scope_descriptions"`
		Operations        map[string]operationFacts `json:"operations"`
	}
	if err := json.Unmarshal(spec, &full); err != nil {
		return nil, err
	}
	f := facts{
		Operations:        full.Operations,
		ScopeDescriptions: full.ScopeDescriptions,
		Source: "Derived from provider-specs/google.json, whose source reads: " +
			full.Source,
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func TestFactsMatchProviderSpecs(t *testing.T) {
	spec, err := os.ReadFile(providerSpecsPath)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("provider specs missing at %s; CI must check facts.json against them",
				providerSpecsPath)
		}
		t.Skipf("provider specs not found at %s; facts.json left unchecked", providerSpecsPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := deriveFacts(spec)
	if err != nil {
		t.Fatalf("deriveFacts(%s): %v", providerSpecsPath, err)
	}

	if *update {
		if err := os.WriteFile("facts.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("facts.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("facts.json differs from %s (-want +got):\n%s\nrun go test -run %s -update",
			providerSpecsPath, cmp.Diff(string(want), string(got)), t.Name())
	}
}

func TestEmbeddedFacts(t *testing.T) {
	f := loadFacts()
	if got, want := len(f.Operations), 50; got != want {
		t.Errorf("len(facts.Operations) = %d, want %d", got, want)
	}
	tests := []struct {
		name      string
		operation string
		granted   []string
		want      bool
	}{
		{"delete needs full access", "gmail.users.messages.delete",
			[]string{"https://www.googleapis.com/auth/gmail.modify"}, false},
		{"delete with full access", "gmail.users.messages.delete",
			[]string{"https://mail.google.com/"}, true},
		{"send with gmail.send", "gmail.users.messages.send",
			[]string{"https://www.googleapis.com/auth/gmail.send"}, true},
		{"list refuses gmail.send", "gmail.users.messages.list",
			[]string{"https://www.googleapis.com/auth/gmail.send"}, false},
		{"unknown operation", "gmail.users.nothing", []string{"https://mail.google.com/"}, false},
		{"no grant", "gmail.users.getProfile", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.accepts(tt.operation, tt.granted); got != tt.want {
				t.Errorf("accepts(%q, %q) = %v, want %v", tt.operation, tt.granted, got, tt.want)
			}
		})
	}
}
