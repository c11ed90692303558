package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildPath != "" {
		os.RemoveAll(filepath.Dir(buildPath))
	}
	os.Exit(code)
}

// binary builds the scopegate binary once per test run.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scopegate-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "scopegate")
		out, err := exec.Command("go", "build", "-o", buildPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatalf("building scopegate: %v", buildErr)
	}
	return buildPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// demoProcess is a running `scopegate demo`.
type demoProcess struct {
	cmd    *exec.Cmd
	MCPURL string
	WebURL string

	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
}

// Stderr returns what the process has written to stderr so far.
func (p *demoProcess) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// startDemo runs `scopegate demo` over an HTTP transport on a free port
// and waits until it is ready. It is stopped with SIGTERM at cleanup, and
// the test fails unless it then exits cleanly.
func startDemo(t *testing.T, transport string, args ...string) *demoProcess {
	t.Helper()
	argv := append([]string{"demo", "--transport", transport, "--listen", "127.0.0.1:0", "--log-format", "json"}, args...)
	cmd := exec.Command(binary(t), argv...)
	cmd.Env = append(os.Environ(), "SCOPEGATE_CONFIG=")
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
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct {
				Msg    string `json:"msg"`
				MCPURL string `json:"mcp_url"`
				WebURL string `json:"web_url"`
			}
			if !signalled && json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "scopegate ready" {
				p.MCPURL, p.WebURL = rec.MCPURL, rec.WebURL
				signalled = true
				close(ready)
			}
		}
		io.Copy(io.Discard, stderr)
	}()

	select {
	case <-ready:
	case <-p.done:
		cmd.Wait()
		t.Fatalf("scopegate demo exited before it was ready:\n%s", p.Stderr())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("scopegate demo was not ready after 30s:\n%s", p.Stderr())
	}

	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan error, 1)
		go func() { <-p.done; exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("scopegate demo did not shut down cleanly on SIGTERM: %v\n%s", err, p.Stderr())
			}
			if !strings.Contains(p.Stderr(), "shutting down") {
				t.Errorf("scopegate demo did not log its shutdown:\n%s", p.Stderr())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("scopegate demo still running 15s after SIGTERM")
		}
	})
	return p
}
