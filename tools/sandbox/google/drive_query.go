package google

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
)

// errBadQuery means a files.list q parameter is not Drive query syntax the sandbox knows.
var errBadQuery = errors.New("invalid query")

// driveQuery is a parsed files.list q parameter. It supports the terms of Drive's "Search
// for files and folders" guide that describe a My Drive: name, fullText, mimeType,
// modifiedTime, createdTime, trashed and starred with their operators, the "in" terms
// for parents, owners, writers and readers, and not, and, or and parentheses.
// Properties, visibility and shared-drive terms are refused as invalid.
type driveQuery interface {
	matches(ws *workspace, f *driveFile) bool
	// fullText reports whether the query uses a fullText term, which rules out sorting.
	fullText() bool
}

// parseDriveQuery parses q; the empty query matches every file.
func parseDriveQuery(q string) (driveQuery, error) {
	toks, err := lexDriveQuery(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return matchAll{}, nil
	}
	p := &queryParser{toks: toks}
	expr, err := p.or()
	if err != nil || p.pos != len(toks) {
		return nil, errBadQuery
	}
	return expr, nil
}

// queryToken is one lexeme: a word, a quoted string, an operator or a parenthesis.
type queryToken struct {
	text   string
	quoted bool
}

func lexDriveQuery(q string) ([]queryToken, error) {
	var toks []queryToken
	for i := 0; i < len(q); {
		ch := q[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n':
			i++
		case ch == '(' || ch == ')':
			toks = append(toks, queryToken{text: string(ch)})
			i++
		case ch == '\'' || ch == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(q) && q[j] != ch; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				b.WriteByte(q[j])
			}
			if j == len(q) {
				return nil, errBadQuery
			}
			toks = append(toks, queryToken{text: b.String(), quoted: true})
			i = j + 1
		case strings.ContainsRune("=!<>", rune(ch)):
			j := i + 1
			if j < len(q) && q[j] == '=' {
				j++
			}
			toks = append(toks, queryToken{text: q[i:j]})
			i = j
		default:
			j := i
			for j < len(q) && !strings.ContainsRune(" \t\n()'\"=!<>", rune(q[j])) {
				j++
			}
			toks = append(toks, queryToken{text: q[i:j]})
			i = j
		}
	}
	return toks, nil
}

type queryParser struct {
	toks []queryToken
	pos  int
}

func (p *queryParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *queryParser) next() (queryToken, bool) {
	if p.pos >= len(p.toks) {
		return queryToken{}, false
	}
	p.pos++
	return p.toks[p.pos-1], true
}

func (p *queryParser) or() (driveQuery, error) {
	left, err := p.and()
	for err == nil && p.peekWord("or") {
		p.pos++
		var right driveQuery
		right, err = p.and()
		left = orQuery{left, right}
	}
	return left, err
}

func (p *queryParser) and() (driveQuery, error) {
	left, err := p.unary()
	for err == nil && p.peekWord("and") {
		p.pos++
		var right driveQuery
		right, err = p.unary()
		left = andQuery{left, right}
	}
	return left, err
}

func (p *queryParser) unary() (driveQuery, error) {
	switch {
	case p.peekWord("not"):
		p.pos++
		inner, err := p.unary()
		return notQuery{inner}, err
	case p.peekWord("("):
		p.pos++
		inner, err := p.or()
		if err != nil || !p.peekWord(")") {
			return nil, errBadQuery
		}
		p.pos++
		return inner, nil
	}
	return p.term()
}

// term reads "field op value" or "value in field".
func (p *queryParser) term() (driveQuery, error) {
	a, ok1 := p.next()
	op, ok2 := p.next()
	b, ok3 := p.next()
	if !ok1 || !ok2 || !ok3 || op.quoted {
		return nil, errBadQuery
	}
	operator := strings.ToLower(op.text)
	if operator == "in" {
		if !a.quoted || b.quoted {
			return nil, errBadQuery
		}
		return newInTerm(a.text, b.text)
	}
	if a.quoted {
		return nil, errBadQuery
	}
	return newFieldTerm(a.text, operator, b)
}

// inTerm is "'value' in parents|owners|writers|readers".
type inTerm struct{ value, field string }

func newInTerm(value, field string) (driveQuery, error) {
	switch field {
	case "parents", "owners", "writers", "readers":
		return inTerm{value, field}, nil
	}
	return nil, errBadQuery
}

func (t inTerm) fullText() bool { return false }

func (t inTerm) matches(ws *workspace, f *driveFile) bool {
	if t.field == "parents" {
		parent := t.value
		if parent == "root" {
			parent = rootFolderID
		}
		return f.parent == parent
	}
	for _, perm := range f.permissions {
		if !strings.EqualFold(perm.email, t.value) {
			continue
		}
		switch t.field {
		case "owners":
			return perm.role == "owner"
		case "writers":
			return perm.role == "owner" || perm.role == "writer"
		default:
			return true
		}
	}
	return false
}

// fieldTerm compares one of the file's fields with a value.
type fieldTerm struct {
	field, op string
	text      string
	when      time.Time
	flag      bool
}

// termOperators lists the operators Drive allows for each field.
var termOperators = map[string][]string{
	"name":         {"contains", "=", "!="},
	"fulltext":     {"contains"},
	"mimetype":     {"contains", "=", "!="},
	"modifiedtime": {"<", "<=", "=", "!=", ">", ">="},
	"createdtime":  {"<", "<=", "=", "!=", ">", ">="},
	"trashed":      {"=", "!="},
	"starred":      {"=", "!="},
}

func newFieldTerm(field, op string, value queryToken) (driveQuery, error) {
	t := fieldTerm{field: strings.ToLower(field), op: op, text: value.text}
	ops, known := termOperators[t.field]
	if !known || !slices.Contains(ops, op) {
		return nil, errBadQuery
	}
	switch t.field {
	case "trashed", "starred":
		if value.quoted || (value.text != "true" && value.text != "false") {
			return nil, errBadQuery
		}
		t.flag = value.text == "true"
	case "modifiedtime", "createdtime":
		when, err := parseQueryTime(value.text)
		if err != nil || !value.quoted {
			return nil, errBadQuery
		}
		t.when = when
	default:
		if !value.quoted {
			return nil, errBadQuery
		}
	}
	return t, nil
}

// parseQueryTime reads RFC 3339 times; without a zone they are UTC, as Drive says.
func parseQueryTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errBadQuery
}

func (t fieldTerm) fullText() bool { return t.field == "fulltext" }

func (t fieldTerm) matches(ws *workspace, f *driveFile) bool {
	switch t.field {
	case "name":
		return compareText(t.op, f.name, t.text, prefixOfWord)
	case "mimetype":
		return compareText(t.op, f.mimeType, t.text, strings.Contains)
	case "fulltext":
		return phraseIn(f.name, t.text) || phraseIn(f.description, t.text) ||
			phraseIn(ws.indexableText(f), t.text)
	case "trashed":
		return (f.trashed == t.flag) == (t.op == "=")
	case "starred":
		return !t.flag == (t.op == "=") // the sandbox stars nothing
	case "modifiedtime":
		return compareTime(t.op, f.modified, t.when)
	case "createdtime":
		return compareTime(t.op, f.created, t.when)
	}
	return false
}

func compareText(op, have, want string, contains func(string, string) bool) bool {
	switch op {
	case "=":
		return have == want
	case "!=":
		return have != want
	}
	return contains(strings.ToLower(have), strings.ToLower(want))
}

func compareTime(op string, have, want time.Time) bool {
	c := have.Compare(want)
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// prefixOfWord is Drive's name contains: it matches the start of a word of the name only,
// so 'Hello' finds "HelloWorld" but 'World' does not.
func prefixOfWord(name, value string) bool {
	for i := 0; i < len(name); i++ {
		if (i == 0 || !isWordRune(rune(name[i-1]))) && strings.HasPrefix(name[i:], value) {
			return true
		}
	}
	return false
}

// phraseIn reports whether phrase occurs in text as whole words, ignoring case.
func phraseIn(text, phrase string) bool {
	text, phrase = strings.ToLower(text), strings.ToLower(strings.TrimSpace(phrase))
	if phrase == "" {
		return false
	}
	for i := 0; i+len(phrase) <= len(text); i++ {
		end := i + len(phrase)
		if text[i:end] == phrase && (i == 0 || !isWordRune(rune(text[i-1]))) &&
			(end == len(text) || !isWordRune(rune(text[end]))) {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r >= 0x80 }

// indexableText is the text fullText searches in a file's content.
func (ws *workspace) indexableText(f *driveFile) string {
	switch {
	case f.sheet != nil:
		var b strings.Builder
		for _, sh := range f.sheet.sheets {
			b.Write(f.sheet.csv(sh))
		}
		return b.String()
	case f.mimeType == mimeDocument || f.mimeType == mimePresentation ||
		strings.HasPrefix(f.mimeType, "text/"):
		return string(f.content)
	}
	return ""
}

type matchAll struct{}

func (matchAll) matches(*workspace, *driveFile) bool { return true }
func (matchAll) fullText() bool                      { return false }

type notQuery struct{ inner driveQuery }

func (q notQuery) matches(ws *workspace, f *driveFile) bool { return !q.inner.matches(ws, f) }
func (q notQuery) fullText() bool                           { return q.inner.fullText() }

type andQuery struct{ left, right driveQuery }

func (q andQuery) matches(ws *workspace, f *driveFile) bool {
	return q.left.matches(ws, f) && q.right.matches(ws, f)
}
func (q andQuery) fullText() bool { return q.left.fullText() || q.right.fullText() }

type orQuery struct{ left, right driveQuery }

func (q orQuery) matches(ws *workspace, f *driveFile) bool {
	return q.left.matches(ws, f) || q.right.matches(ws, f)
}
func (q orQuery) fullText() bool { return q.left.fullText() || q.right.fullText() }
