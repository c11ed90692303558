package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools"
	"github.com/scopegate/scopegate/tools/sandbox/google"
)

const (
	connectClientID     = "scopegate-connect-test.apps.googleusercontent.com"
	connectClientSecret = "connect-test-client-secret"
)

// connectSetup is a Google sandbox served by the test, and a configuration
// whose "google" connection reaches it, with a store in a temporary
// directory.
type connectSetup struct {
	config string
	// listen is the web server's address; the sandbox's client redirects
	// only to its callback.
	listen string
	// bin is the PATH of the process: empty at first, so that it has no
	// browser opener.
	bin string
	// opened is where a fake opener, once added, writes the links it gets.
	opened string
}

func newConnectSetup(t *testing.T) *connectSetup {
	t.Helper()
	dir := t.TempDir()
	s := &connectSetup{
		listen: connectAddr(t),
		bin:    filepath.Join(dir, "bin"),
		opened: filepath.Join(dir, "opened"),
	}
	if err := os.Mkdir(s.bin, 0o755); err != nil {
		t.Fatal(err)
	}

	client := google.Client{ID: connectClientID, Secret: connectClientSecret,
		RedirectURIs: []string{"http://" + s.listen + "/oauth/callback"}}
	sb := google.New(google.Options{Clients: []google.Client{client}})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	ep := google.EndpointsAt(srv.URL)

	config := fmt.Sprintf(`identifier: tester
listen: %s
store:
  path: %s
  key_file: %s
connections:
  - name: google
    provider: google
    client_id: %s
    client_secret_env: SCOPEGATE_CONNECT_TEST_SECRET
    auth_url: %s
    token_url: %s
    revoke_url: %s
    api_base_url: %s
`, s.listen, filepath.Join(dir, "scopegate.db"), filepath.Join(dir, "store.key"), connectClientID,
		ep.AuthURL, ep.TokenURL, ep.RevokeURL, ep.APIURL)
	s.config = filepath.Join(dir, "scopegate.yaml")
	if err := os.WriteFile(s.config, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// connectAddr returns a loopback address with a port that was free a moment ago.
func connectAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// addOpener puts on the process's PATH a fake xdg-open (and open) that
// writes its argument to s.opened.
func (s *connectSetup) addOpener(t *testing.T) {
	t.Helper()
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> '%s'\n", s.opened)
	for _, name := range []string{"xdg-open", "open"} {
		if err := os.WriteFile(filepath.Join(s.bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// openedLinks returns the links the fake opener was given.
func (s *connectSetup) openedLinks() []string {
	b, _ := os.ReadFile(s.opened)
	return strings.Fields(string(b))
}

// connectOutput collects a process's output while the test reads it.
type connectOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *connectOutput) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *connectOutput) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// connectProcess is a running `scopegate connect`.
type connectProcess struct {
	cmd            *exec.Cmd
	stdout, stderr connectOutput
	done           chan struct{}
}

// start runs `scopegate connect` with args and the setup's configuration,
// a display and the setup's PATH. It is killed at cleanup if still running.
func (s *connectSetup) start(t *testing.T, args ...string) *connectProcess {
	t.Helper()
	argv := append([]string{"connect", "--config", s.config}, args...)
	p := &connectProcess{cmd: exec.Command(binary(t), argv...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "SCOPEGATE_CONFIG=", "SCOPEGATE_STORE=", "SCOPEGATE_STORE_KEY=",
		"SCOPEGATE_IDENTIFIER=", "SCOPEGATE_CONNECT_TEST_SECRET="+connectClientSecret,
		"DISPLAY=:99", "PATH="+s.bin)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// run runs `scopegate connect` to its end and returns its output and exit
// status.
func (s *connectSetup) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := s.start(t, args...)
	code = p.wait(t)
	return p.stdout.String(), p.stderr.String(), code
}

var connectLinkRE = regexp.MustCompile(`(?m)^http://\S+/connect/\S+$`)

// link waits for the authorization link on stdout.
func (p *connectProcess) link(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := connectLinkRE.FindString(p.stdout.String()); m != "" {
			return m
		}
		select {
		case <-p.done:
			t.Fatalf("scopegate connect ended without a link (exit %d):\nstdout:\n%s\nstderr:\n%s",
				p.cmd.ProcessState.ExitCode(), p.stdout.String(), p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("scopegate connect printed no link in 30s:\nstdout:\n%s\nstderr:\n%s",
		p.stdout.String(), p.stderr.String())
	return ""
}

// wait waits for the process to end and returns its exit status.
func (p *connectProcess) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(30 * time.Second):
		t.Fatalf("scopegate connect still running after 30s:\nstdout:\n%s\nstderr:\n%s",
			p.stdout.String(), p.stderr.String())
		return -1
	}
}

// wantNoSecrets fails when output shows the client secret, a token or an
// authorization code.
func wantNoSecrets(t *testing.T, output string) {
	t.Helper()
	for _, bad := range []string{connectClientSecret, "access_token", "refresh_token", "code="} {
		if strings.Contains(output, bad) {
			t.Errorf("output shows %q:\n%s", bad, output)
		}
	}
}

// TestConnectApprovesThenHasNothingToDo asks for two scopes, approves them
// on the sandbox's consent page, and asks again.
func TestConnectApprovesThenHasNothingToDo(t *testing.T) {
	s := newConnectSetup(t)
	s.addOpener(t)
	p := s.start(t, "google", "--scopes", "gmail.send,"+scopeReadonly, "--no-browser")
	link := p.link(t)
	if !strings.HasPrefix(link, "http://"+s.listen+"/connect/") {
		t.Errorf("link %s is not on the listen address %s", link, s.listen)
	}
	for _, want := range []string{"Send email", scopeSend, "Read", scopeReadonly} {
		if !strings.Contains(p.stdout.String(), want) {
			t.Errorf("before the link, stdout does not list %q:\n%s", want, p.stdout.String())
		}
	}

	final, consentURL := authorize(t, link, nil, "approve")
	if final.ID() != "connected" {
		t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
	}
	if scope := connectQuery(t, consentURL).Get("scope"); !strings.Contains(scope, scopeSend) ||
		!strings.Contains(scope, scopeReadonly) {
		t.Errorf("the provider was asked for %q, want both scopes", scope)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit status %d, want 0:\n%s", code, p.stderr.String())
	}
	out := p.stdout.String()
	_, result, _ := strings.Cut(out, link)
	connected := `Google is connected for tester on "google"`
	for _, want := range []string{connected, "Granted:", scopeSend, scopeReadonly} {
		if !strings.Contains(result, want) {
			t.Errorf("result does not say %q:\n%s", want, result)
		}
	}
	if strings.Contains(result, "Declined") {
		t.Errorf("result names declined scopes:\n%s", result)
	}
	if !strings.Contains(p.stderr.String(), "Waiting for the authorization") {
		t.Errorf("stderr shows no progress:\n%s", p.stderr.String())
	}
	if got := s.openedLinks(); len(got) != 0 {
		t.Errorf("--no-browser opened %v", got)
	}
	wantNoSecrets(t, out+p.stderr.String())

	stdout, stderr, code := s.run(t, "google", "--scopes", "gmail.send", "--no-browser")
	nothing := `Nothing to authorize: tester on "google" already has every scope asked for`
	if code != 0 || !strings.Contains(stdout, nothing) {
		t.Errorf("second run: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if connectLinkRE.MatchString(stdout) {
		t.Errorf("second run printed a link:\n%s", stdout)
	}
	stdout, _, code = s.run(t, "google", "--tools", "gmail_search_messages,gmail_send_email")
	nothing = "already has what gmail_search_messages, gmail_send_email need"
	if code != 0 || !strings.Contains(stdout, nothing) {
		t.Errorf("--tools with both granted: exit %d, stdout:\n%s", code, stdout)
	}
}

// TestConnectPartialGrantAndDenial asks for what tools lack, unticks one
// scope on the consent page, then declines. No browser opener is
// installed: connect prints the link and carries on.
func TestConnectPartialGrantAndDenial(t *testing.T) {
	s := newConnectSetup(t)
	p := s.start(t, "google", "--tools", "gmail_search_messages,gmail_send_email")
	link := p.link(t)
	keepRead := func(scope string) bool { return scope != scopeSend }
	final, consentURL := authorize(t, link, keepRead, "approve")
	if final.ID() != "partial" {
		t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
	}
	// Each tool's narrowest alternative, nothing broader.
	scope := connectQuery(t, consentURL).Get("scope")
	if !strings.Contains(scope, scopeSend) || !strings.Contains(scope, scopeReadonly) ||
		strings.Contains(scope, "gmail.modify") {
		t.Errorf("the provider was asked for %q, want gmail.send and gmail.readonly only", scope)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit status %d, want 0:\n%s", code, p.stderr.String())
	}
	_, result, _ := strings.Cut(p.stdout.String(), link)
	granted, declined, ok := strings.Cut(result, "Declined:")
	if !ok || !strings.Contains(result, "with less than was asked") ||
		!strings.Contains(granted, scopeReadonly) || !strings.Contains(declined, scopeSend) ||
		!strings.Contains(declined, "Still unavailable: gmail_send_email") {
		t.Errorf("partial grant result:\n%s", result)
	}
	if strings.Contains(p.stderr.String(), "Opened the link") {
		t.Errorf("claims to have opened a browser without an opener:\n%s", p.stderr.String())
	}

	// Only what is still missing is asked for, and said to be declined before.
	p = s.start(t, "google", "--no-browser")
	link = p.link(t)
	if !regexp.MustCompile(`gmail\.send\s+\(declined before\)`).MatchString(p.stdout.String()) {
		t.Errorf("the request does not say gmail.send was declined before:\n%s", p.stdout.String())
	}
	final, consentURL = authorize(t, link, nil, "deny")
	if final.ID() != "denied" {
		t.Fatalf("denial page id %q:\n%s", final.ID(), final.Body)
	}
	if strings.Contains(connectQuery(t, consentURL).Get("scope"), scopeReadonly) {
		t.Errorf("asked again for the granted gmail.readonly: %s", consentURL)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit status %d after a denial, want 0:\n%s", code, p.stderr.String())
	}
	_, result, _ = strings.Cut(p.stdout.String(), link)
	if !strings.HasPrefix(strings.TrimSpace(result), "You declined: nothing was granted") ||
		strings.Contains(result, "Granted:") || !strings.Contains(result, scopeSend) {
		t.Errorf("denial result:\n%s", result)
	}
}

// TestConnectOpensTheBrowserForEveryTool asks, with no flag, for every
// Google tool's narrowest alternative, through the browser opener.
func TestConnectOpensTheBrowserForEveryTool(t *testing.T) {
	s := newConnectSetup(t)
	s.addOpener(t)
	p := s.start(t, "google")
	link := p.link(t)
	deadline := time.Now().Add(10 * time.Second)
	for len(s.openedLinks()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := s.openedLinks(); len(got) != 1 || got[0] != link {
		t.Fatalf("opener got %v, want [%s]", got, link)
	}
	if !strings.Contains(p.stderr.String(), "Opened the link in your browser") {
		t.Errorf("stderr does not say the browser was opened:\n%s", p.stderr.String())
	}

	final, consentURL := authorize(t, link, nil, "approve")
	if final.ID() != "connected" {
		t.Fatalf("callback page id %q:\n%s", final.ID(), final.Body)
	}
	scope := connectQuery(t, consentURL).Get("scope")
	wantAsked := []string{scopeReadonly, scopeSend, "calendar.events", "drive.file",
		"spreadsheets.readonly"}
	for _, want := range wantAsked {
		if !strings.Contains(scope, want) {
			t.Errorf("the provider was asked for %q, which lacks %s", scope, want)
		}
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit status %d, want 0:\n%s", code, p.stderr.String())
	}
	stdout, _, code := s.run(t, "google", "--no-browser")
	if code != 0 || !strings.Contains(stdout, "already has what every Google tool needs") {
		t.Errorf("second run: exit %d, stdout:\n%s", code, stdout)
	}
}

// TestConnectUsageErrors checks that mistakes in the command line exit 2
// with a message naming them, before anything is served.
func TestConnectUsageErrors(t *testing.T) {
	s := newConnectSetup(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown tool", []string{"google", "--tools", "gmail_send_email,gmail_fly"},
			`unknown tool "gmail_fly"`},
		{"tool of another provider", []string{"google", "--tools", "slack_send_message"},
			"slack_send_message is a slack tool"},
		{"misspelled scope", []string{"google", "--scopes", "gmail.sned"}, "did you mean gmail.send?"},
		{"scope of another provider", []string{"google", "--scopes", "chat:write"},
			`"chat:write" is a slack scope`},
		{"both flags", []string{"google", "--scopes", "gmail.send", "--tools", "gmail_send_email"},
			"not both"},
		{"unknown connection", []string{"gmail"}, `no connection named "gmail" (configured: google)`},
		{"user token of google", []string{"google/user"}, "only Slack connections have a user token"},
		{"no connection", nil, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := s.run(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("connect %v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("connect %v wrote to stdout:\n%s", tt.args, stdout)
			}
		})
	}
}

// TestConnectTimesOut waits for an authorization that never comes.
func TestConnectTimesOut(t *testing.T) {
	s := newConnectSetup(t)
	stdout, stderr, code := s.run(t, "google", "--scopes", "gmail.send", "--no-browser",
		"--timeout", "1s")
	if code != 1 || !strings.Contains(stderr, "timed out after 1s waiting for the authorization") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and a timeout message", code, stderr)
	}
	if !connectLinkRE.MatchString(stdout) {
		t.Errorf("no link printed before the timeout:\n%s", stdout)
	}
}

// TestConnectInterrupted stops connect with SIGINT, as Ctrl-C does.
func TestConnectInterrupted(t *testing.T) {
	s := newConnectSetup(t)
	p := s.start(t, "google", "--scopes", "gmail.send", "--no-browser")
	link := p.link(t)
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	const want = "interrupted before the authorization was completed"
	if code := p.wait(t); code != 1 || !strings.Contains(p.stderr.String(), want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and an interruption message", code, p.stderr.String())
	}
	if _, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp", s.listen); err == nil {
		t.Errorf("%s still accepts connections after connect ended (link %s)", s.listen, link)
	}
}

// TestConnectListenAddressInUse runs connect while something holds the
// listen address, as a running scopegate server would.
func TestConnectListenAddressInUse(t *testing.T) {
	s := newConnectSetup(t)
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, stderr, code := s.run(t, "google", "--scopes", "gmail.send", "--no-browser")
	if code != 1 || !strings.Contains(stderr, "is in use, probably by a running scopegate server") ||
		!strings.Contains(stderr, "open the authorization link that server gives") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and a message about the running server", code, stderr)
	}
}

// TestConnectSlackTokenTypes checks that "slack" asks for the bot token's
// tools and scopes and "slack/user" for the user token's.
func TestConnectSlackTokenTypes(t *testing.T) {
	conns := []*registry.Connection{{Name: "slack", Provider: registry.Slack}}
	bot, botTT, err := pickConnection(conns, "slack")
	if err != nil || botTT != "" {
		t.Fatalf("pickConnection(slack) = %v, %q, %v", bot, botTT, err)
	}
	user, userTT, err := pickConnection(conns, "slack/user")
	if err != nil || user != bot || userTT != registry.UserToken {
		t.Fatalf("pickConnection(slack/user) = %v, %q, %v", user, userTT, err)
	}

	names := func(list []registry.Tool) []string {
		var out []string
		for _, tool := range list {
			out = append(out, tool.Name)
		}
		return out
	}
	botTools, _ := connectTools(tools.All(), bot, botTT, nil)
	userTools, _ := connectTools(tools.All(), user, userTT, nil)
	if got := names(userTools); strings.Join(got, ",") != "slack_list_files" {
		t.Errorf("user-token tools = %v, want [slack_list_files]", got)
	}
	if got := names(botTools); len(got) == 0 || slices.Contains(got, "slack_list_files") {
		t.Errorf("bot-token tools = %v, want every Slack tool but slack_list_files", got)
	}

	tests := []struct {
		name string
		err  error
		want string
	}{
		{"user tool on the bot token",
			connectErr(connectTools(tools.All(), bot, botTT, []string{"slack_list_files"})),
			"slack_list_files uses the user token: connect slack/user instead"},
		{"bot tool on the user token",
			connectErr(connectTools(tools.All(), user, userTT, []string{"slack_send_message"})),
			"slack_send_message uses the bot token: connect slack instead"},
		{"user scope on the bot token",
			connectErr(parseConnectScopes(registry.Slack, botTT, []string{"search:read"})),
			"search:read cannot be granted to the bot token"},
		{"bot scope on the user token",
			connectErr(parseConnectScopes(registry.Slack, userTT, []string{"channels:join"})),
			"channels:join cannot be granted to the user token"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want %q", tt.name, tt.err, tt.want)
		}
	}
	if got, err := parseConnectScopes(registry.Slack, userTT, []string{"search:read"}); err != nil ||
		got.String() != "search:read" {
		t.Errorf("parseConnectScopes(slack/user, search:read) = %v, %v", got, err)
	}
}

// connectErr returns the error of a two-result call.
func connectErr[T any](_ T, err error) error { return err }

func connectQuery(t *testing.T, rawURL string) url.Values {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// TestConnectionEndpointOverrides checks that a connection's endpoint
// fields replace the provider's, and that each must be an absolute URL.
func TestConnectionEndpointOverrides(t *testing.T) {
	cfg := &Config{path: "scopegate.yaml", Connections: []ConnectionConfig{{
		Name: "google", Provider: "google", ClientID: "id", ClientSecretEnv: "SCOPEGATE_TEST_SECRET",
		AuthURL: "http://127.0.0.1:9/o/oauth2/v2/auth", TokenURL: "http://127.0.0.1:9/token",
		APIBaseURL: "http://127.0.0.1:9/",
	}}}
	conns, err := cfg.connections(testEnv)
	if err != nil {
		t.Fatal(err)
	}
	got := conns[0].Endpoints
	want := registry.Endpoints{
		AuthURL:    "http://127.0.0.1:9/o/oauth2/v2/auth",
		TokenURL:   "http://127.0.0.1:9/token",
		RevokeURL:  registry.Google.Endpoints.RevokeURL,
		APIBaseURL: "http://127.0.0.1:9",
	}
	if got != want {
		t.Errorf("endpoints = %+v, want %+v", got, want)
	}

	cfg.Connections[0].TokenURL = "/token"
	cfg.Connections[0].RevokeURL = "ftp://example.com/revoke"
	_, err = cfg.connections(testEnv)
	for _, field := range []string{"connections[0].token_url", "connections[0].revoke_url"} {
		if err == nil || !strings.Contains(err.Error(), field+": ") {
			t.Errorf("error = %v, want one naming %s", err, field)
		}
	}
}
