package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

const toolsListGolden = "../../testdata/tools-list.golden.json"

// TestToolsListGolden pins the tools/list answer: names, descriptions,
// schemas and annotations. Refresh it with: go test ./cmd/scopegate -run ToolsListGolden -update
func TestToolsListGolden(t *testing.T) {
	gate := scopecheck.New(scopecheck.Options{Store: store.NewMemory(), Tools: tools.All(), PublicURL: "http://127.0.0.1:8765"})
	srv := gate.NewServer("scopegate", version)
	ctx := context.Background()
	srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"golden","version":"1"}}}`))
	resp := srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
	raw, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Result struct {
			Tools json.RawMessage `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &parsed); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := json.Indent(&got, parsed.Result.Tools, "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteString("\n")

	if *update {
		if err := os.WriteFile(toolsListGolden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(toolsListGolden)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("tools/list differs from %s (-want +got); if intended, rerun with -update:\n%s", toolsListGolden, diff)
	}
}
