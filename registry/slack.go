package registry

// Slack is Slack's OAuth v2 ("granular bot permissions") with bot and user
// tokens, which are granted and kept separately.
var Slack = &Provider{
	ID:    "slack",
	Title: "Slack",
	Endpoints: Endpoints{
		AuthURL:   "https://slack.com/oauth/v2/authorize",
		TokenURL:  "https://slack.com/api/oauth.v2.access",
		RevokeURL: "https://slack.com/api/auth.revoke",
	},
	ScopeSeparator: ",",
	TokenTypes:     []TokenType{BotToken, UserToken},
	Catalog:        slackScopes,
}

// slackScopes are the Slack scopes scopegate's tools use.
var slackScopes = []ScopeInfo{}
