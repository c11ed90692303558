package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools"
)

func newScopesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scopes",
		Short: "Explain the OAuth scopes scopegate knows",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	// Like the tools views, the answer goes to stdout (the root's is stderr).
	cmd.SetOut(os.Stdout)
	cmd.AddCommand(newScopesExplainCommand())
	return cmd
}

func newScopesExplainCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain SCOPE...",
		Short: "Say what scopes allow and which tools need them",
		Long: "explain prints, for each scope, its provider, title, plain-language explanation,\n" +
			"sensitivity, the broader scopes that cover it, its token types (Slack), the tools\n" +
			"that need it (it is in their narrowest alternative) and the tools that also accept it\n" +
			"(it is in one of their broader alternatives).\n\n" +
			"Write a scope as the provider spells it. Google scopes may leave out\n" +
			googleScopePrefix + " (gmail.send), and Microsoft Graph names are\n" +
			"matched without regard to case. An unknown scope is reported on stderr with the\n" +
			"nearest known one, after the known ones are explained, and the exit status is 1.",
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return explainScopes(cmd.OutOrStdout(), args, format, tools.All())
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// scopeView is what explain shows about one catalog scope.
type scopeView struct {
	provider *registry.Provider
	info     registry.ScopeInfo
	// neededBy are the tools whose narrowest alternative holds the scope.
	neededBy []registry.Tool
	// alsoAcceptedBy are the other tools that hold it in a broader
	// alternative.
	alsoAcceptedBy []registry.Tool
}

// explainScopes writes a view of every known scope of args to w, and then
// returns an error naming the unknown ones, if any.
func explainScopes(w io.Writer, args []string, format string, list []registry.Tool) error {
	if format != "text" && format != "json" {
		return usageError{fmt.Errorf("--format must be text or json, not %q", format)}
	}

	var views []scopeView
	var unknown []string
	for _, arg := range args {
		matches := resolveScope(arg)
		if len(matches) == 0 {
			unknown = append(unknown, arg)
		}
		for _, m := range matches {
			if !slices.ContainsFunc(views, func(v scopeView) bool {
				return v.provider == m.provider && v.info.Scope == m.info.Scope
			}) {
				views = append(views, newScopeView(m.provider, m.info, list))
			}
		}
	}

	var err error
	if format == "json" {
		err = writeScopeJSON(w, views)
	} else {
		err = writeScopeText(w, views)
	}
	if err != nil {
		return err
	}
	return unknownScopesError(unknown)
}

// scopeMatch is a catalog entry that a written scope stands for.
type scopeMatch struct {
	provider *registry.Provider
	info     registry.ScopeInfo
}

// resolveScope looks arg up in every provider's catalog, the way the
// provider would read it, and returns each entry it names.
func resolveScope(arg string) []scopeMatch {
	var out []scopeMatch
	for _, p := range registry.Providers() {
		for _, s := range spellings(p, arg) {
			if info, ok := p.Lookup(p.Normalize(s)); ok {
				out = append(out, scopeMatch{provider: p, info: info})
				break
			}
		}
	}
	return out
}

// spellings returns the scopes arg may stand for at p: arg itself and, for
// Google, arg with googleScopePrefix and arg as the origin form of the
// oldest scopes ("mail.google.com" for https://mail.google.com/).
func spellings(p *registry.Provider, arg string) []registry.Scope {
	out := []registry.Scope{registry.Scope(arg)}
	if p.ID == registry.Google.ID && !strings.Contains(arg, "://") {
		out = append(out,
			registry.Scope(googleScopePrefix+arg),
			registry.Scope("https://"+strings.TrimSuffix(arg, "/")+"/"))
	}
	return out
}

// unknownScopesError names every unknown scope and the known scope
// nearest to it; it returns nil when args is empty.
func unknownScopesError(args []string) error {
	if len(args) == 0 {
		return nil
	}
	parts := make([]string, len(args))
	for i, arg := range args {
		parts[i] = fmt.Sprintf("unknown scope %q", arg)
		if near, ok := nearestScope(arg); ok {
			parts[i] += fmt.Sprintf(" (did you mean %s?)", near)
		}
	}
	return errors.New(strings.Join(parts, "; "))
}

// nearestScope returns the known scope closest to arg in spelling, and
// false when none is close. Each provider proposes its closest scope and
// the closest proposal wins. A Google name written without
// googleScopePrefix is compared with the catalog's names shortened the
// same way, so that closeness is judged on the part that was written, and
// it is proposed in that short form.
func nearestScope(arg string) (string, bool) {
	var proposals []registry.ScopeInfo
	for _, p := range registry.Providers() {
		if p.ID == registry.Google.ID && !strings.Contains(arg, "://") {
			p = shortCatalog(p)
		}
		if n, ok := p.Nearest(registry.Scope(arg)); ok {
			proposals = append(proposals, registry.ScopeInfo{Scope: n})
		}
	}
	if len(proposals) == 0 {
		return "", false
	}
	judge := &registry.Provider{Catalog: proposals}
	best, _ := judge.Nearest(registry.Scope(arg))
	return string(best), true
}

// shortCatalog returns a copy of p whose catalog names its scopes as views
// show them.
func shortCatalog(p *registry.Provider) *registry.Provider {
	short := *p
	short.Catalog = make([]registry.ScopeInfo, len(p.Catalog))
	for i, info := range p.Catalog {
		info.Scope = registry.Scope(displayScope(p.ID, info.Scope))
		short.Catalog[i] = info
	}
	return &short
}

func newScopeView(p *registry.Provider, info registry.ScopeInfo, list []registry.Tool) scopeView {
	v := scopeView{provider: p, info: info}
	for _, t := range list {
		if t.Provider != p.ID {
			continue
		}
		for i, alt := range t.Requirement {
			if !slices.Contains(alt, info.Scope) {
				continue
			}
			if i == 0 {
				v.neededBy = append(v.neededBy, t)
			} else {
				v.alsoAcceptedBy = append(v.alsoAcceptedBy, t)
			}
			break
		}
	}
	return v
}

// tokenTypes returns the token types the scope can be granted to, or nil
// for providers with one kind of token.
func (v scopeView) tokenTypes() []registry.TokenType {
	if len(v.provider.TokenTypes) == 0 {
		return nil
	}
	if len(v.info.TokenTypes) > 0 {
		return v.info.TokenTypes
	}
	return v.provider.TokenTypes
}

// scopeEntry is one scope in `scopes explain --format json`.
type scopeEntry struct {
	Scope       registry.Scope       `json:"scope"`
	Provider    registry.ProviderID  `json:"provider"`
	Title       string               `json:"title"`
	Explanation string               `json:"explanation"`
	Sensitivity registry.Sensitivity `json:"sensitivity"`
	CoveredBy   []registry.Scope     `json:"covered_by"`
	// TokenTypes is set only for providers with more than one kind of
	// token (Slack).
	TokenTypes     []registry.TokenType `json:"token_types,omitempty"`
	NeededBy       []string             `json:"needed_by"`
	AlsoAcceptedBy []string             `json:"also_accepted_by"`
}

func writeScopeJSON(w io.Writer, views []scopeView) error {
	entries := make([]scopeEntry, len(views))
	for i, v := range views {
		entries[i] = scopeEntry{
			Scope:          v.info.Scope,
			Provider:       v.provider.ID,
			Title:          v.info.Title,
			Explanation:    v.info.Explanation,
			Sensitivity:    v.info.Sensitivity,
			CoveredBy:      append([]registry.Scope{}, v.info.CoveredBy...),
			TokenTypes:     v.tokenTypes(),
			NeededBy:       toolNames(v.neededBy, false),
			AlsoAcceptedBy: toolNames(v.alsoAcceptedBy, false),
		}
	}
	return writeJSON(w, entries)
}

// toolNames lists the tools' names, each followed by its token type when
// withToken is set and the tool has one.
func toolNames(list []registry.Tool, withToken bool) []string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = t.Name
		if withToken && t.TokenType != "" {
			out[i] += fmt.Sprintf(" (%s token)", t.TokenType)
		}
	}
	return out
}

const (
	// explainWidth is the widest line explain writes, bar long words.
	explainWidth = 100
	// explainLabel is the width of the labels' column.
	explainLabel = 16
)

func writeScopeText(w io.Writer, views []scopeView) error {
	var b strings.Builder
	field := func(label, value string) {
		indent := 2 + explainLabel + 2
		for i, line := range wrapWords(value, explainWidth-indent) {
			if i == 0 {
				row := fmt.Sprintf("  %-*s  %s", explainLabel, label, line)
				b.WriteString(strings.TrimRight(row, " ") + "\n")
			} else {
				fmt.Fprintf(&b, "%*s%s\n", indent, "", line)
			}
		}
	}
	for i, v := range views {
		if i > 0 {
			b.WriteString("\n")
		}
		p := v.provider
		b.WriteString(string(v.info.Scope) + "\n")
		field("provider", fmt.Sprintf("%s (%s)", p.Title, p.ID))
		field("title", v.info.Title)
		field("explanation", v.info.Explanation)
		field("sensitivity", sensitivityText(v.info.Sensitivity))
		covered := make([]string, len(v.info.CoveredBy))
		for j, s := range v.info.CoveredBy {
			covered[j] = displayScope(p.ID, s)
		}
		field("covered by", listText(covered))
		if types := v.tokenTypes(); types != nil {
			names := make([]string, len(types))
			for j, tt := range types {
				names[j] = string(tt)
			}
			field("token types", listText(names))
		}
		field("needed by", listText(toolNames(v.neededBy, true)))
		field("also accepted by", listText(toolNames(v.alsoAcceptedBy, true)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sensitivityText says how the provider classifies a scope, in words.
func sensitivityText(s registry.Sensitivity) string {
	switch s {
	case "":
		return "not classified"
	case registry.NotSensitive:
		return "not sensitive"
	case registry.AdminConsent:
		return "needs an administrator's consent"
	default:
		return string(s)
	}
}

// listText joins items with commas, or says there are none.
func listText(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

// wrapWords breaks text at spaces into lines of at most width bytes; a word
// longer than width gets a line of its own. It returns at least one line.
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	return append(lines, line)
}
