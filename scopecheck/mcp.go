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
// the gate, with input validation and panic recovery. opts are added after
// scopegate's own options.
func (g *Gate) NewServer(name, version string, opts ...server.ServerOption) *server.MCPServer {
	all := append([]server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithInputSchemaValidation(),
		server.WithRecovery(),
		server.WithInstructions(Instructions),
	}, opts...)
	s := server.NewMCPServer(name, version, all...)
	for _, t := range g.opts.Tools {
		s.AddTool(MCPTool(t), g.Handler(t))
	}
	s.AddTools(g.agentTools()...)
	return s
}

// MCPTool describes t the way tools/list shows it. Every annotation is
// written out, since MCP's defaults (destructive, open world) would
// otherwise speak for the tool.
func MCPTool(t registry.Tool) mcp.Tool {
	tool := mcp.NewToolWithRawSchema(t.Name, t.Description, t.InputSchema)
	tool.Title = t.Title
	a := t.Annotations
	tool.Annotations = mcp.ToolAnnotation{
		ReadOnlyHint:    mcp.ToBoolPtr(a.ReadOnly),
		DestructiveHint: mcp.ToBoolPtr(a.Destructive),
		IdempotentHint:  mcp.ToBoolPtr(a.Idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(a.OpenWorld),
	}
	return tool
}
