// Package oauthsim holds the OAuth 2.0 mechanics the sandbox providers share: PKCE, client
// credentials, redirect URIs, HTML pages and server defaults. Each provider keeps its own
// answers (status codes, error names and wording); only the logic that is the same for
// all of them lives here.
package oauthsim
