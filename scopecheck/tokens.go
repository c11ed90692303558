package scopecheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// errNeedsReauth means the account's grant can no longer be used: the
// provider refused the refresh token, or there is none to refresh with.
var errNeedsReauth = errors.New("account needs re-authorization")

// refreshMargin is how long before expiry a token is refreshed. For a
// short-lived token it shrinks to a quarter of the token's lifetime, so the
// token is not refreshed on every call.
const refreshMargin = time.Minute

// margin returns how long before expiry the account's token is refreshed.
func margin(t store.Token, savedAt time.Time) time.Duration {
	if savedAt.IsZero() || !t.Expiry.After(savedAt) {
		return refreshMargin
	}
	return min(refreshMargin, t.Expiry.Sub(savedAt)/4)
}

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
//
// When the provider answers 401, the token is refreshed and the request
// sent once more. A 429 with a short Retry-After is waited out and retried,
// at most twice, for read-only tools; otherwise the 429 reaches the tool,
// which tells the agent when to try again.
func (g *Gate) authorizedClient(conn *registry.Connection, acct *store.Account, tool registry.Tool) *http.Client {
	base := g.client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// The client, its transport and its token source are one allocation;
	// the connections themselves come from base, shared by every call.
	a := &authorizedCall{}
	a.src = accountTokens{g: g, conn: conn, key: accountKey(conn.Name, tool.TokenType), identifier: acct.Identifier}
	a.src.read.Store(acct)
	a.transport = retryTransport{src: &a.src, base: base, reads: tool.Annotations.ReadOnly}
	a.client = http.Client{Transport: &a.transport, CheckRedirect: sameHostRedirect}
	return &a.client
}

// authorizedCall is what authorizedClient builds for one call.
type authorizedCall struct {
	client    http.Client
	transport retryTransport
	src       accountTokens
}

// sameHostRedirect follows redirects on the provider's API host only. The
// token is for that host: a redirect elsewhere (a download link) is
// returned to the tool, not followed with it.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Host != via[0].URL.Host {
		return http.ErrUseLastResponse
	}
	return nil
}

// retryTransport adds the bearer token and retries as authorizedClient
// describes.
type retryTransport struct {
	src   *accountTokens
	base  http.RoundTripper
	reads bool
}

// maxRateWait is the longest Retry-After a read waits out.
const maxRateWait = 10 * time.Second

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	refreshed, rateRetries := false, 0
	for {
		tok, err := t.src.accessToken()
		if err != nil {
			return nil, err
		}
		r, err := cloneRequest(req)
		if err != nil {
			return nil, err
		}
		// Every provider here takes a bearer token; Slack's token responses
		// say "bot" or "user" as the token type, which is not an HTTP scheme.
		r.Header.Set("Authorization", "Bearer "+tok)
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			return nil, err
		}

		replayable := req.Body == nil || req.GetBody != nil
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !refreshed && replayable:
			drain(resp)
			refreshed = true
			t.src.stale = tok
			t.src.g.log.Info("provider refused the access token; refreshing once", "connection", t.src.key)
			continue
		case resp.StatusCode == http.StatusTooManyRequests && t.reads && rateRetries < 2 && replayable:
			wait, ok := retryAfter(resp.Header.Get("Retry-After"))
			if !ok || wait > maxRateWait {
				return resp, nil
			}
			drain(resp)
			rateRetries++
			t.src.g.log.Info("provider rate limit; waiting before retrying", "connection", t.src.key, "wait", wait)
			select {
			case <-time.After(wait):
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
			continue
		}
		return resp, nil
	}
}

// cloneRequest copies req for one attempt: its own header, so that the
// token is set on the copy only, and its own body when it can be replayed.
// A RoundTripper must not change the request it is given.
func cloneRequest(req *http.Request) (*http.Request, error) {
	r := new(http.Request)
	*r = *req
	r.Header = req.Header.Clone()
	if r.Header == nil {
		r.Header = make(http.Header, 1)
	}
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("replaying request body: %w", err)
		}
		r.Body = body
	}
	return r, nil
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(at)), true
	}
	return 0, false
}

// accountTokens gives the access token of one account: it always reads the
// newest token, and refreshes under a per-account lock so that concurrent
// calls refresh once: a mutex in this process and, when the store is a
// store.AccountLocker, the store's lock across processes.
type accountTokens struct {
	g          *Gate
	conn       *registry.Connection
	key        string // the account's connection key (see accountKey)
	identifier string
	// stale is an access token the provider refused; the next accessToken
	// call refreshes instead of returning it.
	stale string
	// read is the account as the gate just read it for its decision; the
	// first accessToken call uses its token when it is still good, instead
	// of reading the store again.
	read atomic.Pointer[store.Account]
}

// accessToken returns the access token to send, refreshing it first when
// needed.
func (s *accountTokens) accessToken() (string, error) {
	// The account the gate just read needs no lock: its token is used only
	// while it is outside the refresh margin, and nothing is written.
	if acct := s.read.Swap(nil); acct != nil {
		if usable(acct, s.stale, s.g.opts.Now()) {
			return acct.Token.AccessToken, nil
		}
	}
	tok, err := s.Token()
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// Token reads the account's token from the store and refreshes it when it
// is about to expire or was refused, under the account's lock.
func (s *accountTokens) Token() (*oauth2.Token, error) {
	unlock := s.g.lockAccountHere(s.identifier, s.key)
	defer unlock()

	ctx := s.g.withClient(context.Background())
	tok, acct, err := s.current(ctx)
	if tok != nil || err != nil {
		return tok, err
	}
	// A store that several processes share locks the account across them
	// too; once it is held, another process may have refreshed already.
	if l, ok := s.g.opts.Store.(store.AccountLocker); ok {
		unlock, err := l.LockAccount(ctx, s.identifier, s.key)
		if err != nil {
			return nil, fmt.Errorf("refreshing access token: %w", err)
		}
		defer unlock()
		if tok, acct, err = s.current(ctx); tok != nil || err != nil {
			return tok, err
		}
	}
	return s.refresh(ctx, acct)
}

// lockAccountHere takes the account's lock in this process and returns
// the function that releases it.
func (g *Gate) lockAccountHere(identifier, key string) func() {
	lockKey := identifier + "\x00" + key
	mu, ok := g.locks.Load(lockKey)
	if !ok {
		mu, _ = g.locks.LoadOrStore(lockKey, new(sync.Mutex))
	}
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// markRevoked records that the provider no longer accepts the access token
// acct held: the account needs a new authorization. It works under the
// account's locks on a fresh read, and changes nothing when the account
// has moved on meanwhile (a new authorization, a refresh, a removal). It
// returns the account as it now stands, nil when there is none.
func (g *Gate) markRevoked(ctx context.Context, log *slog.Logger, acct *store.Account) (*store.Account, error) {
	defer g.lockAccountHere(acct.Identifier, acct.Connection)()
	if l, ok := g.opts.Store.(store.AccountLocker); ok {
		unlock, err := l.LockAccount(ctx, acct.Identifier, acct.Connection)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	cur, err := g.opts.Store.Account(ctx, acct.Identifier, acct.Connection)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case cur.Status != store.StatusActive || cur.Token.AccessToken != acct.Token.AccessToken:
		return cur, nil
	}
	log.Warn("account needs re-authorization", "why", "provider no longer accepts the token")
	cur.Status = store.StatusNeedsReauth
	cur.UpdatedAt = g.opts.Now()
	if err := g.opts.Store.PutAccount(ctx, cur); err != nil {
		return nil, err
	}
	g.toolsChanged(acct.Identifier)
	return cur, nil
}

// current reads the account and returns its token when it can be used as
// it is, or else the account, whose token needs a refresh.
func (s *accountTokens) current(ctx context.Context) (*oauth2.Token, *store.Account, error) {
	acct, err := s.g.opts.Store.Account(ctx, s.identifier, s.key)
	if err != nil {
		return nil, nil, fmt.Errorf("reading account: %w", err)
	}
	if acct.Status != store.StatusActive {
		return nil, nil, errNeedsReauth
	}
	if usable(acct, s.stale, s.g.opts.Now()) {
		t := acct.Token
		return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: t.Expiry}, nil, nil
	}
	return nil, acct, nil
}

// usable reports whether the account's access token can be sent: the
// account is active, the token is not the stale one, and it is not within
// the refresh margin of its expiry.
func usable(acct *store.Account, stale string, now time.Time) bool {
	t := acct.Token
	if acct.Status != store.StatusActive || t.AccessToken == "" || (stale != "" && t.AccessToken == stale) {
		return false
	}
	return t.Expiry.IsZero() || t.Expiry.Sub(now) > margin(t, acct.UpdatedAt)
}

// refresh obtains a new access token for acct and saves it.
func (s *accountTokens) refresh(ctx context.Context, acct *store.Account) (*oauth2.Token, error) {
	now := s.g.opts.Now()
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
