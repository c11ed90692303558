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
)

// The tests in this file check how MCP sessions over HTTP behave on a
// real network: what an unknown or expired session gets, when an idle
// session ends, that open streams carry keepalives, and that a session
// answers only to the caller that began it. They speak raw HTTP to a
// running `scopegate demo`, so that every status code is seen as a client
// would see it.

// writeConfig writes a configuration file for a test and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scopegate.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mcpReply is an HTTP answer from an MCP endpoint.
type mcpReply struct {
	status int
	header http.Header
	body   string
}

// rpcResult returns the JSON-RPC result of the reply, whether it came as
// JSON or as a server-sent event.
func (r mcpReply) rpcResult(t *testing.T) json.RawMessage {
	t.Helper()
	body := r.body
	if strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") {
		for line := range strings.Lines(r.body) {
			if data, ok := strings.CutPrefix(line, "data:"); ok {
				body = strings.TrimSpace(data)
			}
		}
	}
	var msg struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &msg); err != nil || msg.Error != nil || msg.Result == nil {
		t.Fatalf("not a JSON-RPC result (%v): status %d: %s", err, r.status, r.body)
	}
	return msg.Result
}

// mcpHTTP bounds each request, so that a stream opened where a refusal
// was wanted fails the test instead of hanging it.
var mcpHTTP = &http.Client{Timeout: 20 * time.Second}

// sendMCP sends one request to a Streamable HTTP endpoint, with the API
// key and session id when they are not empty, and reads the whole answer.
func sendMCP(t *testing.T, method, mcpURL, key, sessionID, body string) mcpReply {
	t.Helper()
	req, err := http.NewRequest(method, mcpURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if sessionID != "" {
		req.Header.Set("Mcp-Session-Id", sessionID)
	}
	resp, err := mcpHTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, mcpURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, mcpURL, err)
	}
	return mcpReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

const toolsListBody = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

// initializeSession begins a Streamable HTTP session and returns its id.
func initializeSession(t *testing.T, mcpURL, key string) string {
	t.Helper()
	r := sendMCP(t, http.MethodPost, mcpURL, key, "", initializeRequestBody)
	if r.status != http.StatusOK {
		t.Fatalf("initialize: status %d: %s", r.status, r.body)
	}
	r.rpcResult(t)
	id := r.header.Get("Mcp-Session-Id")
	if id == "" {
		t.Fatalf("initialize gave no Mcp-Session-Id: %v", r.header)
	}
	if r := sendMCP(t, http.MethodPost, mcpURL, key, id, initializedBody); r.status != http.StatusAccepted {
		t.Fatalf("notifications/initialized: status %d: %s", r.status, r.body)
	}
	return id
}

// wantTools lists the tools in session id and wants some.
func wantTools(t *testing.T, mcpURL, key, id string) {
	t.Helper()
	r := sendMCP(t, http.MethodPost, mcpURL, key, id, toolsListBody)
	if r.status != http.StatusOK {
		t.Fatalf("tools/list in a live session: status %d: %s", r.status, r.body)
	}
	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(r.rpcResult(t), &list); err != nil || len(list.Tools) == 0 {
		t.Fatalf("tools/list: %d tools (%v): %s", len(list.Tools), err, r.body)
	}
}

// wantNoSession wants 404 for a request in session id, as the MCP
// specification answers a session the server does not know.
func wantNoSession(t *testing.T, method, mcpURL, key, id, body, why string) {
	t.Helper()
	r := sendMCP(t, method, mcpURL, key, id, body)
	if r.status != http.StatusNotFound {
		t.Errorf("%s: %s with Mcp-Session-Id %q: status %d, want 404: %s", why, method, id, r.status, r.body)
	}
}

// sseEvent is one event read from a stream of server-sent events.
type sseEvent struct {
	name string
	data string
	at   time.Time
}

// ping reports whether the event is a JSON-RPC ping request.
func (e sseEvent) ping() bool {
	var msg struct {
		Method string          `json:"method"`
		ID     json.RawMessage `json:"id"`
	}
	return json.Unmarshal([]byte(e.data), &msg) == nil && msg.Method == "ping" && msg.ID != nil
}

// openStream sends a GET that opens a stream of server-sent events and
// returns its events as they arrive, each with the time it was read; the
// stream closes when the test ends. It fails the test unless the answer is
// 200 with an event stream.
func openStream(t *testing.T, target string, header http.Header) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("GET %s: status %d, Content-Type %q: %s", target, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	events := make(chan sseEvent, 64)
	go func() {
		defer close(events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := strings.TrimSuffix(sc.Text(), "\r")
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					ev.at = time.Now()
					select {
					case events <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			}
		}
	}()
	return events
}

// nextPing waits for the next ping on events, at most limit.
func nextPing(t *testing.T, events <-chan sseEvent, limit time.Duration) sseEvent {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the stream ended before a keepalive ping")
			}
			if ev.ping() {
				return ev
			}
		case <-deadline:
			t.Fatalf("no keepalive ping within %s", limit)
		}
	}
}

// wantKeepalives wants two pings on events, the first within keepalive
// (and some slack for a loaded machine) of opened, then another about
// keepalive later.
func wantKeepalives(t *testing.T, events <-chan sseEvent, opened time.Time, keepalive time.Duration) {
	t.Helper()
	const slack = 3 * time.Second
	first := nextPing(t, events, keepalive+slack)
	if d := first.at.Sub(opened); d > keepalive+slack {
		t.Errorf("first keepalive %s after the stream opened, want about %s", d, keepalive)
	}
	second := nextPing(t, events, keepalive+slack)
	if gap := second.at.Sub(first.at); gap < keepalive/2 || gap > keepalive+slack {
		t.Errorf("keepalives %s apart, want about %s", gap, keepalive)
	}
}

func TestSessionTimingsConfig(t *testing.T) {
	for _, tc := range []struct {
		idle, keepalive string
		wantIdle        time.Duration
		wantKeepalive   time.Duration
		wantErr         []string
	}{
		{"", "", 30 * time.Minute, 30 * time.Second, nil},
		{"2h", "45s", 2 * time.Hour, 45 * time.Second, nil},
		{"1s", "", 0, 0, []string{`sessions.keepalive: 30s is not shorter than sessions.idle_timeout (1s)`}},
		{"5x", "", 0, 0, []string{`sessions.idle_timeout: "5x" is not a duration like 30m`}},
		{"30", "1m", 0, 0, []string{`sessions.idle_timeout: "30" is not a duration like 30m`}},
		{"", "-1s", 0, 0, []string{`sessions.keepalive: "-1s" is shorter than the minimum, 1s`}},
		{"999ms", "soon", 0, 0, []string{
			`sessions.idle_timeout: "999ms" is shorter than the minimum, 1s`,
			`sessions.keepalive: "soon" is not a duration like 30s`,
		}},
	} {
		cfg := &Config{path: "scopegate.yaml"}
		cfg.Sessions.IdleTimeout, cfg.Sessions.Keepalive = tc.idle, tc.keepalive
		idle, keepalive, err := cfg.sessionTimings()
		if tc.wantErr == nil {
			if err != nil || idle != tc.wantIdle || keepalive != tc.wantKeepalive {
				t.Errorf("idle_timeout %q, keepalive %q: got %s, %s, %v; want %s, %s",
					tc.idle, tc.keepalive, idle, keepalive, err, tc.wantIdle, tc.wantKeepalive)
			}
			continue
		}
		if err == nil {
			t.Errorf("idle_timeout %q, keepalive %q: no error, want %q", tc.idle, tc.keepalive, tc.wantErr)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != len(tc.wantErr) {
			t.Errorf("idle_timeout %q, keepalive %q: error %q, want %d lines", tc.idle, tc.keepalive, err, len(tc.wantErr))
			continue
		}
		for i, want := range tc.wantErr {
			if !strings.HasPrefix(lines[i], "scopegate.yaml: "+want) {
				t.Errorf("idle_timeout %q, keepalive %q: error line %q, want %q", tc.idle, tc.keepalive, lines[i], want)
			}
		}
	}

	// A bad duration stops demo and serve before they listen.
	path := writeConfig(t, "sessions:\n  idle_timeout: 5x\n")
	out, errOut, code := runClient(t, binary(t), "demo", "--transport", "http", "--listen", "127.0.0.1:0",
		"--config", path)
	want := `sessions.idle_timeout: "5x" is not a duration like 30m`
	if code == 0 || !strings.Contains(errOut, want) {
		t.Errorf("demo with a bad idle_timeout: exit %d, stderr %q, want an error containing %q (stdout %q)",
			code, errOut, want, out)
	}
}

// TestStreamableHTTPUnknownSession wants 404 for every request naming a
// session the server never issued, then a fresh initialize to work.
func TestStreamableHTTPUnknownSession(t *testing.T) {
	demo := startDemo(t, "http")
	for _, id := range []string{"no-such-session", "mcp-session-3b241101-e2bb-4255-8caf-4136c566a962"} {
		wantNoSession(t, http.MethodPost, demo.MCPURL, "", id, toolsListBody, "unknown session")
		wantNoSession(t, http.MethodGet, demo.MCPURL, "", id, "", "unknown session")
		wantNoSession(t, http.MethodDelete, demo.MCPURL, "", id, "", "unknown session")
	}

	id := initializeSession(t, demo.MCPURL, "")
	wantTools(t, demo.MCPURL, "", id)

	// A session ended by its client is unknown from then on.
	if r := sendMCP(t, http.MethodDelete, demo.MCPURL, "", id, ""); r.status != http.StatusOK {
		t.Fatalf("DELETE of a live session: status %d: %s", r.status, r.body)
	}
	wantNoSession(t, http.MethodPost, demo.MCPURL, "", id, toolsListBody, "deleted session")
	again := initializeSession(t, demo.MCPURL, "")
	if again == id {
		t.Errorf("a new session reuses the deleted session's id %q", id)
	}
	wantTools(t, demo.MCPURL, "", again)
}

// sweptAt waits for the demo to log that it expired session id, and
// returns when it did.
func sweptAt(t *testing.T, demo *demoProcess, id string, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for line := range strings.Lines(demo.Stderr()) {
			var rec struct {
				Time    time.Time `json:"time"`
				Msg     string    `json:"msg"`
				Session string    `json:"session"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Session == id &&
				strings.Contains(strings.ToLower(rec.Msg), "expired session") {
				return rec.Time
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("session %s was not expired within %s:\n%s", id, limit, demo.Stderr())
	return time.Time{}
}

// TestStreamableHTTPIdleSessionExpires wants a session to stay alive while
// it is used, for longer than the idle timeout, and to end once it has
// been idle that long, after which it gets 404.
func TestStreamableHTTPIdleSessionExpires(t *testing.T) {
	const idle = 2 * time.Second
	config := writeConfig(t, "sessions:\n  idle_timeout: 2s\n  keepalive: 1s\n")
	demo := startDemo(t, "http", "--config", config)

	id := initializeSession(t, demo.MCPURL, "")
	var lastSent time.Time
	for start := time.Now(); time.Since(start) < idle+idle/2; time.Sleep(idle / 4) {
		lastSent = time.Now()
		wantTools(t, demo.MCPURL, "", id)
	}

	swept := sweptAt(t, demo, id, 10*idle)
	if d := swept.Sub(lastSent); d < idle {
		t.Errorf("the session was expired %s after its last request, before the idle timeout of %s", d, idle)
	}
	wantNoSession(t, http.MethodPost, demo.MCPURL, "", id, toolsListBody, "expired session")
	wantNoSession(t, http.MethodGet, demo.MCPURL, "", id, "", "expired session")

	wantTools(t, demo.MCPURL, "", initializeSession(t, demo.MCPURL, ""))
}

// TestStreamableHTTPKeepalive wants the stream a client opens with GET to
// carry a ping every keepalive, and the session listening on it to outlive
// the idle timeout.
func TestStreamableHTTPKeepalive(t *testing.T) {
	const keepalive, idle = time.Second, 2 * time.Second
	config := writeConfig(t, "sessions:\n  idle_timeout: 2s\n  keepalive: 1s\n")
	demo := startDemo(t, "http", "--config", config)

	id := initializeSession(t, demo.MCPURL, "")
	opened := time.Now()
	events := openStream(t, demo.MCPURL, http.Header{"Mcp-Session-Id": {id}})
	wantKeepalives(t, events, opened, keepalive)

	// The pings keep the listening session alive past the idle timeout.
	for time.Since(opened) < 2*idle {
		nextPing(t, events, keepalive+3*time.Second)
	}
	wantTools(t, demo.MCPURL, "", id)
}

// TestSSEKeepalive wants the SSE transport's stream to carry a ping every
// keepalive.
func TestSSEKeepalive(t *testing.T) {
	const keepalive = time.Second
	config := writeConfig(t, "sessions:\n  keepalive: 1s\n")
	demo := startDemo(t, "sse", "--config", config)

	opened := time.Now()
	events := openStream(t, demo.MCPURL, http.Header{})
	select {
	case ev := <-events:
		if ev.name != "endpoint" || !strings.Contains(ev.data, "sessionId=") {
			t.Fatalf("first event %q %q, want the endpoint", ev.name, ev.data)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no endpoint event")
	}
	wantKeepalives(t, events, opened, keepalive)
}

// TestSSEUnknownSession wants a message for a session the server does not
// know refused with 4xx and a body that says what is wrong.
func TestSSEUnknownSession(t *testing.T) {
	demo := startDemo(t, "sse")
	for target, want := range map[string]string{
		demo.WebURL + "/message?sessionId=no-such-session": "Invalid session ID",
		demo.WebURL + "/message":                           "Missing sessionId",
	} {
		resp, err := http.Post(target, "application/json", strings.NewReader(toolsListBody))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode > 499 || !strings.Contains(string(b), want) {
			t.Errorf("POST %s: status %d, body %q; want 4xx saying %q", target, resp.StatusCode, b, want)
		}
	}
}

// TestStreamableHTTPSessionBoundToCaller wants a session to answer only to
// the caller that began it: another caller naming its id is answered as
// if it did not exist, and the refusal is logged without the key.
func TestStreamableHTTPSessionBoundToCaller(t *testing.T) {
	users := newTwoUsers(t)
	demo := startDemo(t, "http", "--config", users.config)

	alices := initializeSession(t, demo.MCPURL, users.alice)
	bobs := initializeSession(t, demo.MCPURL, users.bob)
	if alices == bobs {
		t.Fatalf("alice and bob were given the same session %q", alices)
	}

	wantNoSession(t, http.MethodPost, demo.MCPURL, users.bob, alices, toolsListBody, "bob in alice's session")
	call := `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"scopegate_status","arguments":{}}}`
	wantNoSession(t, http.MethodPost, demo.MCPURL, users.bob, alices, call, "bob in alice's session")
	wantNoSession(t, http.MethodGet, demo.MCPURL, users.bob, alices, "", "bob listening on alice's session")
	wantNoSession(t, http.MethodDelete, demo.MCPURL, users.bob, alices, "", "bob ending alice's session")

	// Alice's session carries on, and so does bob's own.
	wantTools(t, demo.MCPURL, users.alice, alices)
	r := sendMCP(t, http.MethodPost, demo.MCPURL, users.alice, alices, call)
	if r.status != http.StatusOK || !strings.Contains(string(r.rpcResult(t)), "connections") {
		t.Errorf("alice's scopegate_status after bob's attempts: status %d: %s", r.status, r.body)
	}
	openStream(t, demo.MCPURL, http.Header{"Mcp-Session-Id": {alices}, "Authorization": {"Bearer " + users.alice}})
	wantTools(t, demo.MCPURL, users.bob, bobs)

	refusals := 0
	for line := range strings.Lines(demo.Stderr()) {
		var rec struct {
			Level      string `json:"level"`
			Msg        string `json:"msg"`
			Why        string `json:"why"`
			Identifier string `json:"identifier"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Why != "session of another identifier" {
			continue
		}
		refusals++
		if rec.Level != "WARN" || rec.Identifier != "bob" || strings.Contains(line, alices) {
			t.Errorf("refusal logged as %s for %q, want WARN for bob without the session id: %s",
				rec.Level, rec.Identifier, line)
		}
	}
	if refusals != 4 {
		t.Errorf("%d refusals logged, want one for each of bob's 4 requests:\n%s", refusals, demo.Stderr())
	}
	if strings.Contains(demo.Stderr(), users.alice) || strings.Contains(demo.Stderr(), users.bob) {
		t.Errorf("the log holds an API key:\n%s", demo.Stderr())
	}

	// Alice ends her session; then it is unknown to her too.
	if r := sendMCP(t, http.MethodDelete, demo.MCPURL, users.alice, alices, ""); r.status != http.StatusOK {
		t.Fatalf("alice's DELETE of her session: status %d: %s", r.status, r.body)
	}
	wantNoSession(t, http.MethodPost, demo.MCPURL, users.alice, alices, toolsListBody, "alice's deleted session")
}
