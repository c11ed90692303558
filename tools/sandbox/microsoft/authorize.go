package microsoft

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// consentLifetime bounds how long a consent page stays answerable.
const consentLifetime = 30 * time.Minute

// pendingConsent is an authorization request waiting for the user's decision. It is found
// by an unguessable id carried in the consent form.
type pendingConsent struct {
	clientID    string
	redirectURI string
	state       string
	nonce       string
	scopes      []requestedScope
	challenge   string // PKCE code_challenge, empty without PKCE
	method      string // S256 or plain
	expires     time.Time
}

// authError is an authorization request the sandbox refuses: shown on a page when the
// client or redirect URI cannot be trusted, sent to the redirect URI otherwise.
type authError struct {
	status int // for a page
	name   string
	code   int // the AADSTS number
	desc   string
}

// authorize validates an authorization request (GET AuthPath) and shows the consent page,
// the "Need admin approval" page, or with prompt=none answers at once.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, pageErr, redirectErr := s.checkAuthRequest(r.PathValue("tenant"), q)
	if pageErr != nil {
		s.log.Info("authorization refused", "client_id", q.Get("client_id"), "error", pageErr.name)
		writeErrorPage(w, pageErr)
		return
	}
	if redirectErr != nil {
		s.log.Info("authorization refused", "client_id", p.clientID, "error", redirectErr.name)
		http.Redirect(w, r, s.errorRedirect(p, redirectErr), http.StatusFound)
		return
	}

	if q.Get("prompt") == "none" {
		s.answerSilently(w, r, p)
		return
	}
	var needAdmin []requestedScope
	for _, sc := range p.scopes {
		if sc.AdminOnly && !s.granted(p.clientID, sc.Name) {
			needAdmin = append(needAdmin, sc)
		}
	}
	if len(needAdmin) > 0 {
		s.log.Info("consent needs an administrator", "client_id", p.clientID)
		writeAdminPage(w, adminPage{ClientID: p.clientID, Account: s.account, Scopes: needAdmin,
			ReturnURL: s.errorRedirect(p, declined())})
		return
	}

	id := randomToken("", 24)
	s.mu.Lock()
	s.purgeLocked(s.now())
	s.consents[id] = p
	s.mu.Unlock()
	writeConsentPage(w, consentPage{ConsentID: id, ClientID: p.clientID, Account: s.account,
		Scopes: p.scopes})
}

// checkAuthRequest turns an authorization request into a pending consent. Problems with
// the tenant, the client or the redirect URI come back as a page error; the others as an
// error for the redirect URI, with the pending consent saying where to send it.
func (s *Server) checkAuthRequest(tenant string, q url.Values) (*pendingConsent, *authError, *authError) {
	if !s.ids.knowsTenant(tenant, s.personal) {
		return nil, &authError{400, "invalid_request", 90002, fmt.Sprintf("Tenant '%s' not "+
			"found. Check to make sure you have the correct tenant ID and are signing into the "+
			"correct cloud.", tenant)}, nil
	}
	clientID := q.Get("client_id")
	if clientID == "" {
		return nil, missingParam("client_id"), nil
	}
	client, ok := s.clients[clientID]
	if !ok {
		return nil, unknownClient(clientID, s.ids.tenantID), nil
	}
	redirectURI := q.Get("redirect_uri")
	if !slices.Contains(client.RedirectURIs, redirectURI) {
		return nil, &authError{400, "invalid_request", 50011, fmt.Sprintf("The redirect URI "+
			"'%s' specified in the request does not match the redirect URIs configured for the "+
			"application '%s'.", redirectURI, clientID)}, nil
	}

	p := &pendingConsent{clientID: clientID, redirectURI: redirectURI, state: q.Get("state"),
		nonce: q.Get("nonce"), expires: s.now().Add(consentLifetime)}
	if rt := q.Get("response_type"); rt != "code" {
		return p, nil, &authError{0, "unsupported_response_type", 700054,
			fmt.Sprintf("response_type '%s' is not enabled for the application.", rt)}
	}
	if rm := q.Get("response_mode"); rm != "" && rm != "query" {
		return p, nil, &authError{0, "invalid_request", 9002313,
			"Invalid request. The sandbox answers with response_mode=query only."}
	}
	known, unknown := s.parseScopes(q.Get("scope"))
	switch {
	case len(unknown) > 0:
		return p, nil, &authError{0, "invalid_client", 650053, fmt.Sprintf("The application "+
			"'%s' asked for scope '%s' that doesn't exist on the resource '%s'. Contact the "+
			"app's vendor.", clientID, unknown[0], graphAppID)}
	case len(known) == 0:
		return p, nil, missingParam("scope")
	}
	p.scopes = known

	p.challenge, p.method = q.Get("code_challenge"), q.Get("code_challenge_method")
	if p.method == "" && p.challenge != "" {
		p.method = "plain"
	}
	if p.method != "" && (p.challenge == "" || (p.method != "S256" && p.method != "plain")) {
		return p, nil, &authError{0, "invalid_request", 9002313,
			"Invalid request. Request is malformed or invalid: code_challenge_method."}
	}
	return p, nil, nil
}

func missingParam(name string) *authError {
	return &authError{400, "invalid_request", 900144, fmt.Sprintf("The request body must "+
		"contain the following parameter: '%s'.", name)}
}

func unknownClient(clientID, tenant string) *authError {
	return &authError{400, "unauthorized_client", 700016, fmt.Sprintf("Application with "+
		"identifier '%s' was not found in the directory '%s'. This can happen if the "+
		"application has not been installed by the administrator of the tenant or consented "+
		"to by any user in the tenant.", clientID, tenant)}
}

func declined() *authError {
	return &authError{0, "access_denied", 65004, "User declined to consent to access the app."}
}

// answerSilently serves prompt=none: a code when everything asked for was granted before,
// otherwise consent_required, without showing a page.
func (s *Server) answerSilently(w http.ResponseWriter, r *http.Request, p *pendingConsent) {
	for _, sc := range p.scopes {
		if !s.granted(p.clientID, sc.Name) {
			http.Redirect(w, r, s.errorRedirect(p, &authError{0, "consent_required", 65001,
				fmt.Sprintf("The user or administrator has not consented to use the application "+
					"with ID '%s'. Send an interactive authorization request for this user and "+
					"resource.", p.clientID)}), http.StatusFound)
			return
		}
	}
	code := s.approve(p, nil)
	http.Redirect(w, r, s.codeRedirect(p, code), http.StatusFound)
}

// decide takes the user's answer from the consent page (POST AuthPath) and sends the
// browser back to the client with a code, or with error=access_denied.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, &authError{400, "invalid_request", 9002313, "The consent form could not be read."})
		return
	}
	p, ok := oauthsim.Take(&s.mu, s.consents, r.PostForm.Get("consent"))
	if !ok || s.now().After(p.expires) {
		writeErrorPage(w, &authError{400, "invalid_request", 9002313,
			"This sign-in request is unknown, used or expired. Start again from the app."})
		return
	}

	var ticked []requestedScope
	for _, sc := range p.scopes {
		if slices.Contains(r.PostForm["scope"], sc.Raw) {
			ticked = append(ticked, sc)
		}
	}
	decision := r.PostForm.Get("decision")
	if decision != "approve" || len(ticked) == 0 {
		s.log.Info("consent denied", "client_id", p.clientID, "decision", decision)
		http.Redirect(w, r, s.errorRedirect(p, declined()), http.StatusFound)
		return
	}
	code := s.approve(p, ticked)
	s.log.Info("consent approved", "client_id", p.clientID, "scopes", len(ticked))
	http.Redirect(w, r, s.codeRedirect(p, code), http.StatusFound)
}

func (s *Server) codeRedirect(p *pendingConsent, code string) string {
	return oauthsim.WithQuery(p.redirectURI, "code", code, "state", p.state,
		"session_state", guidFor("session:"+s.ids.oid+p.clientID))
}

// errorRedirect sends an error to the client the way Microsoft does: error,
// error_description with the trace lines, error_uri and state.
func (s *Server) errorRedirect(p *pendingConsent, e *authError) string {
	desc := aadDescription(e.code, e.desc, s.now())
	return oauthsim.WithQuery(p.redirectURI, "error", e.name, "error_description", desc,
		"error_uri", errorURI(e.code), "state", p.state)
}
