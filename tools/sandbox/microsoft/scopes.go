package microsoft

import (
	"slices"
	"strings"
)

// graphResource is the prefix Graph permissions may carry in requests and responses.
const graphResource = "https://graph.microsoft.com/"

// The OpenID Connect scopes of the identity platform, and the wording Microsoft's consent
// page gives them. They reach no Graph data.
const (
	scopeOpenID  = "openid"
	scopeProfile = "profile"
	scopeEmail   = "email"
	scopeOffline = "offline_access"
)

var identityScopes = map[string]string{
	scopeOpenID:  "Sign you in",
	scopeProfile: "View your basic profile",
	scopeEmail:   "View your email address",
	scopeOffline: "Maintain access to data you have given it access to",
}

// requestedScope is one scope of an authorization request.
type requestedScope struct {
	// Raw is the scope exactly as the request spelled it, prefix included.
	Raw string
	// Name is its canonical name: Graph's permission name or an identity scope.
	Name string
	// Spelling is how the request spelled the name, without the resource prefix. Graph
	// permissions are reported back in the spelling they were asked for.
	Spelling string
	// AdminOnly is true when a work account needs an administrator to grant it.
	AdminOnly   bool
	Description string
}

// parseScopes reads a scope parameter: space separated, Graph permissions bare or with the
// Graph resource prefix, any case. It returns the scopes in request order without
// duplicates, and the ones it does not know.
func (s *Server) parseScopes(param string) (known []requestedScope, unknown []string) {
	for _, raw := range strings.Fields(param) {
		rs, ok := s.lookupScope(raw)
		if !ok {
			unknown = append(unknown, raw)
			continue
		}
		if !slices.ContainsFunc(known, func(k requestedScope) bool { return k.Name == rs.Name }) {
			known = append(known, rs)
		}
	}
	return known, unknown
}

func (s *Server) lookupScope(raw string) (requestedScope, bool) {
	name := raw
	if len(name) > len(graphResource) && strings.EqualFold(name[:len(graphResource)], graphResource) {
		name = name[len(graphResource):]
	} else if d, ok := identityScopes[strings.ToLower(name)]; ok {
		lower := strings.ToLower(name)
		return requestedScope{Raw: raw, Name: lower, Spelling: lower, Description: d}, true
	}
	canonical, sf, ok := s.facts.permission(name)
	if !ok {
		return requestedScope{}, false
	}
	return requestedScope{
		Raw: raw, Name: canonical, Spelling: name, Description: sf.Delegated,
		AdminOnly: sf.DelegatedAdminOnly && !s.personal && !s.adminConsented(canonical),
	}, true
}

func (s *Server) adminConsented(permission string) bool {
	return slices.ContainsFunc(s.adminOK, func(p string) bool {
		p = strings.TrimPrefix(p, graphResource)
		return strings.EqualFold(p, permission)
	})
}

// isIdentity reports whether a canonical scope name is an OpenID Connect scope.
func isIdentity(name string) bool {
	_, ok := identityScopes[name]
	return ok
}
