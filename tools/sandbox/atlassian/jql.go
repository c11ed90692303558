package atlassian

import (
	"fmt"
	"strings"
	"unicode"
)

// The sandbox's JQL: clauses "field operator value" joined with AND, OR, NOT and
// parentheses, then an optional ORDER BY. The fields, operators and functions it knows are
// in jql_eval.go; anything else gets Jira's own error message.

// jqlError is a JQL problem, reported as Jira's 400 error message.
type jqlError string

func (e jqlError) Error() string { return string(e) }

func syntaxError(pos int, format string, args ...any) error {
	return jqlError(fmt.Sprintf("Error in the JQL Query: %s (line 1, character %d)",
		fmt.Sprintf(format, args...), pos+1))
}

// token kinds.
const (
	tokWord   = iota // an unquoted word: a field, a value or a keyword
	tokString        // a quoted string
	tokOp            // = != ~ !~ > >= < <=
	tokPunct         // ( ) ,
	tokEnd
)

type token struct {
	kind int
	text string
	pos  int
}

// lexJQL splits a query into tokens.
func lexJQL(q string) ([]token, error) {
	var out []token
	rs := []rune(q)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')' || r == ',':
			out = append(out, token{tokPunct, string(r), i})
			i++
		case r == '"' || r == '\'':
			j := i + 1
			var b strings.Builder
			for ; j < len(rs) && rs[j] != r; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, syntaxError(i, "The quoted string %s has not been completed.", string(rs[i:]))
			}
			out = append(out, token{tokString, b.String(), i})
			i = j + 1
		case strings.ContainsRune("=!~<>", r):
			j := i + 1
			if j < len(rs) && (rs[j] == '=' || (r == '!' && rs[j] == '~')) {
				j++
			}
			op := string(rs[i:j])
			if op == "!" {
				return nil, syntaxError(i, "Expecting operator but got '!'.")
			}
			out = append(out, token{tokOp, op, i})
			i = j
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune("()=,!~<>\"'", rs[j]) {
				j++
			}
			out = append(out, token{tokWord, string(rs[i:j]), i})
			i = j
		}
	}
	return append(out, token{tokEnd, "", len(rs)}), nil
}

// jqlValue is an operand: a word or quoted string, a function call, or EMPTY.
type jqlValue struct {
	text  string
	fn    string // lower-case function name when the value is a call
	empty bool   // EMPTY or NULL
	pos   int
}

// jqlNode is a parsed condition.
type jqlNode struct {
	op       string // "and", "or", "not", or "clause"
	children []*jqlNode
	field    string // lower case
	operator string // "=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in", "is", "is not"
	values   []jqlValue
	pos      int
}

// sortKey is one ORDER BY term.
type sortKey struct {
	field string
	desc  bool
	pos   int
}

// jqlQuery is a parsed query. where is nil when the query has no condition.
type jqlQuery struct {
	where   *jqlNode
	orderBy []sortKey
}

type jqlParser struct {
	toks []token
	i    int
}

func (p *jqlParser) peek() token { return p.toks[p.i] }
func (p *jqlParser) next() token { t := p.toks[p.i]; p.i++; return t }

// keyword reports whether the next token is the unquoted word kw, in any case.
func (p *jqlParser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

// parseJQL parses a query in the sandbox's JQL.
func parseJQL(q string) (*jqlQuery, error) {
	toks, err := lexJQL(q)
	if err != nil {
		return nil, err
	}
	p := &jqlParser{toks: toks}
	out := &jqlQuery{}
	if !p.keyword("order") && p.peek().kind != tokEnd {
		if out.where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if p.keyword("order") {
		p.next()
		if !p.keyword("by") {
			return nil, syntaxError(p.peek().pos, "Expecting 'BY' but got '%s'.", p.peek().text)
		}
		p.next()
		for {
			t := p.next()
			if t.kind != tokWord && t.kind != tokString {
				return nil, syntaxError(t.pos, "Expecting a field name but got '%s'.", t.text)
			}
			k := sortKey{field: strings.ToLower(t.text), pos: t.pos}
			if p.keyword("asc") || p.keyword("desc") {
				k.desc = strings.EqualFold(p.next().text, "desc")
			}
			out.orderBy = append(out.orderBy, k)
			if p.peek().text != "," || p.peek().kind != tokPunct {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); t.kind != tokEnd {
		return nil, syntaxError(t.pos, "Expecting either 'OR' or 'AND' but got '%s'.", t.text)
	}
	return out, nil
}

func (p *jqlParser) or() (*jqlNode, error) {
	return p.chain("or", p.and)
}

func (p *jqlParser) and() (*jqlNode, error) {
	return p.chain("and", p.not)
}

// chain parses operands of one boolean operator.
func (p *jqlParser) chain(op string, operand func() (*jqlNode, error)) (*jqlNode, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	n := &jqlNode{op: op, children: []*jqlNode{first}}
	for p.keyword(op) {
		p.next()
		c, err := operand()
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, c)
	}
	if len(n.children) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *jqlParser) not() (*jqlNode, error) {
	switch t := p.peek(); {
	case p.keyword("not"):
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return &jqlNode{op: "not", children: []*jqlNode{c}, pos: t.pos}, nil
	case t.kind == tokPunct && t.text == "(":
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if end := p.next(); end.text != ")" {
			return nil, syntaxError(end.pos, "Expecting ')' but got '%s'.", end.text)
		}
		return c, nil
	}
	return p.clause()
}

// clause parses "field operator operand".
func (p *jqlParser) clause() (*jqlNode, error) {
	f := p.next()
	if f.kind != tokWord && f.kind != tokString {
		return nil, syntaxError(f.pos, "Expecting a field name but got '%s'.", tokenText(f))
	}
	n := &jqlNode{op: "clause", field: strings.ToLower(f.text), pos: f.pos}
	switch t := p.next(); {
	case t.kind == tokOp:
		n.operator = t.text
	case t.kind == tokWord && strings.EqualFold(t.text, "in"):
		n.operator = "in"
	case t.kind == tokWord && strings.EqualFold(t.text, "is"):
		n.operator = "is"
		if p.keyword("not") {
			p.next()
			n.operator = "is not"
		}
	case t.kind == tokWord && strings.EqualFold(t.text, "not") && p.keyword("in"):
		p.next()
		n.operator = "not in"
	default:
		return nil, syntaxError(t.pos, "Expecting operator but got '%s'. The valid operators are "+
			"'=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.", tokenText(t))
	}
	if n.operator == "in" || n.operator == "not in" {
		if open := p.next(); open.text != "(" {
			return nil, syntaxError(open.pos, "Expecting '(' but got '%s'.", tokenText(open))
		}
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			n.values = append(n.values, v)
			t := p.next()
			if t.text == ")" && t.kind == tokPunct {
				return n, nil
			}
			if t.text != "," {
				return nil, syntaxError(t.pos, "Expecting ',' or ')' but got '%s'.", tokenText(t))
			}
		}
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	n.values = []jqlValue{v}
	return n, nil
}

// value parses an operand: a word, a string, EMPTY or NULL, or a function call.
func (p *jqlParser) value() (jqlValue, error) {
	t := p.next()
	switch {
	case t.kind == tokString:
		return jqlValue{text: t.text, pos: t.pos}, nil
	case t.kind != tokWord:
		return jqlValue{}, syntaxError(t.pos, "Expecting either a value, list or function but got '%s'.",
			tokenText(t))
	case strings.EqualFold(t.text, "empty") || strings.EqualFold(t.text, "null"):
		return jqlValue{empty: true, pos: t.pos}, nil
	}
	if nt := p.peek(); nt.kind == tokPunct && nt.text == "(" {
		p.next()
		if end := p.next(); end.text != ")" {
			return jqlValue{}, syntaxError(end.pos, "The sandbox's JQL functions take no arguments.")
		}
		return jqlValue{text: t.text, fn: strings.ToLower(t.text), pos: t.pos}, nil
	}
	return jqlValue{text: t.text, pos: t.pos}, nil
}

// tokenText names a token in an error message.
func tokenText(t token) string {
	if t.kind == tokEnd {
		return "end of query"
	}
	return t.text
}
