package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopegate/scopegate/cmd/scopegate/internal/testenv"
)

// sdkElicit returns the command that runs testdata/clients/sdk-elicit.mjs,
// a client built on the official TypeScript SDK that supports URL-mode
// elicitation: node and the script. Like the other Node clients, it skips
// the test when Node or the packages are missing, and fails it under CI.
func sdkElicit(t *testing.T) []string {
	t.Helper()
	client := testenv.SDKClient(t)
	return []string{client[0], filepath.Join(filepath.Dir(client[1]), "sdk-elicit.mjs")}
}

// elicitLine is one line sdk-elicit.mjs prints.
type elicitLine struct {
	Elicitation *struct {
		Mode          string `json:"mode"`
		URL           string `json:"url"`
		ElicitationID string `json:"elicitationId"`
		Message       string `json:"message"`
	} `json:"elicitation"`
	Error               string `json:"error"`
	ElicitationComplete *struct {
		ElicitationID string `json:"elicitationId"`
	} `json:"elicitationComplete"`
	Result *struct {
		IsError           bool            `json:"isError"`
		StructuredContent json.RawMessage `json:"structuredContent"`
		Content           []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"result"`
	raw string
}

// elicitRun is what one run of sdk-elicit.mjs printed.
type elicitRun struct {
	lines []elicitLine
	// approved are the pages the consent ended on, one per elicitation
	// the test approved.
	approved []pageResult
}

// runSDKElicit runs sdk-elicit.mjs with args and reads its lines as they
// come. When approve is set, the test approves each elicitation's link in
// the sandbox's consent form as soon as the client prints it, as the user
// would in the browser the client opened, while the call waits.
func runSDKElicit(t *testing.T, approve bool, args ...string) elicitRun {
	t.Helper()
	argv := append(sdkElicit(t), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "SCOPEGATE_CONFIG=")
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	var run elicitRun
	timeout := time.After(2 * time.Minute)
read:
	for {
		select {
		case raw, ok := <-lines:
			if !ok {
				break read
			}
			line := elicitLine{raw: raw}
			if err := json.Unmarshal([]byte(raw), &line); err != nil {
				t.Errorf("sdk-elicit printed a line that is not JSON: %v: %s", err, raw)
				continue
			}
			run.lines = append(run.lines, line)
			if approve && line.Elicitation != nil && line.Elicitation.URL != "" {
				final, _ := authorize(t, line.Elicitation.URL, nil, "approve")
				run.approved = append(run.approved, final)
			}
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("sdk-elicit %v still running after 2 minutes; stderr:\n%s", args, stderr.String())
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("sdk-elicit %v: %v; stderr:\n%s", args, err, stderr.String())
	}
	return run
}

// syncBuffer is a bytes.Buffer that a process may write while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// elicitations returns the elicitation requests the client received.
func (r elicitRun) elicitations() []elicitLine {
	var out []elicitLine
	for _, l := range r.lines {
		if l.Elicitation != nil {
			out = append(out, l)
		}
	}
	return out
}

// completions returns the ids of the elicitation/complete notifications
// the client received.
func (r elicitRun) completions() []string {
	var out []string
	for _, l := range r.lines {
		if l.ElicitationComplete != nil {
			out = append(out, l.ElicitationComplete.ElicitationID)
		}
	}
	return out
}

// result returns the tool call's result line, which must be the last.
func (r elicitRun) result(t *testing.T) elicitLine {
	t.Helper()
	if len(r.lines) == 0 || r.lines[len(r.lines)-1].Result == nil {
		t.Fatalf("sdk-elicit printed no result last:\n%s", r)
	}
	return r.lines[len(r.lines)-1]
}

func (r elicitRun) String() string {
	var b strings.Builder
	for _, l := range r.lines {
		b.WriteString(l.raw + "\n")
	}
	return b.String()
}

// wantLabels wants the result of gmail_list_labels itself: no error, no
// authorization request, and the mailbox's labels.
func wantLabels(t *testing.T, run elicitRun) {
	t.Helper()
	res := run.result(t).Result
	var out struct {
		Status string `json:"status"`
		Labels []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"labels"`
	}
	if err := json.Unmarshal(res.StructuredContent, &out); err != nil {
		t.Fatalf("structuredContent: %v:\n%s", err, run)
	}
	if res.IsError || out.Status == "authorization_required" || len(out.Labels) == 0 {
		t.Fatalf("result isError=%v status=%q with %d labels, want the labels:\n%s",
			res.IsError, out.Status, len(out.Labels), run)
	}
}

// wantAuthorizationRequired wants the authorization-required result, with
// its link.
func wantAuthorizationRequired(t *testing.T, run elicitRun) authResult {
	t.Helper()
	res := run.result(t).Result
	var ar authResult
	if err := json.Unmarshal(res.StructuredContent, &ar); err != nil {
		t.Fatalf("structuredContent: %v:\n%s", err, run)
	}
	if res.IsError || ar.Status != "authorization_required" || ar.Tool != "gmail_list_labels" ||
		!strings.HasPrefix(ar.AuthorizationURL, "http://127.0.0.1:") {
		t.Fatalf("result isError=%v status=%q tool=%q link=%q, want authorization_required with a link:\n%s",
			res.IsError, ar.Status, ar.Tool, ar.AuthorizationURL, run)
	}
	return ar
}

// TestTypeScriptSDKURLElicitation calls gmail_list_labels on a fresh demo
// with the official TypeScript SDK client, answering URL-mode elicitation
// in each way a client can, over each transport.
func TestTypeScriptSDKURLElicitation(t *testing.T) {
	sdkElicit(t)
	stdioTarget := func(t *testing.T) []string {
		return []string{"stdio", binary(t), "demo", "--transport", "stdio", "--listen", "127.0.0.1:0"}
	}
	httpTarget := func(t *testing.T) []string { return []string{"http", startDemo(t, "http").MCPURL} }
	sseTarget := func(t *testing.T) []string { return []string{"sse", startDemo(t, "sse").MCPURL} }

	// accepted: the client opens the link, the user approves, and the
	// same call returns the tool's result, after the client is told the
	// elicitation is complete.
	accepted := func(t *testing.T, target []string) {
		start := time.Now()
		run := runSDKElicit(t, true, append([]string{"--action", "accept"}, target...)...)
		t.Logf("the client printed, in %s:\n%s", time.Since(start).Round(time.Millisecond), run)
		els := run.elicitations()
		if len(els) != 1 {
			t.Fatalf("%d elicitations, want 1:\n%s", len(els), run)
		}
		el := els[0].Elicitation
		if els[0].Error != "" || el.Mode != "url" || el.ElicitationID == "" ||
			!strings.HasPrefix(el.URL, "http://127.0.0.1:") || !strings.Contains(el.Message, "gmail_list_labels") {
			t.Errorf("elicitation %s, want mode url with an id, the link and a message naming the tool", els[0].raw)
		}
		if len(run.approved) != 1 || run.approved[0].ID() != "connected" {
			t.Fatalf("approving the elicitation's link did not connect:\n%v", run.approved)
		}
		if got := run.completions(); len(got) != 1 || got[0] != el.ElicitationID {
			t.Errorf("elicitation/complete for %q, want one for %q:\n%s", got, el.ElicitationID, run)
		}
		wantLabels(t, run)
	}
	// refused: the client declines or cancels; the call gets the
	// authorization-required result, for the link it was shown.
	refused := func(action string) func(t *testing.T, target []string) {
		return func(t *testing.T, target []string) {
			run := runSDKElicit(t, false, append([]string{"--action", action}, target...)...)
			els := run.elicitations()
			if len(els) != 1 || els[0].Elicitation.Mode != "url" {
				t.Fatalf("%d elicitations, want 1 in url mode:\n%s", len(els), run)
			}
			ar := wantAuthorizationRequired(t, run)
			if ar.AuthorizationURL != els[0].Elicitation.URL {
				t.Errorf("the result's link %s is not the one elicited, %s", ar.AuthorizationURL, els[0].Elicitation.URL)
			}
			if got := run.completions(); len(got) != 0 {
				t.Errorf("elicitation/complete %q after a %s, want none", got, action)
			}
		}
	}
	// unasked: the call gets the authorization-required result, and the
	// client is never sent an elicitation.
	unasked := func(args ...string) func(t *testing.T, target []string) {
		return func(t *testing.T, target []string) {
			run := runSDKElicit(t, false, append(args, target...)...)
			if els := run.elicitations(); len(els) != 0 {
				t.Errorf("the client was sent %d elicitations, want none:\n%s", len(els), run)
			}
			wantAuthorizationRequired(t, run)
		}
	}

	for _, tc := range []struct {
		name   string
		target func(t *testing.T) []string
		check  func(t *testing.T, target []string)
	}{
		{"http/accept", httpTarget, accepted},
		{"http/decline", httpTarget, refused("decline")},
		{"http/cancel", httpTarget, refused("cancel")},
		{"http/no-capability", httpTarget, unasked("--no-elicitation")},
		{"stdio/accept", stdioTarget, accepted},
		{"stdio/decline", stdioTarget, refused("decline")},
		{"stdio/no-capability", stdioTarget, unasked("--no-elicitation")},
		// mcp-go's SSE transport cannot send a request to the client, so
		// even a client with the capability gets the link in the result.
		{"sse/accept", sseTarget, unasked("--action", "accept")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, tc.target(t))
		})
	}
}
