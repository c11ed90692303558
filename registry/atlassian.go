package registry

// Atlassian is Atlassian's OAuth 2.0 (3LO) for Jira Cloud, with classic and
// granular scopes.
var Atlassian = &Provider{
	ID:    "atlassian",
	Title: "Atlassian",
	Endpoints: Endpoints{
		AuthURL:  "https://auth.atlassian.com/authorize",
		TokenURL: "https://auth.atlassian.com/oauth/token",
	},
	AlwaysRequest: ScopeSet{"offline_access"},
	Catalog:       atlassianScopes,
}

// atlassianScopes are the Jira scopes scopegate's tools use, classic and
// granular.
var atlassianScopes = []ScopeInfo{}
