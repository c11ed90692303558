package google

import (
	"errors"
	"strings"
)

// fieldMask is a parsed "fields" parameter (Google's partial response): each key keeps
// that member of an object; a nil mask keeps everything below it.
type fieldMask map[string]fieldMask

var errBadFields = errors.New("invalid field selection")

// parseFields reads a selector such as "nextPageToken,files(id,name,owners/emailAddress)".
// "*" selects every member at its level.
func parseFields(s string) (fieldMask, error) {
	p := &fieldParser{s: strings.ReplaceAll(s, " ", "")}
	m, err := p.list()
	if err != nil || p.pos != len(p.s) {
		return nil, errBadFields
	}
	return m, nil
}

type fieldParser struct {
	s   string
	pos int
}

func (p *fieldParser) list() (fieldMask, error) {
	m := fieldMask{}
	for {
		if err := p.item(m); err != nil {
			return nil, err
		}
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		return m, nil
	}
}

// item reads "a/b/c" or "a(b,c)" into m.
func (p *fieldParser) item(m fieldMask) error {
	var path []string
	for {
		start := p.pos
		for p.pos < len(p.s) && !strings.ContainsRune(",()/", rune(p.s[p.pos])) {
			p.pos++
		}
		if p.pos == start {
			return errBadFields
		}
		path = append(path, p.s[start:p.pos])
		if p.pos < len(p.s) && p.s[p.pos] == '/' {
			p.pos++
			continue
		}
		break
	}
	var sub fieldMask
	if p.pos < len(p.s) && p.s[p.pos] == '(' {
		p.pos++
		var err error
		if sub, err = p.list(); err != nil || p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return errBadFields
		}
		p.pos++
	}
	for i := len(path) - 1; i > 0; i-- {
		sub = fieldMask{path[i]: sub}
	}
	m.merge(path[0], sub)
	return nil
}

// merge adds a selection of key; a nil selection already keeps everything.
func (m fieldMask) merge(key string, sub fieldMask) {
	have, ok := m[key]
	switch {
	case !ok:
		m[key] = sub
	case have == nil || sub == nil:
		m[key] = nil
	default:
		for k, v := range sub {
			have.merge(k, v)
		}
	}
}

// apply keeps the selected members of v, which is a JSON value decoded into maps and
// slices. A nil mask keeps v whole.
func (m fieldMask) apply(v any) any {
	if m == nil {
		return v
	}
	switch v := v.(type) {
	case map[string]any:
		if sub, ok := m["*"]; ok && sub == nil {
			return v
		}
		out := make(map[string]any)
		for k, sub := range m {
			if val, ok := v[k]; ok {
				out[k] = sub.apply(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = m.apply(e)
		}
		return out
	}
	return v
}
