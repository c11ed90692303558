package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestStdioWritesOnlyProtocolToStdout drives `scopegate demo` over stdio
// with debug logging, including a malformed line, and checks that every
// line on stdout is a JSON-RPC message while the logs go to stderr.
func TestStdioWritesOnlyProtocolToStdout(t *testing.T) {
	cmd := exec.Command(binary(t), "demo", "--transport", "stdio", "--listen", "127.0.0.1:0", "--log-level", "debug")
	cmd.Env = append(cmd.Environ(), "SCOPEGATE_CONFIG=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = strings.NewReader(strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"gmail_send_email","arguments":{"to":["a@example.com"],"subject":"s","body":"b"}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"gmail_get_message","arguments":{"message_id":7}}}`,
		`{this is not json`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}`,
		`{"jsonrpc":"2.0","id":6,"method":"ping"}`,
	}, "\n") + "\n")

	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("scopegate exited with %v after stdin closed:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("scopegate did not exit after stdin closed:\n%s", stderr.String())
	}

	out := stdout.String()
	ids := map[float64]map[string]json.RawMessage{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var msg map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			t.Errorf("stdout line is not JSON: %q", sc.Text())
			continue
		}
		if string(msg["jsonrpc"]) != `"2.0"` {
			t.Errorf("stdout line is not JSON-RPC 2.0: %q", sc.Text())
		}
		var id float64
		if json.Unmarshal(msg["id"], &id) == nil {
			ids[id] = msg
		}
	}
	for _, id := range []float64{1, 2, 3, 4, 5, 6} {
		if ids[id] == nil {
			t.Errorf("no response with id %v on stdout:\n%s", id, out)
		}
	}
	if r := ids[3]; r != nil && !bytes.Contains(r["result"], []byte(`"authorization_required"`)) {
		t.Errorf("tools/call on a fresh store = %s, want authorization_required", r["result"])
	}
	if r := ids[4]; r != nil && !bytes.Contains(r["result"], []byte(`"isError":true`)) {
		t.Errorf("wrong argument type = %s, want a tool error", r["result"])
	}
	if r := ids[5]; r != nil && r["error"] == nil {
		t.Errorf("unknown tool = %s, want a JSON-RPC error", r["result"])
	}
	if !strings.Contains(out, `-32700`) {
		t.Errorf("the malformed line got no parse error on stdout:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "DBG") || !strings.Contains(stderr.String(), "scopegate ready") {
		t.Errorf("debug logs did not reach stderr:\n%s", stderr.String())
	}
}
