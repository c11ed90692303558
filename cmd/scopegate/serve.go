package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

func newServeCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the MCP tools with the configured connections",
		Long: "serve runs scopegate over stdio (the default, for Claude Desktop), SSE (/sse and /message)\n" +
			"or Streamable HTTP (/mcp). Its web server, on --listen, serves the authorization pages\n" +
			"in every transport.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), &f)
		},
	}
	f.register(cmd)
	return cmd
}

func runServe(ctx context.Context, f *serveFlags) error {
	cfg, logger, err := f.load()
	if err != nil {
		return err
	}
	conns, err := cfg.connections(os.Getenv)
	if err != nil {
		return err
	}
	if len(conns) == 0 {
		logger.Warn("no connections configured: every tool will answer that its provider is not configured")
	}
	served, err := cfg.servedTools(tools.All())
	if err != nil {
		return err
	}
	for _, w := range configWarnings(cfg, conns, served) {
		logger.Warn("configuration", "warning", w)
	}

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	if err := checkListenFor(cfg, f.publicUnauthenticated, logger); err != nil {
		return err
	}
	ln, err := listen(cfg.Listen)
	if err != nil {
		return err
	}
	audit, closeAudit, err := openAudit(cfg.Audit.File)
	if err != nil {
		return err
	}
	defer closeAudit.Close()
	a := &app{cfg: cfg, log: logger, store: st, conns: conns, tools: served, transport: f.transport, audit: audit}
	return a.run(ctx, ln)
}

// sqlitePath is the SQLite store's path: from the configuration (or the
// flag and environment merged into it), else in the user config dir.
func sqlitePath(cfg *Config) (string, error) {
	if cfg.Store.Path != "" {
		return cfg.Store.Path, nil
	}
	dir, err := defaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "scopegate.db"), nil
}

// openStore opens the store named by the configuration: PostgreSQL when it
// has a URL, else the SQLite file, with the key from SCOPEGATE_STORE_KEY or
// from the key file (created on first run).
func openStore(ctx context.Context, cfg *Config) (store.Store, error) {
	if cfg.Store.URL != "" {
		return openPostgres(ctx, cfg)
	}
	path, err := sqlitePath(cfg)
	if err != nil {
		return nil, err
	}
	keyFile := cfg.Store.KeyFile
	if keyFile == "" {
		keyFile = filepath.Join(filepath.Dir(path), "store.key")
	}

	var key []byte
	if env := os.Getenv("SCOPEGATE_STORE_KEY"); env != "" {
		k, err := store.ParseKey(env)
		if err != nil {
			return nil, fmt.Errorf("SCOPEGATE_STORE_KEY: %w", err)
		}
		key = k
	} else {
		if _, err := os.Stat(path); err == nil {
			if _, err := os.Stat(keyFile); os.IsNotExist(err) {
				return nil, fmt.Errorf("the store %s exists but its key file %s does not: "+
					"restore the key file or set SCOPEGATE_STORE_KEY; scopegate will not create a new key for an existing store", path, keyFile)
			}
		}
		k, _, err := store.LoadOrCreateKeyFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("store key: %w", err)
		}
		key = k
	}
	st, err := store.OpenSQLite(ctx, store.SQLiteOptions{Path: path, Key: key})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// openPostgres opens the PostgreSQL store that several instances share.
// They must all use the same key, so none is made up here unless the
// configuration names a key file to keep it in.
func openPostgres(ctx context.Context, cfg *Config) (store.Store, error) {
	if cfg.Store.Path != "" {
		return nil, cfg.errorf("store", "both a path and a url are set; keep one (a path may "+
			"also come from --store or SCOPEGATE_STORE, a url from SCOPEGATE_STORE_URL)")
	}
	// The URL may hold a password: errors do not repeat it.
	u, err := url.Parse(cfg.Store.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, cfg.errorf("store.url", "must be a postgres:// or postgresql:// URL")
	}

	var key []byte
	switch env := os.Getenv("SCOPEGATE_STORE_KEY"); {
	case env != "":
		if key, err = store.ParseKey(env); err != nil {
			return nil, fmt.Errorf("SCOPEGATE_STORE_KEY: %w", err)
		}
	case cfg.Store.KeyFile != "":
		if key, _, err = store.LoadOrCreateKeyFile(cfg.Store.KeyFile); err != nil {
			return nil, fmt.Errorf("store key: %w", err)
		}
	default:
		return nil, cfg.errorf("store.url", "a PostgreSQL store needs the key every instance "+
			"shares: set SCOPEGATE_STORE_KEY (32 bytes, base64) or store.key_file")
	}
	st, err := store.OpenPostgres(ctx, store.PostgresOptions{URL: cfg.Store.URL, Key: key})
	if err != nil {
		return nil, err
	}
	return st, nil
}
