// Command baremcp is an MCP server over stdio with nothing but n trivial
// tools, built on the same mcp-go as scopegate. It is the baseline that
// scopegate's cold-start benchmark compares against: no store, no web server,
// no scope gate, so the difference between the two is what scopegate adds.
//
// Usage:
//
//	baremcp [-tools n]
//
// Each tool, echo_0 to echo_<n-1>, takes one string and returns it as text.
// The server stops when stdin closes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// echoInput is the input of every tool.
type echoInput struct {
	Text string `json:"text" jsonschema:"the text to return"`
}

func main() {
	n := flag.Int("tools", 4, "number of tools to serve")
	flag.Parse()
	if *n < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: baremcp [-tools n], with n at least 0")
		os.Exit(2)
	}

	s := server.NewMCPServer("baremcp", "0", server.WithToolCapabilities(false))
	for i := range *n {
		tool := mcp.NewTool(fmt.Sprintf("echo_%d", i),
			mcp.WithDescription("Return the text it is given."),
			mcp.WithInputSchema[echoInput](),
		)
		s.AddTool(tool, mcp.NewTypedToolHandler(echo))
	}

	if err := server.ServeStdio(s); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(os.Stderr, "baremcp: %v\n", err)
		os.Exit(1)
	}
}

func echo(_ context.Context, _ mcp.CallToolRequest, in echoInput) (*mcp.CallToolResult, error) {
	return mcp.NewToolResultText(in.Text), nil
}
