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

	// The throwaway store is set up while the tools and the sandboxes are
	// built: on a new file that is a good part of start-up.
	dir, err := os.MkdirTemp("", "scopegate-demo-")
	if err != nil {
		return fmt.Errorf("creating the demo store directory: %w", err)
	}
	defer os.RemoveAll(dir)
	pending := openInBackground(func() (*store.SQLite, error) {
		key := make([]byte, 32)
		rand.Read(key)
		return store.OpenSQLite(ctx, store.SQLiteOptions{Path: filepath.Join(dir, "scopegate.db"), Key: key, Throwaway: true})
	})
	defer pending.close()

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
	st, err := pending.wait()
	if err != nil {
		return err
	}
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

// storeOpening is a store being opened in the background.
type storeOpening struct {
	done chan struct{}
	st   *store.SQLite
	err  error
}

// openInBackground starts open; wait and close wait for it to end.
func openInBackground(open func() (*store.SQLite, error)) *storeOpening {
	o := &storeOpening{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		o.st, o.err = open()
	}()
	return o
}

// wait returns the store, or why it could not be opened.
func (o *storeOpening) wait() (*store.SQLite, error) {
	<-o.done
	return o.st, o.err
}

// close closes the store once it is open, if it opened.
func (o *storeOpening) close() {
	if st, err := o.wait(); err == nil {
		st.Close()
	}
}
