package scopecheck

import (
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// Paths of the authorization flow on scopegate's web server.
const (
	ConnectPath  = "/connect/"
	CallbackPath = "/oauth/callback"
)

//go:embed pages/*.html
var pageFiles embed.FS

// The pages are parsed when first shown, not when scopegate starts.
var (
	connectPage = sync.OnceValue(func() *template.Template {
		return template.Must(template.ParseFS(pageFiles, "pages/layout.html", "pages/connect.html"))
	})
	resultPage = sync.OnceValue(func() *template.Template {
		return template.Must(template.ParseFS(pageFiles, "pages/layout.html", "pages/result.html"))
	})
)

// Routes registers the authorization flow's pages on mux.
func (g *Gate) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+ConnectPath+"{id}", g.serveConnect)
	mux.HandleFunc("GET "+CallbackPath, g.serveCallback)
}

type connectData struct {
	ID, Title, Provider, Tool string
	// Identifier is the scopegate user the grant will belong to.
	Identifier string
	// Repeats is true when the provider's request names the scopes already
	// held, because its consent replaces the grant.
	Repeats     bool
	Scopes      []MissingScope
	ContinueURL string
	Expires     string
}

type resultData struct {
	ID, Title   string
	Paragraphs  []string
	Granted     []registry.ScopeInfo
	NotGranted  []registry.ScopeInfo
	Unavailable []string
	Return      bool
}

// serveConnect shows what will be requested and why, and links on to the
// provider with state and PKCE.
func (g *Gate) serveConnect(w http.ResponseWriter, r *http.Request) {
	authz, err := g.opts.Store.Authorization(r.Context(), r.PathValue("id"))
	now := g.opts.Now()
	switch {
	case errors.Is(err, store.ErrNotFound):
		g.page(w, http.StatusNotFound, resultData{ID: "unknown-link", Title: "This link is not valid",
			Paragraphs: []string{"scopegate does not know this authorization link. Ask your assistant to try the tool again; it will give you a new link."}})
		return
	case err != nil:
		g.log.Error("reading authorization", "err", err)
		g.page(w, http.StatusInternalServerError, resultData{ID: "error", Title: "Something went wrong",
			Paragraphs: []string{"scopegate could not read this authorization link. Try again in a moment."}})
		return
	case !authz.UsedAt.IsZero():
		g.page(w, http.StatusGone, resultData{ID: "used-link", Title: "This link was already used",
			Paragraphs: []string{"Each authorization link works once. Ask your assistant to try the tool again for a new one."}})
		return
	case now.After(authz.ExpiresAt):
		g.page(w, http.StatusGone, resultData{ID: "expired-link", Title: "This link has expired",
			Paragraphs: []string{"Authorization links are valid for a few minutes. Ask your assistant to try the tool again for a new one."}})
		return
	}
	conn := g.connectionNamed(authz.Connection)
	if conn == nil {
		g.log.Error("authorization names an unknown connection", "connection", authz.Connection)
		g.page(w, http.StatusInternalServerError, resultData{ID: "error", Title: "Something went wrong",
			Paragraphs: []string{"The connection this link is for is no longer configured."}})
		return
	}

	var declined registry.ScopeSet
	var held *store.Account
	if acct, err := g.opts.Store.Account(r.Context(), authz.Identifier, authz.Connection); err == nil {
		declined = acct.Declined
		if acct.Status == store.StatusActive {
			held = acct
		}
	}

	data := connectData{
		ID:          "connect",
		Title:       "Connect " + conn.Provider.Title,
		Provider:    conn.Provider.Title,
		Tool:        authz.Tool,
		Identifier:  authz.Identifier,
		Scopes:      explain(conn.Provider, authz.Scopes, declined),
		ContinueURL: g.authCodeURL(conn, authz, held),
		Repeats:     conn.Provider.ID == registry.Atlassian.ID && held != nil && len(held.Granted) > 0,
		Expires:     authz.ExpiresAt.UTC().Format("15:04 UTC"),
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := connectPage().ExecuteTemplate(w, "layout", data); err != nil {
		g.log.Error("rendering connect page", "err", err)
	}
}

// authCodeURL builds the provider's authorization URL for exactly the
// missing scopes, with each provider's incremental-consent parameters.
// held is the active account the request adds to, or nil.
func (g *Gate) authCodeURL(conn *registry.Connection, authz *store.Authorization, held *store.Account) string {
	p := conn.Provider
	hasRefresh := held != nil && held.Token.RefreshToken != ""
	cfg := g.oauthConfig(conn)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(authz.Verifier)}
	requested := authz.Scopes.Union(p.AlwaysRequest)
	switch p.ID {
	case registry.Google.ID:
		// Google keeps earlier grants with include_granted_scopes, and sends a
		// refresh token to a client it has seen before only with consent.
		opts = append(opts, oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("include_granted_scopes", "true"))
		if !hasRefresh {
			opts = append(opts, oauth2.SetAuthURLParam("prompt", "consent"))
		}
	case registry.Slack.ID:
		// Slack asks for bot scopes in scope and user scopes in user_scope,
		// comma separated; both add to what the installation holds.
		param := "scope"
		if _, tt := splitAccountKey(authz.Connection); tt == registry.UserToken {
			param = "user_scope"
		}
		opts = append(opts, oauth2.SetAuthURLParam(param, p.JoinScopes(authz.Scopes)))
		requested = nil
	case registry.Atlassian.ID:
		// Atlassian needs the API audience, and consent to show the scopes.
		// Its consent has no incremental form: the new token carries only
		// what this request names, so the scopes already held are named too.
		opts = append(opts, oauth2.SetAuthURLParam("audience", "api.atlassian.com"),
			oauth2.SetAuthURLParam("prompt", "consent"))
		if held != nil {
			requested = requested.Union(held.Granted)
		}
	}
	cfg.Scopes = requested.Strings()
	return cfg.AuthCodeURL(authz.State, opts...)
}

// serveCallback completes an authorization: it consumes the state once,
// exchanges the code with the PKCE verifier and records exactly what the
// provider granted.
func (g *Gate) serveCallback(w http.ResponseWriter, r *http.Request) {
	ctx := g.withClient(r.Context())
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		g.page(w, http.StatusBadRequest, resultData{ID: "bad-callback", Title: "This page was opened without an authorization",
			Paragraphs: []string{"The address is missing its state. Start again from the link your assistant gave you."}})
		return
	}
	authz, err := g.opts.Store.ConsumeAuthorization(ctx, state, g.opts.Now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		g.log.Warn("callback refused", "why", "unknown state")
		g.page(w, http.StatusBadRequest, resultData{ID: "unknown-state", Title: "This authorization is not known",
			Paragraphs: []string{"scopegate did not issue this authorization, so nothing was saved. Start again from the link your assistant gave you."}})
		return
	case errors.Is(err, store.ErrAuthorizationUsed):
		g.log.Warn("callback refused", "why", "state replayed")
		g.page(w, http.StatusBadRequest, resultData{ID: "replayed-state", Title: "This authorization was already used",
			Paragraphs: []string{"Each authorization can be used once, so nothing was changed. If a tool still asks for access, ask your assistant for a new link."}})
		return
	case errors.Is(err, store.ErrAuthorizationExpired):
		g.log.Warn("callback refused", "why", "state expired")
		g.page(w, http.StatusBadRequest, resultData{ID: "expired-state", Title: "This authorization expired",
			Paragraphs: []string{"It took longer than the link allows, so nothing was saved. Ask your assistant to try the tool again for a new link."}})
		return
	case err != nil:
		g.log.Error("consuming authorization", "err", err)
		g.page(w, http.StatusInternalServerError, resultData{ID: "error", Title: "Something went wrong",
			Paragraphs: []string{"scopegate could not read this authorization. Nothing was saved."}})
		return
	}
	log := g.log.With("identifier", authz.Identifier, "connection", authz.Connection)
	conn := g.connectionNamed(authz.Connection)
	if conn == nil {
		log.Error("authorization names an unknown connection")
		g.page(w, http.StatusInternalServerError, resultData{ID: "error", Title: "Something went wrong",
			Paragraphs: []string{"The connection this authorization is for is no longer configured."}})
		return
	}

	acct, err := g.opts.Store.Account(ctx, authz.Identifier, authz.Connection)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		log.Error("reading account", "err", err)
		g.page(w, http.StatusInternalServerError, resultData{ID: "error", Title: "Something went wrong",
			Paragraphs: []string{"scopegate could not read the account. Nothing was saved."}})
		return
	}

	if e := q.Get("error"); e != "" {
		g.callbackError(w, r, log, conn, authz, acct, e)
		return
	}
	code := q.Get("code")
	if code == "" {
		defer g.done.complete(authz.ID)
		g.page(w, http.StatusBadRequest, resultData{ID: "bad-callback", Title: "The provider sent no authorization code",
			Paragraphs: []string{"Nothing was saved. Ask your assistant for a new link and try again."}})
		return
	}

	tok, err := g.exchange(ctx, conn, code, authz.Verifier)
	if err != nil {
		// A call waiting on this authorization stops waiting: it is used up.
		defer g.done.complete(authz.ID)
		log.Warn("code exchange failed", "err", refreshCause(err))
		g.page(w, http.StatusBadGateway, resultData{ID: "exchange-failed", Title: conn.Provider.Title + " did not complete the authorization",
			Paragraphs: []string{fmt.Sprintf("%s refused to exchange the authorization code (%s). Nothing was saved. Ask your assistant for a new link.",
				conn.Provider.Title, refreshCause(err))}})
		return
	}
	g.completeAuthorization(w, r, conn, authz, acct, tok)
}

func (g *Gate) completeAuthorization(w http.ResponseWriter, r *http.Request, conn *registry.Connection,
	authz *store.Authorization, acct *store.Account, tok *oauth2.Token) {
	defer g.done.complete(authz.ID) // after the account is saved, whatever the outcome
	ctx := r.Context()
	log := g.log.With("identifier", authz.Identifier, "connection", authz.Connection)
	now := g.opts.Now()

	// Every grant in the response is checked before anything is saved.
	grants := grantsFromToken(conn.Provider, tok)
	accounts := make([]*store.Account, len(grants))
	for i, gr := range grants {
		key := accountKey(conn.Name, gr.TokenType)
		existing := acct
		if key != authz.Connection {
			var err error
			if existing, err = g.opts.Store.Account(ctx, authz.Identifier, key); err != nil {
				existing = nil
			}
		}
		if existing != nil && existing.ProviderAccount != "" && gr.Account != "" &&
			!strings.EqualFold(existing.ProviderAccount, gr.Account) {
			log.Warn("authorization refused", "why", "different provider account")
			g.auditConsent(ctx, authz.Identifier, authz.Connection, authz.Scopes, nil, nil, "wrong_account")
			g.page(w, http.StatusConflict, resultData{ID: "wrong-account", Title: "That is a different account",
				Paragraphs: []string{fmt.Sprintf("This connection belongs to %s, but you signed in as %s. Nothing was changed. "+
					"Sign in to %s with the connected account, or revoke the connection first.",
					existing.ProviderAccount, gr.Account, conn.Provider.Title)}})
			return
		}
		accounts[i] = g.nextAccount(existing, authz, conn, key, gr, now)
	}

	var granted registry.ScopeSet
	found := false
	for _, a := range accounts {
		if a.Connection == authz.Connection {
			granted, found = a.Granted, true
		}
	}
	notGranted := authz.Scopes.Minus(granted)
	// A provider whose consent replaces the grant (Atlassian) may come back
	// without scopes the account held; they count as not granted too.
	if acct != nil && acct.Status == store.StatusActive && found {
		notGranted = notGranted.Union(acct.Granted.Minus(granted).Minus(conn.Provider.AlwaysRequest))
	}
	if !found {
		log.Warn("token response carried no token for the requested grant")
		g.recordDeclined(ctx, acct, authz, conn, notGranted, now)
	}
	for _, a := range accounts {
		if a.Connection == authz.Connection {
			a.Declined = a.Declined.Union(notGranted).Minus(a.Granted)
			if len(notGranted) > 0 {
				a.DeclinedAt = now
			}
		}
		if err := g.opts.Store.PutAccount(ctx, a); err != nil {
			log.Error("saving account", "err", err)
			g.page(w, http.StatusInternalServerError, resultData{ID: "error", Title: "Something went wrong",
				Paragraphs: []string{"The authorization worked but scopegate could not save it. Ask your assistant for a new link."}})
			return
		}
	}
	outcome := "granted"
	if len(notGranted) > 0 {
		outcome = "partial"
	}
	g.auditConsent(ctx, authz.Identifier, authz.Connection, authz.Scopes, granted, notGranted, outcome)
	g.toolsChanged(authz.Identifier)

	data := resultData{ID: "connected", Return: true, Title: conn.Provider.Title + " is connected",
		Granted:    g.describe(conn, authz.Scopes.Intersect(granted)),
		NotGranted: g.describe(conn, notGranted),
	}
	if len(notGranted) > 0 {
		data.ID = "partial"
		data.Title = conn.Provider.Title + " is connected, with less than was asked"
		_, tt := splitAccountKey(authz.Connection)
		data.Unavailable = g.unavailableTools(conn, tt, granted, notGranted)
	}
	g.page(w, http.StatusOK, data)
}

// nextAccount is existing (nil when new) after the grant gr: active, with
// the new token, and the grant the provider reported. A response without a
// scope field leaves an active account's grant as it was; with one, the
// grant is replaced and may shrink.
func (g *Gate) nextAccount(existing *store.Account, authz *store.Authorization, conn *registry.Connection,
	key string, gr tokenGrant, now time.Time) *store.Account {
	next := store.Account{Identifier: authz.Identifier, Connection: key, CreatedAt: now}
	if existing != nil {
		next = *existing
	}
	switch {
	case gr.HasScope:
		next.Granted = gr.Scopes
	case existing == nil || existing.Status != store.StatusActive:
		g.log.Warn("token response carried no scope; recording an empty grant", "connection", key)
		next.Granted = nil
	}
	next.Status = store.StatusActive
	refresh := next.Token.RefreshToken
	next.Token = gr.Token
	if next.Token.RefreshToken == "" {
		next.Token.RefreshToken = refresh
	}
	if gr.Account != "" {
		next.ProviderAccount = gr.Account
	}
	next.UpdatedAt = now
	return &next
}

// callbackError handles the provider's error redirect. A denial is
// recorded so the next request says the user declined before.
func (g *Gate) callbackError(w http.ResponseWriter, r *http.Request, log interface{ Info(string, ...any) },
	conn *registry.Connection, authz *store.Authorization, acct *store.Account, code string) {
	defer g.done.complete(authz.ID)
	if code != "access_denied" {
		log.Info("provider returned an error to the callback", "error", code)
		g.page(w, http.StatusBadGateway, resultData{ID: "provider-error", Title: conn.Provider.Title + " reported a problem",
			Paragraphs: []string{fmt.Sprintf("%s answered %q: %s. Nothing was saved.", conn.Provider.Title, code,
				truncate(r.URL.Query().Get("error_description"), 200))}})
		return
	}

	g.recordDeclined(r.Context(), acct, authz, conn, authz.Scopes, g.opts.Now())
	g.auditConsent(r.Context(), authz.Identifier, authz.Connection, authz.Scopes, nil, authz.Scopes, "denied")
	g.toolsChanged(authz.Identifier)

	var kept registry.ScopeSet
	if acct != nil && acct.Status == store.StatusActive {
		kept = acct.Granted
	}
	_, tt := splitAccountKey(authz.Connection)
	g.page(w, http.StatusOK, resultData{ID: "denied", Return: true, Title: "You declined",
		Paragraphs:  []string{"Nothing was granted, and what you granted before is unchanged."},
		NotGranted:  g.describe(conn, authz.Scopes),
		Unavailable: g.unavailableTools(conn, tt, kept, authz.Scopes),
	})
}

// recordDeclined notes on the account (created as pending when there is
// none) that the user did not grant declined.
func (g *Gate) recordDeclined(ctx context.Context, acct *store.Account, authz *store.Authorization,
	conn *registry.Connection, declined registry.ScopeSet, now time.Time) {
	next := store.Account{Identifier: authz.Identifier, Connection: authz.Connection, Status: store.StatusPending, CreatedAt: now}
	if acct != nil {
		next = *acct
	}
	next.Declined = next.Declined.Union(declined)
	next.DeclinedAt = now
	next.UpdatedAt = now
	if err := g.opts.Store.PutAccount(ctx, &next); err != nil {
		g.log.Error("saving declined scopes", "connection", conn.Name, "err", err)
	}
}

func (g *Gate) describe(conn *registry.Connection, set registry.ScopeSet) []registry.ScopeInfo {
	out := make([]registry.ScopeInfo, len(set))
	for i, s := range set {
		out[i] = conn.Provider.Describe(s)
	}
	return out
}

// unavailableTools lists the connection's tools of token type tt that
// grant does not meet but that the scopes not granted would have unlocked.
func (g *Gate) unavailableTools(conn *registry.Connection, tt registry.TokenType, grant, notGranted registry.ScopeSet) []string {
	var out []string
	with := grant.Union(notGranted)
	for _, t := range g.opts.Tools {
		if t.Provider == conn.Provider.ID && accountKey("", t.TokenType) == accountKey("", tt) &&
			!t.Requirement.Satisfied(grant) && t.Requirement.Satisfied(with) {
			out = append(out, t.Name)
		}
	}
	return out
}

func (g *Gate) page(w http.ResponseWriter, status int, data resultData) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := resultPage().ExecuteTemplate(w, "layout", data); err != nil {
		g.log.Error("rendering page", "err", err)
	}
}

// emailFromIDToken reads the email claim of an OpenID Connect ID token that
// came straight from the provider's token endpoint over TLS, which OpenID
// Connect Core 1.0 section 3.1.3.7 accepts in place of checking the
// signature. It returns "" when there is none.
func emailFromIDToken(v any) string {
	raw, _ := v.(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Email string `json:"email"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Email
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
