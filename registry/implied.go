package registry

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// impliedSchema proves, for the inputs whose schema is simple enough,
// that arguments that decoded into the input also match its schema, so
// that they need not be parsed a second time to be checked against it.
//
// A schema is simple enough when it is an object of scalar properties
// (string, integer, boolean, number) with no more than these constraints:
// minLength and maxLength, minimum and maximum on integers, enums of
// strings; each property is a field of the input of the matching kind,
// and every property the schema requires is one the decoding requires.
// Decoding then already checked the types and unknown fields; what is left
// is checked here, on the decoded values of the properties present. The
// proof only ever says yes: when it cannot say yes (a null value, a key
// that differs in case from its property, a value out of range), the
// arguments go through the schema as before, which says what is wrong.
type impliedSchema struct {
	props    map[string]int // property name to index in rules
	rules    []impliedRule
	required uint64 // bit i: rules[i] is required
}

// impliedRule is what the schema asks of one property.
type impliedRule struct {
	field                int // index of the input's field
	kind                 reflect.Kind
	minLen, maxLen       int
	hasMinLen, hasMaxLen bool
	minimum, maximum     int64
	hasMin, hasMax       bool
	enum                 []string
}

// maxExactInt bounds the integer limits handled here, so that a limit read
// as a float64 is exact.
const maxExactInt = 1 << 53

// newImpliedSchema returns the proof for input type t with the given
// schema and required fields, or nil when the schema is not simple enough.
func newImpliedSchema(t reflect.Type, schema json.RawMessage, required []string) *impliedSchema {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var top struct {
		Type                 string                     `json:"type"`
		Properties           map[string]json.RawMessage `json:"properties"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
		Required             []string                   `json:"required"`
	}
	if !onlyKeys(schema, "type", "properties", "additionalProperties", "required", "title", "description") ||
		json.Unmarshal(schema, &top) != nil ||
		top.Type != "object" || top.AdditionalProperties == nil || *top.AdditionalProperties ||
		len(top.Properties) > 64 {
		return nil
	}
	for _, name := range top.Required {
		if !slices.Contains(required, name) {
			return nil
		}
	}
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous || !f.IsExported() {
			return nil
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		// A field without a name, quoted in JSON (",string") or decoded
		// by its own method may accept what its schema does not.
		if name == "" || slices.Contains(strings.Split(opts, ","), "string") || decodesItself(f.Type) {
			return nil
		}
		fields[name] = i
	}
	s := &impliedSchema{props: map[string]int{}}
	for name, raw := range top.Properties {
		i, ok := fields[name]
		if !ok {
			return nil
		}
		rule, ok := newImpliedRule(t.Field(i).Type.Kind(), raw)
		if !ok {
			return nil
		}
		rule.field = i
		s.props[name] = len(s.rules)
		if slices.Contains(required, name) {
			s.required |= 1 << len(s.rules)
		}
		s.rules = append(s.rules, rule)
	}
	for _, name := range required {
		if _, ok := s.props[name]; !ok {
			return nil
		}
	}
	return s
}

func newImpliedRule(kind reflect.Kind, raw json.RawMessage) (impliedRule, bool) {
	var p struct {
		Type      string    `json:"type"`
		MinLength *float64  `json:"minLength"`
		MaxLength *float64  `json:"maxLength"`
		Minimum   *float64  `json:"minimum"`
		Maximum   *float64  `json:"maximum"`
		Enum      []*string `json:"enum"`
	}
	if !onlyKeys(raw, "type", "description", "title", "minLength", "maxLength", "minimum", "maximum", "enum") ||
		json.Unmarshal(raw, &p) != nil {
		return impliedRule{}, false
	}
	r := impliedRule{kind: kind}
	switch {
	case p.Type == "string" && kind == reflect.String:
		for _, e := range p.Enum {
			if e == nil {
				return impliedRule{}, false
			}
			r.enum = append(r.enum, *e)
		}
		if p.MinLength != nil {
			n, ok := exactInt(*p.MinLength)
			if !ok {
				return impliedRule{}, false
			}
			r.minLen, r.hasMinLen = int(n), true
		}
		if p.MaxLength != nil {
			n, ok := exactInt(*p.MaxLength)
			if !ok {
				return impliedRule{}, false
			}
			r.maxLen, r.hasMaxLen = int(n), true
		}
		return r, p.Minimum == nil && p.Maximum == nil
	case p.Type == "integer" && isInt(kind):
		if p.Minimum != nil {
			n, ok := exactInt(*p.Minimum)
			if !ok {
				return impliedRule{}, false
			}
			r.minimum, r.hasMin = n, true
		}
		if p.Maximum != nil {
			n, ok := exactInt(*p.Maximum)
			if !ok {
				return impliedRule{}, false
			}
			r.maximum, r.hasMax = n, true
		}
		return r, p.Enum == nil && p.MinLength == nil && p.MaxLength == nil
	case p.Type == "boolean" && kind == reflect.Bool,
		p.Type == "number" && (kind == reflect.Float64 || kind == reflect.Float32):
		return r, p.Enum == nil && p.MinLength == nil && p.MaxLength == nil && p.Minimum == nil && p.Maximum == nil
	}
	return impliedRule{}, false
}

// holds reports whether args, which decoded into in without error, match
// the schema. A false answer says nothing: the schema decides.
func (s *impliedSchema) holds(args []byte, in reflect.Value) bool {
	seen, ok := s.scan(args)
	if !ok || seen&s.required != s.required {
		return false
	}
	for i := range s.rules {
		if seen&(1<<i) != 0 && !s.rules[i].holds(in.Field(s.rules[i].field)) {
			return false
		}
	}
	return true
}

func (r *impliedRule) holds(v reflect.Value) bool {
	switch r.kind {
	case reflect.String:
		str := v.String()
		if r.enum != nil && !slices.Contains(r.enum, str) {
			return false
		}
		if r.hasMinLen || r.hasMaxLen {
			n := utf8.RuneCountInString(str)
			if (r.hasMinLen && n < r.minLen) || (r.hasMaxLen && n > r.maxLen) {
				return false
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		if (r.hasMin && n < r.minimum) || (r.hasMax && n > r.maximum) {
			return false
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n := v.Uint()
		if n > maxExactInt || (r.hasMin && int64(n) < r.minimum) || (r.hasMax && int64(n) > r.maximum) {
			return false
		}
	}
	return true
}

// scan reads the top-level keys of args, a JSON object that decoding
// accepted, and returns the rules of the properties present. It fails on a
// key that is not exactly a property, on an escaped or repeated key, on a
// null value and on anything after the object.
func (s *impliedSchema) scan(b []byte) (seen uint64, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return 0, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return 0, skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		end := i + 1
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				return 0, false
			}
			end++
		}
		if end >= len(b) {
			return 0, false
		}
		r, known := s.props[string(b[i+1:end])]
		if !known || seen&(1<<r) != 0 {
			return 0, false
		}
		seen |= 1 << r
		i = skipSpace(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) || b[i] == 'n' {
			return 0, false
		}
		if i, ok = skipValue(b, i); !ok {
			return 0, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return seen, skipSpace(b, i+1) == len(b)
		default:
			return 0, false
		}
	}
}

// skipValue returns the index just after the JSON value at b[i], which the
// decoder found valid.
func skipValue(b []byte, i int) (int, bool) {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				var ok bool
				if i, ok = skipString(b, i); !ok {
					return 0, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default: // a number, true or false
		for i < len(b) && !isDelimiter(b[i]) {
			i++
		}
		return i, true
	}
}

// skipString returns the index just after the JSON string at b[i].
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

func isDelimiter(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// onlyKeys reports whether the JSON object raw has no keys but these.
func onlyKeys(raw json.RawMessage, allowed ...string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			return false
		}
	}
	return true
}

// exactInt returns f as an integer when it is one and small enough to be
// exact.
func exactInt(f float64) (int64, bool) {
	if f != math.Trunc(f) || math.Abs(f) > maxExactInt {
		return 0, false
	}
	return int64(f), true
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// decodesItself reports whether values of t decode with their own method.
func decodesItself(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || pt.Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || pt.Implements(textUnmarshaler)
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)
