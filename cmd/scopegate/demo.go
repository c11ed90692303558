package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

func newDemoCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Serve with the sandbox providers and a throwaway store",
		Long: "demo runs scopegate against in-process sandbox providers that behave like Google,\n" +
			"Microsoft 365, Slack and Jira (OAuth and the APIs the tools call), with a store that is\n" +
			"deleted on exit. No account or secret is needed.\n" +
			"When the --listen address is taken, it picks a free port and says which.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), &f)
		},
	}
	f.register(cmd)
	return cmd
}

func runDemo(ctx context.Context, f *serveFlags) error {
	cfg, logger, err := f.load()
	if err != nil {
		return err
	}

	served, err := cfg.servedTools(tools.All())
	if err != nil {
		return err
	}
	if err := checkListenFor(cfg, f.publicUnauthenticated, logger); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		requested := cfg.Listen
		host, _, splitErr := net.SplitHostPort(requested)
		if splitErr != nil {
			return usageError{fmt.Errorf("--listen %q: %w", requested, splitErr)}
		}
		if ln, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
			return fmt.Errorf("listening on %s: %w", host, err)
		}
		logger.Warn("listen address in use; using a free port instead", "requested", requested, "using", ln.Addr().String())
	}
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
		cfg.PublicURL = publicURL
	}

	dir, err := os.MkdirTemp("", "scopegate-demo-")
	if err != nil {
		return fmt.Errorf("creating the demo store directory: %w", err)
	}
	defer os.RemoveAll(dir)
	key := make([]byte, 32)
	rand.Read(key)
	st, err := store.OpenSQLite(ctx, store.SQLiteOptions{Path: filepath.Join(dir, "scopegate.db"), Key: key, Throwaway: true})
	if err != nil {
		return err
	}
	defer st.Close()

	sandboxes := demoSandboxes(publicURL, publicURL+scopecheck.CallbackPath, logger)
	var conns []*registry.Connection
	for _, sb := range sandboxes {
		conns = append(conns, sb.conn)
	}
	audit, closeAudit, err := openAudit(cfg.Audit.File)
	if err != nil {
		return err
	}
	defer closeAudit.Close()
	a := &app{
		cfg: cfg, log: logger, store: st, conns: conns, tools: served, transport: f.transport, audit: audit,
		mount: func(mux *http.ServeMux) {
			for _, sb := range sandboxes {
				mux.Handle(sb.prefix+"/", http.StripPrefix(sb.prefix, sb.handler))
			}
		},
		ready: func(mcpURL, webURL string) { printDemoHelp(f.transport, mcpURL, webURL, sandboxes[0].account) },
	}
	return a.run(ctx, ln)
}

// printDemoHelp tells a person on stderr how to connect a client.
func printDemoHelp(transport, mcpURL, webURL, account string) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nscopegate demo: sandbox Google, Microsoft 365, Slack and Jira as %s, throwaway store.\n", account)
	switch transport {
	case "stdio":
		b.WriteString("  MCP over stdio: this process's stdin and stdout.\n")
	case "http":
		fmt.Fprintf(&b, "  MCP (Streamable HTTP): %s\n", mcpURL)
		fmt.Fprintf(&b, "  Try: npx @modelcontextprotocol/inspector --cli %s --transport http --method tools/list\n", mcpURL)
	case "sse":
		fmt.Fprintf(&b, "  MCP (SSE): %s\n", mcpURL)
		fmt.Fprintf(&b, "  Try: npx @modelcontextprotocol/inspector --cli %s --transport sse --method tools/list\n", mcpURL)
	}
	fmt.Fprintf(&b, "  Authorization pages: %s\n", webURL)
	b.WriteString("  Call gmail_send_email, open the authorization_url it returns, approve, and call it again.\n\n")
	fmt.Fprint(os.Stderr, b.String())
}
