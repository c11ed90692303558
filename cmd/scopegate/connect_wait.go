package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/store"
)

// listenForConnect opens the web server's address. The provider redirects
// to it, so no other may be used: when it is taken, the server there is
// most likely scopegate's own.
func listenForConnect(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("listen address %s is in use, probably by a running scopegate server: "+
			"open the authorization link that server gives (a tool that needs access returns one), "+
			"or stop it and run scopegate connect again", addr)
	case err != nil:
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, nil
}

// connectHandler serves the authorization pages. After each callback that
// carries state, it sends the callback's status to callbacks, unless the
// callback was refused as a replay (400): the request that consumed the
// authorization may still be in flight then.
func connectHandler(gate *scopecheck.Gate, state string, callbacks chan<- int) http.Handler {
	mux := http.NewServeMux()
	gate.Routes(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "scopegate connect is waiting for an authorization. Open the link it printed.")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != scopecheck.CallbackPath || r.URL.Query().Get("state") != state {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		if rec.status != http.StatusBadRequest {
			select {
			case callbacks <- rec.status:
			default:
			}
		}
	})
}

// statusRecorder notes the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Ways waiting for an authorization ends without an outcome.
var (
	errTimedOut    = errors.New("timed out")
	errInterrupted = errors.New("interrupted")
	// errNotCompleted means the callback consumed the authorization and
	// saved nothing: the provider reported an error or refused the code.
	errNotCompleted = errors.New("authorization not completed")
	// errWrongAccount means the user signed in as another provider account.
	errWrongAccount = errors.New("signed in as another account")
)

const (
	pollEvery = 200 * time.Millisecond
	// savedWithin bounds how long a consumed authorization may stay
	// without an outcome when its callback was served elsewhere (by
	// another process that shares the store).
	savedWithin = 30 * time.Second
	// readFailures is how many store reads in a row may fail before
	// waiting gives up.
	readFailures = 10
)

// authWatch reads the outcome of one authorization from the store.
type authWatch struct {
	st         store.Store
	identifier string
	key        string
	linkID     string
}

// check returns the account once the authorization's outcome is saved,
// and whether the authorization was consumed. The callback consumes the
// authorization before it saves the account, so a saved outcome is an
// account updated at or after that.
func (w *authWatch) check(ctx context.Context) (acct *store.Account, used bool, err error) {
	authz, err := w.st.Authorization(ctx, w.linkID)
	if err != nil {
		return nil, false, err
	}
	if authz.UsedAt.IsZero() {
		return nil, false, nil
	}
	acct, err = w.st.Account(ctx, w.identifier, w.key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, true, nil
	case err != nil:
		return nil, true, err
	case acct.UpdatedAt.Before(authz.UsedAt):
		return nil, true, nil
	}
	return acct, true, nil
}

// wait polls the store until the authorization's outcome is saved, showing
// prog meanwhile. callbacks carries the statuses of callbacks served here.
func (w *authWatch) wait(ctx context.Context, timeout time.Duration, callbacks <-chan int,
	prog *progress) (*store.Account, error) {
	defer prog.clear()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()

	var usedAt time.Time
	status, failures := 0, 0
	for {
		now := time.Now()
		prog.show(now)
		acct, used, err := w.check(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			if failures++; failures >= readFailures {
				return nil, fmt.Errorf("reading the store: %w", err)
			}
		case err != nil:
		case acct != nil:
			return acct, nil
		default:
			failures = 0
		}
		if used && usedAt.IsZero() {
			usedAt = now
		}
		if used && status == http.StatusConflict {
			return nil, errWrongAccount
		}
		if used && (status != 0 || now.Sub(usedAt) > savedWithin) {
			return nil, errNotCompleted
		}

		select {
		case <-ctx.Done():
			return nil, errInterrupted
		case <-deadline.C:
			return nil, errTimedOut
		case status = <-callbacks:
		case <-tick.C:
		}
	}
}

// progressEvery is how often progress writes a line when stderr is not a
// terminal.
const progressEvery = 5 * time.Second

// progress tells the person that connect is still waiting: a spinner
// redrawn in place on a terminal, else a line every few seconds.
type progress struct {
	w        io.Writer
	terminal bool
	deadline time.Time
	frame    int
	last     time.Time
}

func (p *progress) show(now time.Time) {
	left := max(p.deadline.Sub(now), 0).Round(time.Second)
	if p.terminal {
		spinner := `|/-\`[p.frame%4]
		fmt.Fprintf(p.w, "\r%c Waiting for the authorization in the browser (%s left) ", spinner, left)
		p.frame++
		return
	}
	if p.last.IsZero() || now.Sub(p.last) >= progressEvery {
		fmt.Fprintf(p.w, "Waiting for the authorization in the browser (%s left)\n", left)
		p.last = now
	}
}

// clear removes the spinner's line.
func (p *progress) clear() {
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// openBrowser asks the desktop to open link, and reports whether an opener
// was started. It needs xdg-open and a display (elsewhere than macOS,
// where it uses open); without them the person opens the printed link.
func openBrowser(link string) bool {
	name := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		return false
	default:
		// Without a display xdg-open may start a text browser in this
		// terminal, over the progress.
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return false
		}
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return false
	}
	cmd := exec.Command(bin, link)
	if cmd.Start() != nil {
		return false
	}
	go cmd.Wait()
	return true
}

// reportConnect writes what the authorization granted and declined of what
// plan asked for, and which of its tools stay unavailable.
func reportConnect(w io.Writer, plan *connectPlan, acct *store.Account) {
	p := plan.conn.Provider
	grant := activeGrant(acct)
	declined := grant.Missing(plan.scopes)
	granted := plan.scopes.Minus(declined)
	as := ""
	if acct.ProviderAccount != "" && len(granted) > 0 {
		as = " as " + acct.ProviderAccount
	}
	switch {
	case len(declined) == 0:
		fmt.Fprintf(w, "%s is connected for %s on %q%s.\n", p.Title, plan.identifier, plan.key, as)
	case len(granted) == 0:
		fmt.Fprintln(w, "You declined: nothing was granted, and what was granted before is unchanged.")
	default:
		fmt.Fprintf(w, "%s is connected for %s on %q%s, with less than was asked.\n",
			p.Title, plan.identifier, plan.key, as)
	}
	if len(granted) > 0 {
		fmt.Fprintln(w, "Granted:")
		writeScopeLines(w, p, granted, nil)
	}
	if len(declined) == 0 {
		return
	}
	fmt.Fprintln(w, "Declined:")
	writeScopeLines(w, p, declined, nil)
	var unavailable []string
	for _, t := range plan.tools {
		if !t.Requirement.Satisfied(grant) {
			unavailable = append(unavailable, t.Name)
		}
	}
	if len(unavailable) > 0 {
		fmt.Fprintf(w, "Still unavailable: %s\n", strings.Join(unavailable, ", "))
	}
}

// writeScopeLines writes one line per scope: its title and the scope.
func writeScopeLines(w io.Writer, p *registry.Provider, set, declinedBefore registry.ScopeSet) {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	for _, s := range set {
		note := ""
		if declinedBefore.Has(s) {
			note = "\t(declined before)"
		}
		fmt.Fprintf(tw, "  %s\t%s%s\n", p.Describe(s).Title, s, note)
	}
	tw.Flush()
}
