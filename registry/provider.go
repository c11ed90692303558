package registry

import "fmt"

// ProviderID names a provider: "google", "microsoft", "slack" or "atlassian".
type ProviderID string

// Sensitivity is how the provider classifies a scope for its own review.
type Sensitivity string

// Sensitivities as the providers publish them.
const (
	// NotSensitive scopes need no special review.
	NotSensitive Sensitivity = "none"
	// Sensitive scopes need Google's verification of the OAuth client.
	Sensitive Sensitivity = "sensitive"
	// Restricted scopes need Google's verification and a security assessment.
	Restricted Sensitivity = "restricted"
	// AdminConsent scopes need a tenant administrator's consent (Microsoft
	// Graph's "admin consent required" for delegated permissions).
	AdminConsent Sensitivity = "admin_consent"
)

// TokenType is the kind of token a provider issues, where it issues more
// than one: Slack's bot and user tokens. The empty TokenType is a
// provider's only kind.
type TokenType string

// Slack's token types.
const (
	BotToken  TokenType = "bot"
	UserToken TokenType = "user"
)

// ScopeInfo is one entry of a provider's scope catalog.
type ScopeInfo struct {
	// Scope is the exact string the provider expects.
	Scope Scope
	// Title is a short name for the scope, shown in lists.
	Title string
	// Explanation says in plain language what the scope lets scopegate do
	// on the user's behalf. It is shown on the connect page and in
	// authorization-required results.
	Explanation string
	// Sensitivity is the provider's own classification.
	Sensitivity Sensitivity
	// CoveredBy lists broader scopes of the same provider that also grant
	// what this one does. It serves explanations and lints; the gate
	// decides from requirements alone.
	CoveredBy []Scope
	// TokenTypes lists the token types the scope can be granted to, for
	// providers with more than one (Slack); nil means every type.
	TokenTypes []TokenType
}

// Endpoints are a provider's OAuth endpoints and API location. A
// connection may override any of them (the sandbox does).
type Endpoints struct {
	AuthURL   string
	TokenURL  string
	RevokeURL string
	// APIBaseURL, when set, replaces the scheme and host of every API
	// request the tools make; empty means the provider's real hosts.
	APIBaseURL string
}

// Provider is everything scopegate knows about one provider: its
// endpoints and its scope catalog. Providers are values; see Google.
type Provider struct {
	ID        ProviderID
	Title     string
	Endpoints Endpoints
	// Catalog lists every scope a scopegate tool may need, in the order it
	// is shown to people.
	Catalog []ScopeInfo
	// AlwaysRequest are scopes added to every authorization request of
	// this provider, such as OpenID identity scopes or offline_access. They
	// are never the reason a tool is refused.
	AlwaysRequest ScopeSet

	// ScopeSeparator joins scopes in authorization requests and splits
	// them in token responses: "," for Slack; empty means a space.
	ScopeSeparator string
	// CaseInsensitive providers compare scope names without case
	// (Microsoft Graph).
	CaseInsensitive bool
	// ResourcePrefix is the resource URI a provider may put before its
	// scope names ("https://graph.microsoft.com/"); it is removed when
	// scopes are compared.
	ResourcePrefix string
	// Aliases map other spellings a provider reports for a scope to the
	// catalog's spelling (Google reports "email" as userinfo.email).
	Aliases map[Scope]Scope
	// ShortPrefix, when set, is a prefix people may leave out when they
	// write a scope ("gmail.send" for Google's
	// "https://www.googleapis.com/auth/gmail.send").
	ShortPrefix string
	// TokenTypes lists the provider's token types when it has more than
	// one (Slack's bot and user tokens); nil means one kind.
	TokenTypes []TokenType
}

// Lookup returns the catalog entry for s.
func (p *Provider) Lookup(s Scope) (ScopeInfo, bool) {
	for _, info := range p.Catalog {
		if info.Scope == s {
			return info, true
		}
	}
	return ScopeInfo{}, false
}

// Describe returns the catalog entry for s, or an entry that says plainly
// that the scope is not in the catalog. It never fails, so an explanation
// can always be shown.
func (p *Provider) Describe(s Scope) ScopeInfo {
	if info, ok := p.Lookup(s); ok {
		return info
	}
	return ScopeInfo{
		Scope:       s,
		Title:       string(s),
		Explanation: fmt.Sprintf("A %s permission scopegate does not describe.", p.Title),
	}
}

// Providers returns every provider scopegate knows, in a stable order.
func Providers() []*Provider {
	return []*Provider{Google, Microsoft, Slack, Atlassian}
}

// ProviderByID returns the provider with the given id.
func ProviderByID(id ProviderID) (*Provider, bool) {
	for _, p := range Providers() {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}
