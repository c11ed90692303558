package atlassian

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// consentLifetime bounds how long a consent page stays answerable.
const consentLifetime = 30 * time.Minute

// audience is the only audience Atlassian's 3LO authorization requests may name.
const audience = "api.atlassian.com"

// pendingConsent is an authorization request waiting for the user's decision on the
// consent page. It is found by an unguessable id carried in the page's form.
type pendingConsent struct {
	clientID    string
	redirectURI string
	state       string
	scopes      []string // in request order, without duplicates
	challenge   string   // S256 code_challenge, empty without PKCE
	expires     time.Time
}

// authorize validates an authorization request (GET AuthPath) and shows the consent page.
// Problems with the request are shown on an error page, never sent to the redirect URI.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, msg := s.checkAuthRequest(q)
	if p == nil {
		s.log.Info("authorization refused", "client_id", q.Get("client_id"), "why", msg)
		writeErrorPage(w, http.StatusBadRequest, msg)
		return
	}

	id := randomToken("")
	s.mu.Lock()
	s.purgeLocked(s.now())
	s.consents[id] = p
	s.mu.Unlock()

	page := consentPage{ConsentID: id, ClientID: p.clientID, Account: s.me.email}
	for _, st := range s.sites {
		page.Sites = append(page.Sites, strings.TrimPrefix(st.url, "https://"))
	}
	for _, sc := range p.scopes {
		page.Scopes = append(page.Scopes, consentScope{Scope: sc, Description: s.describe(sc)})
	}
	oauthsim.WritePage(w, consentTemplate(), page)
}

// checkAuthRequest turns the query of an authorization request into a pending consent, or
// says why not.
func (s *Server) checkAuthRequest(q url.Values) (*pendingConsent, string) {
	if a := q.Get("audience"); a != audience {
		return nil, fmt.Sprintf("The audience %q is not valid; authorization requests for Atlassian "+
			"APIs must use audience=%s.", a, audience)
	}
	client, ok := s.clients[q.Get("client_id")]
	if !ok {
		return nil, "The app you are trying to authorize is unknown (invalid client_id)."
	}
	redirectURI := q.Get("redirect_uri")
	if !slices.Contains(client.RedirectURIs, redirectURI) {
		return nil, "The redirect_uri does not match the callback URL configured for this app."
	}
	if q.Get("response_type") != "code" {
		return nil, "Unsupported response_type: only code is supported."
	}
	if q.Get("prompt") != "consent" {
		return nil, "The prompt parameter must be consent."
	}

	var scopes, unknown, notAdded []string
	for _, sc := range strings.Fields(q.Get("scope")) {
		switch {
		case slices.Contains(scopes, sc):
		case !s.facts.known(sc):
			unknown = append(unknown, sc)
		case client.Scopes != nil && !slices.Contains(client.Scopes, sc):
			notAdded = append(notAdded, sc)
		default:
			scopes = append(scopes, sc)
		}
	}
	switch {
	case len(unknown) > 0:
		return nil, "The app requested scopes that do not exist: " + strings.Join(unknown, ", ") + "."
	case len(notAdded) > 0:
		return nil, "This app has requested scopes that have not been added to the app. Add the " +
			"following scopes to the app in the developer console: " + strings.Join(notAdded, ", ") + "."
	case len(scopes) == 0:
		return nil, "The app requested no scope."
	}

	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if (challenge != "" || method != "") && (challenge == "" || method != "S256") {
		return nil, "Invalid PKCE parameters: code_challenge with code_challenge_method=S256 is required."
	}
	return &pendingConsent{
		clientID:    client.ID,
		redirectURI: redirectURI,
		state:       q.Get("state"),
		scopes:      scopes,
		challenge:   challenge,
		expires:     s.now().Add(consentLifetime),
	}, ""
}

// decide takes the user's answer from the consent page (POST AuthPath) and sends the
// browser back to the app with a code, or with error=access_denied.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, http.StatusBadRequest, "The consent form could not be read.")
		return
	}
	p, ok := oauthsim.Take(&s.mu, s.consents, r.PostForm.Get("consent"))
	if !ok || s.now().After(p.expires) {
		writeErrorPage(w, http.StatusBadRequest,
			"This authorization request is unknown, used or expired. Start again from the app.")
		return
	}

	var ticked []string
	for _, sc := range p.scopes {
		if slices.Contains(r.PostForm["scope"], sc) {
			ticked = append(ticked, sc)
		}
	}
	if r.PostForm.Get("decision") != "approve" || len(ticked) == 0 {
		s.log.Info("consent denied", "client_id", p.clientID)
		http.Redirect(w, r, oauthsim.WithQuery(p.redirectURI, "error", "access_denied",
			"error_description", "The user did not authorize the app", "state", p.state), http.StatusFound)
		return
	}

	code := s.issueCode(p, ticked)
	s.log.Info("consent approved", "client_id", p.clientID, "scopes", strings.Join(ticked, " "))
	http.Redirect(w, r, oauthsim.WithQuery(p.redirectURI, "code", code, "state", p.state), http.StatusFound)
}

// describe returns the consent-screen wording of a scope.
func (s *Server) describe(scope string) string {
	if d := s.facts.ScopeDescriptions[scope]; d != "" {
		return d
	}
	switch scope {
	case "offline_access":
		return "Keep accessing the data you gave it access to, even when you are not using it."
	case "read:me":
		return "View your Atlassian account's profile."
	}
	return scope
}

// consentScope is one checkbox on the consent page.
type consentScope struct {
	Scope       string
	Description string
}

// consentPage is the data of the consent page template.
type consentPage struct {
	ConsentID string
	ClientID  string
	Account   string
	Sites     []string
	Scopes    []consentScope
}

// The consent form posts back to the page's own URL (action=""), so it works wherever the
// sandbox is mounted.
var consentTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize app - Atlassian (sandbox)</title></head>
<body>
<h1>{{.ClientID}} is requesting access to your Atlassian account</h1>
<p>Signed in as <strong>{{.Account}}</strong> (sandbox account).</p>
<p>Use app on: {{range $i, $s := .Sites}}{{if $i}}, {{end}}<strong>{{$s}}</strong>{{end}}</p>
<form method="post" action="">
<input type="hidden" name="consent" value="{{.ConsentID}}">
<p>{{.ClientID}} would like to:</p>
<ul>
{{- range .Scopes}}
<li><label><input type="checkbox" name="scope" value="{{.Scope}}" checked> {{.Description}}</label>
<br><small>{{.Scope}}</small></li>
{{- end}}
</ul>
<button type="submit" name="decision" value="approve">Accept</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
<p><small>This is scopegate's Atlassian sandbox, not Atlassian.</small></p>
</body>
</html>
`))
})

var errorTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Something went wrong - Atlassian (sandbox)</title></head>
<body>
<h1>Something went wrong</h1>
<p id="error">{{.}}</p>
<p><small>This is scopegate's Atlassian sandbox, not Atlassian.</small></p>
</body>
</html>
`))
})

// writeErrorPage renders the authorization error page with msg.
func writeErrorPage(w http.ResponseWriter, code int, msg string) {
	oauthsim.WriteErrorPage(w, code, errorTemplate(), msg)
}
