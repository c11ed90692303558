package microsoft

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// workload is the Microsoft 365 service behind a Graph operation. Each answers errors
// with its own codes and wording.
type workload int

const (
	outlook workload = iota
	onedrive
	teamsService
	directory
)

// operation is one Graph operation the sandbox serves. Its HTTP method and path come
// from the facts.
type operation struct {
	id       string // "GET /me/messages", the key into the facts
	workload workload
	handle   func(s *Server, w http.ResponseWriter, r *graphRequest)
}

// route matches requests to an operation.
type route struct {
	op      operation
	method  string
	pattern *regexp.Regexp
}

// graphRequest is a Graph call that passed the gate.
type graphRequest struct {
	*http.Request
	op     operation
	params []string // the path's {parameters}, in order
	token  accessToken
}

// compileRoutes turns each operation's path template from the facts into a pattern that
// matches without case, as Graph does: "{id}" is one segment, "{path}" one or more. An
// operation missing from the facts is a build mistake, so it panics.
func (s *Server) compileRoutes(ops []operation) []route {
	placeholder := regexp.MustCompile(`\{[^}]+\}`)
	var out []route
	for _, op := range ops {
		f, ok := s.facts.Operations[op.id]
		if !ok {
			panic("microsoft sandbox: no facts for " + op.id)
		}
		method, path, _ := strings.Cut(f.HTTP, " ")
		var expr strings.Builder
		last := 0
		for _, loc := range placeholder.FindAllStringIndex(path, -1) {
			expr.WriteString(regexp.QuoteMeta(path[last:loc[0]]))
			if path[loc[0]:loc[1]] == "{path}" {
				expr.WriteString(`(.+?)`)
			} else {
				expr.WriteString(`([^/]+)`)
			}
			last = loc[1]
		}
		expr.WriteString(regexp.QuoteMeta(path[last:]))
		out = append(out, route{op: op, method: method,
			pattern: regexp.MustCompile(`(?i)^` + expr.String() + `$`)})
	}
	return out
}

// graph serves every Graph call: find the operation, check the token, apply any
// throttling, check the permission against the facts, then run the handler.
func (s *Server) graph(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(GraphPath, "/"))
	var found *route
	var params []string
	pathKnown := false
	for i := range s.routes {
		m := s.routes[i].pattern.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		pathKnown = true
		if s.routes[i].method == r.Method {
			found, params = &s.routes[i], m[1:]
			break
		}
	}
	switch {
	case found == nil && pathKnown:
		s.writeError(w, r, http.StatusMethodNotAllowed, "BadRequest",
			"Specified HTTP method is not allowed for the request target.")
		return
	case found == nil:
		seg := path[strings.LastIndex(path, "/")+1:]
		s.writeError(w, r, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Resource not found for the segment '%s'.", seg))
		return
	}

	t, problem := s.lookupAccess(r)
	if problem != "" {
		s.log.Info("graph call unauthenticated", "operation", found.op.id)
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.`+
			`microsoftonline.com/common/oauth2/authorize", client_id="`+graphAppID+`"`)
		s.writeError(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", problem)
		return
	}
	if s.throttled(w, r, found.op.workload) {
		return
	}
	if len(s.facts.accepted(found.op.id, s.scheme())) == 0 {
		// No permission grants it to this kind of account: Teams for personal accounts.
		s.writeError(w, r, http.StatusForbidden, "Forbidden",
			"This operation is not available for personal Microsoft accounts.")
		return
	}
	if !s.facts.accepts(found.op.id, s.scheme(), t.scopes) {
		s.log.Info("graph call denied", "operation", found.op.id, "client_id", t.clientID)
		s.writeDenied(w, r, found.op, t)
		return
	}
	if found.op.handle == nil {
		s.writeError(w, r, http.StatusNotImplemented, "NotImplemented",
			"The Microsoft sandbox does not implement "+found.op.id+".")
		return
	}
	found.op.handle(s, w, &graphRequest{Request: r, op: found.op, params: params, token: t})
}

// scheme is the permissions scheme of the signed-in account.
func (s *Server) scheme() string {
	if s.personal {
		return schemePersonal
	}
	return schemeWork
}

// lookupAccess finds the access token of a request, or says in Graph's words why there
// is none.
func (s *Server) lookupAccess(r *http.Request) (accessToken, string) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	switch {
	case tok == "" || !strings.EqualFold(scheme, "Bearer"):
		return accessToken{}, "Access token is empty."
	case strings.Count(tok, ".") != 2:
		return accessToken{}, "IDX14100: JWT is not well formed, there are no dots (.)."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.access[tok]
	switch {
	case !ok:
		return accessToken{}, "Access token validation failure. Invalid signature."
	case !s.now().Before(t.expires):
		return accessToken{}, "Lifetime validation failed, the token is expired."
	}
	return *t, ""
}

// throttled answers the request itself when throttling is pending.
func (s *Server) throttled(w http.ResponseWriter, r *http.Request, wl workload) bool {
	s.mu.Lock()
	t := s.throttle
	if t.Calls > 0 {
		s.throttle.Calls--
	}
	s.mu.Unlock()
	if t.Calls <= 0 {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(t.RetryAfter/time.Second)))
	code, msg := "TooManyRequests", "Too many requests."
	switch {
	case t.Status == http.StatusServiceUnavailable:
		code, msg = "serviceNotAvailable", "The service is temporarily unavailable."
	case wl == outlook:
		code, msg = "ApplicationThrottled", "Application is over its MailboxConcurrency limit."
	case wl == onedrive:
		code, msg = "activityLimitReached", "The request has been throttled"
	}
	s.writeError(w, r, t.Status, code, msg)
	return true
}

// writeDenied answers a token that holds none of the operation's permissions, in the
// words of the operation's workload.
func (s *Server) writeDenied(w http.ResponseWriter, r *http.Request, op operation, t accessToken) {
	switch op.workload {
	case outlook:
		s.writeError(w, r, 403, "ErrorAccessDenied", msgAccessDenied)
	case onedrive:
		s.writeError(w, r, 403, "accessDenied", "Access denied")
	case directory:
		s.writeError(w, r, 403, "Authorization_RequestDenied",
			"Insufficient privileges to complete the operation.")
	default:
		var held []string
		for _, sc := range t.scopes {
			if sc != scopeOffline {
				held = append(held, sc)
			}
		}
		s.writeError(w, r, 403, "Forbidden", fmt.Sprintf("Missing scope permissions on the "+
			"request. API requires one of '%s'. Scopes on the request '%s'",
			strings.Join(s.facts.accepted(op.id, s.scheme()), ", "), strings.Join(held, ", ")))
	}
}

// graphError is Graph's error envelope.
type graphError struct {
	Error graphErrorBody `json:"error"`
}

type graphErrorBody struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError innerError `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// writeError writes Graph's error envelope with the request ids Graph adds.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	reqID, clientID := requestIDs(w, r)
	writeJSON(w, status, graphError{Error: graphErrorBody{Code: code, Message: msg,
		InnerError: innerError{Date: s.now().UTC().Format("2006-01-02T15:04:05"),
			RequestID: reqID, ClientRequestID: clientID}}})
}

// writeGraph writes a successful Graph answer with Graph's headers.
func writeGraph(w http.ResponseWriter, r *http.Request, status int, v any) {
	requestIDs(w, r)
	w.Header().Set("OData-Version", "4.0")
	body, err := jsonBody(v)
	if err != nil {
		http.Error(w, "encoding response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;"+
		"odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requestIDs sets Graph's request-id and client-request-id headers; the client's own id is
// echoed when it sent one.
func requestIDs(w http.ResponseWriter, r *http.Request) (string, string) {
	reqID := newGUID()
	clientID := r.Header.Get("client-request-id")
	if clientID == "" {
		clientID = reqID
	}
	w.Header().Set("request-id", reqID)
	w.Header().Set("client-request-id", clientID)
	return reqID, clientID
}
