package main

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// httpSessions keeps the Streamable HTTP sessions this process began, and
// the caller that began each: the identifier callerFrom found for the
// initialize request, "" when callers are not authenticated.
//
// A request that names a session id this process does not know (never
// issued, ended by DELETE, or expired after the idle timeout) is answered
// 404, which tells the client to initialize again. So is a request that
// names a session another caller began: knowing a session id does not let
// one caller read another's stream or write into its session.
//
// Sessions live in this process's memory: several instances behind one
// address need the load balancer to keep each session on one instance.
type httpSessions struct {
	log *slog.Logger

	mu    sync.Mutex
	owner map[string]string // session id → the caller that began it
}

func newHTTPSessions(log *slog.Logger) *httpSessions {
	return &httpSessions{log: log, owner: map[string]string{}}
}

var (
	errUnknownSession = errors.New("unknown session")
	errOtherCaller    = errors.New("session of another identifier")
)

// check says whether caller may use the session id.
func (s *httpSessions) check(id, caller string) error {
	s.mu.Lock()
	owner, ok := s.owner[id]
	s.mu.Unlock()
	switch {
	case !ok:
		return errUnknownSession
	case owner != caller:
		// Neither the session id nor the caller's credentials are logged.
		s.log.Warn("mcp request refused", "why", errOtherCaller.Error(), "identifier", caller)
		return errOtherCaller
	}
	return nil
}

// ResolveSessionIdManager returns the session id manager for the caller
// of r. The transport passes a nil r when it ends sessions by itself (idle
// sessions, shutdown).
func (s *httpSessions) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r == nil {
		return sessionIDManager{s: s}
	}
	return sessionIDManager{s: s, caller: callerFrom(r), request: true}
}

// guard answers 404 to a GET (the stream of server messages) or DELETE
// that names a session the caller may not use; the transport itself
// checks the session of a POST through the session id manager, and would
// otherwise open a stream for any id a GET names.
func (s *httpSessions) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(server.HeaderKeySessionID)
		if id != "" && (r.Method == http.MethodGet || r.Method == http.MethodDelete) {
			if s.check(id, callerFrom(r)) != nil {
				http.Error(w, "Invalid session ID", http.StatusNotFound)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sessionIDManager is the transport's view of httpSessions for one
// request's caller, or for the transport itself when request is false.
type sessionIDManager struct {
	s       *httpSessions
	caller  string
	request bool
}

// Generate begins a session for the caller: 128 random bits, as visible
// ASCII as the MCP specification asks of session ids.
func (m sessionIDManager) Generate() string {
	id := rand.Text()
	m.s.mu.Lock()
	m.s.owner[id] = m.caller
	m.s.mu.Unlock()
	return id
}

// Validate reports an error, and so 404, for a session the caller may not
// use.
func (m sessionIDManager) Validate(id string) (isTerminated bool, err error) {
	return false, m.s.check(id, m.caller)
}

// Terminate ends a session. A caller may end only its own; guard has
// already answered 404 to a DELETE of any other.
func (m sessionIDManager) Terminate(id string) (isNotAllowed bool, err error) {
	if m.request {
		switch err := m.s.check(id, m.caller); {
		case errors.Is(err, errOtherCaller):
			return true, nil
		case err != nil:
			return false, nil
		}
	}
	m.s.mu.Lock()
	delete(m.s.owner, id)
	m.s.mu.Unlock()
	return false, nil
}
