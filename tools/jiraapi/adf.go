package jiraapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Node is a node of the Atlassian Document Format, the rich-text JSON in which Jira's REST
// API v3 reads and writes issue descriptions and comments. A document is a Node of type
// "doc" with Version 1.
type Node struct {
	Type    string         `json:"type"`
	Version int            `json:"version,omitempty"`
	Text    string         `json:"text,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Marks   []Mark         `json:"marks,omitempty"`
	Content []Node         `json:"content,omitempty"`
}

// Mark is a text decoration such as strong or link.
type Mark struct {
	Type  string         `json:"type"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

// FromText writes plain text as a document: paragraphs separated by blank lines, and hard
// breaks for single newlines. It returns nil for text without any non-space character, for
// which Jira wants no document at all (ADF has no empty text nodes).
func FromText(s string) *Node {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	doc := &Node{Type: "doc", Version: 1}
	var lines []string
	flush := func() {
		if len(lines) == 0 {
			return
		}
		p := Node{Type: "paragraph"}
		for i, l := range lines {
			if i > 0 {
				p.Content = append(p.Content, Node{Type: "hardBreak"})
			}
			p.Content = append(p.Content, Node{Type: "text", Text: l})
		}
		doc.Content = append(doc.Content, p)
		lines = nil
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		lines = append(lines, l)
	}
	flush()
	if len(doc.Content) == 0 {
		return nil
	}
	return doc
}

// ToText reads a document as plain text: blocks separated by blank lines, hard breaks as
// newlines, list items as "- " or "1. " lines, mentions and links by their text. Anything
// that is not a document (Jira answers null for an empty description) gives "".
func ToText(raw json.RawMessage) string {
	var doc Node
	if len(raw) == 0 || json.Unmarshal(raw, &doc) != nil || doc.Type != "doc" {
		return ""
	}
	return strings.TrimSpace(blocks(doc.Content, "\n\n"))
}

// blocks renders block nodes joined by sep, skipping empty ones.
func blocks(nodes []Node, sep string) string {
	var parts []string
	for _, n := range nodes {
		if s := block(n); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

// block renders one block node.
func block(n Node) string {
	switch n.Type {
	case "paragraph", "heading":
		return inline(n.Content)
	case "bulletList", "orderedList":
		return list(n)
	case "codeBlock":
		return inline(n.Content)
	case "blockquote":
		return prefixLines(blocks(n.Content, "\n"), "> ")
	case "rule":
		return "---"
	case "table":
		var rows []string
		for _, row := range n.Content {
			var cells []string
			for _, cell := range row.Content {
				cells = append(cells, strings.ReplaceAll(blocks(cell.Content, " "), "\n", " "))
			}
			rows = append(rows, strings.Join(cells, " | "))
		}
		return strings.Join(rows, "\n")
	case "taskList", "decisionList":
		var items []string
		for _, it := range n.Content {
			box := "- "
			if n.Type == "taskList" {
				box = "[ ] "
				if attr(it, "state") == "DONE" {
					box = "[x] "
				}
			}
			items = append(items, box+inline(it.Content))
		}
		return strings.Join(items, "\n")
	case "expand", "nestedExpand":
		return strings.TrimSpace(attr(n, "title") + "\n" + blocks(n.Content, "\n\n"))
	case "mediaSingle", "mediaGroup", "media":
		return "[attachment]"
	case "blockCard", "embedCard":
		return attr(n, "url")
	}
	if len(n.Content) > 0 && n.Content[0].Type == "text" {
		return inline(n.Content)
	}
	return blocks(n.Content, "\n\n")
}

// list renders a bullet or ordered list, nesting by indentation.
func list(n Node) string {
	start := 1
	if o, err := strconv.Atoi(attr(n, "order")); err == nil {
		start = o
	}
	var items []string
	for i, it := range n.Content {
		marker := "- "
		if n.Type == "orderedList" {
			marker = strconv.Itoa(start+i) + ". "
		}
		body := blocks(it.Content, "\n")
		items = append(items, marker+prefixLines(body, strings.Repeat(" ", len(marker)))[len(marker):])
	}
	return strings.Join(items, "\n")
}

// inline renders inline nodes.
func inline(nodes []Node) string {
	var b strings.Builder
	for _, n := range nodes {
		switch n.Type {
		case "text":
			b.WriteString(n.Text)
			if href := linkOf(n); href != "" && href != n.Text {
				b.WriteString(" (" + href + ")")
			}
		case "hardBreak":
			b.WriteString("\n")
		case "mention", "status":
			b.WriteString(attr(n, "text"))
		case "emoji":
			if t := attr(n, "text"); t != "" {
				b.WriteString(t)
			} else {
				b.WriteString(attr(n, "shortName"))
			}
		case "inlineCard":
			b.WriteString(attr(n, "url"))
		case "date":
			if ms, err := strconv.ParseInt(attr(n, "timestamp"), 10, 64); err == nil {
				b.WriteString(time.UnixMilli(ms).UTC().Format("2006-01-02"))
			}
		default:
			b.WriteString(inline(n.Content))
		}
	}
	return b.String()
}

// linkOf returns the href of a text node's link mark.
func linkOf(n Node) string {
	for _, m := range n.Marks {
		if m.Type == "link" {
			if href, ok := m.Attrs["href"].(string); ok {
				return href
			}
		}
	}
	return ""
}

// attr returns an attribute as text; numbers print without exponent.
func attr(n Node, name string) string {
	switch v := n.Attrs[name].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// prefixLines puts prefix before every line of s.
func prefixLines(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
