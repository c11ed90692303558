package scopecheck

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// errNeedsReauth means the account's grant can no longer be used: the
// provider refused the refresh token, or there is none to refresh with.
var errNeedsReauth = errors.New("account needs re-authorization")

// refreshMargin is how long before expiry a token is refreshed. It is
// capped at half the token's remaining life at issue, so a short-lived
// token is not refreshed on every call.
const refreshMargin = time.Minute

func (g *Gate) oauthConfig(conn *registry.Connection) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     conn.ClientID,
		ClientSecret: conn.ClientSecret,
		RedirectURL:  g.redirectURL(conn),
		Endpoint: oauth2.Endpoint{
			AuthURL:  conn.Endpoints.AuthURL,
			TokenURL: conn.Endpoints.TokenURL,
		},
	}
}

func (g *Gate) redirectURL(conn *registry.Connection) string {
	if conn.RedirectURL != "" {
		return conn.RedirectURL
	}
	return g.opts.PublicURL + CallbackPath
}

// withClient makes oauth2 use the gate's HTTP client for token requests.
func (g *Gate) withClient(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, g.client)
}

// authorizedClient returns an HTTP client that sends the account's access
// token, refreshing and saving it first when it is about to expire.
func (g *Gate) authorizedClient(conn *registry.Connection, acct *store.Account, tt registry.TokenType) *http.Client {
	src := &accountTokens{g: g, conn: conn, key: accountKey(conn.Name, tt), identifier: acct.Identifier}
	return &http.Client{Transport: &oauth2.Transport{Source: src, Base: g.client.Transport}}
}

// accountTokens is an oauth2.TokenSource over the store: it always reads the
// newest token, and refreshes under a per-account lock so that concurrent
// calls refresh once.
type accountTokens struct {
	g          *Gate
	conn       *registry.Connection
	key        string // the account's connection key (see accountKey)
	identifier string
}

func (s *accountTokens) Token() (*oauth2.Token, error) {
	mu, _ := s.g.locks.LoadOrStore(s.identifier+"\x00"+s.key, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	ctx := s.g.withClient(context.Background())
	acct, err := s.g.opts.Store.Account(ctx, s.identifier, s.key)
	if err != nil {
		return nil, fmt.Errorf("reading account: %w", err)
	}
	if acct.Status != store.StatusActive {
		return nil, errNeedsReauth
	}
	now := s.g.opts.Now()
	if acct.Token.AccessToken != "" && (acct.Token.Expiry.IsZero() || acct.Token.Expiry.Sub(now) > refreshMargin) {
		return &oauth2.Token{AccessToken: acct.Token.AccessToken, TokenType: acct.Token.TokenType, Expiry: acct.Token.Expiry}, nil
	}
	if acct.Token.RefreshToken == "" {
		s.markNeedsReauth(ctx, acct, "no refresh token")
		return nil, errNeedsReauth
	}

	expired := &oauth2.Token{RefreshToken: acct.Token.RefreshToken, Expiry: now.Add(-time.Hour)}
	fresh, err := s.g.oauthConfig(s.conn).TokenSource(ctx, expired).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			s.markNeedsReauth(ctx, acct, "refresh token refused")
			return nil, errNeedsReauth
		}
		// A timeout, a 5xx or a misconfigured client never clears tokens.
		s.g.log.Warn("token refresh failed", "connection", s.key, "identifier", s.identifier, "err", refreshCause(err))
		return nil, fmt.Errorf("refreshing access token: %s", refreshCause(err))
	}

	acct.Token.AccessToken = fresh.AccessToken
	acct.Token.TokenType = fresh.TokenType
	acct.Token.Expiry = fresh.Expiry
	if fresh.RefreshToken != "" {
		acct.Token.RefreshToken = fresh.RefreshToken
	}
	for _, g := range grantsFromToken(s.conn.Provider, fresh) {
		if accountKey(s.conn.Name, g.TokenType) == s.key && g.HasScope {
			acct.Granted = g.Scopes
		}
	}
	acct.UpdatedAt = now
	if err := s.g.opts.Store.PutAccount(ctx, acct); err != nil {
		return nil, fmt.Errorf("saving refreshed token: %w", err)
	}
	s.g.log.Debug("access token refreshed", "connection", s.key, "identifier", s.identifier)
	return fresh, nil
}

func (s *accountTokens) markNeedsReauth(ctx context.Context, acct *store.Account, why string) {
	s.g.log.Warn("account needs re-authorization", "connection", s.key, "identifier", s.identifier, "why", why)
	acct.Status = store.StatusNeedsReauth
	acct.UpdatedAt = s.g.opts.Now()
	if err := s.g.opts.Store.PutAccount(ctx, acct); err != nil {
		s.g.log.Error("saving account state", "err", err)
	}
}

// refreshCause describes a refresh failure without the response body,
// which may echo credentials.
func refreshCause(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return "provider answered " + re.ErrorCode
		}
		if re.Response != nil {
			return "provider answered " + re.Response.Status
		}
	}
	return publicCause(err)
}
