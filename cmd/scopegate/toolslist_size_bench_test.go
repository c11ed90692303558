package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

// toolsListBudget is the most bytes a tool may take in tools/list on
// average: the list is read into the model's context on every
// conversation, so each byte is paid for again and again.
const toolsListBudget = 700

// toolsListSizes is what tools/list weighs on the wire: the whole JSON-RPC
// response, and each tool's object by name, in list order.
type toolsListSizes struct {
	response int
	names    []string
	bytes    []int
}

// total returns the bytes of all tool objects together.
func (s toolsListSizes) total() int {
	n := 0
	for _, b := range s.bytes {
		n += b
	}
	return n
}

// average returns the mean bytes per tool.
func (s toolsListSizes) average() float64 {
	return float64(s.total()) / float64(len(s.bytes))
}

// measureToolsList asks scopegate's MCP server for tools/list, in process,
// and weighs the answer as the transports send it: compact JSON.
//
// With no caller, the list holds what a model is given of each tool: name,
// title, description, input schema and annotations. A caller, on the
// demo's connections, gets each tool's _meta besides (see
// scopecheck.MetaRequirement), which is for the client program: hosts do
// not hand it to the model, whose tool definitions have no place for it.
func measureToolsList(tb testing.TB, caller string) toolsListSizes {
	tb.Helper()
	opts := scopecheck.Options{Store: store.NewMemory(), Tools: tools.All(), PublicURL: "http://127.0.0.1:8765"}
	ctx := context.Background()
	if caller != "" {
		for _, sb := range demoSandboxes(opts.PublicURL, opts.PublicURL+scopecheck.CallbackPath, nil) {
			opts.Connections = append(opts.Connections, sb.conn)
		}
		ctx = scopecheck.WithIdentifier(ctx, caller)
	}
	srv := scopecheck.New(opts).NewServer("scopegate", version)
	raw, err := json.Marshal(srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)))
	if err != nil {
		tb.Fatal(err)
	}
	var resp struct {
		Result struct {
			Tools []json.RawMessage `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		tb.Fatal(err)
	}
	if len(resp.Result.Tools) == 0 {
		tb.Fatalf("tools/list holds no tool: %s", raw)
	}

	sizes := toolsListSizes{response: len(raw)}
	for _, t := range resp.Result.Tools {
		var named struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(t, &named); err != nil {
			tb.Fatal(err)
		}
		sizes.names = append(sizes.names, named.Name)
		sizes.bytes = append(sizes.bytes, len(t))
	}
	return sizes
}

// TestToolsListSizeBudget keeps the tools' average weight in tools/list
// within toolsListBudget. Scope explanations belong in results, where they
// are read when they matter, not in descriptions.
func TestToolsListSizeBudget(t *testing.T) {
	sizes := measureToolsList(t, "")
	if avg := sizes.average(); avg > toolsListBudget {
		t.Errorf("tools/list averages %.0f bytes per tool over %d tools, want at most %d; "+
			"see go test -run '^$' -bench ToolsListSize ./cmd/scopegate/ for each tool",
			avg, len(sizes.bytes), toolsListBudget)
	}
}

// BenchmarkToolsListSize measures answering tools/list in process and
// reports its size as a model is given it (see measureToolsList): the
// whole response (response_B), the tool objects together (tools_B), the
// mean per tool (B/tool), the largest tool (max_tool_B) and the mean
// against the budget of 700 bytes (x_budget); and, for a caller on the
// demo's connections, the whole response and the mean per tool with each
// tool's _meta (caller_response_B, caller_B/tool).
func BenchmarkToolsListSize(b *testing.B) {
	gate := scopecheck.New(scopecheck.Options{Store: store.NewMemory(), Tools: tools.All(),
		PublicURL: "http://127.0.0.1:8765"})
	srv := gate.NewServer("scopegate", version)
	req := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(srv.HandleMessage(ctx, req)); err != nil {
			b.Fatal(err)
		}
	}

	sizes := measureToolsList(b, "")
	b.ReportMetric(float64(sizes.response), "response_B")
	b.ReportMetric(float64(sizes.total()), "tools_B")
	b.ReportMetric(sizes.average(), "B/tool")
	b.ReportMetric(float64(maxOf(sizes.bytes)), "max_tool_B")
	b.ReportMetric(sizes.average()/toolsListBudget, "x_budget")
	withMeta := measureToolsList(b, "bench-user")
	b.ReportMetric(float64(withMeta.response), "caller_response_B")
	b.ReportMetric(withMeta.average(), "caller_B/tool")
}

// BenchmarkToolsListSizePerTool reports each tool's bytes in tools/list
// (B), one sub-benchmark per tool, in list order. It times nothing: its
// ns/op means nothing.
func BenchmarkToolsListSizePerTool(b *testing.B) {
	sizes := measureToolsList(b, "")
	for i, name := range sizes.names {
		b.Run(name, func(b *testing.B) {
			b.ReportMetric(float64(sizes.bytes[i]), "B")
		})
	}
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
