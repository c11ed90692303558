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
	"time"

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
	dir, err := throwawayDir()
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
	// The MCP server is built while the store is still being opened; the
	// store's calls wait for it, and nothing is served until it is open.
	a := &app{
		cfg: cfg, log: logger, store: pending, conns: conns, tools: served, transport: f.transport, audit: audit,
		opened: func() error { _, err := pending.wait(); return err },
		mount: func(mux *http.ServeMux) {
			for _, sb := range sandboxes {
				mux.Handle(sb.prefix+"/", http.StripPrefix(sb.prefix, sb.handler))
			}
		},
		ready: func(mcpURL, webURL string) { printDemoHelp(f.transport, mcpURL, webURL, sandboxes[0].account) },
	}
	return a.run(ctx, ln)
}

// throwawayDir makes the directory of the demo's store, readable by the
// owner only. A store deleted on exit needs no disk: it goes in memory
// where the system has a file system for that (the user's runtime
// directory, /dev/shm), which is also faster to create files in, and in
// the temporary directory otherwise.
func throwawayDir() (string, error) {
	for _, base := range []string{os.Getenv("XDG_RUNTIME_DIR"), "/dev/shm"} {
		if base == "" {
			continue
		}
		if dir, err := os.MkdirTemp(base, "scopegate-demo-"); err == nil {
			return dir, nil
		}
	}
	return os.MkdirTemp("", "scopegate-demo-")
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

// storeOpening is a store being opened in the background. It is a
// store.Store itself, whose every call waits for the open to end (or for
// the call's context) and then goes to the store, or fails as the open
// did.
type storeOpening struct {
	done chan struct{}
	st   *store.SQLite
	err  error
}

var _ store.Store = (*storeOpening)(nil)

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

// waitCtx is wait, given up when ctx ends first.
func (o *storeOpening) waitCtx(ctx context.Context) (*store.SQLite, error) {
	select {
	case <-o.done:
		return o.st, o.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close closes the store once it is open, if it opened.
func (o *storeOpening) close() {
	if st, err := o.wait(); err == nil {
		st.Close()
	}
}

func (o *storeOpening) Account(ctx context.Context, identifier, connection string) (*store.Account, error) {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return nil, err
	}
	return st.Account(ctx, identifier, connection)
}

func (o *storeOpening) PutAccount(ctx context.Context, a *store.Account) error {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return err
	}
	return st.PutAccount(ctx, a)
}

func (o *storeOpening) DeleteAccount(ctx context.Context, identifier, connection string) error {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return err
	}
	return st.DeleteAccount(ctx, identifier, connection)
}

func (o *storeOpening) Accounts(ctx context.Context, identifier string) ([]*store.Account, error) {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return nil, err
	}
	return st.Accounts(ctx, identifier)
}

func (o *storeOpening) CreateAuthorization(ctx context.Context, a *store.Authorization) error {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return err
	}
	return st.CreateAuthorization(ctx, a)
}

func (o *storeOpening) Authorization(ctx context.Context, id string) (*store.Authorization, error) {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return nil, err
	}
	return st.Authorization(ctx, id)
}

func (o *storeOpening) ConsumeAuthorization(ctx context.Context, state string, now time.Time) (*store.Authorization, error) {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return nil, err
	}
	return st.ConsumeAuthorization(ctx, state, now)
}

func (o *storeOpening) PurgeAuthorizations(ctx context.Context, before time.Time) (int64, error) {
	st, err := o.waitCtx(ctx)
	if err != nil {
		return 0, err
	}
	return st.PurgeAuthorizations(ctx, before)
}

// Close closes the store once it is open; the demo closes it with close.
func (o *storeOpening) Close() error {
	st, err := o.wait()
	if err != nil {
		return nil
	}
	return st.Close()
}
