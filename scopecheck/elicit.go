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
	if g.opts.Elicitation != ElicitationOff && server.IsModernRequest(ctx) {
		return g.authorizeStateless(ctx, log, tool, conn, acct, d, args)
	}
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
	if !g.awaitCompletion(ctx, authz.ID, done) {
		log.Info("authorization not completed in time", "err", ctx.Err())
		return false
	}
	return true
}

// awaitCompletion waits until the authorization id is used up by its
// callback, approved or not, and reports whether it was before ctx ended.
// done is the signal of a callback taken by this process; the store is
// also polled, since another instance sharing it may take the callback.
func (g *Gate) awaitCompletion(ctx context.Context, id string, done <-chan struct{}) bool {
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		select {
		case <-done:
			return true
		case <-ctx.Done():
			return false
		case <-poll.C:
			if a, err := g.opts.Store.Authorization(ctx, id); err == nil && !a.UsedAt.IsZero() {
				return true
			}
		}
	}
}

// authorizeInput is the key of the gate's one input request in an
// input_required result.
const authorizeInput = "authorize"

// authorizeStateless is authorizeAndRun for clients of protocol version
// 2026-07-28 and later, which cannot receive requests from the server: the
// call ends with an input_required result that asks the client to open
// the link (an elicitation/create of mode "url"), and the client calls
// again with the answer and the request state. On that second call the
// gate waits for the authorization to complete, as for older clients, and
// runs the tool. A client that did not declare URL elicitation, a second
// call whose answer is not "accept", and one whose state names no
// authorization of the caller get the authorization-required result.
func (g *Gate) authorizeStateless(ctx context.Context, log *slog.Logger, tool registry.Tool,
	conn *registry.Connection, acct *store.Account, d Decision, args json.RawMessage) (*mcp.CallToolResult, error) {
	if rt := roundTripFrom(ctx); rt != nil && rt.RequestState != "" {
		res, fresh, err := g.resume(ctx, log, tool, rt, args)
		if res != nil || err != nil {
			return res, err
		}
		if fresh != nil {
			acct = fresh
		}
		return g.authorizationRequired(ctx, tool, conn, acct, Decide(tool.Requirement, acct))
	}
	info := server.RequestProtocolInfoFromContext(ctx)
	if info == nil || info.ClientCapabilities == nil || info.ClientCapabilities.Elicitation == nil ||
		info.ClientCapabilities.Elicitation.URL == nil {
		return g.authorizationRequired(ctx, tool, conn, acct, d)
	}
	ar, authz, failed := g.requireAuthorization(ctx, tool, conn, acct, d)
	if failed != nil {
		return failed, nil
	}
	log.Debug("asking the client to open the authorization link in an input_required result")
	return server.NewInputRequestBuilder(authz.ID).Elicit(authorizeInput, mcp.ElicitationParams{
		Mode:          mcp.ElicitationModeURL,
		Message:       elicitationMessage(ar),
		ElicitationID: authz.ID,
		URL:           ar.AuthorizationURL,
	}).ToolResult(), nil
}

// resume handles the second call of a stateless authorization: when the
// client accepted, it waits for the authorization named by the request
// state to complete and runs the tool if the grant then suffices. It
// returns no result and no error when the call should end with the
// authorization-required result; fresh is then the account as last read,
// if it was.
func (g *Gate) resume(ctx context.Context, log *slog.Logger, tool registry.Tool,
	rt *mcp.MultiRoundTripParams, args json.RawMessage) (res *mcp.CallToolResult, fresh *store.Account, err error) {
	id := IdentifierFrom(ctx)
	key := accountKey(g.Connection(tool.Provider).Name, tool.TokenType)
	authz, err := g.opts.Store.Authorization(ctx, rt.RequestState)
	if err != nil || authz.Identifier != id || authz.Connection != key {
		// The state comes from the client: one that names nothing of this
		// caller's is ignored, whoever made it.
		log.Warn("input response ignored", "why", "the request state names no authorization of this caller")
		return nil, nil, nil
	}
	answer := server.ElicitationResponse(rt.InputResponses, authorizeInput)
	if answer == nil || answer.Action != mcp.ElicitationResponseActionAccept {
		action := "none"
		if answer != nil {
			action = string(answer.Action)
		}
		log.Info("url elicitation not accepted", "action", action)
		return nil, nil, nil
	}

	wait := min(authz.ExpiresAt.Sub(g.opts.Now()), maxElicitationWait)
	if wait <= 0 {
		log.Info("url elicitation answered after its link expired")
		return nil, nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	done, stop := g.done.await(authz.ID)
	defer stop()
	// Another instance may take the callback, so the store is also polled.
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		fresh, err = g.opts.Store.Account(ctx, id, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
			fresh = nil
		case err != nil:
			log.Error("tool call refused", "why", "reading account after authorization", "err", err)
			g.auditDecision(ctx, tool, id, key, nil, decisionRefused, "store_unreadable", nil)
			return mcp.NewToolResultError("scopegate could not read the connection state, so nothing was sent. " +
				"Try again shortly."), nil, nil
		}
		if d := Decide(tool.Requirement, fresh); d.Allowed {
			g.auditDecision(ctx, tool, id, key, fresh, decisionAllowed, "granted", nil)
			res, err := g.run(ctx, log, tool, g.Connection(tool.Provider), fresh, args)
			return res, fresh, err
		}
		if !authz.UsedAt.IsZero() {
			log.Info("authorization completed without the scopes the tool needs")
			return nil, fresh, nil
		}
		select {
		case <-done:
		case <-poll.C:
		case <-ctx.Done():
			log.Info("authorization not completed in time", "err", ctx.Err())
			return nil, fresh, nil
		}
		if authz, err = g.opts.Store.Authorization(ctx, authz.ID); err != nil {
			log.Info("authorization unreadable while waiting", "err", err)
			return nil, fresh, nil
		}
	}
}

type roundTripKey struct{}

// withRoundTrip puts the multi round-trip parameters of a retried call, if
// any, in the handler's context for authorizeStateless.
func withRoundTrip(h server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.RequestState != "" || len(req.Params.InputResponses) > 0 {
			// A copy, so that req itself stays on the stack.
			rt := req.Params.MultiRoundTripParams
			ctx = context.WithValue(ctx, roundTripKey{}, &rt)
		}
		return h(ctx, req)
	}
}

func roundTripFrom(ctx context.Context) *mcp.MultiRoundTripParams {
	rt, _ := ctx.Value(roundTripKey{}).(*mcp.MultiRoundTripParams)
	return rt
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
// Clients of protocol version 2026-07-28 and later are asked through an
// input_required result instead (authorizeStateless): the server cannot
// send them requests.
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
