// Package scopecheck is the scope gate: it compares what a tool needs with
// what the user granted, calls the provider only when the grant suffices,
// and otherwise answers with an authorization-required result whose link
// runs the OAuth flow that obtains exactly the missing scopes.
package scopecheck

import "context"

type identityKey struct{}

// WithIdentifier returns a context that carries the user's identifier. The
// transports set it from configuration (stdio) or from the authenticated
// request (HTTP); tool arguments never do.
func WithIdentifier(ctx context.Context, identifier string) context.Context {
	return context.WithValue(ctx, identityKey{}, identifier)
}

// IdentifierFrom returns the identifier carried by ctx, or "" when none is.
func IdentifierFrom(ctx context.Context) string {
	id, _ := ctx.Value(identityKey{}).(string)
	return id
}
