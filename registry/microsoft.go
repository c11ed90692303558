package registry

// Microsoft is Microsoft Graph through the Microsoft identity platform
// (v2.0 endpoints, delegated permissions). "{tenant}" in the endpoints is
// replaced by the connection's tenant ("common" when none is set).
var Microsoft = &Provider{
	ID:    "microsoft",
	Title: "Microsoft 365",
	Endpoints: Endpoints{
		AuthURL:  "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
		TokenURL: "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
	},
	AlwaysRequest:   ScopeSet{"offline_access", "openid"},
	CaseInsensitive: true,
	ResourcePrefix:  "https://graph.microsoft.com/",
	Catalog:         microsoftScopes,
}

// microsoftScopes are the Graph delegated permissions scopegate's tools
// use, narrowest first within each area.
var microsoftScopes = []ScopeInfo{}
