package scopecheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// Revocation says what Revoke did for one grant.
type Revocation struct {
	// Connection is the account's connection key ("slack/user" for a
	// Slack user token).
	Connection string
	// AtProvider is true when the provider confirmed the revocation.
	AtProvider bool
	// Note explains what could not be done at the provider, if anything.
	Note string
}

// Revoke revokes identifier's grants on the named connection: at the
// provider where the provider offers revocation (Google, Slack), and
// always locally, where the tokens are deleted and the account is marked
// revoked. A provider that cannot be reached does not stop the local part;
// the note says so.
func (g *Gate) Revoke(ctx context.Context, identifier, connection string) ([]Revocation, error) {
	conn := g.connectionNamed(connection)
	if conn == nil {
		return nil, fmt.Errorf("no connection named %q", connection)
	}
	keys := []string{conn.Name}
	if len(conn.Provider.TokenTypes) > 0 {
		keys = append(keys, accountKey(conn.Name, registry.UserToken))
	}

	var out []Revocation
	for _, key := range keys {
		acct, err := g.opts.Store.Account(ctx, identifier, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("reading account: %w", err)
		}
		rev := Revocation{Connection: key}
		switch {
		case conn.Endpoints.RevokeURL == "":
			rev.Note = conn.Provider.Title + " offers no revocation endpoint; remove the app's access in your " +
				conn.Provider.Title + " account settings"
		case acct.Token.RefreshToken == "" && acct.Token.AccessToken == "":
			rev.Note = "no token was held"
		default:
			if err := g.revokeAtProvider(ctx, conn, acct.Token); err != nil {
				g.log.Warn("revoking at provider", "connection", key, "err", err)
				rev.Note = "the provider did not confirm: " + err.Error()
			} else {
				rev.AtProvider = true
			}
		}

		acct.Status = store.StatusRevoked
		acct.Token = store.Token{}
		acct.Granted = nil
		acct.UpdatedAt = g.opts.Now()
		if err := g.opts.Store.PutAccount(ctx, acct); err != nil {
			return out, fmt.Errorf("deleting local tokens: %w", err)
		}
		g.log.Info("account revoked", "identifier", identifier, "connection", key, "at_provider", rev.AtProvider)
		out = append(out, rev)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no account on %q", identifier, connection)
	}
	g.toolsChanged(identifier)
	return out, nil
}

// revokeAtProvider calls the provider's revocation endpoint: Google's
// takes the token as a form field (revoking the refresh token revokes the
// whole grant); Slack's auth.revoke takes it as a bearer token and answers
// {"ok": ...}.
func (g *Gate) revokeAtProvider(ctx context.Context, conn *registry.Connection, t store.Token) error {
	token := t.RefreshToken
	if token == "" {
		token = t.AccessToken
	}
	var req *http.Request
	var err error
	if conn.Provider.ID == registry.Slack.ID {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, conn.Endpoints.RevokeURL, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+t.AccessToken)
		}
	} else {
		form := url.Values{"token": {token}}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, conn.Endpoints.RevokeURL, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return fmt.Errorf("building revocation request: %w", err)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s: %w", conn.Provider.Title, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", conn.Provider.Title, resp.Status)
	}
	if conn.Provider.ID == registry.Slack.ID && !strings.Contains(string(body), `"ok":true`) {
		return fmt.Errorf("slack answered %s", truncate(string(body), 100))
	}
	return nil
}
