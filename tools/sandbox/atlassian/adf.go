package atlassian

import (
	"encoding/json"
	"strings"
)

// adfDoc is a node of an Atlassian Document Format document, as far as the sandbox reads it.
type adfDoc struct {
	Type    string          `json:"type"`
	Version int             `json:"version,omitempty"`
	Text    *string         `json:"text,omitempty"`
	Content []adfDoc        `json:"content,omitempty"`
	Attrs   json.RawMessage `json:"attrs,omitempty"`
}

// validADF reports whether raw is an ADF document Jira would store: a "doc" of version 1
// whose nodes all have a type and whose text nodes are not empty. It is the part of the
// ADF schema that a writer of plain text can get wrong.
func validADF(raw json.RawMessage) bool {
	var d adfDoc
	if err := json.Unmarshal(raw, &d); err != nil || d.Type != "doc" || d.Version != 1 {
		return false
	}
	var ok func(n adfDoc) bool
	ok = func(n adfDoc) bool {
		if n.Type == "" || (n.Type == "text" && (n.Text == nil || *n.Text == "")) {
			return false
		}
		for _, c := range n.Content {
			if c.Type == "doc" || !ok(c) {
				return false
			}
		}
		return true
	}
	return ok(d)
}

// adfText returns the words of a document, for JQL text search: its text nodes, with a
// newline after each block.
func adfText(raw json.RawMessage) string {
	var d adfDoc
	if json.Unmarshal(raw, &d) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(n adfDoc)
	walk = func(n adfDoc) {
		if n.Text != nil {
			b.WriteString(*n.Text)
		}
		for _, c := range n.Content {
			walk(c)
		}
		if n.Type != "text" {
			b.WriteByte('\n')
		}
	}
	walk(d)
	return strings.TrimSpace(b.String())
}

// adfEmpty reports whether a document holds no text at all.
func adfEmpty(raw json.RawMessage) bool {
	return adfText(raw) == ""
}
