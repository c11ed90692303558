package scopecheck

import (
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/scopegate/scopegate/registry"
)

// Reasons an authorization is required.
const (
	ReasonNotConnected  = "not_connected"
	ReasonMissingScopes = "missing_scopes"
	ReasonNeedsReauth   = "needs_reauthorization"
	ReasonRevoked       = "revoked"
	// ReasonProviderRefused means the provider refused a call the stored
	// grant should have allowed; the stored grant was corrected.
	ReasonProviderRefused = "provider_refused_scope"
)

// MissingScope explains one scope the user is asked to grant.
type MissingScope struct {
	Scope       string `json:"scope"`
	Title       string `json:"title"`
	Explanation string `json:"explanation"`
	// DeclinedBefore is true when the user was asked for this scope before
	// and did not grant it.
	DeclinedBefore bool `json:"declined_before,omitempty"`
}

// AuthorizationRequired is the structuredContent of the result returned
// instead of a failure when the user's grant does not cover a tool.
type AuthorizationRequired struct {
	Status     string `json:"status"`
	Reason     string `json:"reason"`
	Tool       string `json:"tool"`
	Provider   string `json:"provider"`
	Connection string `json:"connection"`
	// TokenType is "bot" or "user" for Slack tools, and absent otherwise.
	TokenType        string         `json:"token_type,omitempty"`
	MissingScopes    []MissingScope `json:"missing_scopes"`
	GrantedScopes    []string       `json:"granted_scopes"`
	AuthorizationURL string         `json:"authorization_url"`
	ExpiresAt        time.Time      `json:"expires_at"`
	Message          string         `json:"message"`
}

// StatusAuthorizationRequired is the status of every AuthorizationRequired.
const StatusAuthorizationRequired = "authorization_required"

// message writes the text shown to the model and the person.
func (a *AuthorizationRequired) message(p *registry.Provider) string {
	var b strings.Builder
	switch a.Reason {
	case ReasonNotConnected:
		fmt.Fprintf(&b, "%s needs access to your %s account, which is not connected to scopegate yet.", a.Tool, p.Title)
	case ReasonNeedsReauth:
		fmt.Fprintf(&b, "%s needs your %s account, but %s no longer accepts the saved authorization.", a.Tool, p.Title, p.Title)
	case ReasonRevoked:
		fmt.Fprintf(&b, "%s needs your %s account, whose authorization was revoked.", a.Tool, p.Title)
	case ReasonProviderRefused:
		fmt.Fprintf(&b, "%s refused %s for lack of a permission; nothing was done.", p.Title, a.Tool)
	default:
		fmt.Fprintf(&b, "%s needs a permission on your %s account that you have not granted; nothing was done.", a.Tool, p.Title)
	}
	b.WriteString("\n\nPermissions to approve:")
	declined := false
	for _, m := range a.MissingScopes {
		fmt.Fprintf(&b, "\n- %s (%s): %s", m.Title, m.Scope, m.Explanation)
		if m.DeclinedBefore {
			b.WriteString(" You declined this one before.")
			declined = true
		}
	}
	fmt.Fprintf(&b, "\n\nAsk the user to open this link to approve (valid until %s): %s",
		a.ExpiresAt.UTC().Format("15:04 UTC"), a.AuthorizationURL)
	if declined {
		b.WriteString("\nThe user declined part of this before; ask whether they want to grant it now.")
	}
	if a.Tool == RequestToolName {
		b.WriteString("\nCall the tools you asked for again after approving.")
	} else {
		fmt.Fprintf(&b, "\nCall %s again after approving.", a.Tool)
	}
	return b.String()
}

// toResult shapes the MCP result: text for the model first, the same facts
// as structuredContent. It is not an error: the call can succeed later.
func (a *AuthorizationRequired) toResult() *mcp.CallToolResult {
	return &mcp.CallToolResult{
		Content:           []mcp.Content{mcp.NewTextContent(a.Message)},
		StructuredContent: a,
	}
}

func explain(p *registry.Provider, missing, declined registry.ScopeSet) []MissingScope {
	out := make([]MissingScope, len(missing))
	for i, s := range missing {
		info := p.Describe(s)
		out[i] = MissingScope{
			Scope:          string(s),
			Title:          info.Title,
			Explanation:    info.Explanation,
			DeclinedBefore: declined.Has(s),
		}
	}
	return out
}
