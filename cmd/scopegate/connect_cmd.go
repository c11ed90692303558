package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
	"github.com/scopegate/scopegate/tools"
)

// connectOptions are the argument and flags of scopegate connect.
type connectOptions struct {
	connection string
	configPath string
	identifier string
	scopes     []string
	tools      []string
	noBrowser  bool
	timeout    time.Duration
}

func newConnectCommand() *cobra.Command {
	var o connectOptions
	cmd := &cobra.Command{
		Use:   "connect CONNECTION",
		Short: "Authorize a connection's scopes from the terminal",
		Long: "connect runs the authorization flow without an assistant. It asks for the scopes\n" +
			"named with --scopes, or for what the tools named with --tools still lack, or, by\n" +
			"default, for what every tool of the connection's provider still lacks (the narrowest\n" +
			"alternative of each). When nothing is missing it says so and exits. Otherwise it\n" +
			"serves the authorization pages on the configured listen address, the one serve uses\n" +
			"and the provider redirects to, prints the link, opens a browser when there is one,\n" +
			"waits until the authorization is approved or declined, and prints what was granted\n" +
			"and what was declined. For Slack, CONNECTION may be <name>/user for the user token.\n" +
			"It exits 1 when the time runs out or it is interrupted.",
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.connection = args[0]
			return runConnect(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &o)
		},
	}
	// The link and the outcome go to stdout (the root's is stderr).
	cmd.SetOut(os.Stdout)
	fl := cmd.Flags()
	fl.StringVar(&o.configPath, "config", os.Getenv("SCOPEGATE_CONFIG"),
		"configuration file (YAML); env SCOPEGATE_CONFIG")
	fl.StringVar(&o.identifier, "identifier", "",
		"whose account (default: env SCOPEGATE_IDENTIFIER, else the configured identifier)")
	fl.StringSliceVar(&o.scopes, "scopes", nil,
		"scopes to ask for, comma separated (Google's may leave out "+googleScopePrefix+")")
	fl.StringSliceVar(&o.tools, "tools", nil, "tools whose missing scopes to ask for, comma separated")
	fl.BoolVar(&o.noBrowser, "no-browser", false, "print the link without opening a browser")
	fl.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the authorization")
	return cmd
}

// connectPlan is what one run of connect asks for, and for whom.
type connectPlan struct {
	conn       *registry.Connection
	tokenType  registry.TokenType
	key        string // the account's connection: the name, or "<name>/user"
	identifier string
	// asked are the scopes named with --scopes, nil without.
	asked registry.ScopeSet
	// tools are the tools the request is for: the named ones, or every tool
	// of the connection's provider and token type.
	tools []registry.Tool
	named bool // whether tools were named with --tools
	// before is the account as it was, nil when there was none.
	before *store.Account
	// scopes are what will be asked for.
	scopes registry.ScopeSet
}

// connectRun is one run of connect: its options, where it writes, and the
// configuration and store it works with.
type connectRun struct {
	o              *connectOptions
	stdout, stderr io.Writer
	cfg            *Config
	st             store.Store
}

func runConnect(ctx context.Context, stdout, stderr io.Writer, o *connectOptions) error {
	if len(o.scopes) > 0 && len(o.tools) > 0 {
		return usageError{errors.New("give --scopes or --tools, not both")}
	}
	if o.timeout <= 0 {
		return usageError{fmt.Errorf("--timeout must be positive, not %s", o.timeout)}
	}
	cfg, err := loadConfig(o.configPath)
	if err != nil {
		return err
	}
	plan, err := newConnectPlan(cfg, o)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	plan.before, err = st.Account(ctx, plan.identifier, plan.key)
	if errors.Is(err, store.ErrNotFound) {
		plan.before = nil
	} else if err != nil {
		return fmt.Errorf("reading the account: %w", err)
	}
	r := &connectRun{o: o, stdout: stdout, stderr: stderr, cfg: cfg, st: st}
	return r.run(ctx, plan)
}

// newConnectPlan resolves the connection, the identifier and what was
// named on the command line. Every mistake there is a usage error.
func newConnectPlan(cfg *Config, o *connectOptions) (*connectPlan, error) {
	conns, err := cfg.connections(os.Getenv)
	if err != nil {
		return nil, err
	}
	conn, tt, err := pickConnection(conns, o.connection)
	if err != nil {
		return nil, err
	}
	plan := &connectPlan{conn: conn, tokenType: tt, key: o.connection, named: len(o.tools) > 0,
		identifier: cmp.Or(o.identifier, os.Getenv("SCOPEGATE_IDENTIFIER"), cfg.Identifier)}
	if len(o.scopes) > 0 {
		if plan.asked, err = parseConnectScopes(conn.Provider, tt, o.scopes); err != nil {
			return nil, err
		}
	}
	if plan.tools, err = connectTools(tools.All(), conn, tt, o.tools); err != nil {
		return nil, err
	}
	return plan, nil
}

// run works out what is missing and, unless nothing is, asks for it.
func (r *connectRun) run(ctx context.Context, plan *connectPlan) error {
	grant := activeGrant(plan.before)
	if plan.asked != nil {
		plan.scopes = grant.Missing(plan.asked)
	} else {
		var blocked []string
		plan.scopes, blocked = toolScopes(plan.tools, plan.conn, grant)
		switch {
		case len(blocked) > 0 && plan.named:
			return fmt.Errorf("the scopes of connection %q allow nothing that %s needs: add one of "+
				"its alternatives to the connection's scopes", plan.conn.Name, strings.Join(blocked, ", "))
		case len(blocked) > 0:
			fmt.Fprintf(r.stderr, "Skipping %s: the scopes of connection %q allow none of what they need.\n",
				strings.Join(blocked, ", "), plan.conn.Name)
		}
	}

	if len(plan.scopes) == 0 {
		fmt.Fprintf(r.stdout, "Nothing to authorize: %s on %q already has %s.\n",
			plan.identifier, plan.key, plan.haveWhat())
		return nil
	}
	if !plan.conn.Allows(plan.scopes) {
		return fmt.Errorf("connection %q may not ask for %s: add it to the connection's scopes "+
			"in the configuration", plan.conn.Name, plan.conn.Ceiling.Missing(plan.scopes))
	}
	return r.authorize(ctx, plan)
}

// pickConnection finds the connection arg names; "<name>/user" names a
// Slack connection's user token.
func pickConnection(conns []*registry.Connection, arg string) (*registry.Connection,
	registry.TokenType, error) {
	name, user := strings.CutSuffix(arg, "/user")
	var names []string
	for _, c := range conns {
		names = append(names, c.Name)
		if c.Name != name {
			continue
		}
		if user && !slices.Contains(c.Provider.TokenTypes, registry.UserToken) {
			return nil, "", usageError{fmt.Errorf("%q: only Slack connections have a user token", arg)}
		}
		if user {
			return c, registry.UserToken, nil
		}
		return c, "", nil
	}
	if len(names) == 0 {
		return nil, "", usageError{fmt.Errorf("no connection named %q: the configuration has none", name)}
	}
	return nil, "", usageError{fmt.Errorf("no connection named %q (configured: %s)",
		name, strings.Join(names, ", "))}
}

// parseConnectScopes reads --scopes the way the provider would: aliases,
// prefixes and case as Normalize has them, and Google's names without
// their prefix. A Slack scope must be grantable to the token type.
func parseConnectScopes(p *registry.Provider, tt registry.TokenType,
	raw []string) (registry.ScopeSet, error) {
	var out []registry.Scope
	var problems []string
	for _, arg := range raw {
		arg = strings.TrimSpace(arg)
		if arg == "" {
			continue
		}
		info, ok := lookupWritten(p, arg)
		if !ok {
			problems = append(problems, unknownConnectScope(p, arg))
			continue
		}
		if len(p.TokenTypes) > 0 {
			want := cmp.Or(tt, p.TokenTypes[0])
			types := info.TokenTypes
			if len(types) == 0 {
				types = p.TokenTypes
			}
			if !slices.Contains(types, want) {
				problems = append(problems,
					fmt.Sprintf("%s cannot be granted to the %s token", info.Scope, want))
				continue
			}
		}
		out = append(out, info.Scope)
	}
	if len(problems) > 0 {
		return nil, usageError{errors.New(strings.Join(problems, "; "))}
	}
	if len(out) == 0 {
		return nil, usageError{errors.New("--scopes names no scope")}
	}
	return registry.NewScopeSet(out...), nil
}

// lookupWritten returns the catalog entry of a scope as a person wrote it.
func lookupWritten(p *registry.Provider, arg string) (registry.ScopeInfo, bool) {
	for _, s := range spellings(p, arg) {
		if info, ok := p.Lookup(p.Normalize(s)); ok {
			return info, true
		}
	}
	return registry.ScopeInfo{}, false
}

// unknownConnectScope says why arg is not one of p's scopes: it belongs to
// another provider, or it is misspelled, with the nearest known scope.
func unknownConnectScope(p *registry.Provider, arg string) string {
	for _, m := range resolveScope(arg) {
		if m.provider != p {
			return fmt.Sprintf("%q is a %s scope, not a %s one", arg, m.provider.ID, p.ID)
		}
	}
	near := p
	if p.ID == registry.Google.ID && !strings.Contains(arg, "://") {
		near = shortCatalog(p)
	}
	if s, ok := near.Nearest(registry.Scope(arg)); ok {
		return fmt.Sprintf("unknown %s scope %q (did you mean %s?)", p.ID, arg, s)
	}
	return fmt.Sprintf("unknown %s scope %q (see 'scopegate scopes explain')", p.ID, arg)
}

// connectTools returns the named tools, or, when names is empty, every
// tool of conn's provider and token type. A name that is unknown or whose
// tool uses another provider or token type is a usage error.
func connectTools(all []registry.Tool, conn *registry.Connection, tt registry.TokenType,
	names []string) ([]registry.Tool, error) {
	user := tt == registry.UserToken
	fits := func(t registry.Tool) bool {
		return t.Provider == conn.Provider.ID && (t.TokenType == registry.UserToken) == user
	}
	if len(names) == 0 {
		var out []registry.Tool
		for _, t := range all {
			if fits(t) {
				out = append(out, t)
			}
		}
		return out, nil
	}

	var out []registry.Tool
	var problems []string
	for _, name := range names {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(all, func(t registry.Tool) bool { return t.Name == name })
		switch {
		case i < 0:
			problems = append(problems, fmt.Sprintf("unknown tool %q (see 'scopegate tools list')", name))
		case all[i].Provider != conn.Provider.ID:
			problems = append(problems, fmt.Sprintf("%s is a %s tool; connection %q is %s",
				name, all[i].Provider, conn.Name, conn.Provider.ID))
		case !fits(all[i]) && user:
			problems = append(problems,
				fmt.Sprintf("%s uses the bot token: connect %s instead", name, conn.Name))
		case !fits(all[i]):
			problems = append(problems,
				fmt.Sprintf("%s uses the user token: connect %s/user instead", name, conn.Name))
		default:
			out = append(out, all[i])
		}
	}
	if len(problems) > 0 {
		return nil, usageError{errors.New(strings.Join(problems, "; "))}
	}
	return out, nil
}

// toolScopes returns what grant lacks of each unmet tool's narrowest
// alternative that conn may ask for, and the tools it may ask for none of.
// Without a scope ceiling that is the first alternative, as the gate asks.
func toolScopes(list []registry.Tool, conn *registry.Connection,
	grant registry.ScopeSet) (registry.ScopeSet, []string) {
	var need registry.ScopeSet
	var blocked []string
	for _, t := range list {
		if t.Requirement.Satisfied(grant) {
			continue
		}
		i := slices.IndexFunc(t.Requirement, conn.Allows)
		if i < 0 {
			blocked = append(blocked, t.Name)
			continue
		}
		need = need.Union(grant.Missing(t.Requirement[i]))
	}
	return need, blocked
}

// activeGrant is what acct may use now: nothing unless it is active.
func activeGrant(acct *store.Account) registry.ScopeSet {
	if acct == nil || acct.Status != store.StatusActive {
		return nil
	}
	return acct.Granted
}

// haveWhat completes "already has ..." for the nothing-to-do message.
func (plan *connectPlan) haveWhat() string {
	switch {
	case plan.asked != nil:
		return "every scope asked for"
	case plan.named:
		names := make([]string, len(plan.tools))
		for i, t := range plan.tools {
			names[i] = t.Name
		}
		return "what " + strings.Join(names, ", ") + " need"
	case plan.tokenType == registry.UserToken:
		return "what every " + plan.conn.Provider.Title + " user-token tool needs"
	default:
		return "what every " + plan.conn.Provider.Title + " tool needs"
	}
}

// authorize serves the authorization pages, issues the link, waits for the
// outcome and reports it.
func (r *connectRun) authorize(ctx context.Context, plan *connectPlan) error {
	ln, err := listenForConnect(r.cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	gate, err := r.gate(ln, plan.conn)
	if err != nil {
		return err
	}
	tool := ""
	if plan.named && len(plan.tools) == 1 {
		tool = plan.tools[0].Name
	}
	link, err := gate.IssueLink(ctx, plan.identifier, plan.key, tool, plan.scopes)
	if err != nil {
		return fmt.Errorf("creating the authorization link: %w", err)
	}
	authz, err := r.st.Authorization(ctx, path.Base(link))
	if err != nil {
		return fmt.Errorf("reading the authorization: %w", err)
	}

	callbacks := make(chan int, 1)
	srv := &http.Server{
		Handler:           connectHandler(gate, authz.State, callbacks),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	defer func() {
		// Let the page of a callback in flight reach the browser.
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
	}()

	r.announce(plan, link)
	w := &authWatch{st: r.st, identifier: plan.identifier, key: plan.key, linkID: authz.ID}
	deadline := time.Now().Add(r.o.timeout)
	prog := &progress{w: r.stderr, terminal: isTerminal(r.stderr), deadline: deadline}
	acct, err := w.wait(ctx, r.o.timeout, callbacks, prog)
	if err != nil {
		return r.waitError(err, plan.conn.Provider)
	}
	reportConnect(r.stdout, plan, acct)
	return nil
}

// gate returns a gate for conn whose links and redirect URI are on ln, as
// serve's are, unless the configuration names a public URL. It logs only
// warnings unless the configuration asks for more, so that the terminal
// shows the flow itself.
func (r *connectRun) gate(ln net.Listener, conn *registry.Connection) (*scopecheck.Gate, error) {
	publicURL := r.cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	logger, err := newLogger(r.stderr, r.cfg.Log.Format, cmp.Or(r.cfg.Log.Level, "warn"))
	if err != nil {
		return nil, err
	}
	return scopecheck.New(scopecheck.Options{
		Store:       r.st,
		Connections: []*registry.Connection{conn},
		Tools:       tools.All(),
		PublicURL:   publicURL,
		LinkTTL:     r.o.timeout,
		Logger:      logger,
	}), nil
}

// announce says what is asked for, prints the link and opens a browser.
func (r *connectRun) announce(plan *connectPlan, link string) {
	p := plan.conn.Provider
	fmt.Fprintf(r.stdout, "Connecting %s for %s on %q. scopegate asks for:\n",
		p.Title, plan.identifier, plan.key)
	var declinedBefore registry.ScopeSet
	if plan.before != nil {
		declinedBefore = plan.before.Declined
	}
	writeScopeLines(r.stdout, p, plan.scopes, declinedBefore)
	fmt.Fprintf(r.stdout, "Open this link to approve (it works once, for %s):\n%s\n",
		r.o.timeout, link)
	if !r.o.noBrowser && openBrowser(link) {
		fmt.Fprintln(r.stderr, "Opened the link in your browser.")
	}
}

// waitError says why waiting for the authorization of p ended without an
// outcome.
func (r *connectRun) waitError(err error, p *registry.Provider) error {
	switch {
	case errors.Is(err, errTimedOut):
		return fmt.Errorf("timed out after %s waiting for the authorization; nothing was changed: "+
			"run scopegate connect again for a new link", r.o.timeout)
	case errors.Is(err, errInterrupted):
		return errors.New("interrupted before the authorization was completed; nothing was changed")
	case errors.Is(err, errWrongAccount):
		return fmt.Errorf("you signed in to %s as another account than the connected one; "+
			"nothing was changed", p.Title)
	case errors.Is(err, errNotCompleted):
		return fmt.Errorf("%s did not complete the authorization (the browser page says why); "+
			"nothing was changed", p.Title)
	}
	return err
}
