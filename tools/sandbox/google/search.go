package google

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// A query is Gmail search syntax reduced to what the sandbox understands: clauses that must
// all match, each a set of alternatives joined by OR.
//
// Supported: free words and "quoted phrases" (matched case-insensitively against the subject,
// body, From, To and Cc), from:, to:, cc:, bcc:, subject:, in:, is:, label:, has:attachment,
// after:, before:, newer_than:, older_than:, a leading - to negate, and OR. Other operators
// are searched for as words. Parentheses and braces are ignored.
type query [][]term

// term is one search condition.
type term struct {
	neg   bool
	field string // "" for free text
	value string // lowercased
}

// searchOperators are the operators the sandbox interprets.
var searchOperators = []string{
	"from", "to", "cc", "bcc", "subject", "in", "is", "label", "has",
	"after", "before", "newer_than", "older_than",
}

// parseQuery reads a q parameter. It never fails: like Gmail, it searches for what it cannot
// interpret.
func parseQuery(q string) query {
	var out query
	joinNext := false
	for _, tok := range tokenize(q) {
		if tok == "OR" {
			joinNext = len(out) > 0
			continue
		}
		t := term{}
		if strings.HasPrefix(tok, "-") && len(tok) > 1 {
			t.neg, tok = true, tok[1:]
		}
		if name, value, ok := strings.Cut(tok, ":"); ok && value != "" &&
			slices.Contains(searchOperators, strings.ToLower(name)) {
			t.field, tok = strings.ToLower(name), value
		}
		t.value = strings.ToLower(strings.Trim(tok, `"`))
		if t.value == "" {
			continue
		}
		if joinNext {
			out[len(out)-1] = append(out[len(out)-1], t)
			joinNext = false
			continue
		}
		out = append(out, []term{t})
	}
	return out
}

// tokenize splits a query at spaces outside double quotes, dropping grouping characters.
func tokenize(q string) []string {
	var toks []string
	var cur strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case !quoted && (r == '(' || r == ')' || r == '{' || r == '}'):
		case !quoted && unicode.IsSpace(r):
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks
}

// reachesSpamTrash reports whether the query asks for spam or trash itself, which lifts
// their default exclusion.
func (q query) reachesSpamTrash() bool {
	for _, clause := range q {
		for _, t := range clause {
			if t.neg || (t.field != "in" && t.field != "label") {
				continue
			}
			if t.value == "trash" || t.value == "spam" || t.value == "anywhere" {
				return true
			}
		}
	}
	return false
}

// matches reports whether m satisfies every clause of the query.
func (q query) matches(mb *mailbox, m *message, now time.Time) bool {
	for _, clause := range q {
		if !slices.ContainsFunc(clause, func(t term) bool { return t.matches(mb, m, now) }) {
			return false
		}
	}
	return true
}

func (t term) matches(mb *mailbox, m *message, now time.Time) bool {
	return t.holds(mb, m, now) != t.neg
}

// holds evaluates the term without its negation.
func (t term) holds(mb *mailbox, m *message, now time.Time) bool {
	h := func(names ...string) string {
		var vals []string
		for _, n := range names {
			for _, v := range m.parsed.headers[n] {
				vals = append(vals, decodeWords(v))
			}
		}
		return strings.ToLower(strings.Join(vals, "\n"))
	}
	has := func(l string) bool { return slices.Contains(m.labels, l) }

	switch t.field {
	case "":
		text := h("Subject", "From", "To", "Cc") + "\n" + strings.ToLower(m.parsed.text)
		return strings.Contains(text, t.value)
	case "from", "cc", "bcc", "subject":
		return strings.Contains(h(headerName(t.field)), t.value)
	case "to":
		return strings.Contains(h("To", "Cc", "Bcc"), t.value)
	case "in":
		if t.value == "anywhere" {
			return true
		}
		if t.value == "drafts" {
			return has("DRAFT")
		}
		l, ok := mb.findLabel(t.value)
		return ok && has(l.ID)
	case "label":
		l, ok := mb.findLabel(t.value)
		return ok && has(l.ID)
	case "is":
		switch t.value {
		case "unread":
			return has("UNREAD")
		case "read":
			return !has("UNREAD")
		case "starred":
			return has("STARRED")
		case "important":
			return has("IMPORTANT")
		}
		return false
	case "has":
		return t.value == "attachment" && hasAttachment(m.parsed.root)
	case "after", "before":
		d, ok := parseSearchDate(t.value)
		if !ok {
			return false
		}
		if t.field == "after" {
			return !m.internal.Before(d)
		}
		return m.internal.Before(d)
	case "newer_than", "older_than":
		d, ok := parseAge(t.value)
		if !ok {
			return false
		}
		if t.field == "newer_than" {
			return m.internal.After(now.Add(-d))
		}
		return m.internal.Before(now.Add(-d))
	}
	return false
}

func headerName(field string) string {
	return map[string]string{"from": "From", "cc": "Cc", "bcc": "Bcc", "subject": "Subject"}[field]
}

func hasAttachment(p *part) bool {
	found := false
	walkParts(p, func(pt *part) { found = found || pt.attachmentID != "" })
	return found
}

// parseSearchDate reads after:/before: values: 2024/03/31, 2024-03-31 or Unix seconds.
// Dates are taken as UTC midnight.
func parseSearchDate(v string) (time.Time, bool) {
	for _, layout := range []string{"2006/01/02", "2006-01-02", "2006/1/2"} {
		if d, err := time.Parse(layout, v); err == nil {
			return d, true
		}
	}
	if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(sec, 0), true
	}
	return time.Time{}, false
}

// parseAge reads newer_than:/older_than: values: a count of days (d), months (m) or
// years (y).
func parseAge(v string) (time.Duration, bool) {
	if len(v) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil || n < 0 {
		return 0, false
	}
	day := 24 * time.Hour
	switch v[len(v)-1] {
	case 'd':
		return time.Duration(n) * day, true
	case 'm':
		return time.Duration(n) * 30 * day, true
	case 'y':
		return time.Duration(n) * 365 * day, true
	}
	return 0, false
}
