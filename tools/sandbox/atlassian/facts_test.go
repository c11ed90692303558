package atlassian

import (
	"bytes"
	"os"
	"testing"
)

// projectFactsPath is the project's copy of Jira's facts, which the tools' requirements are
// checked against.
const projectFactsPath = "../../../testdata/provider-facts/jira.json"

func TestFactsMatchProjectCopy(t *testing.T) {
	kept, err := os.ReadFile(projectFactsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, factsJSON) {
		t.Errorf("facts.json differs from %s; both derive from Atlassian's OpenAPI document and "+
			"must agree (copy the project's file over facts.json)", projectFactsPath)
	}
}

func TestEmbeddedFacts(t *testing.T) {
	f := loadFacts()
	if got, want := len(f.Operations), 19; got != want {
		t.Errorf("len(facts.Operations) = %d, want %d", got, want)
	}
	for _, id := range []string{"GET /rest/api/3/search", "POST /rest/api/3/search"} {
		if !f.Operations[id].Deprecated {
			t.Errorf("%s is not marked deprecated; Atlassian removed it in 2025", id)
		}
	}
	if _, err := parseFacts([]byte(`{"operations":{"GET /x":{"http":"GET /y","accepted_scopes":["a"]}},` +
		`"scope_descriptions":{"a":"b"}}`)); err == nil {
		t.Error("parseFacts accepted an operation whose http differs from its id")
	}
}
