package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/cmd/scopegate/internal/testenv"
)

// The official MCP conformance suite (@modelcontextprotocol/conformance, in
// testdata/clients) tests a server over Streamable HTTP, one scenario at a
// time. Each of its server scenarios is sorted below by whether it applies to
// scopegate; a scenario the suite lists that is in none of these lists fails
// TestConformance until someone decides where it belongs.

// conformanceScenarios apply to every MCP server that serves tools over
// Streamable HTTP, and scopegate must pass them all.
var conformanceScenarios = []string{
	"server-initialize",
	"ping",
	"tools-list",
	"dns-rebinding-protection",
	// Several requests in flight at once on one session.
	"server-sse-multiple-streams",
	// Closing a tool call's SSE stream mid-call and resuming it. It calls a
	// tool named test_reconnection; scopegate has none and answers with a
	// JSON error, which the suite records as informational only. It still
	// fails on a broken session or transport.
	"server-sse-polling",
}

// conformanceByCapability apply to a server that advertises the capability
// in its initialize result. They are run when scopegate advertises it; today
// it advertises only tools.
var conformanceByCapability = map[string][]string{
	"logging":   {"logging-set-level"},
	"resources": {"resources-list"},
	"prompts":   {"prompts-list"},
}

// conformanceFixtureScenarios call tools, prompts or resources that exist only
// in the suite's reference server (test_simple_text, test_prompt_with_arguments,
// test://static-text and the like), so they cannot apply to scopegate, whose
// tools are its own.
var conformanceFixtureScenarios = []string{
	"completion-complete",
	"tools-call-simple-text",
	"tools-call-image",
	"tools-call-audio",
	"tools-call-embedded-resource",
	"tools-call-mixed-content",
	"tools-call-with-logging",
	"tools-call-error",
	"tools-call-with-progress",
	"tools-call-sampling",
	"tools-call-elicitation",
	"json-schema-2020-12",
	"elicitation-sep1034-defaults",
	"elicitation-sep1330-enums",
	"resources-read-text",
	"resources-read-binary",
	"resources-templates-read",
	"resources-subscribe",
	"resources-unsubscribe",
	"prompts-get-simple",
	"prompts-get-with-args",
	"prompts-get-embedded-resource",
	"prompts-get-with-image",
}

// conformanceCheck is one entry of a scenario's checks.json.
type conformanceCheck struct {
	ID           string `json:"id"`
	Status       string `json:"status"` // SUCCESS, FAILURE, WARNING or INFO
	Description  string `json:"description"`
	ErrorMessage string `json:"errorMessage"`
}

// TestConformance runs every applicable server scenario of the official MCP
// conformance suite against `scopegate demo --transport http`. A scenario
// fails on a FAILURE check, and on a WARNING check too: the suite warns where
// the specification says SHOULD, and scopegate meets all of those, so a
// warning is a regression.
func TestConformance(t *testing.T) {
	suite := testenv.Conformance(t)
	p := startDemo(t, "http")

	listed := conformanceList(t, suite)
	known := slices.Concat(conformanceScenarios, conformanceFixtureScenarios)
	for _, names := range conformanceByCapability {
		known = append(known, names...)
	}
	for _, name := range listed {
		if !slices.Contains(known, name) {
			t.Errorf("the conformance suite has a server scenario %q that this test does not sort: "+
				"decide whether it applies to scopegate and add it to one of the lists in conformance_test.go", name)
		}
	}

	caps := initializeCapabilities(t, p.MCPURL)
	run := slices.Clone(conformanceScenarios)
	for capability, names := range conformanceByCapability {
		if _, ok := caps[capability]; ok {
			run = append(run, names...)
		}
	}
	slices.Sort(run)
	t.Logf("server capabilities: %s; running %d scenarios: %s",
		strings.Join(sortedKeys(caps), ", "), len(run), strings.Join(run, ", "))

	var failed []string
	for _, name := range run {
		if !slices.Contains(listed, name) {
			t.Errorf("scenario %s is no longer in the conformance suite", name)
			failed = append(failed, name)
			continue
		}
		ok := t.Run(name, func(t *testing.T) {
			runConformanceScenario(t, suite, p.MCPURL, name)
		})
		if !ok {
			failed = append(failed, name)
		}
	}
	if len(failed) > 0 {
		t.Errorf("failing conformance scenarios: %s", strings.Join(failed, ", "))
	}
}

// runConformanceScenario runs one server scenario against url and fails the
// test on any FAILURE or WARNING check, or when the suite fails or writes no
// checks.
func runConformanceScenario(t *testing.T, suite []string, url, name string) {
	out := t.TempDir()
	output, runErr := runConformance(t, out, suite, "server", "--url", url, "--scenario", name, "--output-dir", out)

	files, err := filepath.Glob(filepath.Join(out, "server-"+name+"-*", "checks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("want one checks.json for %s, found %d (error %v); output:\n%s", name, len(files), runErr, output)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var checks []conformanceCheck
	if err := json.Unmarshal(data, &checks); err != nil {
		t.Fatalf("reading %s: %v", files[0], err)
	}

	var bad []string
	passed := 0
	for _, c := range checks {
		switch c.Status {
		case "SUCCESS":
			passed++
		case "FAILURE", "WARNING":
			bad = append(bad, fmt.Sprintf("%s %s (%s): %s", c.Status, c.ID, c.Description, c.ErrorMessage))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d checks failed:\n  %s\nchecks.json:\n%s", len(bad), len(checks), strings.Join(bad, "\n  "), data)
	}
	if runErr != nil {
		t.Errorf("conformance server --scenario %s: %v\n%s", name, runErr, output)
	}
	if len(bad) == 0 && runErr == nil {
		t.Logf("checks: %d passed, %d informational, none failed", passed, len(checks)-passed)
	}
}

// conformanceList returns the names of the suite's server scenarios, from
// `conformance list --server`, whose lines read "  - name [versions]".
func conformanceList(t *testing.T, suite []string) []string {
	t.Helper()
	output, err := runConformance(t, t.TempDir(), suite, "list", "--server")
	if err != nil {
		t.Fatalf("conformance list --server: %v\n%s", err, output)
	}
	var names []string
	for line := range strings.Lines(output) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "- ")
		if !ok {
			continue
		}
		if name, _, _ := strings.Cut(rest, " "); name != "" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		t.Fatalf("conformance list --server listed no scenarios:\n%s", output)
	}
	return names
}

// ansiEscape matches the colour codes that the suite writes whether or not
// its output is a terminal.
var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// runConformance runs the suite in dir with args and returns its combined
// output, without colour codes.
func runConformance(t *testing.T, dir string, suite []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	argv := append(slices.Clone(suite), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return ansiEscape.ReplaceAllString(out.String(), ""), err
}

// initializeCapabilities opens a session at the Streamable HTTP endpoint url
// and returns the capabilities that the server's initialize result
// advertises.
func initializeCapabilities(t *testing.T, url string) map[string]json.RawMessage {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
		`"capabilities":{},"clientInfo":{"name":"scopegate-conformance-test","version":"0"}}}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatalf("initialize: reading the response: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("initialize: %s\n%s", resp.Status, buf.Bytes())
	}

	payload := buf.Bytes()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		// The result is the data of the stream's first message event.
		payload = nil
		for line := range strings.Lines(buf.String()) {
			if data, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "data:"); ok && strings.TrimSpace(data) != "" {
				payload = []byte(data)
				break
			}
		}
	}
	var msg struct {
		Result struct {
			Capabilities map[string]json.RawMessage `json:"capabilities"`
		} `json:"result"`
	}
	if err := json.Unmarshal(payload, &msg); err != nil || msg.Result.Capabilities == nil {
		t.Fatalf("initialize: no capabilities in the answer (%v):\n%s", err, buf.Bytes())
	}
	return msg.Result.Capabilities
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
