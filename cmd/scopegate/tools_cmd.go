package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools"
)

// googleScopePrefix is what every Google API scope but a few older ones
// starts with. Views leave it out, and `scopes explain` puts it back.
const googleScopePrefix = "https://www.googleapis.com/auth/"

func newToolsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tools",
		Short: "Describe the tools scopegate serves and the scopes they need",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	// The root writes to stderr so that stdio keeps stdout for MCP; these
	// views are the command's answer, so they go to stdout.
	cmd.SetOut(os.Stdout)
	cmd.AddCommand(newToolsListCommand())
	return cmd
}

func newToolsListCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every tool with its provider, access and scopes",
		Long: "list prints every tool scopegate serves, in the order tools/list shows them.\n\n" +
			"table (the default) gives one line per tool with its narrowest scope. json gives\n" +
			"every field, including the whole requirement (a list of alternatives, each a list of\n" +
			"scopes needed together) and the connection name: the provider id, which is the name\n" +
			"a connection for that provider is expected to have. Any name works in the configuration,\n" +
			"since a tool uses the first configured connection of its provider. markdown gives one\n" +
			"table per provider, as the README's tool reference shows it.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeToolList(cmd.OutOrStdout(), tools.All(), format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or markdown")
	return cmd
}

// usageArgs makes a positional argument check report a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
		}
		return nil
	}
}

// writeToolList writes list to w in format: table, json or markdown.
func writeToolList(w io.Writer, list []registry.Tool, format string) error {
	switch format {
	case "table":
		return writeToolTable(w, list)
	case "json":
		return writeToolJSON(w, list)
	case "markdown":
		return writeToolMarkdown(w, list)
	default:
		return usageError{fmt.Errorf("--format must be table, json or markdown, not %q", format)}
	}
}

// connectionName is the connection name that goes with a provider: its id.
// Configuration may choose other names (the sample calls its Google
// connection "gmail"); the gate then serves a tool from the first
// connection of the tool's provider, whatever it is called.
func connectionName(p registry.ProviderID) string {
	return string(p)
}

// toolEntry is one tool in `tools list --format json`.
type toolEntry struct {
	Name        string              `json:"name"`
	Title       string              `json:"title"`
	Provider    registry.ProviderID `json:"provider"`
	Connection  string              `json:"connection"`
	ReadOnly    bool                `json:"read_only"`
	Destructive bool                `json:"destructive"`
	Operations  []string            `json:"operations"`
	// Requirement lists the alternatives, least privileged first; each is
	// the scopes needed together.
	Requirement [][]string `json:"requirement"`
	// TokenType is set only for providers with more than one kind of
	// token (Slack).
	TokenType registry.TokenType `json:"token_type,omitempty"`
}

func newToolEntry(t registry.Tool) toolEntry {
	e := toolEntry{
		Name:        t.Name,
		Title:       t.Title,
		Provider:    t.Provider,
		Connection:  connectionName(t.Provider),
		ReadOnly:    t.Annotations.ReadOnly,
		Destructive: !t.Annotations.ReadOnly && t.Annotations.Destructive,
		Operations:  append([]string{}, t.Operations...),
		Requirement: make([][]string, len(t.Requirement)),
	}
	for i, alt := range t.Requirement {
		e.Requirement[i] = alt.Strings()
	}
	if p, ok := registry.ProviderByID(t.Provider); ok && len(p.TokenTypes) > 0 {
		e.TokenType = t.TokenType
	}
	return e
}

func writeToolJSON(w io.Writer, list []registry.Tool) error {
	entries := make([]toolEntry, len(list))
	for i, t := range list {
		entries[i] = newToolEntry(t)
	}
	return writeJSON(w, entries)
}

// writeJSON writes v indented by two spaces, leaving <, > and & as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeToolTable(w io.Writer, list []registry.Tool) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "TOOL\tPROVIDER\tREAD-ONLY\tLEAST-PRIVILEGED SCOPE\tALTERNATIVES")
	for _, t := range list {
		readOnly := "no"
		if t.Annotations.ReadOnly {
			readOnly = "yes"
		}
		narrowest := "-"
		if len(t.Requirement) > 0 {
			narrowest = displaySet(t.Provider, t.Requirement[0], "")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n",
			t.Name, t.Provider, readOnly, narrowest, len(t.Requirement))
	}
	return tw.Flush()
}

func writeToolMarkdown(w io.Writer, list []registry.Tool) error {
	var b strings.Builder
	for i, id := range providerOrder(list) {
		if i > 0 {
			b.WriteString("\n")
		}
		title := string(id)
		if p, ok := registry.ProviderByID(id); ok {
			title = p.Title
		}
		fmt.Fprintf(&b, "### %s\n\n", title)
		b.WriteString("| tool | what it does | access | scopes (narrowest first) |\n")
		b.WriteString("| --- | --- | --- | --- |\n")
		for _, t := range list {
			if t.Provider != id {
				continue
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n",
				t.Name, markdownCell(t.Title), access(t.Annotations), markdownScopes(t))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// providerOrder returns the providers of list's tools: known providers in
// registry order, then any other in the order its first tool appears.
func providerOrder(list []registry.Tool) []registry.ProviderID {
	used := map[registry.ProviderID]bool{}
	for _, t := range list {
		used[t.Provider] = true
	}
	var ids []registry.ProviderID
	for _, p := range registry.Providers() {
		if used[p.ID] {
			ids = append(ids, p.ID)
			delete(used, p.ID)
		}
	}
	for _, t := range list {
		if used[t.Provider] {
			ids = append(ids, t.Provider)
			delete(used, t.Provider)
		}
	}
	return ids
}

// access says in a word what a tool may do at the provider.
func access(a registry.Annotations) string {
	switch {
	case a.ReadOnly:
		return "read-only"
	case a.Destructive:
		return "destructive"
	default:
		return "writes"
	}
}

// markdownScopes writes every alternative of t's requirement as code,
// narrowest first, with the token type for providers that have several.
func markdownScopes(t registry.Tool) string {
	alts := make([]string, len(t.Requirement))
	for i, alt := range t.Requirement {
		alts[i] = displaySet(t.Provider, alt, "`")
	}
	s := strings.Join(alts, " or ")
	if p, ok := registry.ProviderByID(t.Provider); ok && len(p.TokenTypes) > 0 && t.TokenType != "" {
		s += fmt.Sprintf(" (%s token)", t.TokenType)
	}
	return s
}

// displaySet writes a set of scopes needed together, joined with " + ",
// each between quote.
func displaySet(p registry.ProviderID, set registry.ScopeSet, quote string) string {
	parts := make([]string, len(set))
	for i, s := range set {
		parts[i] = quote + displayScope(p, s) + quote
	}
	return strings.Join(parts, " + ")
}

// displayScope shortens a Google scope by leaving out googleScopePrefix;
// other scopes are shown as they are.
func displayScope(p registry.ProviderID, s registry.Scope) string {
	if p == registry.Google.ID {
		return strings.TrimPrefix(string(s), googleScopePrefix)
	}
	return string(s)
}

// markdownCell escapes what would end a Markdown table cell early.
func markdownCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
