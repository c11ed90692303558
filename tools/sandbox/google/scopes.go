package google

import (
	"slices"
	"strings"
)

// The OpenID Connect scopes Google accepts beside the API scopes. Google reports "email"
// and "profile" by their full names, so the sandbox stores them that way.
const (
	scopeOpenID   = "openid"
	scopeEmail    = "https://www.googleapis.com/auth/userinfo.email"
	scopeProfile  = "https://www.googleapis.com/auth/userinfo.profile"
	scopeMetadata = "https://www.googleapis.com/auth/gmail.metadata"
)

// identityScopes describes the sign-in scopes, which the API discovery documents (and so the
// facts) do not list. The wording is Google's consent-screen wording.
var identityScopes = map[string]string{
	scopeOpenID: "Associate you with your personal info on Google",
	scopeEmail:  "See your primary Google Account email address",
	scopeProfile: "See your personal info, including any personal info you've made " +
		"publicly available",
}

// normalizeScope maps Google's short sign-in scope names to the names Google reports.
func normalizeScope(s string) string {
	switch s {
	case "email":
		return scopeEmail
	case "profile":
		return scopeProfile
	}
	return s
}

// parseScopeParam splits a space-separated scope parameter, normalizes each scope and drops
// duplicates, keeping the request's order.
func parseScopeParam(param string) []string {
	var out []string
	for _, s := range strings.Fields(param) {
		s = normalizeScope(s)
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// describeScope returns the consent-screen description of a scope and whether the sandbox
// knows the scope at all.
func (s *Server) describeScope(scope string) (string, bool) {
	if d, ok := identityScopes[scope]; ok {
		return d, true
	}
	d, ok := s.facts.ScopeDescriptions[scope]
	return d, ok
}

// union returns the sorted set of scopes in a or b.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// joinScopes renders a scope set the way Google's responses carry it: space separated.
func joinScopes(scopes []string) string {
	return strings.Join(scopes, " ")
}
