package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

func newAccountsCommand() *cobra.Command {
	var configPath, identifier, storePath string
	var all bool
	cmd := &cobra.Command{Use: "accounts", Short: "List and revoke connected accounts"}
	cmd.PersistentFlags().StringVar(&configPath, "config", os.Getenv("SCOPEGATE_CONFIG"), "configuration file (YAML); env SCOPEGATE_CONFIG")
	cmd.PersistentFlags().StringVar(&identifier, "identifier", "", "whose accounts (default: the configured identifier)")
	cmd.PersistentFlags().StringVar(&storePath, "store", "", "SQLite store path (default from config, env SCOPEGATE_STORE, else the user config dir)")

	list := &cobra.Command{
		Use:   "list",
		Short: "Show connected accounts: status, granted and declined scopes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withStore(cmd.Context(), configPath, storePath, func(cfg *Config, env *cliEnv) error {
				who := identifier
				if who == "" && !all {
					who = cfg.Identifier
				}
				accts, err := env.store.Accounts(cmd.Context(), who)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "IDENTIFIER\tCONNECTION\tSTATUS\tPROVIDER ACCOUNT\tGRANTED\tDECLINED\tUPDATED")
				for _, a := range accts {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Identifier, a.Connection, a.Status,
						orDash(a.ProviderAccount), orDash(a.Granted.String()), orDash(a.Declined.String()),
						a.UpdatedAt.Local().Format(time.DateTime))
				}
				return w.Flush()
			})
		},
	}
	list.Flags().BoolVar(&all, "all", false, "every identifier's accounts")

	revoke := &cobra.Command{
		Use:   "revoke CONNECTION",
		Short: "Revoke an account at the provider, where it allows, and delete its local tokens",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withStore(cmd.Context(), configPath, storePath, func(cfg *Config, env *cliEnv) error {
				who := identifier
				if who == "" {
					who = cfg.Identifier
				}
				revs, err := env.gate.Revoke(cmd.Context(), who, args[0])
				if err != nil {
					return err
				}
				for _, r := range revs {
					where := "revoked at the provider and"
					if !r.AtProvider {
						where = "not revoked at the provider (" + r.Note + ");"
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s on %s: %s local tokens deleted\n", who, r.Connection, where)
				}
				return nil
			})
		},
	}
	cmd.AddCommand(list, revoke)
	return cmd
}

// cliEnv is what the account commands work with.
type cliEnv struct {
	store store.Store
	gate  *scopecheck.Gate
}

// withStore opens the configured store and a gate over it, runs fn and
// closes the store.
func withStore(ctx context.Context, configPath, storePath string, fn func(*Config, *cliEnv) error) error {
	cfg, err := loadConfig(configPath)
	if err != nil {
		return err
	}
	if storePath != "" {
		cfg.Store.Path = storePath
	}
	conns, err := cfg.connections(os.Getenv)
	if err != nil {
		return err
	}
	if cfg.Store.URL == "" {
		path, err := sqlitePath(cfg)
		if err != nil {
			return err
		}
		if _, err := os.Stat(path); os.IsNotExist(err) {
			return fmt.Errorf("no store at %s: nothing was connected with this configuration yet "+
				"(set store.path, SCOPEGATE_STORE or --store to the one 'scopegate serve' uses)", path)
		}
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	logger, err := newLogger(os.Stderr, cfg.Log.Format, cfg.Log.Level)
	if err != nil {
		return err
	}
	public := cfg.PublicURL
	if public == "" {
		public = "http://" + cfg.Listen
	}
	gate := scopecheck.New(scopecheck.Options{Store: st, Connections: conns, Tools: tools.All(), PublicURL: public, Logger: logger})
	return fn(cfg, &cliEnv{store: st, gate: gate})
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
