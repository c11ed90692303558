package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// The tool-call benchmarks compare one tools/call through scopegate with the
// same call through a bare mcp-go server. Both call the same provider over
// loopback HTTP with the same bearer token, so what differs is what
// scopegate adds: argument validation and decoding by the registry, the
// account lookups in the store, the gate's decision and the authorized
// client.
//
// There are two providers. The "echo" provider answers at once and does
// nothing, so that scopegate's share is as large as it can be. The
// "sandbox" is the Google sandbox the demo serves, answering
// gmail_list_labels as Gmail does: scopegate runs its real tool, and the
// bare server a handler that runs the same tool's code with an oauth2
// client, as a server without a gate would.

const (
	benchToolName = "bench_echo"
	benchToken    = "bench-access-token"
	benchUser     = "bench-user"
	benchConn     = "gmail"
)

// benchEchoInput is the input of the benchmarked tool on both servers.
type benchEchoInput struct {
	Word string `json:"word" jsonschema:"The word to send to the provider and return."`
}

// benchCall is one tools/call as the benchmarks make it, and how to tell
// that it reached the provider and came back with its answer.
type benchCall struct {
	name string
	args map[string]any
	// check accepts the result.
	check func(*mcp.CallToolResult) error
}

// message is the call as a transport hands it to the server.
func (c benchCall) message() []byte {
	params, err := json.Marshal(map[string]any{"name": c.name, "arguments": c.args})
	if err != nil {
		panic(err)
	}
	return []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":` + string(params) + `}`)
}

// echoCall is the call of the echo provider's tool.
var echoCall = benchCall{name: benchToolName, args: map[string]any{"word": "hello"}, check: checkEcho}

// newBenchProvider starts a provider that answers GET /echo?w=... with a
// small JSON body, and refuses requests without the bench token.
func newBenchProvider(b testing.TB) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+benchToken {
			http.Error(w, `{"error":"unauthenticated"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"echo":%q}`, r.URL.Query().Get("w"))
	}))
	b.Cleanup(srv.Close)
	return srv
}

// readEcho reads the provider's answer to an echo request.
func readEcho(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("provider answered %d: %s", resp.StatusCode, body)
	}
	return string(body), nil
}

// benchRegistryTool is the benchmarked tool as scopegate declares it: a
// registry tool whose handler calls the provider through the gate's client.
func benchRegistryTool() registry.Tool {
	spec := registry.Spec{
		Name:        benchToolName,
		Title:       "Echo",
		Description: "Send a word to the provider and return its answer.",
		Provider:    registry.Google.ID,
		Requirement: registry.AnyOf(registry.GmailReadonly),
		Operations:  []string{"bench.echo"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}
	echo := func(ctx context.Context, call *registry.Call, in benchEchoInput) (registry.Result, error) {
		u := call.URL("https://gmail.googleapis.com", "/echo?w="+url.QueryEscape(in.Word))
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return registry.Result{}, err
		}
		resp, err := call.HTTP.Do(req)
		if err != nil {
			return registry.Result{}, err
		}
		body, err := readEcho(resp)
		if err != nil {
			return registry.Result{}, err
		}
		return registry.Result{Text: body, Structured: map[string]string{"echo": body}}, nil
	}
	return registry.NewTool(spec, echo)
}

// benchStore opens the store the gate reads: "sqlite" (the store serve and
// demo use, with tokens encrypted) or "memory".
func benchStore(b testing.TB, kind string) store.Store {
	b.Helper()
	if kind == "memory" {
		return store.NewMemory()
	}
	key := make([]byte, store.KeySize)
	rand.Read(key)
	st, err := store.OpenSQLite(context.Background(),
		store.SQLiteOptions{Path: filepath.Join(b.TempDir(), "bench.db"), Key: key})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// newBenchScopegate returns scopegate's MCP server for the bench tool, with
// an account in st that holds the grant and a token valid for an hour.
func newBenchScopegate(b testing.TB, st store.Store, providerURL string) *server.MCPServer {
	b.Helper()
	conn := &registry.Connection{Name: benchConn, Provider: registry.Google,
		ClientID: "bench-client", ClientSecret: "bench-secret",
		Endpoints: registry.Endpoints{AuthURL: providerURL + "/auth", TokenURL: providerURL + "/token",
			APIBaseURL: providerURL}}
	now := time.Now()
	err := st.PutAccount(context.Background(), &store.Account{
		Identifier: benchUser, Connection: benchConn, Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GoogleOpenID, registry.GmailReadonly),
		Token: store.Token{AccessToken: benchToken, TokenType: "Bearer", RefreshToken: "bench-refresh",
			Expiry: now.Add(time.Hour)},
		CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		b.Fatal(err)
	}
	gate := scopecheck.New(scopecheck.Options{Store: st, Connections: []*registry.Connection{conn},
		Tools: []registry.Tool{benchRegistryTool()}, PublicURL: "http://127.0.0.1:1"})
	return gate.NewServer("scopegate", version)
}

// newBenchBare returns a bare mcp-go server with the same tool, whose
// handler calls the provider directly with the same token.
func newBenchBare(providerURL string) *server.MCPServer {
	s := server.NewMCPServer("bare", "0", server.WithToolCapabilities(false))
	tool := mcp.NewTool(benchToolName,
		mcp.WithDescription("Send a word to the provider and return its answer."),
		mcp.WithInputSchema[benchEchoInput]())
	echo := func(ctx context.Context, _ mcp.CallToolRequest, in benchEchoInput) (*mcp.CallToolResult, error) {
		body, err := callEcho(ctx, providerURL, in.Word)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return &mcp.CallToolResult{
			Content:           []mcp.Content{mcp.NewTextContent(body)},
			StructuredContent: map[string]string{"echo": body},
		}, nil
	}
	s.AddTool(tool, mcp.NewTypedToolHandler(echo))
	return s
}

// newBenchGoSDK returns the same bare server built on the official Go SDK
// instead of mcp-go, served over Streamable HTTP: a peer implementation
// to compare both with.
func newBenchGoSDK(providerURL string) http.Handler {
	s := sdk.NewServer(&sdk.Implementation{Name: "gosdk", Version: "0"}, nil)
	tool := &sdk.Tool{Name: benchToolName, Description: "Send a word to the provider and return its answer."}
	sdk.AddTool(s, tool, func(ctx context.Context, _ *sdk.CallToolRequest, in benchEchoInput) (*sdk.CallToolResult, any, error) {
		body, err := callEcho(ctx, providerURL, in.Word)
		if err != nil {
			return nil, nil, err
		}
		return &sdk.CallToolResult{
			Content:           []sdk.Content{&sdk.TextContent{Text: body}},
			StructuredContent: map[string]string{"echo": body},
		}, nil, nil
	})
	return sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return s }, nil)
}

// callEcho sends word to the echo provider with the bench token, as the
// bare servers' handlers do.
func callEcho(ctx context.Context, providerURL, word string) (string, error) {
	u := providerURL + "/echo?w=" + url.QueryEscape(word)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	return readEcho(resp)
}

// benchCaller makes one tools/call and fails when it did not reach the
// provider and come back with the provider's answer.
type benchCaller func() error

// inProcessCaller hands the tools/call message to srv directly, as a
// transport does once it has read it.
func inProcessCaller(srv *server.MCPServer, ctx context.Context, call benchCall) benchCaller {
	msg := call.message()
	return func() error {
		answer := srv.HandleMessage(ctx, msg)
		resp, ok := answer.(mcp.JSONRPCResponse)
		if !ok {
			return fmt.Errorf("tools/call answered %T: %+v", answer, answer)
		}
		res, ok := resp.Result.(*mcp.CallToolResult)
		if !ok {
			return fmt.Errorf("tools/call result is %T", resp.Result)
		}
		return call.check(res)
	}
}

// httpCaller serves srv over Streamable HTTP on loopback and returns a
// caller that uses mcp-go's client, initialized once.
func httpCaller(b testing.TB, srv *server.MCPServer, protocol string, call benchCall,
	opts ...server.StreamableHTTPOption) benchCaller {
	b.Helper()
	return handlerCaller(b, server.NewStreamableHTTPServer(srv, opts...), protocol, call)
}

// handlerCaller serves an MCP endpoint over Streamable HTTP on loopback and
// returns a caller that uses mcp-go's client, initialized once with the
// given protocol version.
func handlerCaller(b testing.TB, h http.Handler, protocol string, call benchCall) benchCaller {
	b.Helper()
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)

	ctx := context.Background()
	c, err := mcpclient.NewStreamableHttpClient(ts.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := c.Start(ctx); err != nil {
		b.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = protocol
	init.Params.ClientInfo = mcp.Implementation{Name: "toolcall-bench", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		b.Fatalf("initialize: %v", err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = call.name
	req.Params.Arguments = call.args
	return func() error {
		res, err := c.CallTool(ctx, req)
		if err != nil {
			return err
		}
		return call.check(res)
	}
}

// checkEcho accepts a tool result whose text is the provider's answer.
func checkEcho(res *mcp.CallToolResult) error {
	if res.IsError || len(res.Content) == 0 {
		return fmt.Errorf("tools/call failed: %+v", res.Content)
	}
	text, ok := res.Content[0].(mcp.TextContent)
	if !ok || text.Text != `{"echo":"hello"}` {
		return fmt.Errorf("tools/call answered %+v, want the provider's echo", res.Content[0])
	}
	return nil
}

// benchSide is one server of a tool-call benchmark and its caller.
type benchSide struct {
	name string
	call benchCaller
}

// benchCallers builds the callers of one case: scopegate first, then the
// server it is compared with, the bare mcp-go server or the peer on the Go
// SDK (for the echo provider over HTTP with sessions, the newest protocol
// the Go SDK speaks).
func benchCallers(b testing.TB, tc toolCallCase) []benchSide {
	b.Helper()
	var sg, bs *server.MCPServer
	var call benchCall
	var providerURL string
	switch tc.provider {
	case "echo":
		providerURL = newBenchProvider(b).URL
		sg, bs, call = newBenchScopegate(b, benchStore(b, tc.store), providerURL), newBenchBare(providerURL), echoCall
	case "sandbox":
		sg, bs, call = newSandboxBench(b, benchStore(b, tc.store))
	default:
		b.Fatalf("unknown provider %q", tc.provider)
	}
	var sides []benchSide
	switch tc.transport {
	case "inprocess":
		ctx := scopecheck.WithIdentifier(context.Background(), benchUser)
		sides = []benchSide{{"scopegate", inProcessCaller(sg, ctx, call)},
			{"bare", inProcessCaller(bs, context.Background(), call)}}
	case "http", "http-sessions":
		identify := server.WithHTTPContextFunc(
			func(ctx context.Context, _ *http.Request) context.Context {
				return scopecheck.WithIdentifier(ctx, benchUser)
			})
		protocol := mcp.LATEST_PROTOCOL_VERSION
		if tc.transport == "http-sessions" {
			protocol = sessionProtocol
		}
		sides = []benchSide{{"scopegate", httpCaller(b, sg, protocol, call, identify)}}
		if tc.peer {
			if tc.provider != "echo" || protocol != sessionProtocol {
				b.Fatalf("%s: the Go SDK peer serves the echo provider over http-sessions only", tc)
			}
			sides = append(sides, benchSide{"gosdk", handlerCaller(b, newBenchGoSDK(providerURL), protocol, call)})
		} else {
			sides = append(sides, benchSide{"bare", httpCaller(b, bs, protocol, call)})
		}
	default:
		b.Fatalf("unknown transport %q", tc.transport)
	}
	for _, side := range sides {
		if err := side.call(); err != nil {
			b.Fatalf("%s: %v", side.name, err)
		}
	}
	return sides
}

// toolCallCase is one provider, transport and store kind, and whether
// scopegate is compared with the Go SDK peer instead of the bare mcp-go
// server.
type toolCallCase struct {
	provider, transport, store string
	peer                       bool
}

func (tc toolCallCase) String() string {
	name := tc.provider + "/" + tc.transport + "/" + tc.store
	if tc.peer {
		name += "/gosdk"
	}
	return name
}

// sessionProtocol is the protocol version the "http-sessions" cases speak:
// the newest before the stateless one, with a session per client.
const sessionProtocol = "2025-11-25"

// toolCallCases are the cases the tool-call benchmarks cover. The memory
// store shows how much of scopegate's share is SQLite's. "http" speaks the
// newest protocol, stateless; "http-sessions" the one before, with
// sessions, which the Go SDK speaks too. The peer is measured in a case of
// its own: interleaved with a third server, the other two would each run
// on what it leaves in the CPU's caches, and that would be measured too.
var toolCallCases = []toolCallCase{
	{"echo", "inprocess", "sqlite", false},
	{"echo", "inprocess", "memory", false},
	{"echo", "http", "sqlite", false},
	{"echo", "http-sessions", "sqlite", false},
	{"echo", "http-sessions", "sqlite", true},
	{"sandbox", "inprocess", "sqlite", false},
	{"sandbox", "http", "sqlite", false},
}

// BenchmarkToolCall measures one tools/call through scopegate and through a
// bare mcp-go server, each on its own, in process (server.HandleMessage) and
// over Streamable HTTP with mcp-go's client. ns/op and allocs/op count the
// whole process, the fake provider included.
func BenchmarkToolCall(b *testing.B) {
	for _, tc := range toolCallCases {
		b.Run(tc.String(), func(b *testing.B) {
			for _, c := range benchCallers(b, tc) {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if err := c.call(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkToolCallRatio interleaves the scopegate call and the call of the
// server it is compared with, in a new random order each round (see
// rounds), and reports the median time of each (scopegate_ns, and bare_ns
// or gosdk_ns), scopegate's ratio to the bare mcp-go server (x_bare, the
// target) or to the Go SDK peer (x_gosdk), the allocations per call of
// each and their ratio (allocs_x_bare or allocs_x_gosdk). Interleaving
// keeps a change in machine load from landing on one side only.
func BenchmarkToolCallRatio(b *testing.B) {
	for _, tc := range toolCallCases {
		b.Run(tc.String(), func(b *testing.B) {
			sides := benchCallers(b, tc)
			took := make([][]time.Duration, len(sides))
			order := rounds(len(sides))
			for b.Loop() {
				for _, k := range order() {
					start := time.Now()
					if err := sides[k].call(); err != nil {
						b.Fatalf("%s: %v", sides[k].name, err)
					}
					took[k] = append(took[k], time.Since(start))
				}
			}

			sgNs := medianNanos(took[0])
			for k, side := range sides {
				ns := medianNanos(took[k])
				b.ReportMetric(ns, side.name+"_ns")
				if k > 0 {
					b.ReportMetric(sgNs/ns, "x_"+side.name)
				}
			}

			other := sides[1].name
			sgAllocs, otherAllocs := allocsPerCall(b, sides[0].call), allocsPerCall(b, sides[1].call)
			b.ReportMetric(sgAllocs, "scopegate_allocs")
			b.ReportMetric(otherAllocs, other+"_allocs")
			b.ReportMetric(sgAllocs/otherAllocs, "allocs_x_"+other)
		})
	}
}

// rounds returns the order of the n sides for each round of an interleaved
// benchmark: a random permutation, from a fixed seed. Each side then comes
// first, and after each other side, as often as the others do; with a
// fixed rotation of three, one side would mostly follow the same other one,
// and inherit the state of the machine that side leaves behind.
func rounds(n int) func() []int {
	r := mrand.New(mrand.NewPCG(1, 2))
	return func() []int { return r.Perm(n) }
}

// allocsPerCall returns the mean number of heap allocations of one call,
// counted over the whole process.
func allocsPerCall(b *testing.B, call benchCaller) float64 {
	b.Helper()
	var err error
	n := testing.AllocsPerRun(200, func() {
		if e := call(); e != nil {
			err = e
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// medianNanos returns the median of ds in nanoseconds, or 0 when ds is empty.
func medianNanos(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return float64(m)
}

// TestToolCallBenchCases makes each tool-call benchmark's call once through
// each of its servers, so that a benchmark that no longer reaches its
// provider fails the tests instead of the next measurement.
func TestToolCallBenchCases(t *testing.T) {
	for _, tc := range toolCallCases {
		t.Run(tc.String(), func(t *testing.T) {
			if sides := benchCallers(t, tc); len(sides) != 2 {
				t.Errorf("%d sides, want scopegate and one to compare it with", len(sides))
			}
		})
	}
}
