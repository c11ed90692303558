package scopecheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// ElicitationMode says whether the gate uses URL-mode elicitation (MCP
// elicitation/create with mode "url", protocol version 2025-11-25) to
// obtain a missing authorization during the call itself.
type ElicitationMode string

const (
	// ElicitationAuto asks the clients that declared the elicitation.url
	// capability to open the authorization link, waits for the
	// authorization to complete and then runs the tool. Other clients get
	// the authorization-required result at once.
	ElicitationAuto ElicitationMode = "auto"
	// ElicitationOff always answers with the authorization-required
	// result.
	ElicitationOff ElicitationMode = "off"
)

// maxElicitationWait bounds how long a call waits for the user to complete
// an authorization it asked for; the link's expiry may end the wait
// sooner.
const maxElicitationWait = 5 * time.Minute

// authorizeAndRun answers a call whose grant does not meet the tool's
// requirement. A client that supports URL elicitation is asked to open the
// authorization link; once the user completes it and the grant meets the
// requirement, the tool runs. In every other case the answer is the
// authorization-required result.
func (g *Gate) authorizeAndRun(ctx context.Context, log *slog.Logger, tool registry.Tool,
	conn *registry.Connection, acct *store.Account, d Decision, args json.RawMessage) (*mcp.CallToolResult, error) {
	ar, authz, failed := g.requireAuthorization(ctx, tool, conn, acct, d)
	if failed != nil {
		return failed, nil
	}
	srv, session := server.ServerFromContext(ctx), server.ClientSessionFromContext(ctx)
	if g.opts.Elicitation == ElicitationOff || srv == nil || !supportsURLElicitation(ctx, session) {
		return ar.toResult(), nil
	}

	if !g.elicit(ctx, log, srv, session, ar, authz) {
		return ar.toResult(), nil
	}
	if err := srv.SendElicitationComplete(ctx, session, authz.ID); err != nil {
		log.Warn("sending elicitation complete", "err", err)
	}

	fresh, err := g.opts.Store.Account(ctx, authz.Identifier, authz.Connection)
	switch {
	case errors.Is(err, store.ErrNotFound):
		fresh = nil
	case err != nil:
		log.Error("tool call refused", "why", "reading account after authorization", "err", err)
		g.auditDecision(ctx, tool, authz.Identifier, authz.Connection, nil, decisionRefused, "store_unreadable", nil)
		return mcp.NewToolResultError("scopegate could not read the connection state, so nothing was sent. " +
			"Try again shortly."), nil
	}
	d = Decide(tool.Requirement, fresh)
	if !d.Allowed {
		g.auditDecision(ctx, tool, authz.Identifier, authz.Connection, fresh, decisionAuthorization, d.Reason, d.Missing)
		return g.authorizationRequired(ctx, tool, conn, fresh, d)
	}
	g.auditDecision(ctx, tool, authz.Identifier, authz.Connection, fresh, decisionAllowed, "granted", nil)
	return g.run(ctx, log, tool, conn, fresh, args)
}

// elicit asks the client to open the authorization link and waits for the
// authorization to complete, approved or not. It reports false when the
// client declines, cancels or fails, or when the wait ends first.
func (g *Gate) elicit(ctx context.Context, log *slog.Logger, srv *server.MCPServer, session server.ClientSession,
	ar *AuthorizationRequired, authz *store.Authorization) bool {
	wait := min(authz.ExpiresAt.Sub(g.opts.Now()), maxElicitationWait)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	done, stop := g.done.await(authz.ID)
	defer stop()

	res, err := srv.RequestURLElicitation(ctx, session, authz.ID, ar.AuthorizationURL, elicitationMessage(ar))
	switch {
	case err != nil:
		log.Info("url elicitation failed; answering with the link", "err", err)
		return false
	case res.Action != mcp.ElicitationResponseActionAccept:
		log.Info("url elicitation not accepted", "action", res.Action)
		return false
	}

	log.Debug("url elicitation accepted; waiting for the authorization")
	select {
	case <-done:
		return true
	case <-ctx.Done():
		log.Info("authorization not completed in time", "err", ctx.Err())
		return false
	}
}

// elicitationMessage says what the link is for, in words for the person.
func elicitationMessage(ar *AuthorizationRequired) string {
	return fmt.Sprintf("%s needs your approval on %s to continue. Open the link to review and grant access; "+
		"the request carries on once you are done.", ar.Tool, ar.Provider)
}

// supportsURLElicitation reports whether session's client declared the
// elicitation.url capability at initialization and speaks a protocol
// version that lets the server send it requests.
//
// Clients of protocol version 2026-07-28 and later get the
// authorization-required result: elicitation reaches them only as an
// input request of a multi round-trip call (SEP-2322), which the gate
// does not use yet.
func supportsURLElicitation(ctx context.Context, session server.ClientSession) bool {
	if mcp.IsModernProtocol(server.RequestProtocolVersion(ctx)) {
		return false
	}
	s, ok := session.(server.SessionWithClientInfo)
	if !ok {
		return false
	}
	e := s.GetClientCapabilities().Elicitation
	return e != nil && e.URL != nil
}

// completions signals, per authorization id, that an authorization
// completed. The zero value is ready to use.
type completions struct {
	mu      sync.Mutex
	waiting map[string]chan struct{}
}

// await returns a channel closed when the authorization id completes, and
// a function that stops waiting.
func (c *completions) await(id string) (<-chan struct{}, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.waiting == nil {
		c.waiting = map[string]chan struct{}{}
	}
	ch := make(chan struct{})
	c.waiting[id] = ch
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.waiting[id] == ch {
			delete(c.waiting, id)
		}
	}
}

// complete wakes the call waiting for the authorization id, if any.
func (c *completions) complete(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.waiting[id]; ok {
		close(ch)
		delete(c.waiting, id)
	}
}
