// Package scopechecktest serves scopegate in process, behind the gate and
// against the Google sandbox, for tests that call tools through a real MCP
// client (the official Go SDK's, over Streamable HTTP). It is test support,
// not part of the server.
package scopechecktest

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools/sandbox/google"
)

// Identifier is the user every harness call acts for.
const Identifier = "tester"

// Harness is one scopegate with its own store and sandboxes.
type Harness struct {
	// URL is the base URL of the web server (pages, /mcp, /sandbox/...).
	URL   string
	Gate  *scopecheck.Gate
	Store *store.Memory
	// Sandbox is the Google sandbox, when the harness serves one.
	Sandbox *google.Server
	// defaultConn is the first sandbox's connection, used by Grant.
	defaultConn string
	session     *sdk.ClientSession
}

// Sandbox describes a provider emulation to serve beside the gate.
type Sandbox struct {
	// Connection names the connection the harness configures for it.
	Connection string
	Provider   *registry.Provider
	// Site is the connection's configured Atlassian site, if any.
	Site string
	// New builds the emulation for one OAuth client whose redirect URI is
	// redirectURI, to be mounted at base (a URL without a trailing slash).
	// It returns the handler, the provider endpoints at base, and the
	// client's id and secret.
	New func(redirectURI, base string) (h http.Handler, ep registry.Endpoints, clientID, secret string)
}

// GoogleSandbox serves the Google sandbox as the "gmail" connection.
func GoogleSandbox() Sandbox {
	return Sandbox{
		Connection: "gmail",
		Provider:   registry.Google,
		New: func(redirectURI, base string) (http.Handler, registry.Endpoints, string, string) {
			client := google.Client{ID: "harness-client", Secret: "harness-secret", RedirectURIs: []string{redirectURI}}
			sandbox := google.New(google.Options{Clients: []google.Client{client}})
			ep := google.EndpointsAt(base)
			return sandbox, registry.Endpoints{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL, RevokeURL: ep.RevokeURL,
				APIBaseURL: strings.TrimRight(ep.APIURL, "/")}, client.ID, client.Secret
		},
	}
}

// Mount serves the emulation on mux at /sandbox/<provider>, for a
// scopegate whose web server is at baseURL, and returns its handler and the
// connection that reaches it.
func (sb Sandbox) Mount(mux *http.ServeMux, baseURL string) (http.Handler, *registry.Connection) {
	prefix := "/sandbox/" + string(sb.Provider.ID)
	handler, ep, id, secret := sb.New(baseURL+scopecheck.CallbackPath, baseURL+prefix)
	mux.Handle(prefix+"/", http.StripPrefix(prefix, handler))
	return handler, &registry.Connection{Name: sb.Connection, Provider: sb.Provider,
		ClientID: id, ClientSecret: secret, Endpoints: ep, Site: sb.Site}
}

// New serves tools behind a fresh gate, with the given sandboxes (the
// Google sandbox when none is given), and connects an MCP client to it.
// Everything is closed when the test ends.
func New(t testing.TB, tools []registry.Tool, sandboxes ...Sandbox) *Harness {
	t.Helper()
	if len(sandboxes) == 0 {
		sandboxes = []Sandbox{GoogleSandbox()}
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	h := &Harness{URL: srv.URL, Store: store.NewMemory(), defaultConn: sandboxes[0].Connection}
	var conns []*registry.Connection
	for _, sb := range sandboxes {
		handler, conn := sb.Mount(mux, srv.URL)
		if g, ok := handler.(*google.Server); ok {
			h.Sandbox = g
		}
		conns = append(conns, conn)
	}
	h.Gate = scopecheck.New(scopecheck.Options{Store: h.Store, Connections: conns, Tools: tools, PublicURL: srv.URL})
	h.Gate.Routes(mux)
	mcpSrv := h.Gate.NewServer("scopegate-test", "test")
	mux.Handle("/mcp", server.NewStreamableHTTPServer(mcpSrv,
		server.WithHTTPContextFunc(func(ctx context.Context, _ *http.Request) context.Context {
			return scopecheck.WithIdentifier(ctx, Identifier)
		})))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c := sdk.NewClient(&sdk.Implementation{Name: "scopechecktest", Version: "1"}, nil)
	session, err := c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: srv.URL + "/mcp"}, nil)
	if err != nil {
		t.Fatalf("scopechecktest: connecting: %v", err)
	}
	t.Cleanup(func() { session.Close() })
	h.session = session
	return h
}

// Session returns the connected MCP client session.
func (h *Harness) Session() *sdk.ClientSession { return h.session }

// Result is a tool result as the client received it.
type Result struct {
	IsError bool
	Text    string
	// Structured is structuredContent as JSON.
	Structured json.RawMessage
}

// Decode unmarshals structuredContent into v.
func (r Result) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Structured, v); err != nil {
		t.Fatalf("decoding structuredContent %s: %v", r.Structured, err)
	}
}

// AuthorizationRequired decodes an authorization-required result, failing
// the test when r is anything else.
func (r Result) AuthorizationRequired(t testing.TB) scopecheck.AuthorizationRequired {
	t.Helper()
	var ar scopecheck.AuthorizationRequired
	r.Decode(t, &ar)
	if r.IsError || ar.Status != scopecheck.StatusAuthorizationRequired {
		t.Fatalf("result is not authorization_required (isError %v): %s", r.IsError, r.Text)
	}
	return ar
}

// Call calls a tool and returns its result; a protocol error fails the test.
func (h *Harness) Call(t testing.TB, name string, args any) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := h.session.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("tools/call %s: %v", name, err)
	}
	out := Result{IsError: res.IsError}
	if res.StructuredContent != nil {
		out.Structured, _ = json.Marshal(res.StructuredContent)
	}
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			out.Text += tc.Text
		}
	}
	return out
}

// MustSucceed calls a tool and fails the test unless it succeeded.
func (h *Harness) MustSucceed(t testing.TB, name string, args any) Result {
	t.Helper()
	r := h.Call(t, name, args)
	if r.IsError || strings.Contains(string(r.Structured), `"authorization_required"`) {
		t.Fatalf("%s failed: %s", name, r.Text)
	}
	return r
}

// Grant connects the harness user on the first sandbox's connection with
// exactly scopes, through the real flow: the connect page, the sandbox's
// consent form and the callback.
func (h *Harness) Grant(t testing.TB, scopes ...registry.Scope) {
	t.Helper()
	h.GrantOn(t, h.defaultConn, scopes...)
}

// GrantOn is Grant on a named connection; "slack/user" names a Slack
// connection's user token.
func (h *Harness) GrantOn(t testing.TB, connection string, scopes ...registry.Scope) {
	t.Helper()
	link, err := h.Gate.IssueLink(context.Background(), Identifier, connection, "", registry.NewScopeSet(scopes...))
	if err != nil {
		t.Fatal(err)
	}
	if page := Approve(t, link, nil); !strings.Contains(page, `<main id="connected"`) {
		t.Fatalf("granting %v on %s did not connect:\n%s", scopes, connection, page)
	}
}

var (
	continueRE = regexp.MustCompile(`<a id="continue"[^>]*href="([^"]+)"`)
	hiddenRE   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	checkboxRE = regexp.MustCompile(`<input type="checkbox" name="scope" value="([^"]+)"`)
)

// Approve follows an authorization link and approves the scopes that keep
// accepts (nil accepts all), returning the final page's HTML.
func Approve(t testing.TB, link string, keep func(scope string) bool) string {
	t.Helper()
	connect := fetch(t, http.MethodGet, link, nil)
	m := continueRE.FindStringSubmatch(connect)
	if m == nil {
		t.Fatalf("no continue link on the connect page:\n%s", connect)
	}
	consentURL := html.UnescapeString(m[1])
	consent := fetch(t, http.MethodGet, consentURL, nil)
	form := url.Values{"decision": {"approve"}}
	for _, f := range hiddenRE.FindAllStringSubmatch(consent, -1) {
		form.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	for _, c := range checkboxRE.FindAllStringSubmatch(consent, -1) {
		if s := html.UnescapeString(c[1]); keep == nil || keep(s) {
			form.Add("scope", s)
		}
	}
	return fetch(t, http.MethodPost, consentURL, form)
}

func fetch(t testing.TB, method, u string, form url.Values) string {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = http.PostForm(u, form)
	} else {
		resp, err = http.Get(u)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// String describes the harness for failure messages.
func (h *Harness) String() string { return fmt.Sprintf("scopechecktest harness at %s", h.URL) }
