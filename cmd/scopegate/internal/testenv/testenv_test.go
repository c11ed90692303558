package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// serveStdioEnv makes the test binary an MCP server on stdin and stdout, so
// that the clients have a stdio server to start.
const serveStdioEnv = "TESTENV_SERVE_STDIO"

func TestMain(m *testing.M) {
	if os.Getenv(serveStdioEnv) == "1" {
		if err := server.ServeStdio(newServer()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type greeting struct {
	Greeting string `json:"greeting"`
}

// newServer returns an MCP server with two tools: greet, which answers as its
// outputSchema says, and broken, whose structured content breaks its schema.
func newServer() *server.MCPServer {
	s := server.NewMCPServer("testenv", "0.0.0", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("greet",
		mcp.WithDescription("Greets someone by name."),
		mcp.WithString("name", mcp.Required(), mcp.Description("Who to greet.")),
		mcp.WithOutputSchema[greeting](),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var in struct {
			Name string `json:"name"`
		}
		if err := req.BindArguments(&in); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		out := greeting{Greeting: "hello, " + in.Name}
		return mcp.NewToolResultStructured(out, out.Greeting), nil
	})
	s.AddTool(mcp.NewTool("broken",
		mcp.WithDescription("Returns structured content that does not match its outputSchema."),
		mcp.WithOutputSchema[greeting](),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultStructured(map[string]any{"greeting": 42}, "42"), nil
	})
	return s
}

// target is one way to reach the test server.
type target struct {
	transport string
	url       string // for sse and http
}

// targets starts the test server over SSE and Streamable HTTP and returns those
// and stdio.
func targets(t *testing.T) []target {
	t.Helper()

	streamable := server.NewStreamableHTTPServer(newServer())
	mux := http.NewServeMux()
	mux.Handle("/mcp", streamable)
	httpSrv := httptest.NewServer(mux)
	t.Cleanup(httpSrv.Close)

	sseSrv := httptest.NewUnstartedServer(nil)
	base := "http://" + sseSrv.Listener.Addr().String()
	sse := server.NewSSEServer(newServer(), server.WithBaseURL(base))
	sseSrv.Config.Handler = sse
	sseSrv.Start()
	t.Cleanup(func() {
		sse.CloseSessions()
		sseSrv.Close()
	})

	return []target{
		{transport: "stdio"},
		{transport: "sse", url: base + "/sse"},
		{transport: "http", url: httpSrv.URL + "/mcp"},
	}
}

// run runs argv with a time limit and returns its stdout, failing the test,
// with stderr, when it does not succeed.
func run(t *testing.T, env []string, argv ...string) []byte {
	t.Helper()
	stdout, stderr, err := runErr(env, argv...)
	if err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", strings.Join(argv, " "), err, stderr)
	}
	return stdout
}

func runErr(env []string, argv ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

func TestModuleRoot(t *testing.T) {
	root := ModuleRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("module github.com/scopegate/scopegate\n")) {
		t.Errorf("ModuleRoot() = %s, whose go.mod is not scopegate's", root)
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		want    [3]int
		wantErr bool
	}{
		{in: "v22.23.5", want: [3]int{22, 23, 5}},
		{in: "22.19.0", want: [3]int{22, 19, 0}},
		{in: "v24.0.0-rc.1", want: [3]int{24, 0, 0}},
		{in: "v22.19", wantErr: true},
		{in: "vx.y.z", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseVersion(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseVersion(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("parseVersion(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAtLeast(t *testing.T) {
	tests := []struct {
		v    [3]int
		want bool
	}{
		{[3]int{22, 19, 0}, true},
		{[3]int{22, 23, 5}, true},
		{[3]int{24, 0, 0}, true},
		{[3]int{22, 18, 9}, false},
		{[3]int{20, 20, 2}, false},
	}
	for _, tt := range tests {
		if got := atLeast(tt.v, minNode); got != tt.want {
			t.Errorf("atLeast(%v, %v) = %v, want %v", tt.v, minNode, got, tt.want)
		}
	}
}

// fakeTB records whether a test was skipped or failed, and stops it the way
// the testing package does.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = true
	runtime.Goexit()
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	runtime.Goexit()
}

func TestMissingChromium(t *testing.T) {
	tests := []struct {
		ci                string
		wantSkip, wantErr bool
	}{
		{ci: "", wantSkip: true},
		{ci: "false", wantSkip: true},
		{ci: "true", wantErr: true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			t.Setenv("SCOPEGATE_CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))

			f := &fakeTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Chromium(f)
			}()
			<-done
			if f.skipped != tt.wantSkip || f.failed != tt.wantErr {
				t.Errorf("Chromium() with CI=%q: skipped %v, failed %v; want skipped %v, failed %v",
					tt.ci, f.skipped, f.failed, tt.wantSkip, tt.wantErr)
			}
		})
	}
}

func TestNode(t *testing.T) {
	node := Node(t)
	out := run(t, nil, node, "--version")
	v, err := parseVersion(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	if !atLeast(v, minNode) {
		t.Errorf("%s --version = %s, want %d.%d or newer", node, out, minNode[0], minNode[1])
	}
}

func TestInspectorVersion(t *testing.T) {
	argv := Inspector(t)
	var manifest struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := readJSON(filepath.Join(ModuleRoot(t), clientsDir, "package.json"), &manifest); err != nil {
		t.Fatal(err)
	}
	want := manifest.Dependencies["@modelcontextprotocol/inspector"]

	out := run(t, nil, append(argv, "--version")...)
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("inspector --cli --version = %q, want %q", got, want)
	}
}

// TestClients has each client list and call the test server's tools over each
// transport.
func TestClients(t *testing.T) {
	inspector := Inspector(t)
	sdk := SDKClient(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	for _, tg := range targets(t) {
		t.Run("inspector/"+tg.transport, func(t *testing.T) {
			// The Inspector passes a stdio server only the variables given
			// with -e.
			where := []string{tg.url}
			if tg.transport == "stdio" {
				where = []string{"-e", serveStdioEnv + "=1", "--", self}
			}
			call := func(args ...string) []byte {
				argv := append(append(slices.Clone(inspector), args...), "--format", "json", "-q")
				return run(t, nil, append(argv, where...)...)
			}

			var list struct {
				Result struct{ Tools []mcp.Tool } `json:"result"`
			}
			decode(t, call("--method", "tools/list", "--strict"), &list)
			if len(list.Result.Tools) != 2 {
				t.Errorf("tools/list: got %d tools, want 2", len(list.Result.Tools))
			}

			var res struct {
				Result struct{ StructuredContent greeting } `json:"result"`
			}
			decode(t, call("--method", "tools/call", "--tool-name", "greet", "--tool-arg", "name=ada"), &res)
			if got, want := res.Result.StructuredContent.Greeting, "hello, ada"; got != want {
				t.Errorf("tools/call greet: greeting = %q, want %q", got, want)
			}
		})

		t.Run("sdk/"+tg.transport, func(t *testing.T) {
			where := []string{tg.transport, tg.url}
			var env []string
			if tg.transport == "stdio" {
				where = []string{"stdio", self}
				env = []string{serveStdioEnv + "=1"}
			}
			steps := `[{"method":"tools/list"},
				{"method":"tools/call","name":"greet","arguments":{"name":"ada"}},
				{"method":"tools/call","name":"broken","expectError":true}]`
			out := run(t, env, append(append(slices.Clone(sdk), "--steps", steps), where...)...)

			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 3 {
				t.Fatalf("got %d lines, want 3:\n%s", len(lines), out)
			}
			var call struct {
				Result struct{ StructuredContent greeting } `json:"result"`
			}
			decode(t, []byte(lines[1]), &call)
			if got, want := call.Result.StructuredContent.Greeting, "hello, ada"; got != want {
				t.Errorf("tools/call greet: greeting = %q, want %q", got, want)
			}
			if !strings.Contains(lines[2], "output schema") {
				t.Errorf("tools/call broken: %s, want an output schema error", lines[2])
			}
		})
	}
}

// TestSDKClientRejectsBadOutput checks that the SDK client fails a run on
// structured content that breaks the tool's outputSchema, so tests notice it.
func TestSDKClientRejectsBadOutput(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(SDKClient(t),
		"--steps", `[{"method":"tools/call","name":"broken"}]`, "stdio", self)
	_, stderr, err := runErr([]string{serveStdioEnv + "=1"}, argv...)
	if err == nil {
		t.Fatal("sdk-client succeeded on a result that breaks its outputSchema")
	}
	if !strings.Contains(string(stderr), "output schema") {
		t.Errorf("sdk-client stderr = %q, want it to name the output schema", stderr)
	}
}

func TestBrowser(t *testing.T) {
	ctx := Browser(t)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>t</title><p id="msg">served by httptest</p>`)
	}))
	defer page.Close()

	tests := []struct {
		name, url, want string
	}{
		{"httptest", page.URL, "served by httptest"},
		{"data", `data:text/html,<p id="msg">from a data URL</p>`, "from a data URL"},
	}
	for _, tt := range tests {
		if err := chromedp.Do(ctx, chromedp.Navigate(tt.url)); err != nil {
			t.Fatalf("%s: navigating: %v", tt.name, err)
		}
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#msg")))
		if err != nil {
			t.Fatalf("%s: reading #msg: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s: text of #msg = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}
