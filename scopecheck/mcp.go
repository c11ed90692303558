package scopecheck

import (
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scopegate/scopegate/registry"
)

// Instructions tell the model, at initialization, how to treat
// authorization-required results.
const Instructions = "Tools act in the user's accounts with the permissions they granted. " +
	"When a result has status authorization_required, show the user its authorization_url, " +
	"and call the same tool again once they have approved."

// NewServer returns an MCP server that serves the gate's tools, each behind
// the gate, with panic recovery. Arguments are checked by the gate itself
// (registry.Tool.Validate), which names the argument at fault in plain
// words. opts are added after scopegate's own options; they must not
// include server.WithHooks, which would replace the hook that writes
// tools/list's _meta.
//
// In tools/list, each provider tool carries the caller's _meta (see
// MetaRequirement), and the tools capability advertises listChanged: when
// a user's grant changes, the sessions that listed tools as that user are
// sent notifications/tools/list_changed.
func (g *Gate) NewServer(name, version string, opts ...server.ServerOption) *server.MCPServer {
	byName := make(map[string]registry.Tool, len(g.opts.Tools))
	for _, t := range g.opts.Tools {
		byName[t.Name] = t
	}
	var s *server.MCPServer
	hooks := &server.Hooks{}
	hooks.AddAfterListTools(g.grantMeta(&s, byName))
	all := append([]server.ServerOption{
		server.WithToolCapabilities(true),
		server.WithRecovery(),
		server.WithInstructions(Instructions),
		server.WithHooks(hooks),
	}, opts...)
	s = server.NewMCPServer(name, version, all...)
	// One batch: mcp-go checks each tool as it registers it, and a batch
	// does the rest of the bookkeeping once.
	tools := make([]server.ServerTool, 0, len(g.opts.Tools)+2)
	for _, t := range g.opts.Tools {
		tools = append(tools, server.ServerTool{Tool: MCPTool(t), Handler: withRoundTrip(g.Handler(t))})
	}
	s.AddTools(append(tools, g.agentTools()...)...)
	return s
}

// MCPTool describes t the way tools/list shows it.
//
// Annotations are written only where they say something MCP's defaults do
// not, since tools/list is read into the model's context on every
// conversation: readOnlyHint when true, idempotentHint when true, and
// openWorldHint when false. A tool that writes always states
// destructiveHint, true or false, so that no client has to know the
// default (true) to ask before a delete. A read-only tool leaves out
// destructiveHint and idempotentHint, which MCP defines only for tools
// that write; a client that reads them anyway falls back on the cautious
// defaults.
func MCPTool(t registry.Tool) mcp.Tool {
	tool := mcp.NewToolWithRawSchema(t.Name, t.Description, t.InputSchema)
	tool.Title = t.Title
	a := t.Annotations
	var hints mcp.ToolAnnotation
	if a.ReadOnly {
		hints.ReadOnlyHint = mcp.ToBoolPtr(true)
	} else {
		hints.DestructiveHint = mcp.ToBoolPtr(a.Destructive)
		if a.Idempotent {
			hints.IdempotentHint = mcp.ToBoolPtr(true)
		}
	}
	if !a.OpenWorld {
		hints.OpenWorldHint = mcp.ToBoolPtr(false)
	}
	tool.Annotations = hints
	return tool
}
