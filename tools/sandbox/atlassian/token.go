package atlassian

import (
	"encoding/json"
	"io"
	"maps"
	"mime"
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
	// accessLifetime is Atlassian's access token lifetime: expires_in 3600.
	accessLifetime = time.Hour
	// refreshIdle is how long an unused rotating refresh token stays valid (90 days).
	refreshIdle = 90 * 24 * time.Hour
)

// offlineAccess is the scope that makes Atlassian issue refresh tokens.
const offlineAccess = "offline_access"

// authCode is an issued authorization code, single use.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	scopes      []string // sorted
	expires     time.Time
}

// accessToken is an issued bearer token; its scopes are fixed at issue.
type accessToken struct {
	clientID string
	scopes   []string
	expires  time.Time
}

// refreshToken is a rotating refresh token: using it disables it and issues its successor,
// which carries the same scopes.
type refreshToken struct {
	clientID string
	scopes   []string
	issued   time.Time
}

// tokenResponse is the token endpoint's JSON answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
}

// oauthError is the token endpoint's error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// issueCode records the user's consent and issues the authorization code. Atlassian has
// no incremental consent: the code, and every token from it, carries exactly the scopes
// approved on this consent page.
func (s *Server) issueCode(p *pendingConsent, ticked []string) string {
	scopes := slices.Clone(ticked)
	slices.Sort(scopes)
	code := randomToken("")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = &authCode{clientID: p.clientID, redirectURI: p.redirectURI,
		challenge: p.challenge, scopes: scopes, expires: s.now().Add(codeLifetime)}
	return code
}

// token serves the token endpoint (POST TokenPath): the authorization_code and
// refresh_token grants, with a JSON or form body, as Atlassian accepts both.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	params, ok := tokenParams(r)
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	grantType := params.Get("grant_type")
	if grantType != "authorization_code" && grantType != "refresh_token" {
		writeOAuthError(w, http.StatusForbidden, "unsupported_grant_type",
			"Unsupported grant type: "+grantType)
		return
	}
	client, ok := s.authenticateClient(r, params)
	if !ok {
		writeOAuthError(w, http.StatusUnauthorized, "access_denied", "Unauthorized")
		return
	}
	if grantType == "authorization_code" {
		s.exchangeCode(w, client, params)
		return
	}
	s.rotateRefresh(w, client, params)
}

// tokenParams reads the request body: JSON as Atlassian documents it, or a form, as OAuth
// libraries send it.
func tokenParams(r *http.Request) (url.Values, bool) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, false
		}
		return r.PostForm, true
	}
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		return nil, false
	}
	v := url.Values{}
	for k, val := range body {
		if str, ok := val.(string); ok {
			v.Set(k, str)
		}
	}
	return v, true
}

// authenticateClient checks the client's credentials, from the body or HTTP Basic.
func (s *Server) authenticateClient(r *http.Request, params url.Values) (Client, bool) {
	id, secret := oauthsim.ClientCredentials(r, params)
	client, known := s.clients[id]
	if !known || secret == "" ||
		!oauthsim.SecretMatches(secret, client.Secret) {
		s.log.Info("token request refused", "client_id", id, "error", "access_denied")
		return Client{}, false
	}
	return client, true
}

// exchangeCode serves grant_type=authorization_code.
func (s *Server) exchangeCode(w http.ResponseWriter, client Client, params url.Values) {
	code := params.Get("code")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok || c.clientID != client.ID || s.now().After(c.expires) {
		s.log.Info("code exchange refused", "client_id", client.ID, "error", "invalid_grant")
		writeOAuthError(w, http.StatusForbidden, "invalid_grant", "Invalid authorization code")
		return
	}
	if params.Get("redirect_uri") != c.redirectURI {
		writeOAuthError(w, http.StatusForbidden, "invalid_grant",
			"The redirect_uri does not match the one the authorization code was issued for")
		return
	}
	if c.challenge != "" {
		if oauthsim.S256(params.Get("code_verifier")) != c.challenge {
			s.log.Info("code exchange refused", "client_id", client.ID, "error", "pkce")
			writeOAuthError(w, http.StatusForbidden, "invalid_grant", "Failed to verify code verifier")
			return
		}
	}
	delete(s.codes, code)

	resp := s.issueLocked(client.ID, c.scopes)
	s.log.Info("tokens issued", "client_id", client.ID, "scopes", resp.Scope,
		"refresh_token", resp.RefreshToken != "")
	writeJSON(w, http.StatusOK, resp)
}

// rotateRefresh serves grant_type=refresh_token: the refresh token is disabled and a new
// one is issued with the new access token, both with the scopes of the original consent.
func (s *Server) rotateRefresh(w http.ResponseWriter, client Client, params url.Values) {
	rt := params.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[rt]
	if !ok || t.clientID != client.ID || s.now().Sub(t.issued) > refreshIdle {
		s.log.Info("refresh refused", "client_id", client.ID, "error", "invalid_grant")
		writeOAuthError(w, http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token.")
		return
	}
	delete(s.refresh, rt)
	resp := s.issueLocked(client.ID, t.scopes)
	s.log.Info("refresh token rotated", "client_id", client.ID)
	writeJSON(w, http.StatusOK, resp)
}

// issueLocked creates an access token, and a refresh token when the scopes hold
// offline_access. The caller holds s.mu.
func (s *Server) issueLocked(clientID string, scopes []string) tokenResponse {
	now := s.now()
	s.purgeLocked(now)
	at := randomToken("sandbox-at-")
	s.access[at] = &accessToken{clientID: clientID, scopes: scopes, expires: now.Add(accessLifetime)}
	resp := tokenResponse{
		AccessToken: at,
		ExpiresIn:   int(accessLifetime / time.Second),
		Scope:       strings.Join(scopes, " "),
		TokenType:   "Bearer",
	}
	if slices.Contains(scopes, offlineAccess) {
		resp.RefreshToken = randomToken("sandbox-rt-")
		s.refresh[resp.RefreshToken] = &refreshToken{clientID: clientID, scopes: scopes, issued: now}
	}
	return resp
}

// lookupAccess finds the unexpired access token of a request's Authorization header.
func (s *Server) lookupAccess(r *http.Request) (accessToken, bool) {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return accessToken{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.access[strings.TrimSpace(tok)]
	if !ok || !s.now().Before(t.expires) {
		return accessToken{}, false
	}
	return *t, true
}

// purgeLocked forgets expired consents, codes, access tokens and refresh tokens, so that a
// long demo does not grow without bound. The caller holds s.mu.
func (s *Server) purgeLocked(now time.Time) {
	maps.DeleteFunc(s.consents, func(_ string, p *pendingConsent) bool { return now.After(p.expires) })
	maps.DeleteFunc(s.codes, func(_ string, c *authCode) bool { return now.After(c.expires) })
	maps.DeleteFunc(s.access, func(_ string, t *accessToken) bool { return !now.Before(t.expires) })
	maps.DeleteFunc(s.refresh, func(_ string, t *refreshToken) bool {
		return now.Sub(t.issued) > refreshIdle
	})
}

func writeOAuthError(w http.ResponseWriter, status int, name, desc string) {
	writeJSON(w, status, oauthError{Error: name, Description: desc})
}

// writeJSON writes v as JSON with caching disabled.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
