// Command load drives a running scopegate over MCP from many sessions at
// once and reports throughput and latency percentiles as text. It is a load
// generator for a server on this machine, such as `scopegate demo`; it is
// not a test and changes nothing in scopegate.
//
// Usage:
//
//	go run ./cmd/scopegate/internal/load [flags]
//
// Each of -sessions sessions initializes once, then calls -tool with -args
// again and again until -duration has passed or -max-calls calls have been
// made in all, whichever comes first. Only the calls are timed, not the
// handshakes. The target must be on loopback (127.0.0.0/8, ::1 or
// localhost): load refuses any other address, and so does every link it
// follows.
//
// Against a fresh demo every call answers authorization_required, which
// measures the gate's refusal path. With -authorize, load first approves
// the tool's scopes through the demo's own pages (the link the first call
// returns, the sandbox's consent form), as a person would, and then measures
// the granted call.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// Limits keep a run bounded whatever the flags say.
const (
	maxSessions = 256
	maxDuration = 5 * time.Minute
	maxCalls    = 1_000_000
)

// options are the command's flags.
type options struct {
	url         string
	transport   string
	sessions    int
	duration    time.Duration
	maxCalls    int
	tool        string
	args        map[string]any
	authorize   bool
	callTimeout time.Duration
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(2)
	}
	ctx := context.Background()
	if opts.authorize {
		if err := authorizeTool(ctx, opts); err != nil {
			fmt.Fprintf(os.Stderr, "load: authorizing %s: %v\n", opts.tool, err)
			os.Exit(1)
		}
	}
	rep, err := run(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(1)
	}
	rep.write(os.Stdout, opts)
}

// parseFlags reads the flags and checks them against the limits.
func parseFlags(argv []string) (options, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var o options
	var args string
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8765/mcp",
		"the MCP endpoint: /mcp for Streamable HTTP, /sse for SSE (loopback only)")
	fs.StringVar(&o.transport, "transport", "", "http or sse; default: sse when the URL path ends in /sse")
	fs.IntVar(&o.sessions, "sessions", 4, fmt.Sprintf("concurrent sessions (1-%d)", maxSessions))
	fs.DurationVar(&o.duration, "duration", 10*time.Second,
		fmt.Sprintf("longest run (at most %s)", maxDuration))
	fs.IntVar(&o.maxCalls, "max-calls", 2000,
		fmt.Sprintf("most calls in all sessions together (1-%d)", maxCalls))
	fs.StringVar(&o.tool, "tool", "gmail_list_labels", "the tool to call")
	fs.StringVar(&args, "args", "{}", "the tool's arguments, a JSON object")
	fs.BoolVar(&o.authorize, "authorize", false, "approve the tool's scopes through the demo's pages first")
	fs.DurationVar(&o.callTimeout, "call-timeout", 30*time.Second, "longest wait for one call")
	if err := fs.Parse(argv); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	switch {
	case o.sessions < 1 || o.sessions > maxSessions:
		return o, fmt.Errorf("-sessions must be 1 to %d, not %d", maxSessions, o.sessions)
	case o.duration <= 0 || o.duration > maxDuration:
		return o, fmt.Errorf("-duration must be above 0 and at most %s, not %s", maxDuration, o.duration)
	case o.maxCalls < 1 || o.maxCalls > maxCalls:
		return o, fmt.Errorf("-max-calls must be 1 to %d, not %d", maxCalls, o.maxCalls)
	case o.callTimeout <= 0:
		return o, errors.New("-call-timeout must be above 0")
	}
	if err := json.Unmarshal([]byte(args), &o.args); err != nil || o.args == nil {
		return o, fmt.Errorf("-args must be a JSON object: %q", args)
	}
	u, err := loopbackURL(o.url)
	if err != nil {
		return o, fmt.Errorf("-url: %w", err)
	}
	if o.transport == "" {
		o.transport = "http"
		if strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/sse") {
			o.transport = "sse"
		}
	}
	if o.transport != "http" && o.transport != "sse" {
		return o, fmt.Errorf("-transport must be http or sse, not %q", o.transport)
	}
	return o, nil
}

// outcome sorts a call's answer.
type outcome int

const (
	outcomeOK outcome = iota
	outcomeAuthRequired
	outcomeToolError
	outcomeProtocolError
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"ok", "authorization_required", "tool error", "protocol error"}

// classify sorts a call's result.
func classify(res *mcp.CallToolResult, err error) outcome {
	switch {
	case err != nil:
		return outcomeProtocolError
	case res.IsError:
		return outcomeToolError
	case structuredStatus(res) == "authorization_required":
		return outcomeAuthRequired
	default:
		return outcomeOK
	}
}

// structuredStatus returns the status field of a result's structured
// content, or "".
func structuredStatus(res *mcp.CallToolResult) string {
	m, ok := res.StructuredContent.(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m["status"].(string)
	return s
}

// report is what a run measured.
type report struct {
	sessions  int
	elapsed   time.Duration // from the first call to the last answer
	latencies []time.Duration
	outcomes  [numOutcomes]int
	// firstErr is the first protocol error, to show what went wrong.
	firstErr error
}

// run opens the sessions, lets them call until the budget is spent, and
// gathers what they measured.
func run(ctx context.Context, o options) (*report, error) {
	sessions := make([]*session, o.sessions)
	for i := range sessions {
		s, err := connect(ctx, o)
		if err != nil {
			for _, open := range sessions[:i] {
				open.close()
			}
			return nil, fmt.Errorf("opening session %d: %w", i+1, err)
		}
		sessions[i] = s
	}
	defer func() {
		for _, s := range sessions {
			s.close()
		}
	}()

	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var issued atomic.Int64
	results := make([]sessionResult, len(sessions))
	var wg sync.WaitGroup
	start := time.Now()
	for i, s := range sessions {
		wg.Go(func() { results[i] = s.loop(runCtx, o, &issued) })
	}
	wg.Wait()
	rep := &report{sessions: len(sessions), elapsed: time.Since(start)}
	for _, r := range results {
		rep.latencies = append(rep.latencies, r.latencies...)
		for k, n := range r.outcomes {
			rep.outcomes[k] += n
		}
		if rep.firstErr == nil {
			rep.firstErr = r.firstErr
		}
	}
	return rep, nil
}

// sessionResult is what one session measured.
type sessionResult struct {
	latencies []time.Duration
	outcomes  [numOutcomes]int
	firstErr  error
}

// loop calls the tool until ctx ends or issued reaches the call budget. A
// call cut short by the end of the run is not counted.
func (s *session) loop(ctx context.Context, o options, issued *atomic.Int64) sessionResult {
	var r sessionResult
	req := mcp.CallToolRequest{}
	req.Params.Name = o.tool
	req.Params.Arguments = o.args
	for ctx.Err() == nil && issued.Add(1) <= int64(o.maxCalls) {
		callCtx, cancel := context.WithTimeout(ctx, o.callTimeout)
		start := time.Now()
		res, err := s.client.CallTool(callCtx, req)
		took := time.Since(start)
		cancel()
		if err != nil && ctx.Err() != nil {
			break
		}
		k := classify(res, err)
		r.outcomes[k]++
		r.latencies = append(r.latencies, took)
		if k == outcomeProtocolError && r.firstErr == nil {
			r.firstErr = err
		}
	}
	return r
}

// write prints the report as text.
func (r *report) write(w io.Writer, o options) {
	n := len(r.latencies)
	fmt.Fprintf(w, "target     %s (%s)\n", o.url, transportTitle(o.transport))
	fmt.Fprintf(w, "tool       %s %s\n", o.tool, mustJSON(o.args))
	fmt.Fprintf(w, "sessions   %d, for at most %s and %d calls\n", r.sessions, o.duration, o.maxCalls)
	rate := 0.0
	if r.elapsed > 0 {
		rate = float64(n) / r.elapsed.Seconds()
	}
	fmt.Fprintf(w, "calls      %d in %s: %.0f calls/s\n", n, r.elapsed.Round(time.Millisecond), rate)
	var parts []string
	for k, c := range r.outcomes {
		if c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, outcomeNames[k]))
		}
	}
	fmt.Fprintf(w, "outcomes   %s\n", strings.Join(parts, ", "))
	if n > 0 {
		s := slices.Clone(r.latencies)
		slices.Sort(s)
		fmt.Fprintf(w, "latency    p50 %s  p90 %s  p99 %s  max %s\n",
			fmtLatency(percentile(s, 50)), fmtLatency(percentile(s, 90)),
			fmtLatency(percentile(s, 99)), fmtLatency(s[len(s)-1]))
	}
	if r.firstErr != nil {
		fmt.Fprintf(w, "first error %v\n", r.firstErr)
	}
}

// percentile returns the nearest-rank p-th percentile of sorted, which
// must not be empty.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

func fmtLatency(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

func transportTitle(t string) string {
	if t == "sse" {
		return "SSE"
	}
	return "Streamable HTTP"
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// loopbackURL parses an http URL and refuses it unless its host is on
// loopback: an IP address in 127.0.0.0/8 or ::1, or the name localhost.
// Other names are refused rather than resolved, so that no lookup can
// point the load elsewhere.
func loopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not an http URL", raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%q is not on loopback; load only targets 127.0.0.0/8, ::1 "+
			"or localhost", raw)
	}
	return u, nil
}
