package microsoft

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

const (
	// codeLifetime is how long an authorization code can be redeemed.
	codeLifetime = 10 * time.Minute
	// accessLifetime is the sandbox's access token lifetime; Microsoft's vary between 60
	// and 90 minutes.
	accessLifetime = 75 * time.Minute
	// refreshLifetime is how long an unused refresh token lasts, as Microsoft's 90 days.
	refreshLifetime = 90 * 24 * time.Hour
)

// msgMalformedRequest is the identity platform's answer to a code or refresh token it
// never issued.
const msgMalformedRequest = "Invalid request. Request is malformed or invalid."

// grant is what the account consented to for one client: canonical scope names, each
// with the spelling it was last asked for.
type grant struct {
	scopes map[string]string
}

// authCode is an issued authorization code, single use.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	method      string
	nonce       string
	expires     time.Time
	redeemed    bool
}

// accessToken is an issued access token; its permissions are fixed at issue.
type accessToken struct {
	clientID string
	scopes   []string // canonical names
	expires  time.Time
}

// refreshToken is an issued refresh token. It stands for its client's whole consent.
type refreshToken struct {
	clientID string
	expires  time.Time
}

// tokenResponse is the token endpoint's JSON answer, in Microsoft's field order.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// approve records the user's consent to ticked (nil when nothing new was asked) and issues
// an authorization code. Tokens from the code carry everything the client was ever
// granted: Microsoft issues them for the resource, not for the request.
func (s *Server) approve(p *pendingConsent, ticked []requestedScope) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[p.clientID]
	if g == nil {
		g = &grant{scopes: make(map[string]string)}
		s.grants[p.clientID] = g
	}
	for _, sc := range ticked {
		g.scopes[sc.Name] = sc.Spelling
	}
	prefix := "0.A"
	if s.personal {
		prefix = "M.C5"
	}
	code := randomToken(prefix, 96)
	s.codes[code] = &authCode{
		clientID: p.clientID, redirectURI: p.redirectURI, challenge: p.challenge,
		method: p.method, nonce: p.nonce, expires: s.now().Add(codeLifetime),
	}
	return code
}

// granted reports whether the account consented to scope for the client.
func (s *Server) granted(clientID, scope string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.grants[clientID]
	_, ok := g.lookup(scope)
	return ok
}

func (g *grant) lookup(scope string) (string, bool) {
	if g == nil {
		return "", false
	}
	sp, ok := g.scopes[scope]
	return sp, ok
}

// token serves the token endpoint (POST TokenPath): the authorization_code and
// refresh_token grants, with the client's secret in the form or in HTTP Basic.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.writeOAuthError(w, 400, "invalid_request", 9002313, msgMalformedRequest)
		return
	}
	form := r.PostForm
	if !s.ids.knowsTenant(r.PathValue("tenant"), s.personal) {
		s.writeOAuthError(w, 400, "invalid_request", 90002, fmt.Sprintf("Tenant '%s' not found.",
			r.PathValue("tenant")))
		return
	}
	grantType := form.Get("grant_type")
	switch grantType {
	case "authorization_code", "refresh_token":
	case "":
		s.writeMissing(w, "grant_type")
		return
	default:
		s.writeOAuthError(w, 400, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", grantType))
		return
	}
	client, ok := s.authenticateClient(w, r)
	if !ok {
		return
	}
	if grantType == "authorization_code" {
		s.redeemCode(w, client, form)
		return
	}
	s.refreshAccess(w, client, form)
}

// authenticateClient checks the client's credentials and answers the request itself when
// they fail.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request) (Client, bool) {
	id, secret := oauthsim.ClientCredentials(r, r.PostForm)
	if id == "" {
		s.writeMissing(w, "client_id")
		return Client{}, false
	}
	client, known := s.clients[id]
	if !known {
		e := unknownClient(id, s.ids.tenantID)
		s.writeOAuthError(w, 400, e.name, e.code, e.desc)
		return Client{}, false
	}
	if client.Secret == "" {
		return client, true
	}
	if secret == "" {
		s.writeOAuthError(w, 401, "invalid_client", 7000218, "The request body must contain "+
			"the following parameter: 'client_assertion' or 'client_secret'.")
		return Client{}, false
	}
	if !oauthsim.SecretMatches(secret, client.Secret) {
		s.log.Info("token request refused", "client_id", id, "error", "invalid_client")
		s.writeOAuthError(w, 401, "invalid_client", 7000215, fmt.Sprintf("Invalid client "+
			"secret provided. Ensure the secret being sent in the request is the client secret "+
			"value, not the client secret ID, for a secret added to app '%s'.", id))
		return Client{}, false
	}
	return client, true
}

// redeemCode serves grant_type=authorization_code.
func (s *Server) redeemCode(w http.ResponseWriter, client Client, form url.Values) {
	code := form.Get("code")
	if code == "" {
		s.writeMissing(w, "code")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	switch {
	case !ok:
		s.writeOAuthError(w, 400, "invalid_grant", 9002313, msgMalformedRequest)
		return
	case c.redeemed:
		s.writeOAuthError(w, 400, "invalid_grant", 54005, "OAuth2 Authorization code was "+
			"already redeemed, please retry with a new valid code or use an existing refresh token.")
		return
	case s.now().After(c.expires):
		s.writeOAuthError(w, 400, "invalid_grant", 70008, "The provided authorization code "+
			"or refresh token has expired due to inactivity. Send a new interactive "+
			"authorization request for this user and resource.")
		return
	case c.clientID != client.ID:
		s.writeOAuthError(w, 400, "invalid_grant", 70000,
			"The provided value for the 'code' parameter is not valid.")
		return
	case form.Get("redirect_uri") != c.redirectURI:
		s.writeOAuthError(w, 400, "invalid_grant", 70000, "The provided value for the "+
			"'redirect_uri' is not valid. The value must exactly match the redirect URI used to "+
			"obtain the authorization code.")
		return
	case c.challenge != "" && !pkceMatches(c, form.Get("code_verifier")):
		s.log.Info("code redemption refused", "client_id", client.ID, "error", "pkce")
		s.writeOAuthError(w, 400, "invalid_grant", 50148, "The code_verifier does not match "+
			"the code_challenge supplied in the authorization request for PKCE.")
		return
	}
	c.redeemed = true
	g := s.grants[client.ID]
	if g == nil {
		s.writeConsentRequired(w, client.ID)
		return
	}
	resp := s.issueLocked(client.ID, g, c.nonce)
	s.log.Info("tokens issued", "client_id", client.ID, "refresh_token", resp.RefreshToken != "")
	writeJSON(w, 200, resp)
}

func pkceMatches(c *authCode, verifier string) bool {
	if verifier == "" {
		return false
	}
	if c.method == "plain" {
		return subtle.ConstantTimeCompare([]byte(verifier), []byte(c.challenge)) == 1
	}
	return oauthsim.S256(verifier) == c.challenge
}

// refreshAccess serves grant_type=refresh_token. The new tokens carry the client's whole
// current consent; a scope parameter may only name permissions already granted. Like
// Microsoft, the sandbox rotates refresh tokens and leaves the old one valid.
func (s *Server) refreshAccess(w http.ResponseWriter, client Client, form url.Values) {
	rt := form.Get("refresh_token")
	if rt == "" {
		s.writeMissing(w, "refresh_token")
		return
	}
	known, unknown := s.parseScopes(form.Get("scope"))

	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[rt]
	switch {
	case !ok || t.clientID != client.ID:
		s.writeOAuthError(w, 400, "invalid_grant", 9002313, msgMalformedRequest)
		return
	case s.now().After(t.expires):
		s.writeOAuthError(w, 400, "invalid_grant", 700082, "The refresh token has expired "+
			"due to inactivity.")
		return
	case len(unknown) > 0:
		s.writeOAuthError(w, 400, "invalid_scope", 70011, fmt.Sprintf("The provided value "+
			"for the input parameter 'scope' is not valid. The scope %s is not valid.", unknown[0]))
		return
	}
	g := s.grants[client.ID]
	for _, sc := range known {
		if _, ok := g.lookup(sc.Name); !ok {
			g = nil
		}
	}
	if g == nil {
		s.writeConsentRequired(w, client.ID)
		return
	}
	writeJSON(w, 200, s.issueLocked(client.ID, g, ""))
}

func (s *Server) writeConsentRequired(w http.ResponseWriter, clientID string) {
	s.writeOAuthError(w, 400, "invalid_grant", 65001, fmt.Sprintf("The user or administrator "+
		"has not consented to use the application with ID '%s'. Send an interactive "+
		"authorization request for this user and resource.", clientID))
}

// issueLocked creates an access token for the client's consent, a refresh token when
// offline_access was granted, and an ID token when openid was. The caller holds s.mu.
func (s *Server) issueLocked(clientID string, g *grant, nonce string) tokenResponse {
	now := s.now()
	s.purgeLocked(now)
	names := slices.Sorted(maps.Keys(g.scopes))
	var graphScopes []string
	for _, n := range names {
		if !isIdentity(n) {
			graphScopes = append(graphScopes, n)
		}
	}
	exp := now.Add(accessLifetime)
	at := s.accessTokenJWT(clientID, graphScopes, now, exp)
	s.access[at] = &accessToken{clientID: clientID, scopes: names, expires: exp}

	resp := tokenResponse{
		TokenType: "Bearer", Scope: reportScopes(g), AccessToken: at,
		ExpiresIn: int(accessLifetime / time.Second), ExtExpiresIn: int(accessLifetime / time.Second),
	}
	if _, ok := g.scopes[scopeOffline]; ok {
		resp.RefreshToken = randomToken("1.AQ", 192)
		s.refresh[resp.RefreshToken] = &refreshToken{clientID: clientID, expires: now.Add(refreshLifetime)}
	}
	if _, ok := g.scopes[scopeOpenID]; ok {
		resp.IDToken = s.idTokenJWT(clientID, nonce, now)
	}
	return resp
}

// reportScopes renders a consent the way the token endpoint reports it: the OpenID scopes
// bare ("openid profile email" once openid was granted; offline_access is shown by the
// refresh token instead), then each Graph permission with the resource prefix in the
// spelling it was asked for.
func reportScopes(g *grant) string {
	var out []string
	if _, ok := g.scopes[scopeOpenID]; ok {
		out = append(out, scopeOpenID, scopeProfile, scopeEmail)
	}
	for _, n := range slices.Sorted(maps.Keys(g.scopes)) {
		if !isIdentity(n) {
			out = append(out, graphResource+g.scopes[n])
		}
	}
	return strings.Join(out, " ")
}

// purgeLocked forgets expired consents, codes, access tokens and downloads, so that a long
// demo does not grow without bound. The caller holds s.mu.
func (s *Server) purgeLocked(now time.Time) {
	maps.DeleteFunc(s.consents, func(_ string, p *pendingConsent) bool { return now.After(p.expires) })
	maps.DeleteFunc(s.codes, func(_ string, c *authCode) bool { return now.After(c.expires) })
	// Expired access tokens are kept a while, so that Graph can say they expired.
	maps.DeleteFunc(s.access, func(_ string, t *accessToken) bool {
		return now.After(t.expires.Add(time.Hour))
	})
	maps.DeleteFunc(s.downloads, func(_ string, d *download) bool { return now.After(d.expires) })
}

// writeJSON writes v as JSON with caching disabled.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
