package scopecheck

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
)

// exchange trades an authorization code for tokens at the provider.
func (g *Gate) exchange(ctx context.Context, conn *registry.Connection, code, verifier string) (*oauth2.Token, error) {
	if conn.Provider.ID == registry.Slack.ID {
		return g.slackExchange(ctx, conn, code, verifier)
	}
	return g.oauthConfig(conn).Exchange(ctx, code, oauth2.VerifierOption(verifier))
}

// slackExchange calls Slack's oauth.v2.access. Slack answers errors with
// HTTP 200 and {"ok": false, "error": ...}, and a grant of user scopes
// alone has no top-level access token, two things a generic OAuth client
// treats as failures or misses; so the response is read here, and its
// fields are kept as the token's extras.
func (g *Gate) slackExchange(ctx context.Context, conn *registry.Connection, code, verifier string) (*oauth2.Token, error) {
	form := url.Values{
		"code":          {code},
		"redirect_uri":  {g.redirectURL(conn)},
		"client_id":     {conn.ClientID},
		"client_secret": {conn.ClientSecret},
		"code_verifier": {verifier},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, conn.Endpoints.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("building token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("exchanging code: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading token response: %w", err)
	}
	return parseSlackToken(resp, body)
}

// parseSlackToken reads an oauth.v2.access answer into a token whose
// extras hold the whole response (scope, authed_user, team, ...).
func parseSlackToken(resp *http.Response, body []byte) (*oauth2.Token, error) {
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil || resp.StatusCode != http.StatusOK {
		return nil, &oauth2.RetrieveError{Response: resp, Body: body}
	}
	if ok, _ := raw["ok"].(bool); !ok {
		code, _ := raw["error"].(string)
		return nil, &oauth2.RetrieveError{Response: resp, Body: body, ErrorCode: code}
	}
	tok := &oauth2.Token{}
	tok.AccessToken, _ = raw["access_token"].(string)
	tok.RefreshToken, _ = raw["refresh_token"].(string)
	tok.TokenType, _ = raw["token_type"].(string)
	if secs, ok := raw["expires_in"].(float64); ok && secs > 0 {
		tok.Expiry = time.Now().Add(time.Duration(secs) * time.Second)
	}
	return tok.WithExtra(raw), nil
}
