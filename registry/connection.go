package registry

// Connection is one configured OAuth client for one provider.
type Connection struct {
	// Name identifies the connection in configuration and in the store,
	// for example "gmail".
	Name     string
	Provider *Provider
	ClientID string
	// ClientSecret is the OAuth client secret. It is never logged or shown.
	ClientSecret string
	// RedirectURL is the callback URL registered with the provider; empty
	// means scopegate's own /oauth/callback on its public URL.
	RedirectURL string
	// Ceiling is every scope the connection may ever request. Empty means
	// any scope in the provider's catalog.
	Ceiling ScopeSet
	// Endpoints are the provider's endpoints with this connection's
	// overrides applied.
	Endpoints Endpoints
	// Site chooses the Atlassian cloud site ("example.atlassian.net") when
	// the user's grant reaches several; empty means the user chooses.
	Site string
}

// Allows reports whether every scope of set is within the ceiling.
func (c *Connection) Allows(set ScopeSet) bool {
	if len(c.Ceiling) == 0 {
		return true
	}
	return len(c.Ceiling.Missing(set)) == 0
}
