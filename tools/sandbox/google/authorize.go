package google

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

// pendingConsent is an authorization request waiting for the user's decision on the
// consent page. It is found by an unguessable ID carried in the page's form.
type pendingConsent struct {
	clientID       string
	redirectURI    string
	state          string
	scopes         []string // normalized, in request order
	challenge      string   // S256 code_challenge, empty without PKCE
	offline        bool     // access_type=offline
	includeGranted bool     // include_granted_scopes=true
	forceConsent   bool     // prompt contains consent
	nonce          string
	expires        time.Time
}

// authorize validates an authorization request (GET AuthPath) and shows the consent page.
// Problems with the client or the redirect URI are shown on an error page, never sent to
// the redirect URI, as Google does.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, code, errName, desc := s.checkAuthRequest(q)
	if p == nil {
		s.log.Info("authorization refused", "client_id", q.Get("client_id"), "error", errName)
		writeErrorPage(w, code, errName, desc)
		return
	}

	id := randomToken("")
	s.mu.Lock()
	s.purgeLocked(s.now())
	s.consents[id] = p
	s.mu.Unlock()
	writeConsentPage(w, consentPage{
		ConsentID: id,
		ClientID:  p.clientID,
		Account:   s.account,
		Scopes:    s.consentScopes(p.scopes),
	})
}

// checkAuthRequest turns the query of an authorization request into a pending consent, or
// says why not: the HTTP status, Google's error name and a description.
func (s *Server) checkAuthRequest(q url.Values) (*pendingConsent, int, string, string) {
	clientID := q.Get("client_id")
	if clientID == "" {
		return nil, 400, "invalid_request", "Missing required parameter: client_id"
	}
	client, ok := s.clients[clientID]
	if !ok {
		return nil, 401, "invalid_client", "The OAuth client was not found."
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" {
		return nil, 400, "invalid_request", "Missing required parameter: redirect_uri"
	}
	if !slices.Contains(client.RedirectURIs, redirectURI) {
		return nil, 400, "redirect_uri_mismatch", fmt.Sprintf("The redirect URI in the "+
			"request, %s, is not registered for the OAuth client %s.", redirectURI, clientID)
	}
	switch rt := q.Get("response_type"); rt {
	case "code":
	case "":
		return nil, 400, "invalid_request", "Required parameter is missing: response_type"
	default:
		return nil, 400, "unsupported_response_type", "Invalid response_type: " + rt
	}

	scopes := parseScopeParam(q.Get("scope"))
	if len(scopes) == 0 {
		return nil, 400, "invalid_request", "Missing required parameter: scope"
	}
	var valid, invalid []string
	for _, sc := range scopes {
		if _, known := s.describeScope(sc); known {
			valid = append(valid, sc)
		} else {
			invalid = append(invalid, sc)
		}
	}
	if len(invalid) > 0 {
		return nil, 400, "invalid_scope", fmt.Sprintf("Some requested scopes were invalid. "+
			"{valid=[%s], invalid=[%s]}", strings.Join(valid, ", "), strings.Join(invalid, ", "))
	}

	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return nil, 400, "invalid_request", "Missing required parameter: code_challenge"
	case challenge != "" && method != "S256":
		return nil, 400, "invalid_request",
			"Invalid code_challenge_method: the sandbox accepts only S256"
	}
	accessType := q.Get("access_type")
	if accessType != "" && accessType != "online" && accessType != "offline" {
		return nil, 400, "invalid_request", "Invalid access_type: " + accessType
	}

	return &pendingConsent{
		clientID:       clientID,
		redirectURI:    redirectURI,
		state:          q.Get("state"),
		scopes:         scopes,
		challenge:      challenge,
		offline:        accessType == "offline",
		includeGranted: q.Get("include_granted_scopes") == "true",
		forceConsent:   slices.Contains(strings.Fields(q.Get("prompt")), "consent"),
		nonce:          q.Get("nonce"),
		expires:        s.now().Add(consentLifetime),
	}, 0, "", ""
}

// decide takes the user's answer from the consent page (POST AuthPath) and sends the
// browser back to the client with a code, or with error=access_denied.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, 400, "invalid_request", "The consent form could not be read.")
		return
	}
	p, ok := oauthsim.Take(&s.mu, s.consents, r.PostForm.Get("consent"))
	if !ok || s.now().After(p.expires) {
		writeErrorPage(w, 400, "invalid_request",
			"This sign-in request is unknown, used or expired. Start again from the app.")
		return
	}

	var ticked []string
	for _, sc := range r.PostForm["scope"] {
		if slices.Contains(p.scopes, sc) && !slices.Contains(ticked, sc) {
			ticked = append(ticked, sc)
		}
	}
	decision := r.PostForm.Get("decision")
	if decision != "approve" || len(ticked) == 0 {
		s.log.Info("consent denied", "client_id", p.clientID, "decision", decision)
		http.Redirect(w, r, oauthsim.WithQuery(p.redirectURI,
			"error", "access_denied", "state", p.state), http.StatusFound)
		return
	}

	code, granted := s.approve(p, ticked)
	s.log.Info("consent approved", "client_id", p.clientID, "scopes", joinScopes(granted))
	http.Redirect(w, r, oauthsim.WithQuery(p.redirectURI, "state", p.state, "code", code,
		"scope", joinScopes(granted), "authuser", "0", "prompt", "consent"), http.StatusFound)
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
	Scopes    []consentScope
}

func (s *Server) consentScopes(scopes []string) []consentScope {
	out := make([]consentScope, 0, len(scopes))
	for _, sc := range scopes {
		d, _ := s.describeScope(sc)
		out = append(out, consentScope{Scope: sc, Description: d})
	}
	return out
}

// The consent form posts back to the page's own URL (action=""), so it works wherever the
// sandbox is mounted.
var consentTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - Google Accounts (sandbox)</title></head>
<body>
<h1>{{.ClientID}} wants access to your Google Account</h1>
<p>Signed in as <strong>{{.Account}}</strong> (sandbox account).</p>
<form method="post" action="">
<input type="hidden" name="consent" value="{{.ConsentID}}">
<p>Select what {{.ClientID}} can access:</p>
<ul>
{{- range .Scopes}}
<li><label><input type="checkbox" name="scope" value="{{.Scope}}" checked> {{.Description}}</label>
<br><small>{{.Scope}}</small></li>
{{- end}}
</ul>
<button type="submit" name="decision" value="approve">Continue</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
<p><small>This is scopegate's Google sandbox, not Google.</small></p>
</body>
</html>
`))
})

var errorTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Error {{.Code}} ({{.Name}})</title></head>
<body>
<h1>Access blocked: Authorization Error</h1>
<p>{{.Description}}</p>
<p>Error {{.Code}}: {{.Name}}</p>
<p><small>This is scopegate's Google sandbox, not Google.</small></p>
</body>
</html>
`))
})

func writeConsentPage(w http.ResponseWriter, p consentPage) {
	oauthsim.WritePage(w, consentTemplate(), p)
}

// writeErrorPage renders Google's authorization error page: "Error 400: redirect_uri_mismatch".
func writeErrorPage(w http.ResponseWriter, code int, name, desc string) {
	oauthsim.WriteErrorPage(w, code, errorTemplate(), struct {
		Code              int
		Name, Description string
	}{code, name, desc})
}
