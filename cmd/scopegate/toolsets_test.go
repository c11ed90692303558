package main

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

func servedNames(list []registry.Tool) []string {
	var names []string
	for _, t := range list {
		names = append(names, t.Name)
	}
	return names
}

func TestSelectTools(t *testing.T) {
	all := tools.All()
	tests := []struct {
		name     string
		enable   []string
		readOnly bool
		// keep says which tools of all should be served.
		keep func(registry.Tool) bool
	}{
		{"all by default", nil, false, func(registry.Tool) bool { return true }},
		{"one family", []string{"gmail"}, false,
			func(t registry.Tool) bool { return strings.HasPrefix(t.Name, "gmail_") }},
		{"a provider", []string{"microsoft"}, false,
			func(t registry.Tool) bool { return t.Provider == registry.Microsoft.ID }},
		{"family and provider", []string{"calendar", "atlassian"}, false, func(t registry.Tool) bool {
			return strings.HasPrefix(t.Name, "calendar_") || strings.HasPrefix(t.Name, "jira_")
		}},
		{"read-only everywhere", nil, true, func(t registry.Tool) bool { return t.Annotations.ReadOnly }},
		{"read-only slack", []string{"slack"}, true, func(t registry.Tool) bool {
			return strings.HasPrefix(t.Name, "slack_") && t.Annotations.ReadOnly
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, tool := range all {
				if tt.keep(tool) {
					want = append(want, tool.Name)
				}
			}
			got := servedNames(selectTools(all, tt.enable, tt.readOnly))
			if len(got) == 0 {
				t.Fatalf("selectTools(%v, %t) served nothing", tt.enable, tt.readOnly)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("selectTools(%v, %t) (-want +got):\n%s", tt.enable, tt.readOnly, diff)
			}
		})
	}
}

func TestToolsetNames(t *testing.T) {
	want := []string{"gmail", "calendar", "drive", "sheets", "outlook", "onedrive", "teams", "slack", "jira",
		"google", "microsoft", "atlassian"}
	if diff := cmp.Diff(want, toolsetNames(tools.All())); diff != "" {
		t.Errorf("toolsetNames (-want +got):\n%s", diff)
	}
}

func TestUnknownToolsetNamesKnownOnes(t *testing.T) {
	cfg := &Config{path: "scopegate.yaml", Tools: ToolsConfig{Enable: []string{"gmail", "mail"}}}
	_, err := cfg.servedTools(tools.All())
	want := `scopegate.yaml: tools.enable: unknown toolset "mail" (known: gmail, calendar,`
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "atlassian)") {
		t.Errorf("servedTools with tools.enable [gmail mail] = %v, want %q...", err, want)
	}
	if errs := cfg.checkGeneral(); len(errs) != 1 || !strings.Contains(errs[0].Error(), `unknown toolset "mail"`) {
		t.Errorf("checkGeneral() = %v, want the unknown toolset", errs)
	}
}

func TestToolsetFlags(t *testing.T) {
	for _, name := range []string{"serve", "demo"} {
		cmd := newServeCommand()
		if name == "demo" {
			cmd = newDemoCommand()
		}
		for _, flag := range []string{"toolsets", "read-only"} {
			if cmd.Flags().Lookup(flag) == nil {
				t.Errorf("%s has no --%s", name, flag)
			}
		}
	}

	cfg := &Config{Tools: ToolsConfig{Enable: []string{"drive"}}}
	f := serveFlags{transport: "stdio", toolsets: []string{"gmail", "jira"}, readOnly: true}
	if err := f.apply(cfg); err != nil {
		t.Fatalf("apply: %v", err)
	}
	want := ToolsConfig{Enable: []string{"gmail", "jira"}, ReadOnly: true}
	if diff := cmp.Diff(want, cfg.Tools); diff != "" {
		t.Errorf("tools after --toolsets gmail,jira --read-only (-want +got):\n%s", diff)
	}

	f = serveFlags{transport: "stdio", toolsets: []string{"gmial"}}
	err := f.apply(&Config{})
	var usage usageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), `--toolsets: unknown toolset "gmial" (known: gmail,`) {
		t.Errorf("apply with --toolsets gmial = %v, want a usage error naming the known toolsets", err)
	}
}

// TestServedToolsListFollowsToolsets lists tools the way serve builds the
// server, and expects exactly the enabled read-only tools and scopegate's
// own two.
func TestServedToolsListFollowsToolsets(t *testing.T) {
	cfg := &Config{Tools: ToolsConfig{Enable: []string{"calendar", "slack"}, ReadOnly: true}}
	served, err := cfg.servedTools(tools.All())
	if err != nil {
		t.Fatal(err)
	}
	gate := scopecheck.New(scopecheck.Options{Store: store.NewMemory(), Tools: served, PublicURL: "http://127.0.0.1:8765"})
	srv := gate.NewServer("scopegate", version)
	raw, err := json.Marshal(srv.HandleMessage(context.Background(),
		[]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Result struct {
			Tools []struct {
				Name string `json:"name"`
			} `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tool := range resp.Result.Tools {
		got = append(got, tool.Name)
	}
	want := []string{scopecheck.RequestToolName, scopecheck.StatusToolName}
	for _, tool := range tools.All() {
		family, _, _ := strings.Cut(tool.Name, "_")
		if (family == "calendar" || family == "slack") && tool.Annotations.ReadOnly {
			want = append(want, tool.Name)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tools/list with tools.enable [calendar slack] and read_only (-want +got):\n%s", diff)
	}
}

// TestConfigWarningsConsiderOnlyServedTools checks that a connection's
// narrow scopes are not reported as leaving unusable the tools that are
// not served anyway.
func TestConfigWarningsConsiderOnlyServedTools(t *testing.T) {
	cfg, err := loadConfig("../../testdata/config/scopegate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	conns, err := cfg.connections(testEnv)
	if err != nil {
		t.Fatal(err)
	}
	unusable := func(warnings []string) string {
		for _, w := range warnings {
			if strings.Contains(w, "unusable") {
				return w
			}
		}
		return ""
	}

	if w := unusable(configWarnings(cfg, conns, tools.All())); !strings.Contains(w, "calendar_list_events") {
		t.Fatalf("with every tool, the unusable warning = %q, want it to name calendar_list_events", w)
	}
	cfg.Tools = ToolsConfig{Enable: []string{"gmail"}}
	served, err := cfg.servedTools(tools.All())
	if err != nil {
		t.Fatal(err)
	}
	w := unusable(configWarnings(cfg, conns, served))
	if strings.Contains(w, "calendar_") || !strings.Contains(w, "gmail_delete_message") {
		t.Errorf("with gmail only, the unusable warning = %q, want gmail_delete_message and no calendar tool", w)
	}
	cfg.Tools.ReadOnly = true
	if served, err = cfg.servedTools(tools.All()); err != nil {
		t.Fatal(err)
	}
	if w := unusable(configWarnings(cfg, conns, served)); w != "" {
		t.Errorf("with read-only gmail, warning %q, want none about unusable tools", w)
	}
}
