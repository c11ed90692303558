package slack

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// consentLifetime bounds how long an install page stays answerable.
const consentLifetime = 30 * time.Minute

// The consent form's checkbox values: a requested bot scope is "bot:<scope>", a user scope
// "user:<scope>", so the same scope name can be asked for both token kinds at once.
const (
	botValuePrefix  = "bot:"
	userValuePrefix = "user:"
)

// pendingConsent is an install request waiting for the person's decision. It is found by an
// unguessable id carried in the form.
type pendingConsent struct {
	clientID    string
	redirectURI string // as requested; empty when the request named none
	sendTo      string // where the browser goes back to
	state       string
	challenge   string // S256 code_challenge; empty without PKCE
	bot, user   []string
	expires     time.Time
}

// authorize validates an install request (GET AuthPath) and shows the consent form. Slack
// shows problems with the app, its redirect URL or its scopes on its own error page, never
// at the redirect URL, and so does the sandbox.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	p, code, desc := s.checkAuthRequest(r.URL.Query())
	if p == nil {
		s.log.Info("install refused", "client_id", r.URL.Query().Get("client_id"), "error", code)
		writeErrorPage(w, code, desc)
		return
	}
	id := randomText()
	s.mu.Lock()
	s.purgeLocked(s.now())
	s.consents[id] = p
	installer := s.ws.installer()
	s.mu.Unlock()

	page := consentPage{ConsentID: id, App: p.clientID, Team: teamName, Person: installer.RealName,
		Email: installer.Email}
	for _, sc := range p.bot {
		page.Bot = append(page.Bot, consentScope{botValuePrefix + sc, sc, describeScope(sc)})
	}
	for _, sc := range p.user {
		page.User = append(page.User, consentScope{userValuePrefix + sc, sc, describeScope(sc)})
	}
	oauthsim.WritePage(w, consentTemplate(), page)
}

// checkAuthRequest turns an install request's query into a pending consent, or says why
// not: Slack's error code and a description.
func (s *Server) checkAuthRequest(q url.Values) (*pendingConsent, string, string) {
	client, ok := s.clients[q.Get("client_id")]
	if !ok {
		return nil, "invalid_client_id", "The app's client_id is missing or unknown."
	}
	redirect := q.Get("redirect_uri")
	sendTo := redirect
	switch {
	case redirect == "" && len(client.RedirectURIs) > 0:
		sendTo = client.RedirectURIs[0]
	case redirect == "" || !slices.Contains(client.RedirectURIs, redirect):
		return nil, "bad_redirect_uri",
			"redirect_uri did not match any configured URIs. Passed URI: " + redirect
	}

	bot, user := splitScopes(q.Get("scope")), splitScopes(q.Get("user_scope"))
	if len(bot) == 0 && len(user) == 0 {
		return nil, "invalid_scope", "No scopes were requested: set scope, user_scope or both."
	}
	var invalid []string
	for _, sc := range bot {
		if !s.facts.grantable(sc, botKind) {
			invalid = append(invalid, sc+" (bot)")
		}
	}
	for _, sc := range user {
		if !s.facts.grantable(sc, userKind) {
			invalid = append(invalid, sc+" (user)")
		}
	}
	if len(invalid) > 0 {
		return nil, "invalid_scope", "Invalid permissions requested: " + strings.Join(invalid, ", ")
	}

	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge != "" && method != "S256" {
		return nil, "invalid_request", "code_challenge_method must be S256."
	}
	return &pendingConsent{
		clientID: client.ID, redirectURI: redirect, sendTo: sendTo, state: q.Get("state"),
		challenge: challenge, bot: bot, user: user, expires: s.now().Add(consentLifetime),
	}, "", ""
}

// splitScopes reads a scope parameter, comma separated as Slack writes it (spaces are
// accepted too), without duplicates, in request order.
func splitScopes(param string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(param, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// decide takes the person's answer (POST AuthPath) and sends the browser back to the app
// with a code, or with error=access_denied when they cancel or untick everything.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, "invalid_request", "The install form could not be read.")
		return
	}
	p, ok := oauthsim.Take(&s.mu, s.consents, r.PostForm.Get("consent"))
	if !ok || s.now().After(p.expires) {
		writeErrorPage(w, "invalid_request", "This install request is unknown, used or expired. "+
			"Start again from the app.")
		return
	}

	var bot, user []string
	for _, v := range r.PostForm["scope"] {
		if sc, ok := strings.CutPrefix(v, botValuePrefix); ok && slices.Contains(p.bot, sc) {
			bot = append(bot, sc)
		}
		if sc, ok := strings.CutPrefix(v, userValuePrefix); ok && slices.Contains(p.user, sc) {
			user = append(user, sc)
		}
	}
	decision := r.PostForm.Get("decision")
	if decision != "approve" || len(bot)+len(user) == 0 {
		s.log.Info("install denied", "client_id", p.clientID, "decision", decision)
		http.Redirect(w, r, oauthsim.WithQuery(p.sendTo, "error", "access_denied", "state", p.state),
			http.StatusFound)
		return
	}

	code := s.approve(p, bot, user)
	s.log.Info("install approved", "client_id", p.clientID, "bot_scopes", strings.Join(bot, ","),
		"user_scopes", strings.Join(user, ","))
	http.Redirect(w, r, oauthsim.WithQuery(p.sendTo, "code", code, "state", p.state), http.StatusFound)
}

// consentScope is one checkbox of the install page.
type consentScope struct {
	Value, Scope, Description string
}

type consentPage struct {
	ConsentID, App, Team, Person, Email string
	Bot, User                           []consentScope
}

// scopeWording is how the install page describes each scope the facts name. Slack's method
// reference leaves most descriptions empty, so the sandbox writes its own.
var scopeWording = map[string]string{
	"channels:history": "View messages in public channels the app has been added to",
	"channels:join":    "Join public channels",
	"channels:manage":  "Create public channels and manage those the app is in",
	"channels:read":    "View basic information about public channels",
	"channels:write":   "Create, join and manage public channels on your behalf",
	"chat:write":       "Send messages",
	"files:read":       "View files shared in conversations",
	"files:write":      "Upload, edit and delete files",
	"groups:history":   "View messages in private channels the app has been added to",
	"groups:read":      "View basic information about private channels",
	"groups:write":     "Create and manage private channels",
	"im:history":       "View messages in direct messages",
	"im:read":          "View basic information about direct messages",
	"im:write":         "Start direct messages with people",
	"mpim:history":     "View messages in group direct messages",
	"mpim:read":        "View basic information about group direct messages",
	"mpim:write":       "Start group direct messages with people",
	"search:read":      "Search the workspace's content",
	"users:read":       "View people in the workspace",
	"users:read.email": "View email addresses of people in the workspace",
}

func describeScope(sc string) string {
	if d, ok := scopeWording[sc]; ok {
		return d
	}
	return sc
}

// The install form posts back to the page's own URL (action=""), so it works wherever the
// sandbox is mounted.
var consentTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8">
<title>{{.App}} is requesting permission | Slack (sandbox)</title></head>
<body>
<h1>{{.App}} is requesting permission to access the {{.Team}} Slack workspace</h1>
<p>Signed in as <strong>{{.Person}}</strong> ({{.Email}}), sandbox account.</p>
<form method="post" action="">
<input type="hidden" name="consent" value="{{.ConsentID}}">
{{- if .Bot}}
<h2>What will {{.App}} be able to view and do?</h2>
<ul>
{{- range .Bot}}
<li><label><input type="checkbox" name="scope" value="{{.Value}}" checked> {{.Description}}</label>
<br><small>{{.Scope}}, for the app's bot token</small></li>
{{- end}}
</ul>
{{- end}}
{{- if .User}}
<h2>What will {{.App}} be able to view and do on your behalf?</h2>
<ul>
{{- range .User}}
<li><label><input type="checkbox" name="scope" value="{{.Value}}" checked> {{.Description}}</label>
<br><small>{{.Scope}}, for your user token</small></li>
{{- end}}
</ul>
{{- end}}
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
<p><small>This is scopegate's Slack sandbox, not Slack.
Untick a permission to grant less.</small></p>
</body>
</html>
`))
})

var errorTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Slack: {{.Code}}</title></head>
<body>
<h1>Oops, something went wrong.</h1>
<p>{{.Description}}</p>
<p>Error: {{.Code}}</p>
<p><small>This is scopegate's Slack sandbox, not Slack.</small></p>
</body>
</html>
`))
})

// writeErrorPage renders Slack's install error page, with HTTP 400.
func writeErrorPage(w http.ResponseWriter, code, desc string) {
	oauthsim.WriteErrorPage(w, http.StatusBadRequest, errorTemplate(), struct{ Code, Description string }{code, desc})
}
