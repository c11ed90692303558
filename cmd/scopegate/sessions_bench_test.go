package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

// The idle-session benchmarks open many MCP sessions against a server in
// this process, on loopback, and weigh what each costs the process while
// it does nothing. Clients are raw connections and plain HTTP requests, so
// that the client side keeps little more than a socket per session; the
// bare server gives the baseline, and what both sides share cancels out in
// the ratio.

// warmSessions are opened before the first measurement, so that what is
// set up once (pools, lazily built tables) does not count per session.
const warmSessions = 10

// sessionKinds are the ways a client holds an idle session:
//   - sse: the SSE transport's event stream, open for the whole session;
//   - http: a Streamable HTTP session after the handshake, with no
//     connection left open;
//   - http-stream: the same, with the standalone GET stream open for
//     server messages, as clients that listen for notifications keep it.
var sessionKinds = []string{"sse", "http", "http-stream"}

// mcpTarget is a running MCP server and where to reach it.
type mcpTarget struct {
	base string // "http://127.0.0.1:port"
	stop func()
}

// starter starts a server over a transport ("sse" or "http").
type starter func(b *testing.B, transport string) mcpTarget

// startScopegateTarget runs scopegate as `demo` does (its sandboxes and
// every tool, with a memory store, which idle sessions never read) on a
// loopback port, over transport ("sse" or "http").
func startScopegateTarget(b *testing.B, transport string) mcpTarget {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	logger := slog.New(slog.DiscardHandler)
	sandboxes := demoSandboxes(base, base+scopecheck.CallbackPath, logger)
	a := &app{
		cfg: &Config{Identifier: "local", PublicURL: base}, log: logger, store: store.NewMemory(),
		tools: tools.All(), transport: transport,
		mount: func(mux *http.ServeMux) {
			for _, sb := range sandboxes {
				mux.Handle(sb.prefix+"/", http.StripPrefix(sb.prefix, sb.handler))
			}
		},
	}
	for _, sb := range sandboxes {
		a.conns = append(a.conns, sb.conn)
	}
	ready := make(chan struct{})
	a.ready = func(string, string) { close(ready) }

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, ln) }()
	select {
	case <-ready:
	case err := <-done:
		b.Fatalf("scopegate stopped before serving: %v", err)
	}
	return mcpTarget{base: base, stop: func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("scopegate: %v", err)
		}
	}}
}

// startBareTarget runs a bare mcp-go server with scopegate's tools, as
// tools/list shows them, and handlers that do nothing.
func startBareTarget(b *testing.B, transport string) mcpTarget {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s := server.NewMCPServer("bare", "0", server.WithToolCapabilities(false))
	nothing := func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("ok"), nil
	}
	for _, t := range tools.All() {
		s.AddTool(scopecheck.MCPTool(t), nothing)
	}

	mux := http.NewServeMux()
	var closeTransport func(context.Context) error
	switch transport {
	case "http":
		h := server.NewStreamableHTTPServer(s)
		mux.Handle("/mcp", h)
		closeTransport = h.Shutdown
	case "sse":
		h := server.NewSSEServer(s, server.WithBaseURL(base))
		mux.Handle("/sse", h.SSEHandler())
		mux.Handle("/message", h.MessageHandler())
		closeTransport = h.Shutdown
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return mcpTarget{base: base, stop: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		closeTransport(ctx)
		srv.Shutdown(ctx)
	}}
}

// sessionOpener opens idle sessions of one kind against one target and
// closes them all at the end.
type sessionOpener struct {
	kind   string
	base   string
	client *http.Client
	conns  []net.Conn // streams held open
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{` +
	`"protocolVersion":"2025-06-18","capabilities":{},` +
	`"clientInfo":{"name":"sessions-bench","version":"0"}}}`

const initializedBody = `{"jsonrpc":"2.0","method":"notifications/initialized"}`

// open opens one session and completes the handshake.
func (o *sessionOpener) open() error {
	if o.kind == "sse" {
		return o.openSSE()
	}
	id, err := o.post(o.base+"/mcp", "", initializeBody)
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if id == "" {
		return errors.New("initialize: no Mcp-Session-Id")
	}
	if _, err := o.post(o.base+"/mcp", id, initializedBody); err != nil {
		return fmt.Errorf("initialized: %w", err)
	}
	if o.kind == "http-stream" {
		conn, _, err := o.stream("/mcp", id)
		if err != nil {
			return fmt.Errorf("opening the GET stream: %w", err)
		}
		o.conns = append(o.conns, conn)
	}
	return nil
}

// openSSE opens an SSE stream, reads the endpoint it names, and completes
// the handshake, reading the initialize answer from the stream.
func (o *sessionOpener) openSSE() error {
	conn, events, err := o.stream("/sse", "")
	if err != nil {
		return err
	}
	o.conns = append(o.conns, conn)
	endpoint, err := nextData(events)
	if err != nil {
		return fmt.Errorf("reading the endpoint event: %w", err)
	}
	u, err := url.Parse(o.base)
	if err != nil {
		return err
	}
	ref, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	msgURL := u.ResolveReference(ref).String()
	if _, err := o.post(msgURL, "", initializeBody); err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	if answer, err := nextData(events); err != nil || !strings.Contains(answer, `"result"`) {
		return fmt.Errorf("initialize answer %q: %v", answer, err)
	}
	if _, err := o.post(msgURL, "", initializedBody); err != nil {
		return fmt.Errorf("initialized: %w", err)
	}
	return nil
}

// stream opens a GET event stream on a connection of its own and returns
// the connection and a reader of the response body.
func (o *sessionOpener) stream(path, sessionID string) (net.Conn, *bufio.Reader, error) {
	u, err := url.Parse(o.base)
	if err != nil {
		return nil, nil, err
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, nil, err
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nAccept: text/event-stream\r\n"
	if sessionID != "" {
		req += "Mcp-Session-Id: " + sessionID + "\r\nMcp-Protocol-Version: 2025-06-18\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		conn.Close()
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return conn, bufio.NewReader(resp.Body), nil
}

// nextData returns the data of the next event on an event stream.
func nextData(r *bufio.Reader) (string, error) {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if data, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "data:"); ok {
			return strings.TrimSpace(data), nil
		}
	}
}

// post sends one JSON-RPC message and returns the session id the answer
// names.
func (o *sessionOpener) post(u, sessionID, body string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if sessionID != "" {
		req.Header.Set("Mcp-Session-Id", sessionID)
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		return "", fmt.Errorf("POST %s: %s", u, resp.Status)
	}
	return resp.Header.Get("Mcp-Session-Id"), nil
}

// close ends every session's stream and the client's idle connections.
func (o *sessionOpener) close() {
	for _, c := range o.conns {
		c.Close()
	}
	o.conns = nil
	o.client.CloseIdleConnections()
}

// memory is what the process holds after a full collection.
type memory struct {
	heap, stack uint64
}

// settledMemory waits until the number of goroutines stops changing (the
// server has seen the last connections close), collects garbage and reads
// the heap and stack in use.
func settledMemory() memory {
	last, still := runtime.NumGoroutine(), 0
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && still < 5; {
		time.Sleep(20 * time.Millisecond)
		if n := runtime.NumGoroutine(); n == last {
			still++
		} else {
			last, still = n, 0
		}
	}
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memory{heap: ms.HeapAlloc, stack: ms.StackInuse}
}

// perSession is what n more idle sessions cost, per session.
type perSession struct {
	heap, stack float64
}

// measureSessions starts a server, opens warmSessions and then n idle
// sessions of kind, and returns what the n cost per session.
func measureSessions(b *testing.B, start starter, kind string, n int) perSession {
	b.Helper()
	transport := "http"
	if kind == "sse" {
		transport = "sse"
	}
	target := start(b, transport)
	defer target.stop()
	o := &sessionOpener{kind: kind, base: target.base,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}}}
	defer o.close()

	for range warmSessions {
		if err := o.open(); err != nil {
			b.Fatal(err)
		}
	}
	o.client.CloseIdleConnections()
	before := settledMemory()
	for range n {
		if err := o.open(); err != nil {
			b.Fatal(err)
		}
	}
	o.client.CloseIdleConnections()
	after := settledMemory()
	return perSession{
		heap:  (float64(after.heap) - float64(before.heap)) / float64(n),
		stack: (float64(after.stack) - float64(before.stack)) / float64(n),
	}
}

// BenchmarkIdleSessions measures the memory of an idle MCP session in
// scopegate and in a bare mcp-go server with the same tools, for each kind
// of session and for 200 and 1,000 sessions. Each iteration starts both
// servers afresh, one after the other, the first of them in turns. It
// reports the median heap bytes per session of each (scopegate_B/session,
// bare_B/session), their ratio (x_bare), and the goroutine stack bytes per
// session of each. Run it with a count, as in -benchtime 3x.
func BenchmarkIdleSessions(b *testing.B) {
	for _, kind := range sessionKinds {
		for _, n := range []int{200, 1000} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				starts := [2]starter{startScopegateTarget, startBareTarget}
				var got [2][]perSession
				for i := 0; b.Loop(); i++ {
					for j := range starts {
						k := (i + j) % len(starts)
						got[k] = append(got[k], measureSessions(b, starts[k], kind, n))
					}
				}
				sg, bare := medianSession(got[0]), medianSession(got[1])
				b.ReportMetric(sg.heap, "scopegate_B/session")
				b.ReportMetric(bare.heap, "bare_B/session")
				b.ReportMetric(sg.heap/bare.heap, "x_bare")
				b.ReportMetric(sg.stack, "scopegate_stack_B/session")
				b.ReportMetric(bare.stack, "bare_stack_B/session")
			})
		}
	}
}

// medianSession returns the median heap and the median stack of ps, each
// taken on its own.
func medianSession(ps []perSession) perSession {
	heaps := make([]float64, len(ps))
	stacks := make([]float64, len(ps))
	for i, p := range ps {
		heaps[i], stacks[i] = p.heap, p.stack
	}
	return perSession{heap: medianFloat(heaps), stack: medianFloat(stacks)}
}

// medianFloat returns the median of xs, or 0 when xs is empty.
func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}
