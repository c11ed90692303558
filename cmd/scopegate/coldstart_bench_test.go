package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/scopegate/scopegate/tools"
)

// The client's side of a cold start, one JSON-RPC message a line: the
// handshake, then the tool list. The initialize request's id is 1 and the
// tools/list request's id is 2.
const (
	initializeRequest = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{` +
		`"protocolVersion":"2025-06-18","capabilities":{},` +
		`"clientInfo":{"name":"coldstart-bench","version":"0"}}}` + "\n"
	initializedNotification = `{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"
	toolsListRequest        = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n"
)

// coldStartTimeout bounds one start, so that a server that never answers
// fails the benchmark instead of hanging it.
const coldStartTimeout = 30 * time.Second

// coldStartServer is a program to start cold, and the number of tools its
// tools/list answer must hold.
type coldStartServer struct {
	name  string
	argv  []string
	env   []string
	tools int
}

// buildColdStartServers builds scopegate, the bare mcp-go server and the
// bare server on the official Go SDK into a directory that lasts as long as
// b, and returns how to start each with the same number of tools.
func buildColdStartServers(b testing.TB) (scopegate, bare, gosdk coldStartServer) {
	b.Helper()

	dir := b.TempDir()
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		".", "./internal/baremcp", "./internal/baresdk")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}

	// scopegate serves its own two tools (scopegate_status and
	// scopegate_request_authorization) beside the providers'.
	n := len(tools.All()) + 2
	scopegate = coldStartServer{
		name: "scopegate",
		argv: []string{filepath.Join(dir, "scopegate"),
			"demo", "--transport", "stdio", "--listen", "127.0.0.1:0", "--log-level", "error"},
		// A configuration named in the environment would change what is measured.
		env:   []string{"SCOPEGATE_CONFIG="},
		tools: n,
	}
	bare = coldStartServer{
		name:  "bare",
		argv:  []string{filepath.Join(dir, "baremcp"), "-tools", strconv.Itoa(n)},
		tools: n,
	}
	gosdk = coldStartServer{
		name:  "gosdk",
		argv:  []string{filepath.Join(dir, "baresdk"), "-tools", strconv.Itoa(n)},
		tools: n,
	}
	return scopegate, bare, gosdk
}

// BenchmarkColdStart measures, for scopegate and for bare servers on mcp-go
// and on the Go SDK with as many tools, one whole life over stdio: start the
// process, complete the handshake, list the tools, close stdin and wait for
// it to exit. Beside ns/op (the mean of whole lives), list_ms is the median
// time from the start to the tools/list answer.
//
// The three are measured one after the other, so a change in machine load
// between them shows up as a difference. BenchmarkColdStartRatio interleaves
// them instead.
func BenchmarkColdStart(b *testing.B) {
	scopegate, bare, gosdk := buildColdStartServers(b)
	for _, srv := range []coldStartServer{scopegate, bare, gosdk} {
		b.Run(srv.name, func(b *testing.B) {
			var listed []time.Duration
			for b.Loop() {
				d, err := srv.coldStart()
				if err != nil {
					b.Fatal(err)
				}
				listed = append(listed, d)
			}
			b.ReportMetric(medianMillis(listed), "list_ms")
		})
	}
}

// BenchmarkColdStartRatio starts scopegate, the bare mcp-go server and the
// bare Go SDK server in turns, each once per iteration, in a random order
// (see rounds), and reports the median time from the start to the tools/list
// answer of each (scopegate_ms, bare_ms, gosdk_ms) and the ratios of
// scopegate's median to the bare mcp-go server's (x_bare, the target) and
// to the Go SDK server's (x_gosdk). Its ns/op is the mean of whole rounds,
// exits included.
//
// A median needs rounds: run it with a count, as in -benchtime 20x, since a
// time budget of one second may allow only a few.
func BenchmarkColdStartRatio(b *testing.B) {
	scopegate, bare, gosdk := buildColdStartServers(b)
	servers := [3]coldStartServer{scopegate, bare, gosdk}
	var listed [3][]time.Duration
	order := rounds(len(servers))
	for b.Loop() {
		for _, k := range order() {
			d, err := servers[k].coldStart()
			if err != nil {
				b.Fatal(err)
			}
			listed[k] = append(listed[k], d)
		}
	}

	sgMs, bareMs, sdkMs := medianMillis(listed[0]), medianMillis(listed[1]), medianMillis(listed[2])
	b.ReportMetric(sgMs, "scopegate_ms")
	b.ReportMetric(bareMs, "bare_ms")
	b.ReportMetric(sdkMs, "gosdk_ms")
	b.ReportMetric(sgMs/bareMs, "x_bare")
	b.ReportMetric(sgMs/sdkMs, "x_gosdk")
}

// coldStart runs one life of the server and returns the time from the start
// of the process to the tools/list answer.
func (srv coldStartServer) coldStart() (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), coldStartTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, srv.argv[0], srv.argv[1:]...)
	cmd.Env = append(cmd.Environ(), srv.env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("starting %s: %w", srv.name, err)
	}
	listed, err := srv.handshake(stdin, json.NewDecoder(stdout))
	elapsed := time.Since(start)
	stdin.Close()
	waitErr := cmd.Wait()

	if err != nil {
		return 0, fmt.Errorf("%s: %w\nstderr:\n%s", srv.name, err, stderr.Bytes())
	}
	if waitErr != nil {
		return 0, fmt.Errorf("%s: exit: %w\nstderr:\n%s", srv.name, waitErr, stderr.Bytes())
	}
	if listed != srv.tools {
		return 0, fmt.Errorf("%s: tools/list holds %d tools, want %d", srv.name, listed, srv.tools)
	}
	return elapsed, nil
}

// handshake initializes the session the way a client does, waiting for the
// initialize answer before going on, then lists the tools and returns how
// many there are.
func (srv coldStartServer) handshake(w io.Writer, dec *json.Decoder) (int, error) {
	if _, err := io.WriteString(w, initializeRequest); err != nil {
		return 0, fmt.Errorf("writing initialize: %w", err)
	}
	if _, err := awaitResponse(dec, 1); err != nil {
		return 0, fmt.Errorf("initialize: %w", err)
	}

	if _, err := io.WriteString(w, initializedNotification+toolsListRequest); err != nil {
		return 0, fmt.Errorf("writing tools/list: %w", err)
	}
	result, err := awaitResponse(dec, 2)
	if err != nil {
		return 0, fmt.Errorf("tools/list: %w", err)
	}
	var list struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(result, &list); err != nil {
		return 0, fmt.Errorf("decoding tools/list result: %w", err)
	}
	return len(list.Tools), nil
}

// awaitResponse reads messages from the server until the response with the
// given id, and returns its result. Messages without that id (notifications,
// the server's own requests) are skipped. Anything on stdout that is not JSON
// is an error: stdout carries only protocol messages.
func awaitResponse(dec *json.Decoder, id int) (json.RawMessage, error) {
	want := strconv.Itoa(id)
	for {
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("stdout closed before the response")
			}
			return nil, fmt.Errorf("reading stdout: %w", err)
		}
		if string(msg.ID) != want {
			continue
		}
		if msg.Error != nil {
			return nil, fmt.Errorf("error %d: %s", msg.Error.Code, msg.Error.Message)
		}
		return msg.Result, nil
	}
}

// medianMillis returns the median of ds in milliseconds, or 0 when ds is empty.
func medianMillis(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return float64(m) / float64(time.Millisecond)
}

// TestColdStartServers starts each server of the cold-start benchmarks once
// and checks that it lists all its tools over stdio, so that a baseline that
// no longer starts fails the tests instead of the next measurement.
func TestColdStartServers(t *testing.T) {
	scopegate, bare, gosdk := buildColdStartServers(t)
	for _, srv := range []coldStartServer{scopegate, bare, gosdk} {
		if _, err := srv.coldStart(); err != nil {
			t.Error(err)
		}
	}
}
