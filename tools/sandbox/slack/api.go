package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// method is one Web API method the sandbox implements.
type method struct {
	// json reports whether the method reads application/json bodies (Slack's
	// json_input_supported); the others see only query and form arguments.
	json   bool
	handle func(s *Server, c *apiCall)
}

// methods are the Web API methods the sandbox implements, each gated on the facts. A method
// the sandbox does not implement answers unknown_method, as Slack does for a misspelt one.
var methods = map[string]method{
	"auth.test":                    {true, (*Server).authTest},
	"conversations.list":           {false, (*Server).conversationsList},
	"conversations.info":           {false, (*Server).conversationsInfo},
	"conversations.history":        {true, (*Server).conversationsHistory},
	"conversations.replies":        {false, (*Server).conversationsReplies},
	"conversations.join":           {true, (*Server).conversationsJoin},
	"conversations.create":         {true, (*Server).conversationsCreate},
	"chat.postMessage":             {true, (*Server).chatPostMessage},
	"users.list":                   {false, (*Server).usersList},
	"users.info":                   {false, (*Server).usersInfo},
	"users.lookupByEmail":          {false, (*Server).usersLookupByEmail},
	"files.list":                   {false, (*Server).filesList},
	"files.getUploadURLExternal":   {false, (*Server).filesGetUploadURL},
	"files.completeUploadExternal": {true, (*Server).filesCompleteUpload},
}

// apiCall is one authenticated Web API call. Handlers run with the Server's mutex held.
type apiCall struct {
	w      http.ResponseWriter
	r      *http.Request
	method string
	args   url.Values
	kind   string   // botKind or userKind
	who    string   // the bot user or the person the token acts as
	scopes []string // the token's current scopes
	client string
}

// api serves /api/{method}: arguments, token, rate limit and scopes are checked in that
// order before the method runs.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	m, ok := methods[name]
	if !ok {
		writeSlack(w, http.StatusNotFound, struct {
			OK        bool   `json:"ok"`
			Error     string `json:"error"`
			ReqMethod string `json:"req_method"`
		}{false, "unknown_method", name})
		return
	}
	args, err := readArgs(r, m.json)
	if err != nil {
		writeSlack(w, http.StatusOK, failure("invalid_form_data"))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	tok, problem := s.tokenFromRequestLocked(r, args)
	if problem != "" {
		s.log.Info("api call unauthenticated", "method", name, "error", problem)
		writeSlack(w, http.StatusOK, failure(problem))
		return
	}
	args.Del("token")
	t := s.tokens[tok]
	c := &apiCall{w: w, r: r, method: name, args: args, kind: t.kind, who: t.who,
		scopes: s.scopesLocked(t), client: t.clientID}

	if s.rateLimit != nil {
		if wait := s.rateLimit(name); wait > 0 {
			s.log.Info("api call rate limited", "method", name, "retry_after", wait)
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeSlack(w, http.StatusTooManyRequests, failure("ratelimited"))
			return
		}
	}
	if !s.allowed(c) {
		return
	}
	s.purgeLocked(s.now())
	m.handle(s, c)
}

// allowed checks the token against the facts' column for its kind: a method with no scopes
// for that kind refuses the kind outright, and otherwise one accepted scope must be held.
// Which conversation types a call may reach is checked later, by allowsType.
func (s *Server) allowed(c *apiCall) bool {
	op := s.facts.Operations[c.method]
	if op.NoScope {
		return true
	}
	accepted := op.ByToken[c.kind]
	if len(accepted) == 0 {
		c.fail("not_allowed_token_type")
		return false
	}
	for _, sc := range accepted {
		if slices.Contains(c.scopes, sc) {
			return true
		}
	}
	c.missingScope(accepted)
	return false
}

// allowsType checks that the token may reach conversations of convType with this method:
// it must hold one of the method's accepted scopes of that type's family. A method that
// accepts no scope of the family does not work on that type at all.
func (s *Server) allowsType(c *apiCall, convType string) bool {
	family := forType(s.facts.accepted(c.method, c.kind), convType)
	if len(family) == 0 {
		c.fail("method_not_supported_for_channel_type")
		return false
	}
	for _, sc := range family {
		if slices.Contains(c.scopes, sc) {
			return true
		}
	}
	c.missingScope(family)
	return false
}

// readArgs gathers a call's arguments: the query, then a form body, then, for methods that
// read JSON, the members of a JSON object body (strings as they are, other values as JSON).
func readArgs(r *http.Request, readsJSON bool) (url.Values, error) {
	args := r.URL.Query()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method != http.MethodPost:
	case ct == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.PostForm {
			args[k] = v
		}
	case ct == "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			args[k] = v
		}
	case ct == "application/json" && readsJSON:
		var body map[string]json.RawMessage
		data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return nil, err
		}
		for k, raw := range body {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				args.Set(k, str)
			} else if string(raw) != "null" {
				args.Set(k, string(raw))
			}
		}
	}
	return args, nil
}

// flag reads a boolean argument the way Slack does: true, 1 and yes are true.
func (c *apiCall) flag(name string) bool {
	switch strings.ToLower(c.args.Get(name)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// limit reads a page size: empty or zero means def, anything else must lie in 1..max.
func (c *apiCall) limit(def, max int) (int, bool) {
	v := c.args.Get("limit")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 0 || n > max:
		c.fail("invalid_limit")
		return 0, false
	case n == 0:
		return def, true
	}
	return n, true
}

// failure is Slack's refusal body.
func failure(code string) any {
	return struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}{false, code}
}

func (c *apiCall) fail(code string) {
	writeSlack(c.w, http.StatusOK, failure(code))
}

// missingScope writes Slack's missing_scope refusal: which scopes would do (comma separated)
// and which the token holds.
func (c *apiCall) missingScope(needed []string) {
	writeSlack(c.w, http.StatusOK, struct {
		OK       bool   `json:"ok"`
		Error    string `json:"error"`
		Needed   string `json:"needed"`
		Provided string `json:"provided"`
	}{false, "missing_scope", strings.Join(needed, ","), strings.Join(c.scopes, ",")})
}

func (c *apiCall) reply(v any) {
	writeSlack(c.w, http.StatusOK, v)
}

// writeSlack writes a Web API answer.
func writeSlack(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("encoding response: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// meta is response_metadata with a cursor; Slack sends an empty next_cursor on the last page.
type meta struct {
	NextCursor string `json:"next_cursor"`
}
