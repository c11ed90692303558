package scopecheck

import (
	"context"
	"log/slog"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// Audit record messages. Each record has stable snake_case keys and never
// holds a token, code or secret.
const (
	// AuditDecision is one record per gate decision: identifier,
	// connection, tool, required, granted, missing, decision, reason.
	AuditDecision = "gate decision"
	// AuditConsent is one record per consent outcome: identifier,
	// connection, requested, granted, declined, outcome.
	AuditConsent = "consent outcome"
)

// Decisions and outcomes as audit records name them.
const (
	decisionAllowed       = "allowed"
	decisionAuthorization = "authorization_required"
	decisionRefused       = "refused"
)

// auditDecision records what the gate decided for one call.
func (g *Gate) auditDecision(ctx context.Context, tool registry.Tool, identifier, connection string,
	acct *store.Account, decision, reason string, missing registry.ScopeSet) {
	if !g.auditing(ctx) {
		return
	}
	var granted registry.ScopeSet
	if acct != nil {
		granted = acct.Granted
	}
	g.audit(ctx, AuditDecision,
		slog.String("identifier", identifier),
		slog.String("connection", connection),
		slog.String("tool", tool.Name),
		slog.Any("required", requirementStrings(tool.Requirement)),
		slog.Any("granted", granted.Strings()),
		slog.Any("missing", missing.Strings()),
		slog.String("decision", decision),
		slog.String("reason", reason),
	)
}

// auditConsent records how one authorization ended.
func (g *Gate) auditConsent(ctx context.Context, authzIdentifier, connection string,
	requested, granted, declined registry.ScopeSet, outcome string) {
	if !g.auditing(ctx) {
		return
	}
	g.audit(ctx, AuditConsent,
		slog.String("identifier", authzIdentifier),
		slog.String("connection", connection),
		slog.Any("requested", requested.Strings()),
		slog.Any("granted", granted.Strings()),
		slog.Any("declined", declined.Strings()),
		slog.String("outcome", outcome),
	)
}

// auditing reports whether an audit record would be written anywhere, so
// that none is built for loggers that would drop it.
func (g *Gate) auditing(ctx context.Context) bool {
	return g.log.Enabled(ctx, slog.LevelInfo) ||
		(g.opts.Audit != nil && g.opts.Audit.Enabled(ctx, slog.LevelInfo))
}

func (g *Gate) audit(ctx context.Context, msg string, attrs ...slog.Attr) {
	g.log.LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
	if g.opts.Audit != nil {
		g.opts.Audit.LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
	}
}

func requirementStrings(r registry.Requirement) [][]string {
	out := make([][]string, len(r))
	for i, alt := range r {
		out[i] = alt.Strings()
	}
	return out
}
