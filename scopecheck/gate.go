package scopecheck

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// Options configure a Gate. Store, Connections and PublicURL are required.
type Options struct {
	Store store.Store
	// Connections are the configured OAuth clients; a tool uses the first
	// connection of its provider.
	Connections []*registry.Connection
	// Tools are the served tools, used by pages to say which tools a grant
	// unlocks.
	Tools []registry.Tool
	// PublicURL is where people reach scopegate's web server, such as
	// "http://127.0.0.1:8765". Authorization links start with it.
	PublicURL string
	// LinkTTL is how long an authorization link stays valid; zero means
	// ten minutes.
	LinkTTL time.Duration
	// HTTPClient sends requests to providers (token exchanges and API
	// calls); nil means http.DefaultClient.
	HTTPClient *http.Client
	// Logger receives the gate's decisions; nil means silent.
	Logger *slog.Logger
	// Audit, when set, also receives one record per gate decision and per
	// consent outcome (see AuditDecision and AuditConsent), for example a
	// JSON-lines file. The records always go to Logger too.
	Audit *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Elicitation says whether a call that needs authorization asks the
	// client, through a URL-mode elicitation, to open the link and then
	// waits to run the tool (see ElicitationMode). The zero value means
	// ElicitationAuto.
	Elicitation ElicitationMode
}

// Gate decides, for every tool call, whether the user's grant suffices,
// and runs the OAuth flow that obtains what is missing.
type Gate struct {
	opts   Options
	log    *slog.Logger
	client *http.Client
	locks  sync.Map // account key -> *sync.Mutex, one token refresh at a time
	watch  toolListWatch
	// done wakes the calls that wait, through a URL elicitation, for an
	// authorization to complete.
	done completions
}

// New returns a Gate. It panics when a required option is missing, a
// setup error.
func New(opts Options) *Gate {
	if opts.Store == nil || opts.PublicURL == "" {
		panic("scopecheck: Options.Store and Options.PublicURL are required")
	}
	if opts.LinkTTL == 0 {
		opts.LinkTTL = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	g := &Gate{opts: opts, log: opts.Logger, client: opts.HTTPClient}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.client == nil {
		g.client = http.DefaultClient
	}
	return g
}

// Connection returns the connection that serves provider p, or nil.
func (g *Gate) Connection(p registry.ProviderID) *registry.Connection {
	for _, c := range g.opts.Connections {
		if c.Provider.ID == p {
			return c
		}
	}
	return nil
}

// connectionNamed returns the connection of a connection name or account
// key (see accountKey), or nil.
func (g *Gate) connectionNamed(name string) *registry.Connection {
	name, _ = splitAccountKey(name)
	for _, c := range g.opts.Connections {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Decision is the gate's verdict on one call.
type Decision struct {
	Allowed bool
	// Reason is one of the Reason constants when Allowed is false.
	Reason string
	// Missing are the scopes to request: what the least privileged
	// alternative still lacks.
	Missing registry.ScopeSet
}

// Decide compares a requirement with an account's state. acct may be nil
// (not connected). It fails closed: an empty requirement or an account in
// a state it does not know is never allowed. It does not allocate when the
// call is allowed.
func Decide(r registry.Requirement, acct *store.Account) Decision {
	if len(r) == 0 {
		return Decision{Reason: "no_requirement"}
	}
	if acct == nil {
		return Decision{Reason: ReasonNotConnected, Missing: r[0]}
	}
	switch acct.Status {
	case store.StatusActive:
	case store.StatusPending:
		return Decision{Reason: ReasonNotConnected, Missing: r[0]}
	case store.StatusRevoked:
		return Decision{Reason: ReasonRevoked, Missing: r[0]}
	default:
		return Decision{Reason: ReasonNeedsReauth, Missing: r[0]}
	}
	met, missing := r.Check(acct.Granted)
	if met >= 0 {
		return Decision{Allowed: true}
	}
	return Decision{Reason: ReasonMissingScopes, Missing: missing}
}

// Handler wraps tool's handler with the gate: it validates the arguments,
// finds the caller's account, and either runs the tool with an authorized
// HTTP client or answers with an authorization-required result.
func (g *Gate) Handler(tool registry.Tool) server.ToolHandlerFunc {
	conn := g.Connection(tool.Provider)
	var key string
	if conn != nil {
		key = accountKey(conn.Name, tool.TokenType)
	}
	toolLog := g.log.With("tool", tool.Name)
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args := rawArguments(req)
		run, err := bind(tool, args)
		if err != nil {
			return toolError(err), nil
		}

		log := toolLog
		id := IdentifierFrom(ctx)
		if id == "" {
			log.Warn("tool call refused", "why", "no identifier on the session")
			g.auditDecision(ctx, tool, "", "", nil, decisionRefused, "no_identifier", nil)
			return mcp.NewToolResultError("scopegate could not tell which user is calling, so nothing was sent. " +
				"The server's identity configuration needs fixing."), nil
		}
		if conn == nil {
			log.Warn("tool call refused", "why", "no connection for provider", "provider", tool.Provider)
			g.auditDecision(ctx, tool, id, "", nil, decisionRefused, "no_connection", nil)
			return mcp.NewToolResultError(fmt.Sprintf("No %s connection is configured in scopegate, so %s cannot run. "+
				"Add one to the configuration.", tool.Provider, tool.Name)), nil
		}
		// A logger that records nothing gets no per-call attributes.
		if log.Enabled(ctx, slog.LevelError) {
			log = log.With("identifier", id, "connection", key)
		}
		log.Debug("tool call received")

		acct, err := g.opts.Store.Account(ctx, id, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
			acct = nil
		case err != nil:
			log.Error("tool call refused", "why", "reading account", "err", err)
			g.auditDecision(ctx, tool, id, key, nil, decisionRefused, "store_unreadable", nil)
			return mcp.NewToolResultError("scopegate could not read the connection state, so nothing was sent. Try again shortly."), nil
		}

		d := Decide(tool.Requirement, acct)
		if !d.Allowed {
			g.auditDecision(ctx, tool, id, key, acct, decisionAuthorization, d.Reason, d.Missing)
			return g.authorizeAndRun(ctx, log, tool, conn, acct, d, args)
		}
		g.auditDecision(ctx, tool, id, key, acct, decisionAllowed, "granted", nil)
		return g.runBound(ctx, log, tool, conn, acct, run)
	}
}

// bind checks a call's arguments and returns the tool's run with them,
// decoded once when the tool can (registry.Tool.Bind).
func bind(tool registry.Tool, args json.RawMessage) (registry.Bound, error) {
	if tool.Bind != nil {
		return tool.Bind(args)
	}
	if err := tool.Validate(args); err != nil {
		return nil, err
	}
	return func(ctx context.Context, call *registry.Call) (registry.Result, error) {
		return tool.Handler(ctx, call, args)
	}, nil
}

// run runs the tool with arguments that are still raw JSON, checking them
// again.
func (g *Gate) run(ctx context.Context, log *slog.Logger, tool registry.Tool,
	conn *registry.Connection, acct *store.Account, args json.RawMessage) (*mcp.CallToolResult, error) {
	run, err := bind(tool, args)
	if err != nil {
		return toolError(err), nil
	}
	return g.runBound(ctx, log, tool, conn, acct, run)
}

// runBound runs the tool with the account's authorized client and shapes
// its answer or failure.
func (g *Gate) runBound(ctx context.Context, log *slog.Logger, tool registry.Tool,
	conn *registry.Connection, acct *store.Account, run registry.Bound) (*mcp.CallToolResult, error) {
	call := &registry.Call{
		HTTP:       g.authorizedClient(conn, acct, tool),
		APIBaseURL: conn.Endpoints.APIBaseURL,
		Identifier: acct.Identifier,
		Site:       conn.Site,
		Logger:     log,
	}
	res, err := run(ctx, call)
	if err == nil {
		log.Debug("tool call done")
		return &mcp.CallToolResult{
			Content:           []mcp.Content{mcp.NewTextContent(res.Text)},
			StructuredContent: res.Structured,
		}, nil
	}

	var scopeErr *registry.ScopeError
	var toolErr *registry.ToolError
	var revoked *registry.RevokedError
	switch {
	case errors.As(err, &scopeErr):
		return g.providerRefused(ctx, log, tool, conn, acct, scopeErr)
	case errors.As(err, &revoked):
		log.Info("provider refused the token", "detail", revoked.Detail)
		fresh, err := g.markRevoked(ctx, log, acct)
		if err != nil {
			log.Error("tool call refused", "why", "recording the refused token", "err", err)
			return mcp.NewToolResultError(fmt.Sprintf("%s no longer accepts the saved authorization, and scopegate "+
				"could not record it. Try again shortly.", conn.Provider.Title)), nil
		}
		d := Decide(tool.Requirement, fresh)
		if d.Allowed {
			// Renewed meanwhile, by another call's authorization.
			return mcp.NewToolResultError(fmt.Sprintf("%s refused the authorization this call used, which was "+
				"renewed meanwhile; nothing was done. Call %s again.", conn.Provider.Title, tool.Name)), nil
		}
		return g.authorizationRequired(ctx, tool, conn, fresh, d)
	case errors.Is(err, errNeedsReauth):
		fresh, _ := g.opts.Store.Account(ctx, acct.Identifier, acct.Connection)
		d := Decide(tool.Requirement, fresh)
		if d.Allowed { // fail closed if the store disagrees
			d = Decision{Reason: ReasonNeedsReauth, Missing: tool.Requirement[0]}
		}
		return g.authorizationRequired(ctx, tool, conn, fresh, d)
	case errors.As(err, &toolErr):
		log.Info("tool call failed", "status", toolErr.Status, "err", toolErr.Message)
		return mcp.NewToolResultError(toolErr.Message), nil
	case ctx.Err() != nil:
		return mcp.NewToolResultError("The call was cancelled before it finished; it may or may not have taken effect."), nil
	default:
		log.Error("tool call failed", "err", err)
		return mcp.NewToolResultError(fmt.Sprintf("scopegate could not complete the call to %s: %s. "+
			"It may not have taken effect; check before trying again.", conn.Provider.Title, publicCause(err))), nil
	}
}

// providerRefused handles a provider's "missing scope" answer: the stored
// grant was wrong, so the scopes that should have sufficed are removed from
// it and the user is asked again.
func (g *Gate) providerRefused(ctx context.Context, log *slog.Logger, tool registry.Tool,
	conn *registry.Connection, acct *store.Account, se *registry.ScopeError) (*mcp.CallToolResult, error) {
	met, _ := tool.Requirement.Check(acct.Granted)
	wrong := se.Missing
	if met >= 0 {
		wrong = wrong.Union(tool.Requirement[met])
	}
	log.Warn("provider refused a granted scope; correcting the stored grant",
		"detail", se.Detail, "removed_scopes", wrong.Strings())

	fixed := *acct
	fixed.Granted = acct.Granted.Minus(wrong)
	fixed.UpdatedAt = g.opts.Now()
	if err := g.opts.Store.PutAccount(ctx, &fixed); err != nil {
		log.Error("saving corrected grant", "err", err)
	}
	d := Decide(tool.Requirement, &fixed)
	if d.Allowed {
		d = Decision{Reason: ReasonProviderRefused, Missing: tool.Requirement[0]}
	} else {
		d.Reason = ReasonProviderRefused
	}
	return g.authorizationRequired(ctx, tool, conn, &fixed, d)
}

// authorizationRequired issues a link for the missing scopes and shapes the
// result. The provider is not called.
func (g *Gate) authorizationRequired(ctx context.Context, tool registry.Tool, conn *registry.Connection,
	acct *store.Account, d Decision) (*mcp.CallToolResult, error) {
	ar, _, failed := g.requireAuthorization(ctx, tool, conn, acct, d)
	if failed != nil {
		return failed, nil
	}
	return ar.toResult(), nil
}

// requireAuthorization issues a link for the missing scopes and describes
// it. When no link can be issued, it returns the error result to answer
// with instead.
func (g *Gate) requireAuthorization(ctx context.Context, tool registry.Tool, conn *registry.Connection,
	acct *store.Account, d Decision) (*AuthorizationRequired, *store.Authorization, *mcp.CallToolResult) {
	log := g.log.With("tool", tool.Name, "connection", conn.Name)
	if !conn.Allows(d.Missing) {
		log.Warn("tool call refused", "why", "missing scopes are outside the connection's ceiling",
			"missing_scopes", d.Missing.Strings())
		return nil, nil, mcp.NewToolResultError(fmt.Sprintf("%s needs %s, which the %q connection is not configured to request. "+
			"Ask the administrator to add it to that connection's scopes.", tool.Name, d.Missing, conn.Name))
	}

	authz, err := g.issue(ctx, IdentifierFrom(ctx), conn, tool.TokenType, tool.Name, d.Missing)
	if err != nil {
		log.Error("creating authorization link", "err", err)
		return nil, nil, mcp.NewToolResultError("scopegate could not create an authorization link. Try again shortly.")
	}

	var granted, declined registry.ScopeSet
	if acct != nil {
		granted, declined = acct.Granted, acct.Declined
	}
	ar := &AuthorizationRequired{
		Status:           StatusAuthorizationRequired,
		Reason:           d.Reason,
		Tool:             tool.Name,
		Provider:         string(conn.Provider.ID),
		Connection:       conn.Name,
		TokenType:        string(tool.TokenType),
		MissingScopes:    explain(conn.Provider, d.Missing, declined),
		GrantedScopes:    granted.Strings(),
		AuthorizationURL: g.linkURL(authz),
		ExpiresAt:        authz.ExpiresAt.UTC().Truncate(time.Second),
	}
	ar.Message = ar.message(conn.Provider)
	return ar, authz, nil
}

// IssueLink creates an authorization link for identifier to grant scopes on
// the named connection, as a tool call would; tool names the reason shown
// on the connect page and may be empty.
//
// For Slack, connection may name the user token as "<name>/user".
func (g *Gate) IssueLink(ctx context.Context, identifier, connection, tool string, scopes registry.ScopeSet) (string, error) {
	conn := g.connectionNamed(connection)
	_, tt := splitAccountKey(connection)
	if conn == nil {
		return "", fmt.Errorf("no connection named %q", connection)
	}
	if !conn.Allows(scopes) {
		return "", fmt.Errorf("connection %q may not request %s", connection, scopes)
	}
	authz, err := g.issue(ctx, identifier, conn, tt, tool, scopes)
	if err != nil {
		return "", err
	}
	return g.linkURL(authz), nil
}

func (g *Gate) issue(ctx context.Context, identifier string, conn *registry.Connection, tt registry.TokenType,
	tool string, scopes registry.ScopeSet) (*store.Authorization, error) {
	now := g.opts.Now()
	authz := &store.Authorization{
		ID:         randomToken(),
		State:      randomToken(),
		Identifier: identifier,
		Connection: accountKey(conn.Name, tt),
		Tool:       tool,
		Scopes:     scopes,
		Verifier:   oauth2.GenerateVerifier(),
		CreatedAt:  now,
		ExpiresAt:  now.Add(g.opts.LinkTTL),
	}
	if err := g.opts.Store.CreateAuthorization(ctx, authz); err != nil {
		return nil, fmt.Errorf("creating authorization: %w", err)
	}
	return authz, nil
}

func (g *Gate) linkURL(authz *store.Authorization) string {
	return g.opts.PublicURL + ConnectPath + authz.ID
}

func rawArguments(req mcp.CallToolRequest) json.RawMessage {
	if len(req.Params.RawArguments) > 0 {
		return req.Params.RawArguments
	}
	if req.Params.Arguments == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(req.Params.Arguments)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

func toolError(err error) *mcp.CallToolResult {
	var te *registry.ToolError
	if errors.As(err, &te) {
		return mcp.NewToolResultError(te.Message)
	}
	return mcp.NewToolResultError(err.Error())
}

// publicCause returns the part of a transport error that is safe and
// useful to show: the innermost error's text, without URLs.
func publicCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	return err.Error()
}

// randomToken returns 256 random bits, base64url encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails, per crypto/rand
	return base64.RawURLEncoding.EncodeToString(b)
}
