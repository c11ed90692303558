package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/tools"
)

// Config is scopegate's configuration file, in YAML. The sample under
// testdata/config/ documents every field.
type Config struct {
	// Identifier is the user on whose behalf calls are made over stdio and,
	// when callers over HTTP are not authenticated, over HTTP. Default
	// "local".
	Identifier string `yaml:"identifier"`
	// Listen is the web server's address (authorization pages, and the MCP
	// endpoints over HTTP). Default 127.0.0.1:8765.
	Listen string `yaml:"listen"`
	// PublicURL is how people reach the web server; default http://<listen>.
	PublicURL string `yaml:"public_url"`
	Log       struct {
		Format string `yaml:"format"` // text (default) or json
		Level  string `yaml:"level"`  // debug, info (default), warn, error
	} `yaml:"log"`
	Store struct {
		// Path of the SQLite database; default <config dir>/scopegate/scopegate.db.
		Path string `yaml:"path"`
		// URL is a PostgreSQL connection URL (postgres://...), for several
		// instances that share one store; it replaces Path. The
		// environment variable SCOPEGATE_STORE_URL takes precedence.
		URL string `yaml:"url"`
		// KeyFile holds the token encryption key, created on first run;
		// default <config dir>/scopegate/store.key, and none with URL. The
		// environment variable SCOPEGATE_STORE_KEY takes precedence.
		KeyFile string `yaml:"key_file"`
	} `yaml:"store"`
	Audit struct {
		// File receives one JSON line per gate decision and consent outcome,
		// besides the log; created owner-only. Empty means the log only.
		File string `yaml:"file"`
	} `yaml:"audit"`
	// Elicitation is "auto" (the default) or "off". With auto, a client that
	// supports URL-mode elicitation is asked to open the authorization link
	// during the call, which then waits for the approval and runs the tool;
	// with off, every client gets the authorization-required result.
	Elicitation string `yaml:"elicitation"`
	// Tools chooses which tools are served; the zero value serves all.
	Tools ToolsConfig `yaml:"tools"`
	// Sessions sets how long idle sessions over HTTP last and how often
	// open streams carry a keepalive.
	Sessions SessionsConfig `yaml:"sessions"`
	// Auth authenticates callers over SSE and Streamable HTTP.
	Auth        AuthConfig         `yaml:"auth"`
	Connections []ConnectionConfig `yaml:"connections"`

	path string
}

// AuthConfig says how callers over SSE and Streamable HTTP prove who they
// are. The zero value authenticates nobody: every caller acts as the
// configured identifier, and only a loopback address is served.
type AuthConfig struct {
	// APIKeys are the keys callers present as "Authorization: Bearer
	// <key>", each naming the identifier it acts for. Only their hashes
	// are kept; 'scopegate keys create' makes a key and its entry.
	APIKeys []APIKeyConfig `yaml:"api_keys"`
	// JWT accepts access tokens from an OAuth authorization server.
	JWT JWTConfig `yaml:"jwt,omitempty"`
}

// SessionsConfig tunes the MCP sessions over HTTP. Both fields are Go
// durations ("90s", "30m", "1h30m"); empty keeps the default.
type SessionsConfig struct {
	// IdleTimeout ends a Streamable HTTP session after this long without
	// a request or a message on its stream; the client's next request gets
	// 404 and it initializes again. Default 30m.
	IdleTimeout string `yaml:"idle_timeout"`
	// Keepalive is how often an open stream (the Streamable HTTP GET
	// stream, the SSE transport's /sse stream) carries a ping, so that
	// proxies and load balancers do not close it as idle. Default 30s.
	Keepalive string `yaml:"keepalive"`
}

const (
	defaultIdleTimeout = 30 * time.Minute
	defaultKeepalive   = 30 * time.Second
	// minSessionTiming is the shortest idle timeout or keepalive: the
	// server checks for idle sessions at most once a second.
	minSessionTiming = time.Second
)

// sessionTimings returns the sessions' idle timeout and keepalive
// interval, or an error for each field that is not a duration of at least
// minSessionTiming, and when the keepalive is not shorter than the idle
// timeout.
func (c *Config) sessionTimings() (idle, keepalive time.Duration, err error) {
	var errs []error
	parse := func(field, value, example string, def time.Duration) time.Duration {
		if value == "" {
			return def
		}
		d, err := time.ParseDuration(value)
		switch {
		case err != nil:
			errs = append(errs, c.errorf(field, "%q is not a duration like %s", value, example))
		case d < minSessionTiming:
			errs = append(errs, c.errorf(field, "%q is shorter than the minimum, %s", value, minSessionTiming))
		default:
			return d
		}
		return def
	}
	idle = parse("sessions.idle_timeout", c.Sessions.IdleTimeout, "30m", defaultIdleTimeout)
	keepalive = parse("sessions.keepalive", c.Sessions.Keepalive, "30s", defaultKeepalive)
	if len(errs) == 0 && keepalive >= idle {
		errs = append(errs, c.errorf("sessions.keepalive", "%s is not shorter than sessions.idle_timeout (%s): "+
			"a client listening on its stream would be ended between two keepalives", keepalive, idle))
	}
	return idle, keepalive, errors.Join(errs...)
}

// ToolsConfig chooses the served tools. The zero value serves every tool.
// scopegate's own tools (scopegate_status, scopegate_request_authorization)
// are served whatever it says.
type ToolsConfig struct {
	// Enable lists the toolsets to serve: tool families (the part of a
	// tool's name before its first underscore, such as gmail or slack) or
	// provider ids (google, microsoft, slack, atlassian). Empty means all.
	// The --toolsets flag replaces it.
	Enable []string `yaml:"enable"`
	// ReadOnly serves only the tools whose annotations say they change
	// nothing at the provider. The --read-only flag sets it.
	ReadOnly bool `yaml:"read_only"`
}

// APIKeyConfig is one API key, known by its hash.
type APIKeyConfig struct {
	// Identifier is the user the key's holder acts as.
	Identifier string `yaml:"identifier"`
	// SHA256 is the SHA-256 of the whole key, as 64 lowercase hex digits.
	SHA256 string `yaml:"sha256"`
}

// ConnectionConfig configures one OAuth client.
type ConnectionConfig struct {
	Name     string `yaml:"name"`
	Provider string `yaml:"provider"`
	ClientID string `yaml:"client_id"`
	// ClientSecretEnv names the environment variable holding the client
	// secret; secrets never live in the file.
	ClientSecretEnv string `yaml:"client_secret_env"`
	RedirectURL     string `yaml:"redirect_url"`
	// Tenant is the Microsoft Entra tenant (a domain or id, or "common",
	// "organizations", "consumers"); Microsoft connections only. Default
	// "common".
	Tenant string `yaml:"tenant"`
	// Site is the Atlassian cloud site to use ("example.atlassian.net")
	// when a user's grant reaches several; Atlassian connections only.
	Site   string   `yaml:"site"`
	Scopes []string `yaml:"scopes"`
	// AuthURL, TokenURL, RevokeURL and APIBaseURL replace the provider's
	// endpoints, for emulators and regional hosts; empty keeps the
	// provider's own. Each is an absolute http or https URL. APIBaseURL
	// replaces the scheme and host of the API calls. A Microsoft override
	// may hold {tenant}, which is replaced like the default endpoints'.
	AuthURL    string `yaml:"auth_url"`
	TokenURL   string `yaml:"token_url"`
	RevokeURL  string `yaml:"revoke_url"`
	APIBaseURL string `yaml:"api_base_url"`
}

const (
	defaultListen     = "127.0.0.1:8765"
	defaultIdentifier = "local"
)

// loadConfig reads path, or returns the defaults when path is empty.
func loadConfig(path string) (*Config, error) {
	cfg := &Config{path: path}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %s", path, yamlMessage(err))
		}
	}
	if cfg.Identifier == "" {
		cfg.Identifier = defaultIdentifier
	}
	if cfg.Listen == "" {
		cfg.Listen = defaultListen
	}
	if err := checkElicitation(cfg.Elicitation); err != nil {
		return nil, cfg.errorf("elicitation", "%v", err)
	}
	if _, _, err := cfg.sessionTimings(); err != nil {
		return nil, err
	}
	if env := os.Getenv("SCOPEGATE_STORE"); env != "" {
		cfg.Store.Path = env
	}
	if env := os.Getenv("SCOPEGATE_STORE_URL"); env != "" {
		cfg.Store.URL = env
	}
	return cfg, nil
}

// checkElicitation accepts the values of Config.Elicitation.
func checkElicitation(mode string) error {
	switch scopecheck.ElicitationMode(mode) {
	case "", scopecheck.ElicitationAuto, scopecheck.ElicitationOff:
		return nil
	}
	return fmt.Errorf("%q is neither auto nor off", mode)
}

var (
	yamlTypeRE   = regexp.MustCompile(` in type main\.[A-Za-z]+`)
	yamlListRE   = regexp.MustCompile(`into \[\]main\.[A-Za-z]+`)
	yamlStructRE = regexp.MustCompile(`into main\.[A-Za-z]+`)
)

// yamlMessage says what the YAML decoder found without naming Go types.
func yamlMessage(err error) string {
	msg := yamlTypeRE.ReplaceAllString(err.Error(), "")
	msg = yamlListRE.ReplaceAllString(msg, "where a list of entries belongs")
	msg = yamlStructRE.ReplaceAllString(msg, "where a section of settings belongs")
	return strings.ReplaceAll(msg, "yaml: unmarshal errors:\n  ", "")
}

// configError names the file and the field at fault.
func (c *Config) errorf(field, format string, args ...any) error {
	where := c.path
	if where == "" {
		where = "configuration"
	}
	return fmt.Errorf("%s: %s: %s", where, field, fmt.Sprintf(format, args...))
}

// connections validates the configured connections and resolves them
// against the provider catalogs. getenv reads client secrets.
func (c *Config) connections(getenv func(string) string) ([]*registry.Connection, error) {
	errs := c.checkGeneral()
	seen := map[string]bool{}
	var out []*registry.Connection
	for i, cc := range c.Connections {
		field := fmt.Sprintf("connections[%d]", i)
		if cc.Name == "" {
			errs = append(errs, c.errorf(field+".name", "is required"))
		} else if seen[cc.Name] {
			errs = append(errs, c.errorf(field+".name", "%q is used by another connection", cc.Name))
		}
		seen[cc.Name] = true
		p, ok := registry.ProviderByID(registry.ProviderID(cc.Provider))
		if !ok {
			errs = append(errs, c.errorf(field+".provider", "unknown provider %q (known: %s)", cc.Provider, providerNames()))
			continue
		}
		if cc.ClientID == "" {
			errs = append(errs, c.errorf(field+".client_id", "is required"))
		}
		secret := ""
		if cc.ClientSecretEnv == "" {
			errs = append(errs, c.errorf(field+".client_secret_env", "is required: name the environment variable that holds the client secret"))
		} else if secret = getenv(cc.ClientSecretEnv); secret == "" {
			errs = append(errs, c.errorf(field+".client_secret_env", "environment variable %s is not set", cc.ClientSecretEnv))
		}
		var ceiling []registry.Scope
		for j, raw := range cc.Scopes {
			sc, err := c.checkScope(p, fmt.Sprintf("%s.scopes[%d]", field, j), raw)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ceiling = append(ceiling, sc)
		}
		endpoints, endpointErrs := c.overrideEndpoints(field, p.Endpoints, cc)
		errs = append(errs, endpointErrs...)
		if cc.Site != "" && p.ID != registry.Atlassian.ID {
			errs = append(errs, c.errorf(field+".site", "only Atlassian connections have a site"))
		} else if strings.ContainsAny(cc.Site, " \t/?#") && !strings.HasPrefix(cc.Site, "https://") {
			errs = append(errs, c.errorf(field+".site", "%q is not a site name such as example.atlassian.net", cc.Site))
		}
		if cc.Tenant != "" && p.ID != registry.Microsoft.ID {
			errs = append(errs, c.errorf(field+".tenant", "only Microsoft connections have a tenant"))
		}
		if p.ID == registry.Microsoft.ID {
			tenant := cc.Tenant
			if tenant == "" {
				tenant = "common"
			}
			if strings.ContainsAny(tenant, "/?#& ") {
				errs = append(errs, c.errorf(field+".tenant", "%q is not a tenant name or id", tenant))
			}
			endpoints.AuthURL = strings.ReplaceAll(endpoints.AuthURL, "{tenant}", tenant)
			endpoints.TokenURL = strings.ReplaceAll(endpoints.TokenURL, "{tenant}", tenant)
		}
		out = append(out, &registry.Connection{
			Name:         cc.Name,
			Provider:     p,
			ClientID:     cc.ClientID,
			ClientSecret: secret,
			RedirectURL:  cc.RedirectURL,
			Ceiling:      registry.NewScopeSet(ceiling...),
			Endpoints:    endpoints,
			Site:         cc.Site,
		})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// overrideEndpoints returns ep with the connection's endpoint overrides
// applied, and an error for each override that is not an absolute http or
// https URL.
func (c *Config) overrideEndpoints(field string, ep registry.Endpoints,
	cc ConnectionConfig) (registry.Endpoints, []error) {
	var errs []error
	overrides := []struct {
		name  string
		value string
		dst   *string
	}{
		{"auth_url", cc.AuthURL, &ep.AuthURL},
		{"token_url", cc.TokenURL, &ep.TokenURL},
		{"revoke_url", cc.RevokeURL, &ep.RevokeURL},
		{"api_base_url", strings.TrimRight(cc.APIBaseURL, "/"), &ep.APIBaseURL},
	}
	for _, o := range overrides {
		if o.value == "" {
			continue
		}
		u, err := url.Parse(o.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, c.errorf(field+"."+o.name, "%q is not an absolute http or https URL", o.value))
			continue
		}
		*o.dst = o.value
	}
	return ep, errs
}

// checkGeneral checks the settings outside the connections, as serve
// would find them at start-up.
func (c *Config) checkGeneral() []error {
	var errs []error
	// Empty is the default, "local", once loaded.
	if err := checkIdentifier(c.Identifier); c.Identifier != "" && err != nil {
		errs = append(errs, c.errorf("identifier", "%v", err))
	}
	if _, _, err := net.SplitHostPort(c.Listen); c.Listen != "" && err != nil {
		errs = append(errs, c.errorf("listen", "%q is not HOST:PORT", c.Listen))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, c.errorf("public_url", "%q is not an http or https URL", c.PublicURL))
		}
	}
	if _, err := newLogger(io.Discard, c.Log.Format, c.Log.Level); err != nil {
		errs = append(errs, c.errorf("log", "%v", err))
	}
	errs = append(errs, c.checkAuth()...)
	errs = append(errs, c.checkJWT()...)
	if err := checkToolsets(tools.All(), c.Tools.Enable); err != nil {
		errs = append(errs, c.errorf("tools.enable", "%v", err))
	}
	return errs
}

// servedTools returns the tools of all that the configuration enables, in
// their order: those of the enabled toolsets (all when none is named), and
// only the read-only ones in read-only mode.
func (c *Config) servedTools(all []registry.Tool) ([]registry.Tool, error) {
	if err := checkToolsets(all, c.Tools.Enable); err != nil {
		return nil, c.errorf("tools.enable", "%v", err)
	}
	return selectTools(all, c.Tools.Enable, c.Tools.ReadOnly), nil
}

// toolset returns the tool family of a tool: its name up to the first
// underscore, which is also the name of its package under tools/.
func toolset(t registry.Tool) string {
	family, _, _ := strings.Cut(t.Name, "_")
	return family
}

// toolsetNames returns the known toolset names: the tool families of all
// in order, then the provider ids.
func toolsetNames(all []registry.Tool) []string {
	var names []string
	for _, t := range all {
		if !slices.Contains(names, toolset(t)) {
			names = append(names, toolset(t))
		}
	}
	for _, p := range registry.Providers() {
		if !slices.Contains(names, string(p.ID)) {
			names = append(names, string(p.ID))
		}
	}
	return names
}

// checkToolsets reports the names that are not toolsets, naming the known
// ones.
func checkToolsets(all []registry.Tool, names []string) error {
	known := toolsetNames(all)
	var unknown []string
	for _, n := range names {
		if !slices.Contains(known, n) {
			unknown = append(unknown, strconv.Quote(n))
		}
	}
	switch len(unknown) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("unknown toolset %s (known: %s)", unknown[0], strings.Join(known, ", "))
	default:
		return fmt.Errorf("unknown toolsets %s (known: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
}

// selectTools keeps the tools of all whose family or provider is in
// enable (every tool when enable is empty) and, when readOnly is set,
// only the read-only ones. Names are assumed checked.
func selectTools(all []registry.Tool, enable []string, readOnly bool) []registry.Tool {
	var out []registry.Tool
	for _, t := range all {
		named := slices.Contains(enable, toolset(t)) || slices.Contains(enable, string(t.Provider))
		if len(enable) > 0 && !named {
			continue
		}
		if readOnly && !t.Annotations.ReadOnly {
			continue
		}
		out = append(out, t)
	}
	return out
}

// checkScope returns the catalog spelling of a configured scope, or an
// error that says what is wrong: a scope of another provider, or the
// nearest known scope for a misspelling.
func (c *Config) checkScope(p *registry.Provider, field, raw string) (registry.Scope, error) {
	sc := p.Normalize(registry.Scope(strings.TrimSpace(raw)))
	if _, ok := p.Lookup(sc); ok {
		return sc, nil
	}
	for _, other := range registry.Providers() {
		if other == p {
			continue
		}
		if _, ok := other.Lookup(other.Normalize(registry.Scope(raw))); ok {
			return "", c.errorf(field, "%q belongs to %s, not to %s", raw, other.Title, p.Title)
		}
	}
	if near, ok := p.Nearest(registry.Scope(raw)); ok {
		return "", c.errorf(field, "unknown %s scope %q; did you mean %q?", p.ID, raw, near)
	}
	return "", c.errorf(field, "unknown %s scope %q (see 'scopegate scopes explain')", p.ID, raw)
}

func providerNames() string {
	var names []string
	for _, p := range registry.Providers() {
		names = append(names, string(p.ID))
	}
	return strings.Join(names, ", ")
}

// defaultDir is scopegate's directory in the user's config directory.
func defaultDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config directory: %w", err)
	}
	return filepath.Join(dir, "scopegate"), nil
}
