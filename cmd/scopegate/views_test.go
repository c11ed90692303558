package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools"
)

const (
	toolsJSONGolden = "../../testdata/cli/tools-list.json"
	readmePath      = "../../README.md"
	referenceTitle  = "## Tool reference"
	referenceCmd    = "`scopegate tools list --format markdown`"
)

// runCLI runs scopegate with args in process. It returns what the command
// wrote to its output and to stderr, and the error main would report.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetErr(&errOut)
	// The views write to the real stdout; send the one that runs here
	// to the buffer instead.
	if c, _, findErr := root.Find(args); findErr == nil {
		c.SetOut(&out)
	}
	err = root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestToolsCmdJSON(t *testing.T) {
	stdout, _, err := runCLI(t, "tools", "list", "--format", "json")
	if err != nil {
		t.Fatalf("tools list --format json: %v", err)
	}
	var objects []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &objects); err != nil {
		t.Fatalf("decoding the output: %v\n%s", err, stdout)
	}
	all := tools.All()
	if len(objects) != len(all) {
		t.Fatalf("tools list --format json gave %d tools, want %d", len(objects), len(all))
	}

	fields := []string{"name", "title", "provider", "connection", "read_only", "destructive",
		"operations", "requirement"}
	providers := []registry.ProviderID{"google", "microsoft", "slack", "atlassian"}
	for i, tool := range all {
		obj := objects[i]
		for _, f := range fields {
			if _, ok := obj[f]; !ok {
				t.Errorf("%s: field %q is missing", tool.Name, f)
			}
		}
		_, hasToken := obj["token_type"]
		if want := tool.Provider == registry.Slack.ID; hasToken != want {
			t.Errorf("%s: token_type present = %v, want %v", tool.Name, hasToken, want)
		}
		for key := range obj {
			if !slices.Contains(fields, key) && key != "token_type" {
				t.Errorf("%s: unexpected field %q", tool.Name, key)
			}
		}

		raw, _ := json.Marshal(obj)
		var got toolEntry
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%s: %v", tool.Name, err)
		}
		if !slices.Contains(providers, got.Provider) {
			t.Errorf("%s: provider = %q, want one of %v", tool.Name, got.Provider, providers)
		}
		want := toolEntry{
			Name:        tool.Name,
			Title:       tool.Title,
			Provider:    tool.Provider,
			Connection:  string(tool.Provider),
			ReadOnly:    tool.Annotations.ReadOnly,
			Destructive: tool.Annotations.Destructive && !tool.Annotations.ReadOnly,
			Operations:  tool.Operations,
		}
		for _, alt := range tool.Requirement {
			want.Requirement = append(want.Requirement, alt.Strings())
		}
		if tool.Provider == registry.Slack.ID {
			want.TokenType = tool.TokenType
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tool.Name, diff)
		}
	}
}

// TestToolsCmdGolden pins `tools list --format json`. Refresh it with:
// go test ./cmd/scopegate -run ToolsCmdGolden -update
func TestToolsCmdGolden(t *testing.T) {
	got, _, err := runCLI(t, "tools", "list", "--format", "json")
	if err != nil {
		t.Fatalf("tools list --format json: %v", err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(toolsJSONGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(toolsJSONGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(toolsJSONGolden)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("tools list --format json differs from %s (-want +got); "+
			"if intended, rerun with -update:\n%s", toolsJSONGolden, diff)
	}
}

func TestToolsCmdEveryFormat(t *testing.T) {
	var want []string
	for _, tool := range tools.All() {
		want = append(want, tool.Name)
	}
	tests := []struct {
		format string
		// names reads the tool names from the output, in order.
		names func(t *testing.T, out string) []string
		// ordered formats list the tools in tools.All() order.
		ordered bool
	}{
		{"table", tableNames, true},
		{"json", jsonNames, true},
		{"markdown", markdownNames, false},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, _, err := runCLI(t, "tools", "list", "--format", tt.format)
			if err != nil {
				t.Fatalf("tools list --format %s: %v", tt.format, err)
			}
			got := tt.names(t, out)
			want := slices.Clone(want)
			if !tt.ordered {
				slices.Sort(got)
				slices.Sort(want)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("tools list --format %s names (-want +got):\n%s\n%s", tt.format, diff, out)
			}
		})
	}
}

func TestToolsCmdDefaultsToTable(t *testing.T) {
	plain, _, err := runCLI(t, "tools", "list")
	if err != nil {
		t.Fatalf("tools list: %v", err)
	}
	table, _, _ := runCLI(t, "tools", "list", "--format", "table")
	if plain != table {
		t.Errorf("tools list = %q, want the table %q", plain, table)
	}
	header := strings.Fields(strings.SplitN(plain, "\n", 2)[0])
	wantHeader := []string{
		"TOOL", "PROVIDER", "READ-ONLY", "LEAST-PRIVILEGED", "SCOPE", "ALTERNATIVES"}
	if diff := cmp.Diff(wantHeader, header); diff != "" {
		t.Errorf("table header (-want +got):\n%s", diff)
	}
}

func tableNames(t *testing.T, out string) []string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var names []string
	for _, line := range lines[1:] {
		names = append(names, strings.Fields(line)[0])
	}
	return names
}

func jsonNames(t *testing.T, out string) []string {
	t.Helper()
	var entries []struct{ Name string }
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("decoding the output: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	return names
}

func markdownNames(t *testing.T, out string) []string {
	t.Helper()
	var names []string
	for line := range strings.SplitSeq(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			name, _, _ := strings.Cut(rest, "`")
			names = append(names, name)
		}
	}
	return names
}

func TestToolsCmdBadFormat(t *testing.T) {
	stdout, _, err := runCLI(t, "tools", "list", "--format", "yaml")
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("tools list --format yaml: error = %v, want a usage error", err)
	}
	if !strings.Contains(err.Error(), "table, json or markdown") {
		t.Errorf("error %q does not name the allowed formats", err)
	}
	if stdout != "" {
		t.Errorf("tools list --format yaml wrote %q, want nothing", stdout)
	}
}

// wantToolsFor returns the names of the tools whose narrowest alternative
// holds s, and of the others that hold it in a broader one.
func wantToolsFor(p registry.ProviderID, s registry.Scope) (needed, also []string) {
	needed, also = []string{}, []string{}
	for _, tool := range tools.All() {
		if tool.Provider != p {
			continue
		}
		for i, alt := range tool.Requirement {
			if !slices.Contains(alt, s) {
				continue
			}
			if i == 0 {
				needed = append(needed, tool.Name)
			} else {
				also = append(also, tool.Name)
			}
			break
		}
	}
	return needed, also
}

func TestScopesCmdExplainGmail(t *testing.T) {
	needed, also := wantToolsFor(registry.Google.ID, registry.GmailModify)
	if !slices.ContainsFunc(needed, func(n string) bool { return strings.HasPrefix(n, "gmail_") }) {
		t.Fatalf("no Gmail tool needs %s; the test needs one", registry.GmailModify)
	}

	stdout, _, err := runCLI(t, "scopes", "explain", "--format", "json", "gmail.modify")
	if err != nil {
		t.Fatalf("scopes explain gmail.modify: %v", err)
	}
	var got []scopeEntry
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("decoding the output: %v\n%s", err, stdout)
	}
	info, _ := registry.Google.Lookup(registry.GmailModify)
	want := []scopeEntry{{
		Scope:          registry.GmailModify,
		Provider:       registry.Google.ID,
		Title:          info.Title,
		Explanation:    info.Explanation,
		Sensitivity:    info.Sensitivity,
		CoveredBy:      info.CoveredBy,
		NeededBy:       needed,
		AlsoAcceptedBy: also,
	}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("scopes explain --format json gmail.modify (-want +got):\n%s", diff)
	}

	text, _, err := runCLI(t, "scopes", "explain", "gmail.modify")
	if err != nil {
		t.Fatalf("scopes explain gmail.modify: %v", err)
	}
	neededLine := "  needed by         " + strings.Join(needed, ", ")
	for _, s := range []string{string(registry.GmailModify) + "\n", info.Title, neededLine} {
		if !strings.Contains(text, s) {
			t.Errorf("scopes explain gmail.modify does not say %q:\n%s", s, text)
		}
	}
}

func TestScopesCmdUnknownSuggestsNearest(t *testing.T) {
	stdout, _, err := runCLI(t, "scopes", "explain", "gmail.readonly", "gmail.sned")
	if err == nil {
		t.Fatal("scopes explain gmail.sned succeeded, want an error")
	}
	var ue usageError
	if errors.As(err, &ue) {
		t.Errorf("error %q is a usage error; an unknown scope exits with status 1", err)
	}
	if want := `unknown scope "gmail.sned" (did you mean gmail.send?)`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if !strings.Contains(stdout, string(registry.GmailReadonly)+"\n") {
		t.Errorf("the known scope was not explained first:\n%s", stdout)
	}
}

func TestScopesCmdBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"scopes", "explain"},
		{"scopes", "explain", "--format", "yaml", "gmail.send"},
	} {
		_, _, err := runCLI(t, args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%s: error = %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}

// TestScopesCmdEveryCatalogScope checks that every catalog scope can be
// explained as written by its provider and in the other spellings the
// command accepts.
func TestScopesCmdEveryCatalogScope(t *testing.T) {
	list := tools.All()
	for _, p := range registry.Providers() {
		for _, info := range p.Catalog {
			spellings := []string{string(info.Scope)}
			if short := displayScope(p.ID, info.Scope); short != string(info.Scope) {
				spellings = append(spellings, short)
			}
			if p.CaseInsensitive {
				spellings = append(spellings, strings.ToUpper(string(info.Scope)),
					p.ResourcePrefix+string(info.Scope))
			}
			for _, s := range spellings {
				var out bytes.Buffer
				if err := explainScopes(&out, []string{s}, "json", list); err != nil {
					t.Errorf("scopes explain %s: %v", s, err)
					continue
				}
				var got []scopeEntry
				if err := json.Unmarshal(out.Bytes(), &got); err != nil {
					t.Fatalf("scopes explain %s: decoding: %v", s, err)
				}
				if !slices.ContainsFunc(got, func(e scopeEntry) bool {
					return e.Provider == p.ID && e.Scope == info.Scope
				}) {
					t.Errorf("scopes explain %s does not explain %s scope %s", s, p.ID, info.Scope)
				}
			}
		}
	}
}

// TestToolReferenceInREADME keeps the README's tool reference equal to
// `scopegate tools list --format markdown`. With -update it rewrites the
// section's tables.
func TestToolReferenceInREADME(t *testing.T) {
	generated, _, err := runCLI(t, "tools", "list", "--format", "markdown")
	if err != nil {
		t.Fatalf("tools list --format markdown: %v", err)
	}
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start, end, ok := sectionBounds(readme, referenceTitle)
	if !ok {
		t.Fatalf("README has no %q section", referenceTitle)
	}
	intro, tables, _ := strings.Cut(strings.TrimLeft(readme[start:end], "\n"), "\n\n")
	if !strings.Contains(intro, referenceCmd) {
		t.Errorf("the %q section's first paragraph does not say it is generated by %s:\n%s",
			referenceTitle, referenceCmd, intro)
	}

	if *update {
		section := "\n" + intro + "\n\n" + generated + "\n"
		rewritten := readme[:start] + section + readme[end:]
		if err := os.WriteFile(readmePath, []byte(rewritten), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(strings.TrimSpace(generated), strings.TrimSpace(tables)); diff != "" {
		t.Errorf("README's %q section differs from scopegate tools list --format markdown "+
			"(-want +got); regenerate it with go test ./cmd/scopegate -run ToolReference -update:\n%s",
			referenceTitle, diff)
	}
}

// sectionBounds returns where the body of the Markdown section headed by
// the line heading starts and ends: after that line and before the next
// second-level heading, or at the end of doc.
func sectionBounds(doc, heading string) (start, end int, ok bool) {
	offset := 0
	for line := range strings.SplitAfterSeq(doc, "\n") {
		switch {
		case !ok && strings.TrimRight(line, "\n") == heading:
			ok, start = true, offset+len(line)
		case ok && strings.HasPrefix(line, "## "):
			return start, offset, true
		}
		offset += len(line)
	}
	return start, len(doc), ok
}

// TestViewsUseStdout runs the binary: the views' answers go to stdout,
// errors to stderr, with exit status 1 for an unknown scope and 2 for a
// bad flag value.
func TestViewsUseStdout(t *testing.T) {
	bin := binary(t)
	tests := []struct {
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{[]string{"tools", "list"}, 0, "TOOL", ""},
		{[]string{"tools", "list", "--format", "json"}, 0, "[", ""},
		{[]string{"scopes", "explain", "gmail.send"}, 0, string(registry.GmailSend), ""},
		{[]string{"scopes", "explain", "gmail.send", "gmail.sned"}, 1, string(registry.GmailSend),
			"did you mean gmail.send?"},
		{[]string{"tools", "list", "--format", "yaml"}, 2, "", "table, json or markdown"},
		{[]string{"tools", "lst"}, 2, "", `unknown command "lst" for "scopegate tools"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("exit status = %d, want %d; stderr:\n%s", code, tt.code, &stderr)
			}
			if !strings.HasPrefix(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to start with %q", &stdout, tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr.Len() > 0 {
				t.Errorf("stderr = %q, want nothing", &stderr)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", &stderr, tt.wantStderr)
			}
		})
	}
}
