package registry

import (
	"strings"
)

// Normalize returns the catalog's spelling of a scope the provider
// reported or a person wrote: a known alias is replaced, the provider's own
// resource prefix is removed, and for case-insensitive providers the
// catalog's casing is used. A scope of another resource keeps its prefix,
// so it never matches one of this provider's scopes.
func (p *Provider) Normalize(s Scope) Scope {
	if a, ok := p.Aliases[s]; ok {
		return a
	}
	str := string(s)
	if p.ResourcePrefix != "" && len(str) > len(p.ResourcePrefix) &&
		strings.EqualFold(str[:len(p.ResourcePrefix)], p.ResourcePrefix) {
		str = str[len(p.ResourcePrefix):]
	}
	if p.ShortPrefix != "" && !strings.Contains(str, "://") {
		if _, ok := p.Lookup(Scope(p.ShortPrefix + str)); ok {
			return Scope(p.ShortPrefix + str)
		}
	}
	if p.CaseInsensitive {
		for _, info := range p.Catalog {
			if strings.EqualFold(string(info.Scope), str) {
				return info.Scope
			}
		}
	}
	return Scope(str)
}

// ParseGrant reads a scope string from one of the provider's token
// responses: split on the provider's separator (spaces and commas are both
// accepted) and normalized.
func (p *Provider) ParseGrant(s string) ScopeSet {
	raw := ParseScopes(s)
	out := make([]Scope, len(raw))
	for i, sc := range raw {
		out[i] = p.Normalize(sc)
	}
	return NewScopeSet(out...)
}

// JoinScopes writes scopes the way the provider's authorization requests
// expect them.
func (p *Provider) JoinScopes(set ScopeSet) string {
	sep := p.ScopeSeparator
	if sep == "" {
		sep = " "
	}
	return strings.Join(set.Strings(), sep)
}

// Nearest returns the catalog scope closest to s in spelling, for "did you
// mean" messages, and false when none is reasonably close.
func (p *Provider) Nearest(s Scope) (Scope, bool) {
	best, bestDist := Scope(""), -1
	target := strings.ToLower(string(p.Normalize(s)))
	short := p.ShortPrefix != "" && !strings.Contains(target, "://")
	for _, info := range p.Catalog {
		candidate := strings.ToLower(string(info.Scope))
		if short {
			candidate = strings.TrimPrefix(candidate, strings.ToLower(p.ShortPrefix))
		}
		d := editDistance(target, candidate)
		if bestDist < 0 || d < bestDist {
			best, bestDist = info.Scope, d
		}
	}
	limit := max(3, len(target)/4)
	return best, bestDist >= 0 && bestDist <= limit
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
