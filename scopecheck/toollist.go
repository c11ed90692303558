package scopecheck

import (
	"context"
	"errors"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// Keys of the _meta object that tools/list gives each provider tool when
// it knows the caller. They tell a client, before any call, what a tool
// needs and whether the caller's current grant already meets it.
const (
	// MetaRequirement holds the tool's scope alternatives, narrowest
	// first, each a list of scopes needed together.
	MetaRequirement = "scopegate/requirement"
	// MetaGranted is true when the caller's stored grant meets one of the
	// alternatives and the account is active.
	MetaGranted = "scopegate/granted"
	// MetaConnection names the connection (account key, such as
	// "slack/user") the tool uses. It is absent when no connection of the
	// tool's provider is configured.
	MetaConnection = "scopegate/connection"
)

// maxWatchedSessions bounds how many sessions are remembered per
// identifier. Sessions are forgotten when a notification finds them gone,
// so the bound only matters for an identifier with many short sessions
// and no grant changes; the oldest are dropped first.
const maxWatchedSessions = 64

// toolListWatch remembers which MCP sessions listed tools for which
// identifier, so that a change to an identifier's grant reaches them. The
// zero value is ready to use.
//
// A session with an id (stdio, SSE, and Streamable HTTP clients of the
// protocol versions with sessions) is told alone. Streamable HTTP clients
// of protocol version 2026-07-28 have no session id: each request has a
// session of its own, and mcp-go reaches their subscriptions/listen
// streams only by broadcast. For an identifier seen on such a request the
// notification therefore goes to every session of the server; other users'
// clients then list their tools again, which is harmless, but they can
// tell that some grant changed.
type toolListWatch struct {
	mu sync.Mutex
	// sessions maps an identifier to its sessions, oldest first; an empty
	// id stands for the session-less requests of a server.
	sessions map[string][]watchedSession
}

type watchedSession struct {
	id  string
	srv *server.MCPServer
}

// watch records that sessionID on srv listed tools as identifier.
func (w *toolListWatch) watch(identifier, sessionID string, srv *server.MCPServer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.sessions[identifier] {
		if s.id == sessionID && s.srv == srv {
			return
		}
	}
	if w.sessions == nil {
		w.sessions = map[string][]watchedSession{}
	}
	list := append(w.sessions[identifier], watchedSession{id: sessionID, srv: srv})
	if len(list) > maxWatchedSessions {
		list = list[len(list)-maxWatchedSessions:]
	}
	w.sessions[identifier] = list
}

// of returns a copy of identifier's sessions.
func (w *toolListWatch) of(identifier string) []watchedSession {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]watchedSession(nil), w.sessions[identifier]...)
}

// forget drops one of identifier's sessions.
func (w *toolListWatch) forget(identifier string, gone watchedSession) {
	w.mu.Lock()
	defer w.mu.Unlock()
	list := w.sessions[identifier]
	for i, s := range list {
		if s == gone {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(w.sessions, identifier)
		return
	}
	w.sessions[identifier] = list
}

// toolsChanged tells identifier's sessions that their tool list changed
// (notifications/tools/list_changed), since the _meta of their tools
// depends on the grant. Only sessions that listed tools as identifier are
// told, by broadcast where they have no id (see toolListWatch); a session
// that is gone is forgotten.
func (g *Gate) toolsChanged(identifier string) {
	watched := g.watch.of(identifier)
	broadcast := map[*server.MCPServer]bool{}
	for _, s := range watched {
		if s.id == "" {
			broadcast[s.srv] = true
		}
	}
	for srv := range broadcast {
		srv.SendNotificationToAllClients(mcp.MethodNotificationToolsListChanged, nil)
	}
	for _, s := range watched {
		if broadcast[s.srv] {
			continue // already told
		}
		err := s.srv.SendNotificationToSpecificClient(s.id, mcp.MethodNotificationToolsListChanged, nil)
		switch {
		case errors.Is(err, server.ErrSessionNotFound):
			g.watch.forget(identifier, s)
		case err != nil:
			g.log.Debug("tool list change not sent", "identifier", identifier, "err", err)
		}
	}
}

// grantMeta returns the hook that gives each provider tool in a tools/list
// answer the caller's _meta (see MetaRequirement). The answer's tools are
// mcp-go's copies, made for this answer; the server's tools are never
// changed. Without an identifier on the request (a server used in process,
// or a caller the transport could not identify) the list is left as is,
// without _meta: there is no grant to describe. srv is read when a request
// comes, once the server exists.
//
// A hook on tools/list rather than a tool filter: mcp-go also runs the
// filters on every tools/call, for the one tool called.
func (g *Gate) grantMeta(srv **server.MCPServer, byName map[string]registry.Tool) server.OnAfterListToolsFunc {
	return func(ctx context.Context, _ any, _ *mcp.ListToolsRequest, result *mcp.ListToolsResult) {
		id := IdentifierFrom(ctx)
		if id == "" || result == nil {
			return
		}
		if s := server.ClientSessionFromContext(ctx); s != nil && *srv != nil {
			g.watch.watch(id, s.SessionID(), *srv)
		}
		accounts := map[string]*store.Account{}
		for i, t := range result.Tools {
			if rt, ok := byName[t.Name]; ok {
				result.Tools[i].Meta = g.toolMeta(ctx, id, rt, accounts)
			}
		}
	}
}

// toolMeta describes tool's requirement and whether identifier's grant
// meets it. accounts caches the accounts read for this list. An account
// that cannot be read counts as not granted.
func (g *Gate) toolMeta(ctx context.Context, identifier string, tool registry.Tool,
	accounts map[string]*store.Account) *mcp.Meta {
	alts := make([][]string, len(tool.Requirement))
	for i, alt := range tool.Requirement {
		alts[i] = alt.Strings()
	}
	fields := map[string]any{MetaRequirement: alts, MetaGranted: false}

	conn := g.Connection(tool.Provider)
	if conn == nil {
		return &mcp.Meta{AdditionalFields: fields}
	}
	key := accountKey(conn.Name, tool.TokenType)
	fields[MetaConnection] = key
	acct, seen := accounts[key]
	if !seen {
		var err error
		acct, err = g.opts.Store.Account(ctx, identifier, key)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				g.log.Warn("reading account for tools/list", "identifier", identifier, "connection", key, "err", err)
			}
			acct = nil
		}
		accounts[key] = acct
	}
	fields[MetaGranted] = Decide(tool.Requirement, acct).Allowed
	return &mcp.Meta{AdditionalFields: fields}
}
