package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeNamesAddressInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "scopegate.yaml")
	body := "store:\n  path: " + filepath.Join(dir, "db.sqlite") + "\n  key_file: " + filepath.Join(dir, "store.key") + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(binary(t), "serve", "--config", cfg, "--transport", "http", "--listen", addr).CombinedOutput()
	if err == nil {
		t.Fatalf("serve on a busy address succeeded:\n%s", out)
	}
	want := "listen address " + addr + " is already in use"
	if !strings.Contains(string(out), want) {
		t.Errorf("output %q does not contain %q", out, want)
	}
}

func TestDemoTakesAFreePortWhenBusy(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	demo := startDemo(t, "http", "--listen", busy.Addr().String())
	if strings.Contains(demo.WebURL, busy.Addr().String()) {
		t.Errorf("demo claims the busy address %s", demo.WebURL)
	}
	if !strings.Contains(demo.Stderr(), "using a free port instead") {
		t.Errorf("demo did not say it took another port:\n%s", demo.Stderr())
	}
}

func TestBadFlagsAreUsageErrors(t *testing.T) {
	cmd := exec.Command(binary(t), "serve", "--transport", "carrier-pigeon")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2", err)
	}
	if !strings.Contains(string(out), `--transport must be stdio, sse or http, not "carrier-pigeon"`) {
		t.Errorf("output %q does not explain the flag", out)
	}
}
