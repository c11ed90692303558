package google

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

const (
	// codeLifetime is how long an authorization code can be exchanged.
	codeLifetime = 5 * time.Minute
	// accessLifetime is Google's access token lifetime; responses say expires_in 3599.
	accessLifetime = 3599 * time.Second
)

// grant is what the one sandbox account has granted one client. Google remembers it per
// client and account until the user or the client revokes it.
type grant struct {
	scopes        []string // sorted
	refreshIssued bool     // a refresh token was issued since the grant began
}

// authCode is an issued authorization code, single use.
type authCode struct {
	clientID     string
	redirectURI  string
	challenge    string
	scopes       []string
	offline      bool
	forceConsent bool
	nonce        string
	expires      time.Time
}

// accessToken is an issued bearer token; its scopes are fixed at issue.
type accessToken struct {
	clientID string
	scopes   []string
	expires  time.Time
}

// refreshToken is an issued refresh token. It stands for its client's whole current grant.
type refreshToken struct {
	clientID string
}

// tokenResponse is the token endpoint's JSON answer, in Google's field order.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token,omitempty"`
}

// oauthError is the OAuth error body of the token, revocation and userinfo endpoints.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// approve records the user's consent and issues the authorization code. The code carries
// the ticked scopes plus, with include_granted_scopes=true, everything granted before.
func (s *Server) approve(p *pendingConsent, ticked []string) (string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[p.clientID]
	if g == nil {
		g = &grant{}
		s.grants[p.clientID] = g
	}
	granted := union(ticked, nil)
	if p.includeGranted {
		granted = union(granted, g.scopes)
	}
	g.scopes = union(g.scopes, ticked)

	code := randomToken("4/0A")
	s.codes[code] = &authCode{
		clientID:     p.clientID,
		redirectURI:  p.redirectURI,
		challenge:    p.challenge,
		scopes:       granted,
		offline:      p.offline,
		forceConsent: p.forceConsent,
		nonce:        p.nonce,
		expires:      s.now().Add(codeLifetime),
	}
	return code, granted
}

// token serves the token endpoint (POST TokenPath): the authorization_code and
// refresh_token grants, with client authentication by form fields or HTTP Basic.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, 400, "invalid_request", "Bad Request")
		return
	}
	form := r.PostForm
	grantType := form.Get("grant_type")
	if grantType != "authorization_code" && grantType != "refresh_token" {
		writeOAuthError(w, 400, "unsupported_grant_type", "Invalid grant_type: "+grantType)
		return
	}
	client, ok := s.authenticateClient(w, r)
	if !ok {
		return
	}
	if grantType == "authorization_code" {
		s.exchangeCode(w, client, form)
		return
	}
	s.refreshAccess(w, client, form)
}

// authenticateClient checks the client's credentials and answers the request itself when
// they fail.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request) (Client, bool) {
	id, secret := oauthsim.ClientCredentials(r, r.PostForm)
	if id == "" {
		writeOAuthError(w, 400, "invalid_request", "Could not determine client ID from request.")
		return Client{}, false
	}
	client, known := s.clients[id]
	if !known {
		writeOAuthError(w, 401, "invalid_client", "The OAuth client was not found.")
		return Client{}, false
	}
	if client.Secret == "" {
		return client, true
	}
	if secret == "" {
		writeOAuthError(w, 400, "invalid_request", "client_secret is missing.")
		return Client{}, false
	}
	if !oauthsim.SecretMatches(secret, client.Secret) {
		s.log.Info("token request refused", "client_id", id, "error", "invalid_client")
		writeOAuthError(w, 401, "invalid_client", "Unauthorized")
		return Client{}, false
	}
	return client, true
}

// exchangeCode serves grant_type=authorization_code.
func (s *Server) exchangeCode(w http.ResponseWriter, client Client, form url.Values) {
	code := form.Get("code")
	if code == "" {
		writeOAuthError(w, 400, "invalid_request", "Missing required parameter: code")
		return
	}
	if !strings.HasPrefix(code, "4/") {
		writeOAuthError(w, 400, "invalid_grant", "Malformed auth code.")
		return
	}
	redirectURI := form.Get("redirect_uri")
	if redirectURI == "" {
		writeOAuthError(w, 400, "invalid_request", "Missing parameter: redirect_uri")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok || c.clientID != client.ID || s.now().After(c.expires) {
		s.log.Info("code exchange refused", "client_id", client.ID, "error", "invalid_grant")
		writeOAuthError(w, 400, "invalid_grant", "Bad Request")
		return
	}
	if redirectURI != c.redirectURI {
		writeOAuthError(w, 400, "redirect_uri_mismatch", "Bad Request")
		return
	}
	if c.challenge != "" {
		verifier := form.Get("code_verifier")
		if verifier == "" {
			writeOAuthError(w, 400, "invalid_grant", "Missing code verifier.")
			return
		}
		if oauthsim.S256(verifier) != c.challenge {
			s.log.Info("code exchange refused", "client_id", client.ID, "error", "pkce")
			writeOAuthError(w, 400, "invalid_grant", "Invalid code verifier.")
			return
		}
	}
	g := s.grants[client.ID]
	if g == nil {
		// The grant was revoked after the code was issued.
		writeOAuthError(w, 400, "invalid_grant", "Bad Request")
		return
	}
	delete(s.codes, code)

	withRefresh := c.offline && (!g.refreshIssued || c.forceConsent)
	resp := s.issueLocked(client.ID, c.scopes, c.nonce, withRefresh)
	s.log.Info("tokens issued", "client_id", client.ID, "scopes", resp.Scope,
		"refresh_token", resp.RefreshToken != "")
	writeJSON(w, 200, resp)
}

// refreshAccess serves grant_type=refresh_token. The new access token carries the client's
// current grant; no new refresh token is issued.
func (s *Server) refreshAccess(w http.ResponseWriter, client Client, form url.Values) {
	rt := form.Get("refresh_token")
	if rt == "" {
		writeOAuthError(w, 400, "invalid_request", "Missing required parameter: refresh_token")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[rt]
	g := s.grants[client.ID]
	if !ok || g == nil {
		writeOAuthError(w, 400, "invalid_grant", "Token has been expired or revoked.")
		return
	}
	if t.clientID != client.ID {
		writeOAuthError(w, 400, "invalid_grant", "Bad Request")
		return
	}
	writeJSON(w, 200, s.issueLocked(client.ID, g.scopes, "", false))
}

// issueLocked creates an access token, and a refresh token when asked, for a client. The
// caller holds s.mu.
func (s *Server) issueLocked(clientID string, scopes []string, nonce string,
	withRefresh bool) tokenResponse {
	now := s.now()
	s.purgeLocked(now)
	at := randomToken("ya29.a0")
	s.access[at] = &accessToken{
		clientID: clientID, scopes: scopes, expires: now.Add(accessLifetime),
	}
	resp := tokenResponse{
		AccessToken: at,
		ExpiresIn:   int(accessLifetime / time.Second),
		Scope:       joinScopes(scopes),
		TokenType:   "Bearer",
	}
	if withRefresh {
		resp.RefreshToken = randomToken("1//0")
		s.refresh[resp.RefreshToken] = &refreshToken{clientID: clientID}
		s.grants[clientID].refreshIssued = true
	}
	if slices.Contains(scopes, scopeOpenID) {
		resp.IDToken = s.idToken(idTokenInput{
			clientID: clientID, accessToken: at, scopes: scopes, nonce: nonce, now: now,
		})
	}
	return resp
}

// revoke serves the revocation endpoint (POST RevokePath). Revoking either an access or a
// refresh token ends the whole grant: every token of that client for the account.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	tok := r.FormValue("token")
	if tok == "" {
		writeOAuthError(w, 400, "invalid_request", "Bad Request")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var clientID string
	if t, ok := s.refresh[tok]; ok {
		clientID = t.clientID
	} else if t, ok := s.access[tok]; ok && s.now().Before(t.expires) {
		clientID = t.clientID
	} else {
		writeOAuthError(w, 400, "invalid_token", "Token expired or revoked")
		return
	}
	delete(s.grants, clientID)
	for k, t := range s.refresh {
		if t.clientID == clientID {
			delete(s.refresh, k)
		}
	}
	for k, t := range s.access {
		if t.clientID == clientID {
			delete(s.access, k)
		}
	}
	s.log.Info("grant revoked", "client_id", clientID)
	w.WriteHeader(http.StatusOK)
}

// purgeLocked forgets expired consents, codes and access tokens, so that a long demo does
// not grow without bound. The caller holds s.mu.
func (s *Server) purgeLocked(now time.Time) {
	maps.DeleteFunc(s.consents, func(_ string, p *pendingConsent) bool {
		return now.After(p.expires)
	})
	maps.DeleteFunc(s.codes, func(_ string, c *authCode) bool { return now.After(c.expires) })
	maps.DeleteFunc(s.access, func(_ string, t *accessToken) bool {
		return !now.Before(t.expires)
	})
}

func writeOAuthError(w http.ResponseWriter, status int, name, desc string) {
	writeJSON(w, status, oauthError{Error: name, Description: desc})
}

// writeJSON writes v indented as Google's endpoints do, with caching disabled.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "encoding response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
