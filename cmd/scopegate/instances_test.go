package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools/sandbox/google"
)

// The tests in this file run two `scopegate serve` processes on one
// PostgreSQL database, behind a front server that plays the load balancer,
// with the Google sandbox as the provider.

const instancesClientID = "scopegate-instances.apps.googleusercontent.com"

// instancesSchema creates a schema of the test's own in the database named
// by SCOPEGATE_TEST_POSTGRES_URL and returns a URL whose search_path names
// it; it is dropped after the test. Without that variable the test is
// skipped, and under CI=true it fails.
func instancesSchema(t *testing.T) string {
	t.Helper()
	const env = "SCOPEGATE_TEST_POSTGRES_URL"
	base := os.Getenv(env)
	if base == "" {
		msg := env + " is not set: set it to a postgres:// URL whose role may create " +
			"schemas in its database (.ci/run starts a server and sets it)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", env)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "scopegate_instances_" + hex.EncodeToString(b)

	admin := func(sql string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatalf("connecting to the test database: %v", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	admin(`CREATE SCHEMA ` + schema)
	t.Cleanup(func() { admin(`DROP SCHEMA ` + schema + ` CASCADE`) })

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// frontServer stands for the load balancer before the instances: people
// reach both through one public URL. It sends /connect/ pages to one
// instance and everything else, the OAuth callback among them, to another,
// as the test chooses, and records who served what.
type frontServer struct {
	*httptest.Server

	mu       sync.Mutex
	connect  string // instance name for /connect/ pages
	callback string // instance name for the rest
	targets  map[string]*httputil.ReverseProxy
	served   []string // "name path" per request
}

func newFrontServer(t *testing.T) *frontServer {
	f := &frontServer{targets: map[string]*httputil.ReverseProxy{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		name := f.callback
		if strings.HasPrefix(r.URL.Path, "/connect/") {
			name = f.connect
		}
		proxy := f.targets[name]
		f.served = append(f.served, name+" "+r.URL.Path)
		f.mu.Unlock()
		if proxy == nil {
			http.Error(w, "no instance for this route", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *frontServer) add(name, addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.targets[name] = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: addr})
}

// route sends /connect/ pages to one instance and the rest to another, and
// forgets who served what before.
func (f *frontServer) route(connect, callback string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connect, f.callback, f.served = connect, callback, nil
}

// servedBy returns the instance that served the first request whose path
// starts with prefix since the last route, or "".
func (f *frontServer) servedBy(prefix string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.served {
		name, path, _ := strings.Cut(s, " ")
		if strings.HasPrefix(path, prefix) {
			return name
		}
	}
	return ""
}

// countingSandbox serves the Google sandbox and counts refresh grants at
// its token endpoint, answering each after delay so that concurrent
// refreshes would overlap.
type countingSandbox struct {
	*httptest.Server
	refreshes atomic.Int32
	delay     atomic.Int64 // time.Duration
}

func newCountingSandbox(t *testing.T, secret, redirectURI string) *countingSandbox {
	sb := google.New(google.Options{Clients: []google.Client{
		{ID: instancesClientID, Secret: secret, RedirectURIs: []string{redirectURI}},
	}})
	c := &countingSandbox{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == google.TokenPath {
			if err := r.ParseForm(); err == nil && r.PostForm.Get("grant_type") == "refresh_token" {
				c.refreshes.Add(1)
				time.Sleep(time.Duration(c.delay.Load()))
			}
		}
		sb.ServeHTTP(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

// instancePair is two scopegate processes sharing one PostgreSQL schema.
type instancePair struct {
	front    *frontServer
	sandbox  *countingSandbox
	storeURL string
	key      []byte
	mcp      map[string]string // instance name to its /mcp URL
}

func startInstancePair(t *testing.T) *instancePair {
	t.Helper()
	p := &instancePair{storeURL: instancesSchema(t), key: make([]byte, store.KeySize),
		mcp: map[string]string{}}
	rand.Read(p.key)
	p.front = newFrontServer(t)
	secret := randomSecret()
	p.sandbox = newCountingSandbox(t, secret, p.front.URL+"/oauth/callback")
	ep := google.EndpointsAt(p.sandbox.URL)

	dir := t.TempDir()
	for _, name := range []string{"a", "b"} {
		addr := freeAddr(t)
		cfg := fmt.Sprintf(`identifier: user_123
public_url: %s
store:
  url: %s
connections:
  - name: google
    provider: google
    client_id: %s
    client_secret_env: SCOPEGATE_TEST_GOOGLE_SECRET
    auth_url: %s
    token_url: %s
    revoke_url: %s
    api_base_url: %s
    scopes:
      - https://www.googleapis.com/auth/gmail.readonly
      - https://www.googleapis.com/auth/gmail.send
`, p.front.URL, p.storeURL, instancesClientID, ep.AuthURL, ep.TokenURL, ep.RevokeURL, ep.APIURL)
		path := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		startInstance(t, name, []string{"serve", "--config", path, "--transport", "http",
			"--listen", addr, "--log-format", "json"},
			"SCOPEGATE_TEST_GOOGLE_SECRET="+secret,
			"SCOPEGATE_STORE_KEY="+base64.StdEncoding.EncodeToString(p.key))
		p.front.add(name, addr)
		p.mcp[name] = "http://" + addr + "/mcp"
	}
	return p
}

// startInstance runs scopegate with args until the test ends, and waits
// until it is ready. It is stopped with SIGTERM at cleanup, and the test
// fails unless it then exits cleanly.
func startInstance(t *testing.T, name string, args []string, env ...string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "SCOPEGATE_CONFIG=", "SCOPEGATE_STORE=",
		"SCOPEGATE_STORE_URL=", "SCOPEGATE_IDENTIFIER=")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &demoProcess{cmd: cmd, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct{ Msg string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "scopegate ready" {
				close(ready)
			}
		}
		io.Copy(io.Discard, stderr)
	}()

	select {
	case <-ready:
	case <-p.done:
		cmd.Wait()
		t.Fatalf("instance %s exited before it was ready:\n%s", name, p.Stderr())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("instance %s was not ready after 30s:\n%s", name, p.Stderr())
	}

	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan error, 1)
		go func() { <-p.done; exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("instance %s did not shut down cleanly: %v\n%s", name, err, p.Stderr())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("instance %s still running 15s after SIGTERM", name)
		}
		if t.Failed() {
			t.Logf("instance %s logged:\n%s", name, p.Stderr())
		}
	})
}

// TestInstancesShareOnePostgreSQL shows that two instances on one database
// are one scopegate: a link issued by one completes on the other's
// callback, and an account authorized through either serves both.
func TestInstancesShareOnePostgreSQL(t *testing.T) {
	p := startInstancePair(t)
	callA, _ := sdkCaller(t, p.mcp["a"])
	callB, _ := sdkCaller(t, p.mcp["b"])

	// A link issued by A, shown by A, completed on B's callback.
	send := map[string]any{"to": []string{"ana@example.com"}, "subject": "hi", "body": "hello"}
	s, text, isErr := callA(t, "gmail_send_email", send)
	ar := wantAuthRequired(t, s, text, isErr, "not_connected", scopeSend)
	if !strings.HasPrefix(ar.AuthorizationURL, p.front.URL+"/connect/") {
		t.Fatalf("authorization_url = %s, want it under the public URL %s",
			ar.AuthorizationURL, p.front.URL)
	}
	p.front.route("a", "b")
	final, _ := authorize(t, ar.AuthorizationURL, nil, "approve")
	if final.ID() != "connected" {
		t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
	}
	connect, callback := p.front.servedBy("/connect/"), p.front.servedBy("/oauth/callback")
	if connect != "a" || callback != "b" {
		t.Fatalf("connect page served by %q and callback by %q, want a and b", connect, callback)
	}
	s, text, isErr = callB(t, "gmail_send_email", send)
	wantSuccess(t, s, text, isErr)
	s, text, isErr = callA(t, "gmail_send_email", send)
	wantSuccess(t, s, text, isErr)

	// The callback's state was consumed on B; A refuses it too.
	p.front.route("a", "a")
	if replayed := get(t, final.URL); replayed.ID() != "replayed-state" {
		t.Errorf("the callback replayed on the other instance: status %d id %q",
			replayed.Status, replayed.ID())
	}

	// A grant made entirely through B is used by A.
	search := map[string]any{"query": "in:inbox"}
	s, text, isErr = callB(t, "gmail_search_messages", search)
	ar = wantAuthRequired(t, s, text, isErr, "missing_scopes", scopeReadonly)
	p.front.route("b", "b")
	if final, _ := authorize(t, ar.AuthorizationURL, nil, "approve"); final.ID() != "connected" {
		t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
	}
	s, text, isErr = callA(t, "gmail_search_messages", search)
	wantSuccess(t, s, text, isErr)
}

// TestInstancesRefreshOnce expires the token two instances share and calls
// both at once: the provider sees one refresh, and both calls succeed.
func TestInstancesRefreshOnce(t *testing.T) {
	p := startInstancePair(t)
	callA, _ := sdkCaller(t, p.mcp["a"])
	search := map[string]any{"query": "in:inbox"}
	s, text, isErr := callA(t, "gmail_search_messages", search)
	ar := wantAuthRequired(t, s, text, isErr, "not_connected", scopeReadonly)
	p.front.route("a", "a")
	if final, _ := authorize(t, ar.AuthorizationURL, nil, "approve"); final.ID() != "connected" {
		t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
	}

	before := expireTokens(t, p)
	p.sandbox.refreshes.Store(0)
	p.sandbox.delay.Store(int64(500 * time.Millisecond))

	// Two calls on each instance, each on a session of its own, all at once.
	const perInstance = 2
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, 2*perInstance)
	)
	for _, name := range []string{"a", "b"} {
		for range perInstance {
			wg.Go(func() {
				<-start
				errs <- callOnce(p.mcp[name], "gmail_search_messages", search)
			})
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	if n := p.sandbox.refreshes.Load(); n != 1 {
		t.Errorf("the token endpoint saw %d refreshes from two instances, want 1", n)
	}
	if after := accessTokens(t, p); after == before {
		t.Errorf("the stored access token did not change after the refresh")
	}
}

// expireTokens opens the instances' store as a third process would, moves
// the expiry of every stored token into the past, and returns the stored
// access tokens.
func expireTokens(t *testing.T, p *instancePair) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenPostgres(ctx, store.PostgresOptions{URL: p.storeURL, Key: p.key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	accts, err := st.Accounts(ctx, "user_123")
	if err != nil || len(accts) == 0 {
		t.Fatalf("Accounts(user_123) = %d accounts, %v; want some", len(accts), err)
	}
	var tokens []string
	for _, a := range accts {
		a.Token.Expiry = time.Now().Add(-time.Minute)
		if err := st.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, a.Token.AccessToken)
	}
	return strings.Join(tokens, " ")
}

func accessTokens(t *testing.T, p *instancePair) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenPostgres(ctx, store.PostgresOptions{URL: p.storeURL, Key: p.key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	accts, err := st.Accounts(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, a := range accts {
		tokens = append(tokens, a.Token.AccessToken)
	}
	return strings.Join(tokens, " ")
}

// callOnce calls a tool on a session of its own and reports whether it
// succeeded, for use off the test's goroutine.
func callOnce(mcpURL, tool string, args map[string]any) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := sdk.NewClient(&sdk.Implementation{Name: "scopegate-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: mcpURL}, nil)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", mcpURL, err)
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return fmt.Errorf("%s on %s: %w", tool, mcpURL, err)
	}
	structured, _ := json.Marshal(res.StructuredContent)
	if res.IsError || strings.Contains(string(structured), "authorization_required") {
		return fmt.Errorf("%s on %s failed: %s", tool, mcpURL, structured)
	}
	return nil
}

func TestStoreURLFromEnvironment(t *testing.T) {
	t.Setenv("SCOPEGATE_STORE_URL", "postgres://scopegate@db.internal/scopegate")
	cfg, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store.URL != "postgres://scopegate@db.internal/scopegate" {
		t.Errorf("Store.URL = %q, want the URL from SCOPEGATE_STORE_URL", cfg.Store.URL)
	}
}

// TestStoreURLRefusals checks what openStore refuses before it connects:
// each error names the field and none repeats a password.
func TestStoreURLRefusals(t *testing.T) {
	const password = "pa55word-that-must-not-leak"
	tests := []struct {
		name, url, path, key, want string
	}{
		{"path and url", "postgres://u:" + password + "@127.0.0.1/db", "/tmp/x.db",
			"", "both a path and a url"},
		{"not postgres", "mysql://u:" + password + "@127.0.0.1/db", "",
			"", "store.url: must be a postgres://"},
		{"not a url", "postgres://u:" + password + "@[::1/db", "",
			"", "store.url: must be a postgres://"},
		{"no key", "postgres://u:" + password + "@127.0.0.1/db", "",
			"", "needs the key every instance shares"},
		{"bad key", "postgres://u:" + password + "@127.0.0.1/db", "",
			"c2hvcnQ=", "SCOPEGATE_STORE_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SCOPEGATE_STORE_KEY", tt.key)
			cfg := &Config{path: "scopegate.yaml"}
			cfg.Store.URL, cfg.Store.Path = tt.url, tt.path
			st, err := openStore(context.Background(), cfg)
			if err == nil {
				st.Close()
				t.Fatalf("openStore(%s) = nil error, want %q", tt.name, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("openStore(%s) = %v, want it to say %q", tt.name, err, tt.want)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("openStore(%s) error %q holds the password", tt.name, err)
			}
		})
	}
}
