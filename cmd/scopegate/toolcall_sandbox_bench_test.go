package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/oauth2"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

// sandboxBenchTool is the tool the sandbox benchmarks call: a read that
// Gmail answers from the user's mailbox.
const sandboxBenchTool = "gmail_list_labels"

// newSandboxBench serves the Google sandbox on loopback and returns
// scopegate's server for sandboxBenchTool, whose account in st was
// connected through the sandbox's consent flow, the bare server for the
// same tool, and the call both answer.
//
// The bare server lists the tool as scopegate does and runs the tool's own
// code, decoding included, with an oauth2 client holding the account's
// token: what it leaves out is the gate, the store and the authorized
// client.
func newSandboxBench(b testing.TB, st store.Store) (scopegate, bare *server.MCPServer, call benchCall) {
	b.Helper()
	ctx := context.Background()
	var tool registry.Tool
	for _, t := range tools.All() {
		if t.Name == sandboxBenchTool {
			tool = t
		}
	}
	if tool.Name == "" {
		b.Fatalf("no tool %s", sandboxBenchTool)
	}

	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	b.Cleanup(ts.Close)
	_, conn := scopechecktest.GoogleSandbox().Mount(mux, ts.URL)
	gate := scopecheck.New(scopecheck.Options{Store: st, Connections: []*registry.Connection{conn},
		Tools: []registry.Tool{tool}, PublicURL: ts.URL})
	gate.Routes(mux)

	link, err := gate.IssueLink(ctx, benchUser, conn.Name, tool.Name, tool.Requirement[0])
	if err != nil {
		b.Fatal(err)
	}
	if page := scopechecktest.Approve(b, link, nil); !strings.Contains(page, `<main id="connected"`) {
		b.Fatalf("the sandbox did not connect the bench user:\n%s", page)
	}
	acct, err := st.Account(ctx, benchUser, conn.Name)
	if err != nil {
		b.Fatal(err)
	}

	scopegate = gate.NewServer("scopegate", version)
	bare = server.NewMCPServer("bare", "0", server.WithToolCapabilities(false))
	client := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{
		AccessToken: acct.Token.AccessToken, TokenType: "Bearer", Expiry: acct.Token.Expiry}))
	bare.AddTool(scopecheck.MCPTool(tool), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		args := req.Params.RawArguments
		if len(args) == 0 {
			if args, err = json.Marshal(req.Params.Arguments); err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
		}
		run, err := tool.Bind(args)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		res, err := run(ctx, &registry.Call{HTTP: client, APIBaseURL: conn.Endpoints.APIBaseURL})
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return &mcp.CallToolResult{
			Content:           []mcp.Content{mcp.NewTextContent(res.Text)},
			StructuredContent: res.Structured,
		}, nil
	})
	return scopegate, bare, benchCall{name: tool.Name, args: map[string]any{}, check: checkLabels}
}

// checkLabels accepts a gmail_list_labels result that lists the inbox.
func checkLabels(res *mcp.CallToolResult) error {
	if res.IsError || len(res.Content) == 0 {
		return fmt.Errorf("%s failed: %+v", sandboxBenchTool, res.Content)
	}
	text, ok := res.Content[0].(mcp.TextContent)
	if !ok || !strings.Contains(text.Text, "INBOX") {
		return fmt.Errorf("%s answered %+v, want the mailbox's labels", sandboxBenchTool, res.Content[0])
	}
	return nil
}
