package microsoft

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// keptFactsPath is the copy of Microsoft's permission facts the project keeps; the
// registry's cross-check of tool requirements reads it.
const keptFactsPath = "../../../testdata/provider-facts/microsoft.json"

func TestFactsMatchTheProjectsCopy(t *testing.T) {
	kept, err := os.ReadFile(keptFactsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, factsJSON) {
		t.Errorf("facts.json differs from %s; both hold Microsoft's permissions data and must "+
			"agree (copy one over the other after regenerating)", keptFactsPath)
	}
}

func TestEveryOperationIsServed(t *testing.T) {
	f := loadFacts()
	if got, want := len(f.Operations), 23; got != want {
		t.Errorf("len(facts.Operations) = %d, want %d", got, want)
	}
	var served []string
	for _, op := range graphOperations() {
		served = append(served, op.id)
	}
	for id := range f.Operations {
		if !slices.Contains(served, id) {
			t.Errorf("operation %s of the facts is not served", id)
		}
	}
}

func TestAccepts(t *testing.T) {
	f := loadFacts()
	tests := []struct {
		name      string
		operation string
		scheme    string
		granted   []string
		want      bool
	}{
		{"send with Mail.Send", "POST /me/sendMail", schemeWork, []string{"Mail.Send"}, true},
		{"any case", "POST /me/sendMail", schemeWork, []string{"mail.send"}, true},
		{"read one message refuses Mail.ReadWrite", "GET /me/messages/{id}", schemeWork, []string{"Mail.ReadWrite"}, false},
		{"teams for personal accounts", "GET /me/joinedTeams", schemePersonal, []string{"Team.ReadBasic.All"}, false},
		{"sites only for work accounts", "GET /me/drive/root/children", schemePersonal, []string{"Sites.Read.All"}, false},
		{"unknown operation", "GET /me/nothing", schemeWork, []string{"Mail.Read"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.accepts(tt.operation, tt.scheme, tt.granted); got != tt.want {
				t.Errorf("accepts(%q, %s, %q) = %v, want %v", tt.operation, tt.scheme, tt.granted, got, tt.want)
			}
		})
	}
}
