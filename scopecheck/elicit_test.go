package scopecheck_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools/gmail"
)

// serveGmail serves the gmail tools behind a gate with the given
// elicitation mode, against the Google sandbox, and returns the MCP
// endpoint's URL.
func serveGmail(t *testing.T, mode scopecheck.ElicitationMode) string {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	_, conn := scopechecktest.GoogleSandbox().Mount(mux, srv.URL)
	gate := scopecheck.New(scopecheck.Options{
		Store:       store.NewMemory(),
		Connections: []*registry.Connection{conn},
		Tools:       gmail.Tools(),
		PublicURL:   srv.URL,
		Elicitation: mode,
	})
	gate.Routes(mux)
	mux.Handle("/mcp", server.NewStreamableHTTPServer(gate.NewServer("scopegate-test", "test"),
		server.WithHTTPContextFunc(func(ctx context.Context, _ *http.Request) context.Context {
			return scopecheck.WithIdentifier(ctx, scopechecktest.Identifier)
		})))
	return srv.URL + "/mcp"
}

// urlClient is an official SDK client that, when declare is set, declares
// URL elicitation and, when handle is set, answers every elicitation with
// action after sending its URL on urls.
type urlClient struct {
	session *sdk.ClientSession
	urls    chan string

	mu        sync.Mutex
	completed []string // elicitation ids of notifications/elicitation/complete
}

func connectURLClient(t *testing.T, endpoint string, declare, handle bool, action string) *urlClient {
	t.Helper()
	c := &urlClient{urls: make(chan string, 1)}
	opts := &sdk.ClientOptions{
		ElicitationCompleteHandler: func(_ context.Context, req *sdk.ElicitationCompleteNotificationRequest) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.completed = append(c.completed, req.Params.ElicitationID)
		},
	}
	if declare {
		opts.Capabilities = &sdk.ClientCapabilities{
			Elicitation: &sdk.ElicitationCapabilities{URL: &sdk.URLElicitationCapabilities{}}}
	}
	if handle {
		opts.ElicitationHandler = func(_ context.Context, req *sdk.ElicitRequest) (*sdk.ElicitResult, error) {
			if req.Params.Mode != "url" || req.Params.ElicitationID == "" || req.Params.Message == "" {
				t.Errorf("elicitation params = %+v, want mode url with an id and a message", req.Params)
			}
			c.urls <- req.Params.URL
			return &sdk.ElicitResult{Action: action}, nil
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	// Protocol version 2026-07-28 has no server-initiated requests, so
	// the client speaks the version before it.
	session, err := sdk.NewClient(&sdk.Implementation{Name: "elicit-test", Version: "1"}, opts).Connect(ctx,
		&sdk.StreamableClientTransport{Endpoint: endpoint}, &sdk.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(func() { session.Close() })
	c.session = session
	return c
}

// callLabels calls gmail_list_labels and returns the result's
// structuredContent as JSON and its text.
func (c *urlClient) callLabels(t *testing.T) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := c.session.CallTool(ctx, &sdk.CallToolParams{Name: "gmail_list_labels", Arguments: map[string]any{}})
	if err != nil {
		t.Fatalf("tools/call gmail_list_labels: %v", err)
	}
	return sdkResult(t, res)
}

func sdkResult(t *testing.T, res *sdk.CallToolResult) (string, string) {
	t.Helper()
	if res.IsError {
		t.Fatalf("gmail_list_labels failed: %v", res.Content)
	}
	structured, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			text += tc.Text
		}
	}
	return string(structured), text
}

func isAuthorizationRequired(structured string) bool {
	return strings.Contains(structured, `"status":"authorization_required"`)
}

func TestElicitationAcceptedRunsTool(t *testing.T) {
	c := connectURLClient(t, serveGmail(t, scopecheck.ElicitationAuto), true, true, "accept")

	type result struct{ structured, text string }
	got := make(chan result, 1)
	go func() {
		params := &sdk.CallToolParams{Name: "gmail_list_labels", Arguments: map[string]any{}}
		res, err := c.session.CallTool(context.Background(), params)
		if err != nil {
			t.Errorf("tools/call gmail_list_labels: %v", err)
			got <- result{}
			return
		}
		s, text := sdkResult(t, res)
		got <- result{s, text}
	}()

	var link string
	select {
	case link = <-c.urls:
	case <-time.After(30 * time.Second):
		t.Fatal("no elicitation arrived")
	}
	if page := scopechecktest.Approve(t, link, nil); !strings.Contains(page, `<main id="connected"`) {
		t.Fatalf("approving %s did not connect:\n%s", link, page)
	}

	var r result
	select {
	case r = <-got:
	case <-time.After(30 * time.Second):
		t.Fatal("the call did not return after the authorization completed")
	}
	if isAuthorizationRequired(r.structured) || !strings.Contains(r.structured, `"labels"`) {
		t.Fatalf("gmail_list_labels after an accepted elicitation = %s (%s), want the labels", r.structured, r.text)
	}
	// The notification is sent before the result, but the client may
	// handle it after returning the result.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		completed := append([]string(nil), c.completed...)
		c.mu.Unlock()
		if len(completed) > 0 || time.Now().After(deadline) {
			if len(completed) != 1 || !strings.HasSuffix(link, completed[0]) {
				t.Errorf("elicitation/complete ids = %q, want the id of the elicitation for %s", completed, link)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestElicitationNotAcceptedFallsBack(t *testing.T) {
	for _, action := range []string{"decline", "cancel"} {
		t.Run(action, func(t *testing.T) {
			c := connectURLClient(t, serveGmail(t, scopecheck.ElicitationAuto), true, true, action)
			structured, text := c.callLabels(t)
			if !isAuthorizationRequired(structured) {
				t.Fatalf("gmail_list_labels after %s = %s, want authorization_required", action, structured)
			}
			if len(c.urls) != 1 {
				t.Errorf("elicitations received = %d, want 1", len(c.urls))
			}
			if !strings.Contains(text, "/connect/") {
				t.Errorf("result text has no authorization link:\n%s", text)
			}
		})
	}
}

func TestElicitationNotUsed(t *testing.T) {
	tests := []struct {
		name            string
		mode            scopecheck.ElicitationMode
		declare, handle bool
	}{
		{"sdk client without handler", scopecheck.ElicitationAuto, false, false},
		{"sdk client declaring url without handler", scopecheck.ElicitationAuto, true, false},
		{"config off", scopecheck.ElicitationOff, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := connectURLClient(t, serveGmail(t, tt.mode), tt.declare, tt.handle, "accept")
			structured, _ := c.callLabels(t)
			if !isAuthorizationRequired(structured) {
				t.Fatalf("gmail_list_labels = %s, want authorization_required", structured)
			}
			if len(c.urls) != 0 {
				t.Errorf("elicitations received = %d, want none", len(c.urls))
			}
		})
	}
}

func TestElicitationNotUsedForMCPGoClient(t *testing.T) {
	tr, err := transport.NewStreamableHTTP(serveGmail(t, scopecheck.ElicitationAuto))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "mcp-go", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}

	req := mcp.CallToolRequest{}
	req.Params.Name = "gmail_list_labels"
	req.Params.Arguments = map[string]any{}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("tools/call gmail_list_labels: %v", err)
	}
	structured, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if !isAuthorizationRequired(string(structured)) {
		t.Fatalf("gmail_list_labels = %s, want authorization_required", structured)
	}
}

// TestElicitationFailedCallbackWakesTheCall: a callback whose code the
// provider refuses uses the link up; the waiting call answers at once.
func TestElicitationFailedCallbackWakesTheCall(t *testing.T) {
	c := connectURLClient(t, serveGmail(t, scopecheck.ElicitationAuto), true, true, "accept")
	got := make(chan string, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	go func() {
		res, err := c.session.CallTool(ctx,
			&sdk.CallToolParams{Name: "gmail_list_labels", Arguments: map[string]any{}})
		if err != nil {
			t.Errorf("tools/call: %v", err)
			got <- ""
			return
		}
		s, _ := sdkResult(t, res)
		got <- s
	}()

	var link string
	select {
	case link = <-c.urls:
	case <-time.After(30 * time.Second):
		t.Fatal("no elicitation arrived")
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`<a id="continue"[^>]*href="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no continue link:\n%s", page)
	}
	provider, _ := url.Parse(html.UnescapeString(string(m[1])))
	gate, _ := url.Parse(link)
	callback := gate.Scheme + "://" + gate.Host + scopecheck.CallbackPath +
		"?code=refused-code&state=" + url.QueryEscape(provider.Query().Get("state"))
	if resp, err := http.Get(callback); err == nil {
		resp.Body.Close()
	}

	select {
	case s := <-got:
		if !isAuthorizationRequired(s) {
			t.Errorf("after a failed callback the call answered %s, want authorization_required", s)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the call kept waiting after its authorization failed")
	}
}

// elicitFunc answers elicitations for mcp-go's client.
type elicitFunc func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error)

func (f elicitFunc) Elicit(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	return f(ctx, req)
}

// connectStateless connects mcp-go's client, which speaks the stateless
// protocol (2026-07-28) when the server does, declaring URL elicitation
// when handle is set.
func connectStateless(t *testing.T, endpoint string, handle elicitFunc) *client.Client {
	t.Helper()
	tr, err := transport.NewStreamableHTTP(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var opts []client.ClientOption
	if handle != nil {
		opts = append(opts, client.WithElicitationHandler(handle),
			client.WithClientCapabilities(mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapability{URL: &struct{}{}}}))
	}
	c := client.NewClient(tr, opts...)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "mcp-go-stateless", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if !mcp.IsModernProtocol(c.ProtocolVersion()) {
		t.Fatalf("client speaks %q, want the stateless protocol", c.ProtocolVersion())
	}
	return c
}

func callLabelsWith(t *testing.T, c *client.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "gmail_list_labels"
	req.Params.Arguments = map[string]any{}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("tools/call gmail_list_labels: %v", err)
	}
	if res.IsError {
		t.Fatalf("gmail_list_labels failed: %v", res.Content)
	}
	structured, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	return string(structured)
}

// TestStatelessElicitation: a client of the stateless protocol gets an
// input_required result asking it to open the link; it answers, calls
// again, and the second call waits for the approval and runs the tool.
func TestStatelessElicitation(t *testing.T) {
	t.Run("accept, approved later", func(t *testing.T) {
		var asked []mcp.ElicitationParams
		approved := make(chan string, 1)
		c := connectStateless(t, serveGmail(t, scopecheck.ElicitationAuto),
			func(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
				asked = append(asked, req.Params)
				// The person approves after the client has already called
				// again: the second call must wait for it.
				go func() {
					time.Sleep(1500 * time.Millisecond)
					approved <- scopechecktest.Approve(t, req.Params.URL, nil)
				}()
				return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
					Action: mcp.ElicitationResponseActionAccept}}, nil
			})
		structured := callLabelsWith(t, c)
		if isAuthorizationRequired(structured) || !strings.Contains(structured, `"labels"`) {
			t.Fatalf("gmail_list_labels = %s, want the labels", structured)
		}
		if page := <-approved; !strings.Contains(page, `<main id="connected"`) {
			t.Fatalf("approval page:\n%s", page)
		}
		if len(asked) != 1 || asked[0].Mode != mcp.ElicitationModeURL || asked[0].ElicitationID == "" ||
			!strings.Contains(asked[0].URL, "/connect/") || !strings.HasSuffix(asked[0].URL, asked[0].ElicitationID) {
			t.Errorf("elicitations = %+v, want one of mode url for a /connect/ link with its id", asked)
		}
		// The grant stays: the next call runs at once.
		if s := callLabelsWith(t, c); !strings.Contains(s, `"labels"`) {
			t.Errorf("second gmail_list_labels = %s, want the labels", s)
		}
	})
	for _, action := range []mcp.ElicitationResponseAction{mcp.ElicitationResponseActionDecline, mcp.ElicitationResponseActionCancel} {
		t.Run(string(action), func(t *testing.T) {
			n := 0
			c := connectStateless(t, serveGmail(t, scopecheck.ElicitationAuto),
				func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
					n++
					return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: action}}, nil
				})
			if s := callLabelsWith(t, c); !isAuthorizationRequired(s) {
				t.Fatalf("gmail_list_labels after %s = %s, want authorization_required", action, s)
			}
			if n != 1 {
				t.Errorf("elicitations = %d, want 1", n)
			}
		})
	}
	t.Run("no capability", func(t *testing.T) {
		c := connectStateless(t, serveGmail(t, scopecheck.ElicitationAuto), nil)
		if s := callLabelsWith(t, c); !isAuthorizationRequired(s) {
			t.Fatalf("gmail_list_labels = %s, want authorization_required", s)
		}
	})
	t.Run("config off", func(t *testing.T) {
		n := 0
		c := connectStateless(t, serveGmail(t, scopecheck.ElicitationOff),
			func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
				n++
				return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
					Action: mcp.ElicitationResponseActionAccept}}, nil
			})
		if s := callLabelsWith(t, c); !isAuthorizationRequired(s) || n != 0 {
			t.Fatalf("gmail_list_labels = %s after %d elicitations, want authorization_required and none", s, n)
		}
	})
}

// TestStatelessForgedRequestState: a retried call whose request state
// names no authorization of the caller is answered with the
// authorization-required result at once, without waiting or running.
func TestStatelessForgedRequestState(t *testing.T) {
	endpoint := serveGmail(t, scopecheck.ElicitationAuto)
	body := `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"gmail_list_labels","arguments":{},` +
		`"inputResponses":{"authorize":{"action":"accept"}},"requestState":"forged-state",` +
		`"_meta":{"` + mcp.MetaKeyProtocolVersion + `":"2026-07-28",` +
		`"` + mcp.MetaKeyClientInfo + `":{"name":"raw","version":"1"},` +
		`"` + mcp.MetaKeyClientCapabilities + `":{"elicitation":{"url":{}}}}}}`
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set(mcp.HeaderProtocolVersion, "2026-07-28")
	req.Header.Set(mcp.HeaderMethod, "tools/call")
	req.Header.Set(mcp.HeaderName, "gmail_list_labels")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `authorization_required`) ||
		strings.Contains(string(raw), `input_required`) {
		t.Fatalf("forged retry: status %d body %s, want an authorization-required result", resp.StatusCode, raw)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("forged retry took %v, want no wait", d)
	}
}
