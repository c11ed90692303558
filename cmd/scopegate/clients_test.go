package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/cmd/scopegate/internal/testenv"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/tools"
)

// allToolNames lists every tool's name, scopegate's own two included, in the order tools/list gives them
// (sorted by name).
func allToolNames() []string {
	names := []string{scopecheck.StatusToolName, scopecheck.RequestToolName}
	for _, t := range tools.All() {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	return names
}

const sendArgs = `{"to":["ana@example.com"],"subject":"Hello","body":"Hi Ana"}`

// runClient runs a Node client and returns its stdout, stderr and exit code.
func runClient(t *testing.T, argv ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running %v: %v", argv, err)
	}
	return out.String(), errb.String(), code
}

// inspectorTargets are the Inspector's ways to reach `scopegate demo`.
func inspectorTargets(t *testing.T) map[string][]string {
	t.Helper()
	return map[string][]string{
		"stdio": {"--", binary(t), "demo", "--transport", "stdio", "--listen", "127.0.0.1:0"},
		"sse":   {startDemo(t, "sse").MCPURL, "--transport", "sse"},
		"http":  {startDemo(t, "http").MCPURL, "--transport", "http"},
	}
}

// inspector runs the MCP Inspector CLI with args, then the target.
func inspector(t *testing.T, target []string, args ...string) (string, string, int) {
	t.Helper()
	argv := append(testenv.Inspector(t), "--format", "json")
	// A stdio target ends the argument list, so it comes last.
	if target[0] == "--" {
		argv = append(append(argv, args...), target...)
	} else {
		argv = append(append(argv, target...), args...)
	}
	return runClient(t, argv...)
}

// TestInspectorCLI drives `scopegate demo` with the real MCP Inspector CLI
// over stdio, SSE and Streamable HTTP.
func TestInspectorCLI(t *testing.T) {
	testenv.Inspector(t)
	for name, target := range inspectorTargets(t) {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := inspector(t, target, "--method", "tools/list")
			if code != 0 {
				t.Fatalf("tools/list exit %d:\n%s\n%s", code, out, errOut)
			}
			var list struct {
				Result struct {
					Tools []struct {
						Name string `json:"name"`
					} `json:"tools"`
				} `json:"result"`
			}
			if err := json.Unmarshal([]byte(out), &list); err != nil {
				t.Fatalf("tools/list output: %v\n%s", err, out)
			}
			var names []string
			for _, tool := range list.Result.Tools {
				names = append(names, tool.Name)
			}
			if want := allToolNames(); strings.Join(names, ",") != strings.Join(want, ",") {
				t.Errorf("tools/list = %v, want %v", names, want)
			}
			if strings.Contains(errOut, "Schema portability") {
				t.Errorf("the Inspector reports schema findings:\n%s", errOut)
			}

			out, errOut, code = inspector(t, target, "--method", "tools/list", "--strict")
			if code != 0 || strings.Contains(errOut, "Error:") || strings.Contains(errOut, "Warning:") {
				t.Errorf("tools/list --strict exit %d with findings:\n%s", code, errOut)
			}
			if bytes.Contains([]byte(out), []byte(`"schemaFindings":[{`)) {
				t.Errorf("tools/list --strict lists schema findings:\n%s", out)
			}

			out, errOut, code = inspector(t, target, "--method", "tools/call", "--tool-name", "gmail_send_email",
				"--tool-args-json", sendArgs)
			if code != 0 {
				t.Fatalf("tools/call exit %d:\n%s\n%s", code, out, errOut)
			}
			var call struct {
				Result struct {
					IsError           bool       `json:"isError"`
					StructuredContent authResult `json:"structuredContent"`
				} `json:"result"`
			}
			if err := json.Unmarshal([]byte(out), &call); err != nil {
				t.Fatalf("tools/call output: %v\n%s", err, out)
			}
			ar := call.Result.StructuredContent
			if call.Result.IsError || ar.Status != "authorization_required" || ar.Reason != "not_connected" ||
				!strings.HasPrefix(ar.AuthorizationURL, "http://127.0.0.1:") {
				t.Errorf("tools/call on a fresh store = %s, want authorization_required with a link", out)
			}
		})
	}
}

// TestTypeScriptSDKClient calls scopegate with the official TypeScript
// SDK client, which validates results against any declared outputSchema.
func TestTypeScriptSDKClient(t *testing.T) {
	client := testenv.SDKClient(t)
	steps := `[{"method":"tools/list"},
		{"method":"tools/call","name":"gmail_send_email","arguments":` + sendArgs + `},
		{"method":"tools/call","name":"gmail_get_message","arguments":{"message_id":""}}]`
	targets := map[string][]string{
		"stdio": {"stdio", binary(t), "demo", "--transport", "stdio", "--listen", "127.0.0.1:0"},
		"http":  {"http", startDemo(t, "http").MCPURL},
		"sse":   {"sse", startDemo(t, "sse").MCPURL},
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			argv := append(append(append([]string{}, client...), "--steps", steps), target...)
			out, errOut, code := runClient(t, argv...)
			if code != 0 {
				t.Fatalf("sdk client exit %d:\n%s\n%s", code, out, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 {
				t.Fatalf("got %d result lines, want 3:\n%s", len(lines), out)
			}
			var call struct {
				Result struct {
					IsError           bool       `json:"isError"`
					StructuredContent authResult `json:"structuredContent"`
				} `json:"result"`
			}
			if err := json.Unmarshal([]byte(lines[1]), &call); err != nil {
				t.Fatal(err)
			}
			if call.Result.IsError || call.Result.StructuredContent.Status != "authorization_required" {
				t.Errorf("send on a fresh store = %s, want authorization_required", lines[1])
			}
			if !strings.Contains(lines[2], `"isError":true`) || !strings.Contains(lines[2], "message_id") {
				t.Errorf("empty message_id = %s, want a tool error naming the field", lines[2])
			}
		})
	}
}
