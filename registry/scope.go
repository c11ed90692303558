package registry

import (
	"slices"
	"strings"
)

// Scope is one OAuth scope string exactly as the provider spells it, for
// example "https://www.googleapis.com/auth/gmail.send".
type Scope string

// ScopeSet is a set of scopes that are needed together. It is kept sorted
// and free of duplicates by NewScopeSet; the zero value is the empty set.
type ScopeSet []Scope

// NewScopeSet returns the sorted, de-duplicated set of the given scopes.
// Empty strings are dropped.
func NewScopeSet(scopes ...Scope) ScopeSet {
	out := make(ScopeSet, 0, len(scopes))
	for _, s := range scopes {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ParseScopes splits a provider's scope string on spaces and commas, as
// token responses and configuration files write them.
func ParseScopes(s string) ScopeSet {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == ',' || r == '\t' || r == '\n'
	})
	scopes := make([]Scope, len(fields))
	for i, f := range fields {
		scopes[i] = Scope(f)
	}
	return NewScopeSet(scopes...)
}

// Has reports whether s is in the set.
func (set ScopeSet) Has(s Scope) bool {
	_, ok := slices.BinarySearch(set, s)
	return ok
}

// Missing returns the scopes of need that are not in set, in need's order.
// It returns nil when nothing is missing.
func (set ScopeSet) Missing(need ScopeSet) ScopeSet {
	var out ScopeSet
	for _, s := range need {
		if !set.Has(s) {
			out = append(out, s)
		}
	}
	return out
}

// Intersect returns the scopes in both sets.
func (set ScopeSet) Intersect(other ScopeSet) ScopeSet {
	var out ScopeSet
	for _, s := range set {
		if other.Has(s) {
			out = append(out, s)
		}
	}
	return out
}

// Union returns the set of scopes in either set.
func (set ScopeSet) Union(other ScopeSet) ScopeSet {
	return NewScopeSet(append(slices.Clone(set), other...)...)
}

// Minus returns the scopes of set that are not in other.
func (set ScopeSet) Minus(other ScopeSet) ScopeSet {
	var out ScopeSet
	for _, s := range set {
		if !other.Has(s) {
			out = append(out, s)
		}
	}
	return out
}

// Strings returns the scopes as plain strings, for wire formats.
func (set ScopeSet) Strings() []string {
	out := make([]string, len(set))
	for i, s := range set {
		out[i] = string(s)
	}
	return out
}

// String joins the scopes with spaces, the way OAuth writes them.
func (set ScopeSet) String() string {
	return strings.Join(set.Strings(), " ")
}

// Requirement is what a tool needs: any one of its alternatives, each of
// which must be granted in full. Alternatives are ordered least privilege
// first, so the first unmet one is what scopegate asks the user for. The
// zero value needs nothing and is never valid for a tool that calls a
// provider.
type Requirement []ScopeSet

// AnyOf builds a requirement whose alternatives are each a single scope, the
// common case for Google, where any one listed scope authorizes a method.
func AnyOf(scopes ...Scope) Requirement {
	r := make(Requirement, len(scopes))
	for i, s := range scopes {
		r[i] = ScopeSet{s}
	}
	return r
}

// Check reports whether grant meets the requirement. When it does, met is
// the index of the first satisfied alternative. When it does not, missing
// holds the scopes that the first (least privileged) alternative still
// lacks. The check does not allocate when the requirement is met.
func (r Requirement) Check(grant ScopeSet) (met int, missing ScopeSet) {
	if len(r) == 0 {
		return -1, nil
	}
	for i, alt := range r {
		if grant.covers(alt) {
			return i, nil
		}
	}
	return -1, grant.Missing(r[0])
}

// Satisfied reports whether grant meets any alternative of r.
func (r Requirement) Satisfied(grant ScopeSet) bool {
	met, _ := r.Check(grant)
	return met >= 0
}

// Scopes returns every scope that appears in any alternative.
func (r Requirement) Scopes() ScopeSet {
	var all []Scope
	for _, alt := range r {
		all = append(all, alt...)
	}
	return NewScopeSet(all...)
}

func (set ScopeSet) covers(need ScopeSet) bool {
	for _, s := range need {
		if !set.Has(s) {
			return false
		}
	}
	return true
}
