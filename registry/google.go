package registry

// Google scopes that scopegate's tools use. The strings are Google's own.
const (
	GmailFull     Scope = "https://mail.google.com/"
	GmailModify   Scope = "https://www.googleapis.com/auth/gmail.modify"
	GmailReadonly Scope = "https://www.googleapis.com/auth/gmail.readonly"
	GmailMetadata Scope = "https://www.googleapis.com/auth/gmail.metadata"
	GmailCompose  Scope = "https://www.googleapis.com/auth/gmail.compose"
	GmailSend     Scope = "https://www.googleapis.com/auth/gmail.send"
	GmailLabels   Scope = "https://www.googleapis.com/auth/gmail.labels"

	GoogleOpenID  Scope = "openid"
	GoogleEmail   Scope = "https://www.googleapis.com/auth/userinfo.email"
	GoogleProfile Scope = "https://www.googleapis.com/auth/userinfo.profile"
)

// Google is the Google provider: Google's OAuth 2.0 endpoints for web
// server applications and the Gmail scopes scopegate's tools need.
// Sensitivity follows Google's published classification of Gmail scopes.
var Google = &Provider{
	ID:    "google",
	Title: "Google",
	Endpoints: Endpoints{
		AuthURL:   "https://accounts.google.com/o/oauth2/v2/auth",
		TokenURL:  "https://oauth2.googleapis.com/token",
		RevokeURL: "https://oauth2.googleapis.com/revoke",
	},
	AlwaysRequest: ScopeSet{GoogleOpenID, GoogleEmail},
	// Google reports the OpenID Connect short names in token responses
	// under their long form, and accepts both in requests.
	Aliases: map[Scope]Scope{
		"email":           GoogleEmail,
		"profile":         GoogleProfile,
		"mail.google.com": GmailFull,
	},
	ShortPrefix: "https://www.googleapis.com/auth/",
	Catalog:     concat(googleIdentityScopes, gmailScopes, googleWorkspaceScopes),
}

// gmailScopes are the Gmail scopes, narrowest first.
var gmailScopes = []ScopeInfo{
	{
		Scope:       GmailReadonly,
		Title:       "Read Gmail",
		Explanation: "Search and read your email messages, their attachments and your Gmail settings. It cannot send, change or delete anything.",
		Sensitivity: Restricted,
		CoveredBy:   []Scope{GmailModify, GmailFull},
	},
	{
		Scope:       GmailMetadata,
		Title:       "Read Gmail headers and labels",
		Explanation: "See your messages' headers and labels but never their bodies. Gmail refuses searches with a query under this permission.",
		Sensitivity: Restricted,
		CoveredBy:   []Scope{GmailReadonly, GmailModify, GmailFull},
	},
	{
		Scope:       GmailSend,
		Title:       "Send email",
		Explanation: "Send email from your address. It cannot read, change or delete any message.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{GmailCompose, GmailModify, GmailFull},
	},
	{
		Scope:       GmailCompose,
		Title:       "Write drafts and send email",
		Explanation: "Create, change and send drafts, and send email from your address.",
		Sensitivity: Restricted,
		CoveredBy:   []Scope{GmailModify, GmailFull},
	},
	{
		Scope:       GmailLabels,
		Title:       "Manage Gmail labels",
		Explanation: "See, create and rename your Gmail labels. It cannot read messages.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{GmailModify, GmailFull},
	},
	{
		Scope:       GmailModify,
		Title:       "Read, change and send Gmail",
		Explanation: "Read and send email, change labels, and move messages to the trash. It cannot delete messages permanently.",
		Sensitivity: Restricted,
		CoveredBy:   []Scope{GmailFull},
	},
	{
		Scope:       GmailFull,
		Title:       "Full Gmail access",
		Explanation: "Everything in your mailbox, including deleting messages permanently so they cannot be recovered.",
		Sensitivity: Restricted,
	},
}

// googleIdentityScopes say who the connected account is.
var googleIdentityScopes = []ScopeInfo{
	{
		Scope:       GoogleOpenID,
		Title:       "Sign-in identity",
		Explanation: "Know which Google account you connected, so scopegate can tell accounts apart.",
		Sensitivity: NotSensitive,
	},
	{
		Scope:       GoogleEmail,
		Title:       "Email address",
		Explanation: "See the email address of the Google account you connected.",
		Sensitivity: NotSensitive,
	},
}

func concat(lists ...[]ScopeInfo) []ScopeInfo {
	var out []ScopeInfo
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
