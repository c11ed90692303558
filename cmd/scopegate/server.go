package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// app is one running scopegate: its configuration, store, connections and
// tools, served over one MCP transport next to the web server.
type app struct {
	cfg *Config
	log *slog.Logger
	// store may still be opening, when opened says when it is done.
	store store.Store
	// opened, when set, waits until store is open and says whether it
	// could be: nothing is served before, and nothing at all after an
	// error.
	opened    func() error
	conns     []*registry.Connection
	tools     []registry.Tool
	transport string
	// mount adds routes to the web server (the demo's sandbox).
	mount func(mux *http.ServeMux)
	// ready is called once the server listens, with the MCP URL ("" over
	// stdio) and the web server's public URL.
	ready  func(mcpURL, webURL string)
	stdin  io.Reader
	stdout io.Writer
	// audit, when set, also receives the gate's audit records.
	audit *slog.Logger
	// drainFor is how long shutdown waits for calls in flight before
	// cancelling them; zero means 7 seconds.
	drainFor time.Duration
}

// openAudit opens the audit file for appending, owner-only, and returns a
// JSON-lines logger over it and the file to close; no file, no logger.
func openAudit(path string) (*slog.Logger, io.Closer, error) {
	if path == "" {
		return nil, io.NopCloser(nil), nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening audit file: %w", err)
	}
	return slog.New(slog.NewJSONHandler(f, nil)), f, nil
}

// maxRequestBody bounds one MCP request; a larger one gets 413 before it
// is read.
const maxRequestBody = 8 << 20

// guardMCP refuses what an MCP endpoint should never read: bodies over
// maxRequestBody, and requests from a browser page of another site (an
// Origin that is neither this server nor a loopback address), as the MCP
// transport specification asks of servers.
func guardMCP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxRequestBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		if origin := r.Header.Get("Origin"); origin != "" {
			u, err := url.Parse(origin)
			if err != nil || (u.Host != r.Host && !isLoopbackHost(u.Hostname())) {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// isLoopbackHost reports whether host names this machine's loopback.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkListenFor is checkListen for a configuration: when callers over
// HTTP authenticate, with API keys or JWTs, any address is acceptable.
//
// A wildcard address (0.0.0.0, ::, or no host) also needs public_url: the
// links scopegate hands out, and its protected resource metadata, must
// name an address people and clients can reach, which a wildcard is not.
func checkListenFor(cfg *Config, allow bool, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", cfg.Listen, err)
	}
	if len(cfg.Auth.APIKeys) == 0 && !cfg.Auth.JWT.enabled() {
		if err := checkListen(cfg.Listen, allow, log); err != nil {
			return err
		}
	}
	if ip := net.ParseIP(host); (host == "" || ip != nil && ip.IsUnspecified()) && cfg.PublicURL == "" {
		return fmt.Errorf("listen address %s accepts connections on every interface, so scopegate cannot tell "+
			"which address its authorization links should name: set public_url to the URL people and "+
			"clients reach it at (https://scopegate.example.com, say)", cfg.Listen)
	}
	return nil
}

// checkListen refuses a listen address that is not on loopback, since
// callers are not authenticated, unless allow says otherwise; then it
// warns loudly.
func checkListen(addr string, allow bool, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if isLoopbackHost(host) {
		return nil
	}
	if !allow {
		return fmt.Errorf("listen address %s is not on loopback, and callers are not authenticated: "+
			"anyone who reaches it would act as %s; listen on 127.0.0.1, configure auth.api_keys "+
			"(see 'scopegate keys create') or auth.jwt, or pass "+
			"--insecure-serve-unauthenticated-on-public-address if that is really meant", addr, "the configured identifier")
	}
	log.Warn("SERVING WITHOUT AUTHENTICATION ON A NON-LOOPBACK ADDRESS: anyone who reaches it acts as the configured identifier",
		"listen", addr)
	return nil
}

// keepUsedLinks is how long an authorization link's record is kept after
// it expired: a replayed callback is then still told it was used, and
// records of the day are there to look at.
const keepUsedLinks = 24 * time.Hour

// purgeAuthorizations removes the records of authorization links that
// expired more than keepUsedLinks ago, at once and then every interval,
// until ctx ends. Every instance sharing a store may do it; the work is
// the same whoever does it.
func purgeAuthorizations(ctx context.Context, st store.Store, log *slog.Logger, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := st.PurgeAuthorizations(ctx, time.Now().Add(-keepUsedLinks))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("removing old authorization links", "err", err)
		case n > 0:
			log.Debug("removed old authorization links", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// listen opens the web server's address, naming it when it is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("listen address %s is already in use: stop what is using it or choose another with --listen", addr)
		}
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, nil
}

// run serves until ctx is done (or, over stdio, until the client closes
// stdin), then shuts down, letting calls in flight finish.
func (a *app) run(ctx context.Context, ln net.Listener) error {
	publicURL := a.cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	gate := scopecheck.New(scopecheck.Options{
		Store:       a.store,
		Connections: a.conns,
		Tools:       a.tools,
		PublicURL:   publicURL,
		Logger:      a.log,
		Audit:       a.audit,
		Elicitation: scopecheck.ElicitationMode(a.cfg.Elicitation),
	})
	var calls inflight
	mcpSrv := gate.NewServer("scopegate", version, server.WithToolHandlerMiddleware(calls.track))
	if a.opened != nil {
		if err := a.opened(); err != nil {
			if ctx.Err() != nil {
				return nil // stopped while the store was opening
			}
			return err
		}
	}
	// Old links are purged while scopegate runs, and not after: the store
	// is closed once run returns.
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		purgeAuthorizations(purgeCtx, a.store, a.log, time.Hour)
	}()
	defer func() { stopPurge(); <-purged }()
	identify := func(ctx context.Context) context.Context {
		return scopecheck.WithIdentifier(ctx, a.cfg.Identifier)
	}
	// Callers over stdio are the configured identifier; only the HTTP
	// transports authenticate.
	var auth *callers
	if a.transport != "stdio" {
		var err error
		if auth, err = newCallers(ctx, a.cfg, a.log); err != nil {
			return err
		}
	}
	identifyHTTP := func(ctx context.Context, _ *http.Request) context.Context { return identify(ctx) }
	if auth != nil {
		// A caller acts only as the identifier of its key or token. A
		// request that got here without one carries none, and the gate
		// refuses its calls.
		identifyHTTP = func(ctx context.Context, r *http.Request) context.Context {
			return scopecheck.WithIdentifier(ctx, callerFrom(r))
		}
	}
	// protect wraps an MCP endpoint: the guard, then the key or token
	// check when callers authenticate.
	metadataURL := publicURL + protectedResourcePath
	protect := func(h http.Handler) http.Handler {
		if auth == nil {
			return guardMCP(h)
		}
		return guardMCP(auth.authenticate(h, metadataURL, a.log))
	}

	mux := http.NewServeMux()
	gate.Routes(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "scopegate is running. Authorization links from your assistant open here.")
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if a.mount != nil {
		a.mount(mux)
	}
	if auth != nil && a.transport != "stdio" {
		mux.Handle("GET "+protectedResourcePath, serveProtectedResource(publicURL, auth))
		a.log.Info("callers over HTTP authenticate", "api_keys", auth.keys.count(), "jwt", auth.jwt != nil)
	}

	var mcpURL string
	var closeTransport func(context.Context) error
	switch a.transport {
	case "http":
		idle, keepalive, err := a.cfg.sessionTimings()
		if err != nil {
			return err
		}
		// Sessions are known by id, each bound to the caller that began
		// it: an unknown, expired or another caller's session gets 404.
		sessions := newHTTPSessions(a.log)
		h := server.NewStreamableHTTPServer(mcpSrv,
			server.WithHTTPContextFunc(identifyHTTP),
			server.WithStreamableHTTPLogger(a.log),
			server.WithSessionIdManagerResolver(sessions),
			server.WithHeartbeatInterval(keepalive),
			server.WithSessionIdleTTL(idle),
		)
		mux.Handle("/mcp", protect(sessions.guard(h)))
		mcpURL = publicURL + "/mcp"
		closeTransport = h.Shutdown
	case "sse":
		_, keepalive, err := a.cfg.sessionTimings()
		if err != nil {
			return err
		}
		opts := []server.SSEOption{
			server.WithBaseURL(publicURL),
			server.WithSSEContextFunc(identifyHTTP),
			server.WithKeepAliveInterval(keepalive),
		}
		var owners *sessionOwners
		if auth != nil {
			// Each session belongs to the identifier that opened it.
			owners = newSessionOwners()
			opts = append(opts, server.WithSessionIDGenerator(owners.newSessionID))
		}
		s := server.NewSSEServer(mcpSrv, opts...)
		stream, message := s.SSEHandler(), s.MessageHandler()
		if owners != nil {
			stream, message = owners.stream(stream), owners.message(message, a.log)
		}
		mux.Handle("/sse", protect(stream))
		mux.Handle("/message", protect(message))
		mcpURL = publicURL + "/sse"
		// Served from our own mux, the SSE server's Shutdown would leave
		// its streams open, and the web server's shutdown would wait for
		// them until it gives up.
		closeTransport = func(context.Context) error { s.CloseSessions(); return nil }
	}

	httpSrv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	acting := a.cfg.Identifier
	if auth != nil {
		acting = "each authenticated caller"
	}
	a.log.Info("scopegate ready", "transport", a.transport, "mcp_url", mcpURL, "web_url", publicURL,
		"identifier", acting, "tools", len(a.tools))
	if a.ready != nil {
		a.ready(mcpURL, publicURL)
	}

	var runErr error
	if a.transport == "stdio" {
		stdio := server.NewStdioServer(mcpSrv)
		stdio.SetErrorLogger(log.New(slogWriter{a.log}, "", 0))
		stdio.SetContextFunc(identify)
		stdin, stdout := a.stdin, a.stdout
		if stdin == nil {
			stdin, stdout = os.Stdin, os.Stdout
		}
		// At end of input, let calls already read finish before the
		// transport cancels them: a scripted client may close stdin right
		// after its last request.
		runErr = stdio.Listen(ctx, &drainOnEOF{r: stdin, calls: &calls}, stdout)
		if errors.Is(runErr, context.Canceled) || errors.Is(runErr, io.EOF) {
			runErr = nil
		}
	} else {
		select {
		case <-ctx.Done():
		case runErr = <-served:
		}
	}

	a.log.Info("shutting down")
	// Calls in flight finish first: over SSE their answers travel on the
	// session's stream, which closing the transport ends. New calls are
	// turned away meanwhile, and calls still running after a while (one
	// waiting for a person to approve a link) are cancelled.
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), cmp.Or(a.drainFor, 7*time.Second))
	if !calls.drain(drainCtx) {
		a.log.Warn("tool calls still running at shutdown are cut short", "running", calls.running.Load())
	}
	cancelDrain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if closeTransport != nil {
		if err := closeTransport(shutdownCtx); err != nil {
			a.log.Warn("closing MCP sessions", "err", err)
		}
	}
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		a.log.Warn("stopping web server", "err", err)
	}
	if errors.Is(runErr, http.ErrServerClosed) {
		runErr = nil
	}
	return runErr
}

// slogWriter lets the stdio transport's log.Logger write through slog, so
// nothing of it reaches stdout.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.log.Warn("stdio transport", "detail", string(trimNewline(p)))
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	for len(p) > 0 && (p[len(p)-1] == '\n' || p[len(p)-1] == '\r') {
		p = p[:len(p)-1]
	}
	return p
}

// inflight counts tool calls: how many started, how many are running, and
// when the last one started or ended. Once draining, it turns new calls
// away, and it can cancel the ones running.
type inflight struct {
	started  atomic.Int64
	running  atomic.Int64
	last     atomic.Int64 // unix nanoseconds
	draining atomic.Bool
	cancels  sync.Map // *context.CancelFunc of each running call
}

func (c *inflight) track(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if c.draining.Load() {
			return mcp.NewToolResultError("scopegate is shutting down, so nothing was done. " +
				"Try again in a moment."), nil
		}
		ctx, cancel := context.WithCancel(ctx)
		c.cancels.Store(&cancel, struct{}{})
		c.started.Add(1)
		c.running.Add(1)
		c.last.Store(time.Now().UnixNano())
		defer func() {
			c.cancels.Delete(&cancel)
			cancel()
			c.last.Store(time.Now().UnixNano())
			c.running.Add(-1)
		}()
		return next(ctx, req)
	}
}

// drain turns new calls away and waits for the running ones to end, until
// ctx ends; then it cancels those still running (a call waiting for a
// person to approve an authorization, say) and gives them a moment to
// answer. It reports whether every call ended.
func (c *inflight) drain(ctx context.Context) bool {
	c.draining.Store(true)
	if c.idle(ctx) {
		return true
	}
	c.cancels.Range(func(k, _ any) bool {
		(*k.(*context.CancelFunc))()
		return true
	})
	grace, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return c.idle(grace)
}

// idle waits until no call is running, and reports false when ctx ends
// first.
func (c *inflight) idle(ctx context.Context) bool {
	for c.running.Load() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
	return true
}

// settle waits until the calls that were read have all started and
// finished. A count read from raw input can be off (the words may appear
// inside arguments), so it also stops after a quiet spell, and at limit.
func (c *inflight) settle(read int64, limit time.Duration) {
	const quiet = 200 * time.Millisecond
	start := time.Now()
	for time.Since(start) < limit {
		if c.running.Load() == 0 {
			if c.started.Load() >= read {
				return
			}
			idle := min(time.Since(time.Unix(0, c.last.Load())), time.Since(start))
			if idle >= quiet {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// drainOnEOF delays the end of stdin until the tool calls read before it
// finish. It counts the tool calls it passes on by their method name.
type drainOnEOF struct {
	r     io.Reader
	calls *inflight
	read  int64
	tail  []byte // the end of the previous read, for names split across reads
}

var toolsCallMethod = []byte(`"tools/call"`)

func (d *drainOnEOF) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if n > 0 {
		joined := append(d.tail, p[:n]...)
		d.read += int64(bytes.Count(joined, toolsCallMethod))
		keep := min(len(toolsCallMethod)-1, len(joined))
		d.tail = append(d.tail[:0], joined[len(joined)-keep:]...)
	}
	if errors.Is(err, io.EOF) {
		d.calls.settle(d.read, 30*time.Second)
	}
	return n, err
}
