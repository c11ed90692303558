package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mgmcp "github.com/mark3labs/mcp-go/mcp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// TestShutdownFinishesCallsInFlight stops scopegate (as SIGTERM does)
// while a tool call waits on a slow provider: the call still gets its
// result, over each HTTP transport, and scopegate then exits cleanly and
// without waiting for open streams.
func TestShutdownFinishesCallsInFlight(t *testing.T) {
	for _, tr := range []string{"http", "sse"} {
		t.Run(tr, func(t *testing.T) {
			started := make(chan struct{}, 1)
			provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				started <- struct{}{}
				time.Sleep(1500 * time.Millisecond)
				fmt.Fprintf(w, `{"echo":%q}`, r.URL.Query().Get("w"))
			}))
			defer provider.Close()

			st := store.NewMemory()
			now := time.Now()
			if err := st.PutAccount(context.Background(), &store.Account{
				Identifier: "local", Connection: benchConn, Status: store.StatusActive,
				Granted: registry.NewScopeSet(registry.GmailReadonly),
				Token:   store.Token{AccessToken: benchToken, TokenType: "Bearer", Expiry: now.Add(time.Hour)},
			}); err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			base := "http://" + ln.Addr().String()
			a := &app{
				cfg: &Config{Identifier: "local", PublicURL: base}, log: slog.New(slog.DiscardHandler),
				store: st, tools: []registry.Tool{benchRegistryTool()}, transport: tr,
				conns: []*registry.Connection{{Name: benchConn, Provider: registry.Google, ClientID: "c",
					Endpoints: registry.Endpoints{AuthURL: provider.URL + "/auth", TokenURL: provider.URL + "/token",
						APIBaseURL: provider.URL}}},
			}
			ready := make(chan string, 1)
			a.ready = func(mcpURL, _ string) { ready <- mcpURL }
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			done := make(chan error, 1)
			go func() { done <- a.run(ctx, ln) }()
			mcpURL := <-ready

			call := connectForShutdown(t, tr, mcpURL)
			result := make(chan string, 1)
			go func() { result <- call() }()
			select {
			case <-started:
			case <-time.After(20 * time.Second):
				t.Fatal("the call never reached the provider")
			}
			stop()
			stopped := time.Now()

			select {
			case got := <-result:
				if !strings.Contains(got, "hello") {
					t.Errorf("call in flight at shutdown = %q, want the provider's answer", got)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the call in flight never returned")
			}
			if err := <-done; err != nil {
				t.Errorf("run after shutdown: %v", err)
			}
			// Shutdown gives up on open streams after 10 s; it should not
			// have had to.
			if d := time.Since(stopped); d > 8*time.Second {
				t.Errorf("shutdown took %v: something held it until its time limit", d)
			}
		})
	}
}

// TestShutdownCancelsCallsThatDoNotEnd: a call whose provider never
// answers is cancelled once the drain time is up, gets an answer saying
// so, and scopegate stops; a call that arrives while it drains is turned
// away.
func TestShutdownCancelsCallsThatDoNotEnd(t *testing.T) {
	started := make(chan struct{}, 2)
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done() // never answers on its own
	}))
	defer provider.Close()
	st := store.NewMemory()
	if err := st.PutAccount(context.Background(), &store.Account{
		Identifier: "local", Connection: benchConn, Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailReadonly),
		Token:   store.Token{AccessToken: benchToken, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	a := &app{
		cfg: &Config{Identifier: "local", PublicURL: base}, log: slog.New(slog.DiscardHandler),
		store: st, tools: []registry.Tool{benchRegistryTool()}, transport: "http", drainFor: 700 * time.Millisecond,
		conns: []*registry.Connection{{Name: benchConn, Provider: registry.Google, ClientID: "c",
			Endpoints: registry.Endpoints{AuthURL: provider.URL + "/auth", TokenURL: provider.URL + "/token",
				APIBaseURL: provider.URL}}},
	}
	ready := make(chan string, 1)
	a.ready = func(mcpURL, _ string) { ready <- mcpURL }
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, ln) }()
	mcpURL := <-ready

	hung := connectForShutdown(t, "http", mcpURL)
	late := connectForShutdown(t, "http", mcpURL)
	result := make(chan string, 1)
	go func() { result <- hung() }()
	<-started
	stop()
	time.Sleep(200 * time.Millisecond) // draining now
	if got := late(); !strings.Contains(got, "shutting down") {
		t.Errorf("call during the drain = %q, want it turned away", got)
	}
	select {
	case got := <-result:
		if !strings.Contains(got, "cancelled") {
			t.Errorf("call cancelled at shutdown = %q, want an answer saying so", got)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the hung call never returned")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("scopegate did not stop")
	}
}

// connectForShutdown connects a client over tr and returns a function
// that calls the bench tool and returns its text, or the error.
func connectForShutdown(t *testing.T, tr, mcpURL string) func() string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	if tr == "http" {
		cs, err := sdk.NewClient(&sdk.Implementation{Name: "shutdown-test", Version: "1"}, nil).
			Connect(ctx, &sdk.StreamableClientTransport{Endpoint: mcpURL}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cs.Close() })
		return func() string {
			res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: benchToolName, Arguments: map[string]any{"word": "hello"}})
			if err != nil {
				return "error: " + err.Error()
			}
			if len(res.Content) == 0 {
				return "no content"
			}
			if tc, ok := res.Content[0].(*sdk.TextContent); ok {
				return tc.Text
			}
			return "not text"
		}
	}
	c, err := mcpclient.NewSSEMCPClient(mcpURL, transport.WithHeaders(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	init := mgmcp.InitializeRequest{}
	init.Params.ProtocolVersion = mgmcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mgmcp.Implementation{Name: "shutdown-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return func() string {
		req := mgmcp.CallToolRequest{}
		req.Params.Name = benchToolName
		req.Params.Arguments = map[string]any{"word": "hello"}
		res, err := c.CallTool(ctx, req)
		if err != nil {
			return "error: " + err.Error()
		}
		if len(res.Content) == 0 {
			return "no content"
		}
		if tc, ok := res.Content[0].(mgmcp.TextContent); ok {
			return tc.Text
		}
		return "not text"
	}
}
