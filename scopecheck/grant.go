package scopecheck

import (
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// tokenGrant is what one token response says about one token type: the
// token itself and, when the response said so, the scopes it carries.
type tokenGrant struct {
	TokenType registry.TokenType
	Token     store.Token
	// Scopes is the granted set; meaningful only when HasScope is true. A
	// response without a scope field leaves the stored grant as it was.
	Scopes   registry.ScopeSet
	HasScope bool
	// Account names the provider account, when the response says.
	Account string
}

// grantsFromToken reads the grants in a token or refresh response, in each
// provider's real shape:
//
//   - Google: "scope" space separated, earlier grants included after
//     incremental consent; the account from the ID token's email.
//   - Microsoft: "scope" with or without the Graph resource prefix, any
//     case; offline_access shows as a refresh token, not always in "scope".
//   - Slack (OAuth v2): bot scopes comma separated at the top level, the
//     user's token and scopes under "authed_user", kept as two grants.
//   - Atlassian: "scope" space separated.
func grantsFromToken(p *registry.Provider, tok *oauth2.Token) []tokenGrant {
	if p.ID == registry.Slack.ID {
		return slackGrants(p, tok)
	}
	g := tokenGrant{Token: storeToken(tok)}
	if scope, ok := tok.Extra("scope").(string); ok {
		g.Scopes, g.HasScope = p.ParseGrant(scope), true
		if p.ID == registry.Microsoft.ID && tok.RefreshToken != "" {
			g.Scopes = g.Scopes.Union(registry.ScopeSet{"offline_access"})
		}
	}
	g.Account = emailFromIDToken(tok.Extra("id_token"))
	return []tokenGrant{g}
}

// slackGrants splits Slack's oauth.v2.access response into the bot grant
// (top level) and the user grant (authed_user). Either may be absent.
func slackGrants(p *registry.Provider, tok *oauth2.Token) []tokenGrant {
	var out []tokenGrant
	if tok.AccessToken != "" {
		g := tokenGrant{TokenType: registry.BotToken, Token: storeToken(tok)}
		if scope, ok := tok.Extra("scope").(string); ok {
			g.Scopes, g.HasScope = p.ParseGrant(scope), true
		}
		if team, ok := tok.Extra("team").(map[string]any); ok {
			g.Account, _ = team["id"].(string)
		}
		out = append(out, g)
	}
	if u, ok := tok.Extra("authed_user").(map[string]any); ok {
		access, _ := u["access_token"].(string)
		if access != "" {
			g := tokenGrant{TokenType: registry.UserToken}
			g.Token.AccessToken = access
			g.Token.RefreshToken, _ = u["refresh_token"].(string)
			g.Token.TokenType, _ = u["token_type"].(string)
			if secs, ok := u["expires_in"].(float64); ok && secs > 0 {
				g.Token.Expiry = time.Now().Add(time.Duration(secs) * time.Second)
			}
			if scope, ok := u["scope"].(string); ok {
				g.Scopes, g.HasScope = p.ParseGrant(scope), true
			}
			g.Account, _ = u["id"].(string)
			out = append(out, g)
		}
	}
	return out
}

func storeToken(tok *oauth2.Token) store.Token {
	return store.Token{
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		TokenType:    tok.TokenType,
		Expiry:       tok.Expiry,
	}
}

// accountKey is the store's connection key for a token type: the
// connection's name, with "/user" added for Slack user tokens, so a Slack
// connection keeps its bot and user grants apart.
func accountKey(conn string, tt registry.TokenType) string {
	if tt == registry.UserToken {
		return conn + "/user"
	}
	return conn
}

// splitAccountKey reverses accountKey.
func splitAccountKey(key string) (conn string, tt registry.TokenType) {
	if name, ok := strings.CutSuffix(key, "/user"); ok {
		return name, registry.UserToken
	}
	return key, ""
}
