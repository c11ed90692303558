package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/lmittmann/tint"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/tools"
)

// serveFlags are the flags serve and demo share.
type serveFlags struct {
	config    string
	transport string
	listen    string
	logFormat string
	logLevel  string
	store     string
	// toolsets, when set, replaces the configuration's tools.enable.
	toolsets []string
	// readOnly serves only read-only tools, whatever the configuration says.
	readOnly bool
	// elicitation, when set, replaces the configuration's elicitation.
	elicitation string
	// publicUnauthenticated allows a non-loopback listen address.
	publicUnauthenticated bool
}

func (f *serveFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", os.Getenv("SCOPEGATE_CONFIG"), "configuration file (YAML); env SCOPEGATE_CONFIG")
	fl.StringVar(&f.transport, "transport", "stdio", "MCP transport: stdio, sse or http")
	fl.StringVar(&f.listen, "listen", "", "web server address HOST:PORT (default from config, else "+defaultListen+")")
	fl.StringVar(&f.logFormat, "log-format", "", "log format on stderr: text or json (default text)")
	fl.StringVar(&f.logLevel, "log-level", "", "log level: debug, info, warn or error (default info)")
	if cmd.Name() == "serve" {
		fl.StringVar(&f.store, "store", "", "SQLite store path (default from config, env SCOPEGATE_STORE, else the user config dir)")
	}
	fl.StringSliceVar(&f.toolsets, "toolsets", nil,
		"serve only these toolsets, comma-separated: tool families (gmail, slack, ...) or providers (google, ...)")
	fl.BoolVar(&f.readOnly, "read-only", false, "serve only tools that change nothing at the provider")
	fl.StringVar(&f.elicitation, "elicitation", "",
		"auto or off: ask clients that support URL elicitation to open authorization links during the call "+
			"(default from config, else auto)")
	fl.BoolVar(&f.publicUnauthenticated, "insecure-serve-unauthenticated-on-public-address", false,
		"allow listening on a non-loopback address although callers are not authenticated")
}

// apply merges the flags over the configuration and checks them.
func (f *serveFlags) apply(cfg *Config) error {
	switch f.transport {
	case "stdio", "sse", "http":
	default:
		return usageError{fmt.Errorf("--transport must be stdio, sse or http, not %q", f.transport)}
	}
	if _, err := newLogger(io.Discard, f.logFormat, f.logLevel); err != nil {
		return usageError{fmt.Errorf("--log-format or --log-level: %w", err)}
	}
	if err := checkElicitation(f.elicitation); err != nil {
		return usageError{fmt.Errorf("--elicitation: %w", err)}
	}
	if f.elicitation != "" {
		cfg.Elicitation = f.elicitation
	}
	if f.listen != "" {
		cfg.Listen = f.listen
	}
	if f.logFormat != "" {
		cfg.Log.Format = f.logFormat
	}
	if f.logLevel != "" {
		cfg.Log.Level = f.logLevel
	}
	if f.store != "" {
		cfg.Store.Path = f.store
	}
	if len(f.toolsets) > 0 {
		enable := make([]string, len(f.toolsets))
		for i, name := range f.toolsets {
			enable[i] = strings.TrimSpace(name)
		}
		if err := checkToolsets(tools.All(), enable); err != nil {
			return usageError{fmt.Errorf("--toolsets: %w", err)}
		}
		cfg.Tools.Enable = enable
	}
	if f.readOnly {
		cfg.Tools.ReadOnly = true
	}
	if id := os.Getenv("SCOPEGATE_IDENTIFIER"); id != "" {
		cfg.Identifier = id
	}
	return nil
}

// load reads the configuration, applies the flags over it and builds the
// logger: the start of serve and demo alike.
func (f *serveFlags) load() (*Config, *slog.Logger, error) {
	cfg, err := loadConfig(f.config)
	if err != nil {
		return nil, nil, err
	}
	if err := f.apply(cfg); err != nil {
		return nil, nil, err
	}
	logger, err := newLogger(os.Stderr, cfg.Log.Format, cfg.Log.Level)
	if err != nil {
		return nil, nil, err
	}
	return cfg, logger, nil
}

// newLogger writes to w (stderr): tint text by default, JSON on request.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if level == "" {
		level = "info"
	}
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	switch strings.ToLower(format) {
	case "", "text":
		noColor := true
		if fd, ok := w.(interface{ Fd() uintptr }); ok {
			noColor = !isatty.IsTerminal(fd.Fd())
		}
		return slog.New(tint.NewHandler(w, &tint.Options{Level: lvl, NoColor: noColor, TimeFormat: "15:04:05.000"})), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl})), nil
	default:
		return nil, fmt.Errorf("log format %q: use text or json", format)
	}
}
