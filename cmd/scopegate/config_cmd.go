package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools"
)

func newConfigCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Check scopegate's configuration"}
	var path string
	validate := &cobra.Command{
		Use:   "validate",
		Short: "Check a configuration file without serving",
		Long: "validate reads the configuration as serve would and reports every error (unknown\n" +
			"scopes and fields, scopes of another provider, missing secrets) with the file and field,\n" +
			"and warnings: tools a connection's scopes leave unusable, and scopes broader than any\n" +
			"tool needs. It exits 1 when there are errors.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runValidate(cmd, path)
		},
	}
	validate.Flags().StringVar(&path, "config", os.Getenv("SCOPEGATE_CONFIG"), "configuration file (YAML); env SCOPEGATE_CONFIG")
	cmd.AddCommand(validate)
	return cmd
}

func runValidate(cmd *cobra.Command, path string) error {
	if path == "" {
		return usageError{fmt.Errorf("name the file with --config or SCOPEGATE_CONFIG")}
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	conns, err := cfg.connections(os.Getenv)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	served, err := cfg.servedTools(tools.All())
	if err != nil {
		return err
	}
	warnings := configWarnings(cfg, conns, served)
	if len(conns) == 0 {
		warnings = append(warnings, path+": no connections configured: every tool will answer that its provider is not configured")
	}
	for _, w := range warnings {
		fmt.Fprintln(out, "warning: "+w)
	}
	fmt.Fprintf(out, "%s: ok (%s, %s)\n", path, plural(len(conns), "connection"), plural(len(warnings), "warning"))
	return nil
}

// configWarnings finds what is allowed but probably wrong: tools that the
// connections' scope ceilings leave unusable, and scopes broader than any
// tool needs. all is the list of served tools, so tools the configuration
// does not enable are neither reported unusable nor count as needing a
// scope.
func configWarnings(cfg *Config, conns []*registry.Connection, all []registry.Tool) []string {
	var out []string
	where := func(i int) string { return fmt.Sprintf("%s: connections[%d] (%s)", cfg.path, i, conns[i].Name) }
	for i, conn := range conns {
		var provTools []registry.Tool
		for _, t := range all {
			if t.Provider == conn.Provider.ID {
				provTools = append(provTools, t)
			}
		}
		if len(conn.Ceiling) == 0 {
			continue
		}

		var unusable []string
		for _, t := range provTools {
			if !anyWithin(t.Requirement, conn.Ceiling) {
				unusable = append(unusable, fmt.Sprintf("%s (needs %s)", t.Name, t.Requirement[0]))
			}
		}
		if len(unusable) > 0 {
			out = append(out, fmt.Sprintf("%s: its scopes leave %d tools unusable: %s",
				where(i), len(unusable), strings.Join(unusable, ", ")))
		}

		for _, s := range conn.Ceiling {
			if broaderThanNeeded(s, conn, provTools) {
				var narrower []string
				for _, t := range provTools {
					if usesScope(t.Requirement, s) && !t.Requirement[0].Has(s) {
						narrower = append(narrower, t.Requirement[0].String())
					}
				}
				out = append(out, fmt.Sprintf("%s: %s is broader than any tool needs; least privilege would be %s",
					where(i), s, strings.Join(uniq(narrower), ", ")))
			}
		}
	}
	return out
}

// broaderThanNeeded reports whether s serves some tools, but none of them
// as its least privileged alternative.
func broaderThanNeeded(s registry.Scope, conn *registry.Connection, provTools []registry.Tool) bool {
	if conn.Provider.AlwaysRequest.Has(s) {
		return false
	}
	used := false
	for _, t := range provTools {
		if !usesScope(t.Requirement, s) {
			continue
		}
		used = true
		if t.Requirement[0].Has(s) {
			return false
		}
	}
	return used
}

func usesScope(r registry.Requirement, s registry.Scope) bool {
	for _, alt := range r {
		if alt.Has(s) {
			return true
		}
	}
	return false
}

func anyWithin(r registry.Requirement, ceiling registry.ScopeSet) bool {
	for _, alt := range r {
		if len(ceiling.Missing(alt)) == 0 {
			return true
		}
	}
	return false
}

func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
