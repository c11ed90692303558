// Command baresdk is an MCP server over stdio with nothing but n trivial
// tools, built on the official Go SDK (github.com/modelcontextprotocol/go-sdk)
// instead of mcp-go. It is a second baseline for scopegate's cold-start
// benchmark: how long a server on another Go implementation of MCP takes to
// answer tools/list, next to the bare mcp-go server (baremcp) the target is
// measured against.
//
// Usage:
//
//	baresdk [-tools n]
//
// Each tool, echo_0 to echo_<n-1>, takes one string and returns it as text.
// The server stops when stdin closes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// echoInput is the input of every tool.
type echoInput struct {
	Text string `json:"text" jsonschema:"the text to return"`
}

func main() {
	n := flag.Int("tools", 4, "number of tools to serve")
	flag.Parse()
	if *n < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: baresdk [-tools n], with n at least 0")
		os.Exit(2)
	}

	s := mcp.NewServer(&mcp.Implementation{Name: "baresdk", Version: "0"}, nil)
	for i := range *n {
		mcp.AddTool(s, &mcp.Tool{Name: fmt.Sprintf("echo_%d", i), Description: "Return the text it is given."}, echo)
	}
	err := s.Run(context.Background(), &mcp.StdioTransport{})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		fmt.Fprintf(os.Stderr, "baresdk: %v\n", err)
		os.Exit(1)
	}
}

func echo(_ context.Context, _ *mcp.CallToolRequest, in echoInput) (*mcp.CallToolResult, any, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Text}}}, nil, nil
}
