package google

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// issuer is the iss claim of Google's ID tokens.
const issuer = "https://accounts.google.com"

// wwwAuthRealm opens every WWW-Authenticate challenge Google sends.
const wwwAuthRealm = `Bearer realm="https://accounts.google.com/"`

// subjectFor derives the account's stable sub claim: like Google's, 21 decimal digits.
func subjectFor(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return fmt.Sprintf("1%020d", binary.BigEndian.Uint64(sum[:8])%100_000_000_000_000_000)
}

// displayName makes a name from an address's local part: "demo.user" gives "Demo User".
func displayName(email string) (given, family string) {
	local, words := oauthsim.NameWords(email)
	if len(words) == 0 {
		return local, ""
	}
	return words[0], strings.Join(words[1:], " ")
}

// tokenProblem says why a bearer token was not accepted.
type tokenProblem int

const (
	tokenOK tokenProblem = iota
	tokenMissing
	tokenInvalid
	tokenExpired
)

// lookupAccess finds the access token of a request's Authorization header.
func (s *Server) lookupAccess(r *http.Request) (accessToken, tokenProblem) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return accessToken{}, tokenMissing
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return accessToken{}, tokenInvalid
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.access[strings.TrimSpace(tok)]
	switch {
	case !ok:
		return accessToken{}, tokenInvalid
	case !s.now().Before(t.expires):
		return accessToken{}, tokenExpired
	}
	return *t, tokenOK
}

// userinfoResponse is the userinfo endpoint's answer; the fields present depend on the
// token's scopes.
type userinfoResponse struct {
	Sub           string `json:"sub"`
	Name          string `json:"name,omitempty"`
	GivenName     string `json:"given_name,omitempty"`
	FamilyName    string `json:"family_name,omitempty"`
	Picture       string `json:"picture,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
}

// userinfo serves the OpenID Connect userinfo endpoint (GET or POST UserinfoPath).
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	t, problem := s.lookupAccess(r)
	if problem != tokenOK {
		w.Header().Set("WWW-Authenticate", wwwAuthRealm+`, error="invalid_token"`)
		writeOAuthError(w, 401, "invalid_request", "Invalid Credentials")
		return
	}
	writeJSON(w, 200, s.claims(t.scopes))
}

// claims returns what the account discloses under the given scopes.
func (s *Server) claims(scopes []string) userinfoResponse {
	u := userinfoResponse{Sub: s.sub}
	if slices.Contains(scopes, scopeProfile) {
		u.GivenName, u.FamilyName = displayName(s.account)
		u.Name = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
		u.Picture = "https://lh3.googleusercontent.com/a/sandbox=s96-c"
	}
	if slices.Contains(scopes, scopeEmail) {
		u.Email, u.EmailVerified = s.account, true
	}
	return u
}

// idTokenInput is what an ID token is made from.
type idTokenInput struct {
	clientID, accessToken, nonce string
	scopes                       []string
	now                          time.Time
}

// idToken returns a JWT-shaped ID token with Google's claims. Its signature is random bytes:
// the sandbox publishes no keys, so it cannot be verified.
func (s *Server) idToken(in idTokenInput) string {
	header := map[string]string{"alg": "RS256", "kid": "sandbox", "typ": "JWT"}
	u := s.claims(in.scopes)
	sum := sha256.Sum256([]byte(in.accessToken))
	claims := struct {
		Iss           string `json:"iss"`
		Azp           string `json:"azp"`
		Aud           string `json:"aud"`
		Sub           string `json:"sub"`
		Email         string `json:"email,omitempty"`
		EmailVerified bool   `json:"email_verified,omitempty"`
		AtHash        string `json:"at_hash"`
		Nonce         string `json:"nonce,omitempty"`
		Name          string `json:"name,omitempty"`
		Picture       string `json:"picture,omitempty"`
		GivenName     string `json:"given_name,omitempty"`
		FamilyName    string `json:"family_name,omitempty"`
		Iat           int64  `json:"iat"`
		Exp           int64  `json:"exp"`
	}{
		Iss: issuer, Azp: in.clientID, Aud: in.clientID, Sub: u.Sub,
		Email: u.Email, EmailVerified: u.EmailVerified,
		AtHash: base64.RawURLEncoding.EncodeToString(sum[:16]), Nonce: in.nonce,
		Name: u.Name, Picture: u.Picture, GivenName: u.GivenName, FamilyName: u.FamilyName,
		Iat: in.now.Unix(), Exp: in.now.Add(time.Hour).Unix(),
	}
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	return segment(header) + "." + segment(claims) + "." +
		base64.RawURLEncoding.EncodeToString(sig)
}

func segment(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}
