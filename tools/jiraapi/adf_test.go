package jiraapi

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFromTextShape(t *testing.T) {
	got, err := json.Marshal(FromText("First line\nsecond line\n\n\n  \nNext paragraph\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"doc","version":1,"content":[` +
		`{"type":"paragraph","content":[{"type":"text","text":"First line"},{"type":"hardBreak"},` +
		`{"type":"text","text":"second line"}]},` +
		`{"type":"paragraph","content":[{"type":"text","text":"Next paragraph"}]}]}`
	if string(got) != want {
		t.Errorf("FromText = %s\nwant %s", got, want)
	}
	if doc := FromText(" \n\t\n"); doc != nil {
		t.Errorf("FromText(blank) = %+v, want nil", doc)
	}
}

func TestPlainTextRoundTrip(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"one line", "Fix the build", "Fix the build"},
		{"hard breaks", "Steps:\n1. open\n2. click", "Steps:\n1. open\n2. click"},
		{"paragraphs", "Para one.\n\nPara two,\nstill two.", "Para one.\n\nPara two,\nstill two."},
		{"blank runs collapse", "\n\nA\n\n\n\nB\n\n", "A\n\nB"},
		{"windows newlines", "A\r\nB\r\n\r\nC", "A\nB\n\nC"},
		{"indentation kept", "code:\n    x := 1", "code:\n    x := 1"},
		{"unicode", "Grüße — naïve ✓", "Grüße — naïve ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := json.Marshal(FromText(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := ToText(raw); got != tt.want {
				t.Errorf("ToText(FromText(%q)) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestToTextReadsRichDocuments(t *testing.T) {
	data, err := os.ReadFile("../../testdata/jira/issue.json")
	if err != nil {
		t.Fatal(err)
	}
	var issue struct {
		Fields struct {
			Description json.RawMessage `json:"description"`
			Comment     struct {
				Comments []struct {
					Body json.RawMessage `json:"body"`
				} `json:"comments"`
			} `json:"comment"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(data, &issue); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"Carts with more than 50 items time out at /checkout/confirm.\n" +
			"Reported by @Tomás Ferreira on 2025-05-19",
		"Steps",
		"1. Fill a cart with 60 items\n2. Press Pay now",
		"504 Gateway Timeout after 30.0s",
		"See the runbook (https://wiki.example.com/runbooks/checkout) ⚠️",
	}, "\n\n")
	if diff := cmp.Diff(want, ToText(issue.Fields.Description)); diff != "" {
		t.Errorf("description text mismatch (-want +got):\n%s", diff)
	}
	comment := "The tax service is called once per item.\n\n- batch the calls\n- cache rates per region"
	if got := ToText(issue.Fields.Comment.Comments[0].Body); got != comment {
		t.Errorf("comment text = %q, want %q", got, comment)
	}
}

func TestToTextOfOtherNodes(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"null", `null`, ""},
		{"not a document", `"plain"`, ""},
		{"nested list", `{"type":"doc","version":1,"content":[{"type":"bulletList","content":[` +
			`{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},` +
			`{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph",` +
			`"content":[{"type":"text","text":"b"}]}]}]}]}]}]}`, "- a\n  - b"},
		{"quote and rule", `{"type":"doc","version":1,"content":[{"type":"blockquote","content":[` +
			`{"type":"paragraph","content":[{"type":"text","text":"said"}]}]},{"type":"rule"}]}`,
			"> said\n\n---"},
		{"task list", `{"type":"doc","version":1,"content":[{"type":"taskList","attrs":{"localId":"x"},` +
			`"content":[{"type":"taskItem","attrs":{"state":"DONE"},` +
			`"content":[{"type":"text","text":"ship"}]},` +
			`{"type":"taskItem","attrs":{"state":"TODO"},"content":[{"type":"text","text":"tell"}]}]}]}`,
			"[x] ship\n[ ] tell"},
		{"table", `{"type":"doc","version":1,"content":[{"type":"table","content":[{"type":"tableRow",` +
			`"content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text",` +
			`"text":"k"}]}]},{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text",` +
			`"text":"v"}]}]}]}]}]}`, "k | v"},
		{"card and media", `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[` +
			`{"type":"inlineCard","attrs":{"url":"https://x.example/1"}}]},{"type":"mediaSingle",` +
			`"content":[{"type":"media","attrs":{"id":"m","type":"file"}}]}]}`,
			"https://x.example/1\n\n[attachment]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ToText(json.RawMessage(tt.doc)); got != tt.want {
				t.Errorf("ToText(%s) = %q, want %q", tt.doc, got, tt.want)
			}
		})
	}
}
