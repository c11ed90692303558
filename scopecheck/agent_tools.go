package scopecheck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// Names of the tools scopegate serves about itself, so an agent can see
// what was granted and ask for more before a call needs it.
const (
	StatusToolName  = "scopegate_status"
	RequestToolName = "scopegate_request_authorization"
)

// ConnectionStatus is one connection's state for the caller, as
// scopegate_status reports it.
type ConnectionStatus struct {
	Connection      string    `json:"connection"`
	Provider        string    `json:"provider"`
	TokenType       string    `json:"token_type,omitempty"`
	Status          string    `json:"status"`
	ProviderAccount string    `json:"provider_account,omitempty"`
	Granted         []string  `json:"granted_scopes"`
	Declined        []string  `json:"declined_scopes,omitempty"`
	DeclinedAt      time.Time `json:"declined_at,omitzero"`
	UsableTools     []string  `json:"usable_tools"`
	NeedsConsent    []string  `json:"tools_needing_consent"`
}

// StatusOutput is scopegate_status's structured result.
type StatusOutput struct {
	Connections []ConnectionStatus `json:"connections"`
}

type statusInput struct{}

// RequestInput is scopegate_request_authorization's input.
type RequestInput struct {
	Tools  []string `json:"tools,omitempty" jsonschema:"description=Tool names to be able to call; only what they still lack is requested."`
	Scopes []string `json:"scopes,omitempty" jsonschema:"description=Exact scopes to request instead of tools; needs connection."`
	// Connection names the connection for scopes ("slack/user" for Slack's
	// user token).
	Connection string `json:"connection,omitempty" jsonschema:"description=Connection name for scopes (see scopegate_status)."`
}

// agentTools returns scopegate's own tools and their handlers. They call
// no provider.
func (g *Gate) agentTools() []server.ServerTool {
	statusSchema, _ := registry.SchemaFor[statusInput]()
	requestSchema, _ := registry.SchemaFor[RequestInput]()
	status := mcp.NewToolWithRawSchema(StatusToolName,
		"What the user has granted scopegate on each connection, what they declined, and which tools "+
			"work now or need consent.", statusSchema)
	status.Title = "Show granted permissions"
	status.Annotations = annotations(true, false, true)
	request := mcp.NewToolWithRawSchema(RequestToolName,
		"Get an authorization link for what the named tools (or scopes) still lack, before calling them.",
		requestSchema)
	request.Title = "Ask the user for permissions"
	request.Annotations = annotations(false, false, false)
	return []server.ServerTool{
		{Tool: status, Handler: g.handleStatus},
		{Tool: request, Handler: g.handleRequest},
	}
}

func annotations(readOnly, destructive, idempotent bool) mcp.ToolAnnotation {
	return mcp.ToolAnnotation{
		ReadOnlyHint:    mcp.ToBoolPtr(readOnly),
		DestructiveHint: mcp.ToBoolPtr(destructive),
		IdempotentHint:  mcp.ToBoolPtr(idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(false),
	}
}

// accountKeys lists every account key of a connection: one, or two for
// providers with bot and user tokens.
func accountKeys(conn *registry.Connection) []string {
	if len(conn.Provider.TokenTypes) == 0 {
		return []string{conn.Name}
	}
	return []string{accountKey(conn.Name, registry.BotToken), accountKey(conn.Name, registry.UserToken)}
}

func (g *Gate) handleStatus(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if err := registry.DecodeArgs(rawArguments(req), &statusInput{}); err != nil {
		return toolError(err), nil
	}
	id := IdentifierFrom(ctx)
	if id == "" {
		return mcp.NewToolResultError("scopegate could not tell which user is calling."), nil
	}
	var out StatusOutput
	var b strings.Builder
	for _, conn := range g.opts.Connections {
		for _, key := range accountKeys(conn) {
			acct, err := g.opts.Store.Account(ctx, id, key)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return mcp.NewToolResultError("scopegate could not read the connection state. Try again shortly."), nil
			}
			_, tt := splitAccountKey(key)
			if len(conn.Provider.TokenTypes) > 0 && tt == "" {
				tt = registry.BotToken
			}
			cs := ConnectionStatus{Connection: key, Provider: string(conn.Provider.ID), TokenType: string(tt),
				Status: "not_connected", Granted: []string{}, UsableTools: []string{}, NeedsConsent: []string{}}
			if acct != nil {
				cs.Status = string(acct.Status)
				cs.ProviderAccount = acct.ProviderAccount
				cs.Granted = acct.Granted.Strings()
				cs.Declined = acct.Declined.Strings()
				cs.DeclinedAt = acct.DeclinedAt
			}
			for _, t := range g.opts.Tools {
				if t.Provider != conn.Provider.ID || accountKey(conn.Name, t.TokenType) != key {
					continue
				}
				if Decide(t.Requirement, acct).Allowed {
					cs.UsableTools = append(cs.UsableTools, t.Name)
				} else {
					cs.NeedsConsent = append(cs.NeedsConsent, t.Name)
				}
			}
			out.Connections = append(out.Connections, cs)
			fmt.Fprintf(&b, "%s (%s): %s; %d tools usable, %d need consent", key, conn.Provider.Title, cs.Status,
				len(cs.UsableTools), len(cs.NeedsConsent))
			if len(cs.Declined) > 0 {
				fmt.Fprintf(&b, "; declined %s", strings.Join(cs.Declined, ", "))
			}
			b.WriteString(".\n")
		}
	}
	if len(out.Connections) == 0 {
		b.WriteString("No connections are configured in scopegate.")
	} else {
		fmt.Fprintf(&b, "Use %s to ask the user for what a tool needs before calling it.", RequestToolName)
	}
	return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(b.String())}, StructuredContent: out}, nil
}

func (g *Gate) handleRequest(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var in RequestInput
	if err := registry.DecodeArgs(rawArguments(req), &in); err != nil {
		return toolError(err), nil
	}
	id := IdentifierFrom(ctx)
	if id == "" {
		return mcp.NewToolResultError("scopegate could not tell which user is calling."), nil
	}
	key, missing, reason, err := g.whatToRequest(ctx, id, in)
	if err != nil {
		return toolError(err), nil
	}
	if len(missing) == 0 {
		msg := "Nothing is missing: " + reason
		return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(msg)},
			StructuredContent: map[string]any{"status": "granted", "connection": key, "message": msg}}, nil
	}
	conn := g.connectionNamed(key)
	acct, _ := g.opts.Store.Account(ctx, id, key)
	_, tt := splitAccountKey(key)
	tool := registry.Tool{Name: RequestToolName, Provider: conn.Provider.ID, TokenType: tt}
	if tt == "" && len(conn.Provider.TokenTypes) > 0 {
		tool.TokenType = registry.BotToken
	}
	reasonCode := ReasonMissingScopes
	if acct == nil {
		reasonCode = ReasonNotConnected
	}
	g.auditDecision(ctx, tool, id, key, acct, decisionAuthorization, "requested_by_agent", missing)
	return g.authorizationRequired(ctx, tool, conn, acct, Decision{Reason: reasonCode, Missing: missing})
}

// whatToRequest works out the account key and the missing scopes for a
// request: the first unmet alternative of each named tool, or the named
// scopes less what is granted.
func (g *Gate) whatToRequest(ctx context.Context, id string, in RequestInput) (string, registry.ScopeSet, string, error) {
	switch {
	case len(in.Tools) > 0 && len(in.Scopes) > 0:
		return "", nil, "", registry.Errorf("give tools or scopes, not both")
	case len(in.Tools) == 0 && len(in.Scopes) == 0:
		return "", nil, "", registry.Errorf("name the tools (or the scopes) to ask for")
	}

	if len(in.Scopes) > 0 {
		conn := g.connectionNamed(in.Connection)
		if conn == nil {
			return "", nil, "", registry.Errorf("connection %q is not configured (see %s)", in.Connection, StatusToolName)
		}
		var want []registry.Scope
		for _, s := range in.Scopes {
			sc := conn.Provider.Normalize(registry.Scope(s))
			if _, ok := conn.Provider.Lookup(sc); !ok {
				return "", nil, "", registry.Errorf("%q is not a %s scope scopegate knows", s, conn.Provider.ID)
			}
			want = append(want, sc)
		}
		key := in.Connection
		if _, tt := splitAccountKey(key); tt == "" {
			key = conn.Name
		}
		granted := g.grantOf(ctx, id, key)
		return key, registry.NewScopeSet(want...).Minus(granted), "every scope asked for is granted.", nil
	}

	key := ""
	var missing registry.ScopeSet
	for _, name := range in.Tools {
		t, ok := g.toolNamed(name)
		if !ok {
			return "", nil, "", registry.Errorf("no tool is named %q", name)
		}
		conn := g.Connection(t.Provider)
		if conn == nil {
			return "", nil, "", registry.Errorf("no %s connection is configured for %s", t.Provider, name)
		}
		k := accountKey(conn.Name, t.TokenType)
		if key != "" && k != key {
			return "", nil, "", registry.Errorf("%s uses %s, not %s: ask for one connection at a time", name, k, key)
		}
		key = k
		acct, _ := g.opts.Store.Account(ctx, id, k)
		if d := Decide(t.Requirement, acct); !d.Allowed {
			missing = missing.Union(d.Missing)
		}
	}
	return key, missing, "every tool named can be called now.", nil
}

func (g *Gate) grantOf(ctx context.Context, id, key string) registry.ScopeSet {
	if acct, err := g.opts.Store.Account(ctx, id, key); err == nil && acct.Status == store.StatusActive {
		return acct.Granted
	}
	return nil
}

func (g *Gate) toolNamed(name string) (registry.Tool, bool) {
	for _, t := range g.opts.Tools {
		if t.Name == name {
			return t, true
		}
	}
	return registry.Tool{}, false
}
