package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mgmcp "github.com/mark3labs/mcp-go/mcp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// twoUsers is a configuration with API keys for alice and bob.
type twoUsers struct {
	config     string
	alice, bob string
}

func newTwoUsers(t *testing.T) twoUsers {
	t.Helper()
	var u twoUsers
	var err error
	if u.alice, err = newAPIKey(); err != nil {
		t.Fatal(err)
	}
	if u.bob, err = newAPIKey(); err != nil {
		t.Fatal(err)
	}
	body := "auth:\n  api_keys:\n" +
		"    - identifier: alice\n      sha256: " + hashAPIKey(u.alice) + "\n" +
		"    - identifier: bob\n      sha256: " + hashAPIKey(u.bob) + "\n"
	u.config = filepath.Join(t.TempDir(), "scopegate.yaml")
	if err := os.WriteFile(u.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return u
}

// headerTransport adds headers to every request it sends.
type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// bobsHeaders are bob's key and the headers a caller might try to pass
// itself off as alice with.
func bobsHeaders(key string) map[string]string {
	return map[string]string{
		"Authorization":          "Bearer " + key,
		"X-Scopegate-Identifier": "alice",
		"X-Identifier":           "alice",
		"X-User":                 "alice",
	}
}

// keyedSDKCaller connects the official Go SDK's client over Streamable
// HTTP, sending headers with every request, and lists the tools it sees.
func keyedSDKCaller(t *testing.T, mcpURL string, headers map[string]string) (toolCaller, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	client := sdk.NewClient(&sdk.Implementation{Name: "scopegate-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{
		Endpoint:   mcpURL,
		HTTPClient: &http.Client{Transport: headerTransport(headers)},
	}, nil)
	if err != nil {
		t.Fatalf("connecting go-sdk client: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	return func(t *testing.T, name string, args map[string]any) (json.RawMessage, string, bool) {
		t.Helper()
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("tools/call %s: %v", name, err)
		}
		structured, _ := json.Marshal(res.StructuredContent)
		text := ""
		if len(res.Content) > 0 {
			if tc, ok := res.Content[0].(*sdk.TextContent); ok {
				text = tc.Text
			}
		}
		return structured, text, res.IsError
	}, names
}

// keyedSSECaller connects mcp-go's client over SSE, sending headers with
// every request, and lists the tools it sees.
func keyedSSECaller(t *testing.T, sseURL string, headers map[string]string) (toolCaller, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	c, err := mcpclient.NewSSEMCPClient(sseURL, transport.WithHeaders(headers))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("starting SSE client: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	init := mgmcp.InitializeRequest{}
	init.Params.ProtocolVersion = mgmcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mgmcp.Implementation{Name: "scopegate-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	list, err := c.ListTools(ctx, mgmcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	return func(t *testing.T, name string, args map[string]any) (json.RawMessage, string, bool) {
		t.Helper()
		req := mgmcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		res, err := c.CallTool(ctx, req)
		if err != nil {
			t.Fatalf("tools/call %s: %v", name, err)
		}
		structured, _ := json.Marshal(res.StructuredContent)
		text := ""
		if len(res.Content) > 0 {
			if tc, ok := res.Content[0].(mgmcp.TextContent); ok {
				text = tc.Text
			}
		}
		return structured, text, res.IsError
	}, names
}

const initializeRequestBody = `{"jsonrpc":"2.0","id":1,"method":"initialize",` +
	`"params":{"protocolVersion":"2025-06-18","capabilities":{},` +
	`"clientInfo":{"name":"scopegate-test","version":"1"}}}`

// wantUnauthorized sends a request with key (none when empty) and wants
// 401 with a challenge that points at the protected resource metadata.
func wantUnauthorized(t *testing.T, webURL, method, target, key string) {
	t.Helper()
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader(initializeRequestBody)
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("%s %s with key %q: status %d, want 401", method, target, key, resp.StatusCode)
	}
	challenge := resp.Header.Get("WWW-Authenticate")
	want := `Bearer resource_metadata="` + webURL + protectedResourcePath + `"`
	if !strings.HasPrefix(challenge, want) {
		t.Errorf("%s %s: WWW-Authenticate = %q, want it to start with %q", method, target, challenge, want)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error == "" {
		t.Errorf("%s %s: body is not a JSON error (%v)", method, target, err)
	}
}

// wantProtectedResource fetches the protected resource metadata.
func wantProtectedResource(t *testing.T, webURL string) {
	t.Helper()
	resp, err := http.Get(webURL + protectedResourcePath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Resource      string   `json:"resource"`
		BearerMethods []string `json:"bearer_methods_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", protectedResourcePath, resp.StatusCode, err)
	}
	if doc.Resource != webURL || len(doc.BearerMethods) != 1 || doc.BearerMethods[0] != "header" {
		t.Errorf("protected resource metadata = %+v, want resource %s and bearer method header", doc, webURL)
	}
}

// statusOf calls scopegate_status and returns each connection's status
// and granted scopes.
func statusOf(t *testing.T, call toolCaller) (map[string]string, map[string][]string, string) {
	t.Helper()
	s, text, isErr := call(t, "scopegate_status", map[string]any{})
	if isErr {
		t.Fatalf("scopegate_status failed: %s", text)
	}
	var out struct {
		Connections []struct {
			Connection string   `json:"connection"`
			Status     string   `json:"status"`
			Granted    []string `json:"granted_scopes"`
		} `json:"connections"`
	}
	if err := json.Unmarshal(s, &out); err != nil {
		t.Fatalf("scopegate_status structuredContent: %v: %s", err, s)
	}
	status, granted := map[string]string{}, map[string][]string{}
	for _, c := range out.Connections {
		status[c.Connection], granted[c.Connection] = c.Status, c.Granted
	}
	return status, granted, string(s)
}

// checkIsolation runs alice and bob against one server: what alice
// authorizes is hers alone, and bob can neither use it, see it, nor
// complete her link, whatever he sends.
func checkIsolation(t *testing.T, alice, bob toolCaller) {
	t.Helper()
	search := map[string]any{"query": "in:inbox"}

	// Alice connects Gmail for reading through her own link.
	s, text, isErr := alice(t, "gmail_search_messages", search)
	aliceLink := wantAuthRequired(t, s, text, isErr, "not_connected", scopeReadonly)
	final, _ := authorize(t, aliceLink.AuthorizationURL, nil, "approve")
	if final.ID() != "connected" {
		t.Fatalf("alice's callback page id %q:\n%s", final.ID(), final.Body)
	}
	s, text, isErr = alice(t, "gmail_search_messages", search)
	wantSuccess(t, s, text, isErr)

	// Bob cannot use alice's account, nor see it.
	s, text, isErr = bob(t, "gmail_search_messages", search)
	bobLink := wantAuthRequired(t, s, text, isErr, "not_connected", scopeReadonly)
	if bobLink.AuthorizationURL == aliceLink.AuthorizationURL {
		t.Errorf("bob was given alice's link %s", aliceLink.AuthorizationURL)
	}
	status, granted, raw := statusOf(t, bob)
	for conn, st := range status {
		if st != "not_connected" || len(granted[conn]) > 0 {
			t.Errorf("bob's scopegate_status shows %s %s with %v, want not_connected: %s",
				conn, st, granted[conn], raw)
		}
	}
	if strings.Contains(raw, scopeReadonly) {
		t.Errorf("bob's scopegate_status mentions alice's grant: %s", raw)
	}

	// Naming alice in the arguments is refused; the headers were ignored.
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"scopegate_status", map[string]any{"identifier": "alice"}},
		{"gmail_search_messages", map[string]any{"query": "in:inbox", "identifier": "alice"}},
	} {
		_, text, isErr := bob(t, tc.tool, tc.args)
		if !isErr || !strings.Contains(text, "identifier") {
			t.Errorf("bob's %s(%v) = %q (isError %v), want an error naming the unknown argument",
				tc.tool, tc.args, text, isErr)
		}
	}

	// Bob cannot complete alice's link, nor replay her callback.
	if used := get(t, aliceLink.AuthorizationURL); used.Status != http.StatusGone || used.ID() != "used-link" {
		t.Errorf("alice's used link opened by bob: status %d id %q", used.Status, used.ID())
	}
	if replay := get(t, final.URL); replay.Status != http.StatusBadRequest || replay.ID() != "replayed-state" {
		t.Errorf("alice's callback replayed: status %d id %q", replay.Status, replay.ID())
	}
	s, text, isErr = bob(t, "gmail_search_messages", search)
	wantAuthRequired(t, s, text, isErr, "not_connected", scopeReadonly)

	// A link issued to bob connects bob only. (Another Slack workspace
	// would do as well: the sandbox has one user per provider, and Google
	// itself adds a user's earlier grants to a new token, so Gmail scopes
	// would not tell who the grant went to.)
	slack := map[string]any{}
	s, text, isErr = bob(t, "slack_list_channels", slack)
	var slackLink authResult
	if err := json.Unmarshal(s, &slackLink); err != nil || isErr || slackLink.Reason != "not_connected" {
		t.Fatalf("bob's slack_list_channels = %s (isError %v), want not_connected", text, isErr)
	}
	if final, _ := authorize(t, slackLink.AuthorizationURL, nil, "approve"); final.ID() != "connected" {
		t.Fatalf("bob's callback page id %q:\n%s", final.ID(), final.Body)
	}
	s, text, isErr = bob(t, "slack_list_channels", slack)
	wantSuccess(t, s, text, isErr)
	s, text, isErr = alice(t, "slack_list_channels", slack)
	var aliceSlack authResult
	if err := json.Unmarshal(s, &aliceSlack); err != nil || isErr || aliceSlack.Reason != "not_connected" {
		t.Errorf("alice's slack_list_channels after bob connected = %s (isError %v), want not_connected",
			text, isErr)
	}
	status, _, raw = statusOf(t, alice)
	for conn, st := range status {
		if strings.HasPrefix(conn, "slack") && st != "not_connected" {
			t.Errorf("alice's scopegate_status shows %s %s after bob connected: %s", conn, st, raw)
		}
	}
	if status["google"] != "active" {
		t.Errorf("alice's google connection is %q, want active: %s", status["google"], raw)
	}
}

func TestIsolationOverStreamableHTTP(t *testing.T) {
	users := newTwoUsers(t)
	demo := startDemo(t, "http", "--config", users.config)

	wantUnauthorized(t, demo.WebURL, http.MethodPost, demo.MCPURL, "")
	wantUnauthorized(t, demo.WebURL, http.MethodPost, demo.MCPURL, "sg_not-a-key")
	wantUnauthorized(t, demo.WebURL, http.MethodGet, demo.MCPURL, "")
	wantUnauthorized(t, demo.WebURL, http.MethodPost, demo.MCPURL, hashAPIKey(users.alice))
	wantProtectedResource(t, demo.WebURL)

	alice, _ := keyedSDKCaller(t, demo.MCPURL, map[string]string{"Authorization": "Bearer " + users.alice})
	bob, _ := keyedSDKCaller(t, demo.MCPURL, bobsHeaders(users.bob))
	checkIsolation(t, alice, bob)

	if strings.Contains(demo.Stderr(), users.alice) || strings.Contains(demo.Stderr(), users.bob) {
		t.Errorf("the log holds an API key:\n%s", demo.Stderr())
	}
}

func TestIsolationOverSSE(t *testing.T) {
	users := newTwoUsers(t)
	demo := startDemo(t, "sse", "--config", users.config)
	messageURL := demo.WebURL + "/message?sessionId=whatever"

	wantUnauthorized(t, demo.WebURL, http.MethodGet, demo.MCPURL, "")
	wantUnauthorized(t, demo.WebURL, http.MethodGet, demo.MCPURL, "sg_not-a-key")
	wantUnauthorized(t, demo.WebURL, http.MethodPost, messageURL, "")
	wantUnauthorized(t, demo.WebURL, http.MethodPost, messageURL, "sg_not-a-key")

	// A session alice opened takes no message from another key, nor from
	// none.
	endpoint := openSSESession(t, demo.MCPURL, users.alice)
	wantUnauthorized(t, demo.WebURL, http.MethodPost, endpoint, "")
	// Bob's answer for alice's session is the answer for a session that
	// does not exist, so he cannot tell which ids are in use.
	post := func(target string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(initializeRequestBody))
		req.Header.Set("Authorization", "Bearer "+users.bob)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	status, body := post(endpoint)
	unknownStatus, unknownBody := post(demo.WebURL + "/message?sessionId=NOSUCHSESSION")
	if status != http.StatusBadRequest || status != unknownStatus || body != unknownBody {
		t.Errorf("bob posting to alice's session: %d %q; to an unknown session: %d %q; want the same 400",
			status, body, unknownStatus, unknownBody)
	}

	alice, _ := keyedSSECaller(t, demo.MCPURL, map[string]string{"Authorization": "Bearer " + users.alice})
	bob, _ := keyedSSECaller(t, demo.MCPURL, bobsHeaders(users.bob))
	checkIsolation(t, alice, bob)
}

// openSSESession opens an SSE stream with key and returns its message
// endpoint; the stream stays open until the test ends.
func openSSESession(t *testing.T, sseURL, key string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sseURL, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s with alice's key: status %d", sseURL, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return data
		}
	}
	t.Fatalf("the SSE stream sent no endpoint: %v", sc.Err())
	return ""
}
