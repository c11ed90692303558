package scopecheck_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools/gmail"
)

const (
	labelsScope = registry.Scope("https://www.googleapis.com/auth/gmail.labels")
	sendScope   = registry.Scope("https://www.googleapis.com/auth/gmail.send")
)

// listMeta lists the session's tools and returns each tool's _meta by name.
func listMeta(t *testing.T, session *sdk.ClientSession) map[string]map[string]any {
	t.Helper()
	res, err := session.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatalf("ListTools: %v", err)
	}
	out := map[string]map[string]any{}
	for _, tool := range res.Tools {
		out[tool.Name] = tool.Meta
	}
	return out
}

func TestToolsListMetaFollowsGrant(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())

	before := listMeta(t, h.Session())
	wantLabels := map[string]any{
		scopecheck.MetaRequirement: []any{
			[]any{"https://www.googleapis.com/auth/gmail.labels"},
			[]any{"https://www.googleapis.com/auth/gmail.metadata"},
			[]any{"https://www.googleapis.com/auth/gmail.readonly"},
			[]any{"https://www.googleapis.com/auth/gmail.modify"},
			[]any{"https://mail.google.com/"},
		},
		scopecheck.MetaGranted:    false,
		scopecheck.MetaConnection: "gmail",
	}
	if diff := cmp.Diff(wantLabels, before["gmail_list_labels"]); diff != "" {
		t.Errorf("gmail_list_labels _meta before a grant (-want +got):\n%s", diff)
	}
	for _, own := range []string{scopecheck.StatusToolName, scopecheck.RequestToolName} {
		if m, ok := before[own]; !ok || m != nil {
			t.Errorf("%s _meta = %v (listed %t), want none", own, m, ok)
		}
	}

	h.Grant(t, labelsScope)
	after := listMeta(t, h.Session())
	if got := after["gmail_list_labels"][scopecheck.MetaGranted]; got != true {
		t.Errorf("gmail_list_labels granted after granting gmail.labels = %v, want true", got)
	}
	if got := after["gmail_send_email"][scopecheck.MetaGranted]; got != false {
		t.Errorf("gmail_send_email granted after granting gmail.labels = %v, want false", got)
	}
}

func TestToolsListWithoutIdentifierHasNoMeta(t *testing.T) {
	gate := scopecheck.New(scopecheck.Options{Store: store.NewMemory(), Tools: gmail.Tools(),
		Connections: []*registry.Connection{{Name: "gmail", Provider: registry.Google}},
		PublicURL:   "http://127.0.0.1:8765"})
	srv := gate.NewServer("scopegate", "test")
	list := func(ctx context.Context) string {
		t.Helper()
		raw, err := json.Marshal(srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)))
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}

	// With an identifier first: the copies it gets must not leak into the
	// shared tools that a later list without one sees.
	withID := list(scopecheck.WithIdentifier(context.Background(), "someone"))
	if got := withID; !strings.Contains(got, `"scopegate/granted":false`) {
		t.Errorf("tools/list with an identifier has no scopegate/granted=false:\n%.400s", got)
	}
	if got := list(context.Background()); strings.Contains(got, `"_meta"`) {
		t.Errorf("tools/list without an identifier has _meta:\n%.400s", got)
	}
}

func TestToolListChangedAfterGrantAndRevoke(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())

	changed := make(chan struct{}, 8)
	c := sdk.NewClient(&sdk.Implementation{Name: "watcher", Version: "1"}, &sdk.ClientOptions{
		ToolListChangedHandler: func(context.Context, *sdk.ToolListChangedRequest) { changed <- struct{}{} },
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	session, err := c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: h.URL + "/mcp"}, nil)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer session.Close()
	if caps := session.InitializeResult().Capabilities; caps.Tools == nil || !caps.Tools.ListChanged {
		t.Fatalf("tools capability = %+v, want listChanged", caps.Tools)
	}
	listMeta(t, session) // the session now shows grant-dependent _meta

	wait := func(after string) {
		t.Helper()
		select {
		case <-changed:
		case <-time.After(10 * time.Second):
			t.Fatalf("no notifications/tools/list_changed after %s", after)
		}
	}
	h.Grant(t, sendScope)
	wait("a grant")
	if got := listMeta(t, session)["gmail_send_email"][scopecheck.MetaGranted]; got != true {
		t.Errorf("gmail_send_email granted after the notification = %v, want true", got)
	}

	if _, err := h.Gate.Revoke(ctx, scopechecktest.Identifier, "gmail"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	wait("a revocation")
	if got := listMeta(t, session)["gmail_send_email"][scopecheck.MetaGranted]; got != false {
		t.Errorf("gmail_send_email granted after revocation = %v, want false", got)
	}
}

// TestToolListChangedReachesOnlyThatUser connects two users over SSE,
// where sessions have ids, and expects a change to one user's grant to be
// announced to that user's session alone.
func TestToolListChangedReachesOnlyThatUser(t *testing.T) {
	st := store.NewMemory()
	gate := scopecheck.New(scopecheck.Options{Store: st, Tools: gmail.Tools(),
		Connections: []*registry.Connection{{Name: "gmail", Provider: registry.Google}},
		PublicURL:   "http://127.0.0.1:8765"})
	sse := server.NewSSEServer(gate.NewServer("scopegate", "test"),
		server.WithSSEContextFunc(func(ctx context.Context, r *http.Request) context.Context {
			return scopecheck.WithIdentifier(ctx, r.Header.Get("X-User"))
		}))
	ts := httptest.NewServer(sse)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	connect := func(user string) chan string {
		t.Helper()
		c, err := client.NewSSEMCPClient(ts.URL+"/sse", client.WithHeaders(map[string]string{"X-User": user}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		got := make(chan string, 8)
		c.OnNotification(func(n mcp.JSONRPCNotification) { got <- n.Method })
		if err := c.Start(ctx); err != nil {
			t.Fatalf("starting %s's client: %v", user, err)
		}
		init := mcp.InitializeRequest{}
		init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
		init.Params.ClientInfo = mcp.Implementation{Name: user, Version: "1"}
		if _, err := c.Initialize(ctx, init); err != nil {
			t.Fatalf("initializing %s's client: %v", user, err)
		}
		if _, err := c.ListTools(ctx, mcp.ListToolsRequest{}); err != nil {
			t.Fatalf("listing %s's tools: %v", user, err)
		}
		return got
	}
	alice, bob := connect("alice"), connect("bob")

	acct := &store.Account{Identifier: "alice", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(sendScope)}
	if err := st.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if _, err := gate.Revoke(ctx, "alice", "gmail"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	select {
	case method := <-alice:
		if method != mcp.MethodNotificationToolsListChanged {
			t.Errorf("alice was sent %s, want %s", method, mcp.MethodNotificationToolsListChanged)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("alice was not told her tool list changed")
	}
	select {
	case method := <-bob:
		t.Errorf("bob was sent %s after alice's grant changed", method)
	case <-time.After(200 * time.Millisecond):
	}
}
