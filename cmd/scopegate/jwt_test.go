package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// testIssuer is an authorization server as far as scopegate sees one: an
// OpenID Connect discovery document and a key set, with keys that can be
// added (a rotation) or made unreadable (an outage).
type testIssuer struct {
	srv *httptest.Server

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	broken    bool
	keyFetchs int
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	iss := &testIssuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		iss.mu.Lock()
		broken := iss.broken
		iss.mu.Unlock()
		if broken {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                iss.srv.URL,
			"jwks_uri":                              iss.srv.URL + "/keys",
			"authorization_endpoint":                iss.srv.URL + "/authorize",
			"token_endpoint":                        iss.srv.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		iss.mu.Lock()
		defer iss.mu.Unlock()
		iss.keyFetchs++
		if iss.broken {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: iss.keys})
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

// signingKey is a private key and the id it is published under.
type signingKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

func newRSAKey(t *testing.T, id string) signingKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{id, jose.RS256, k}
}

func newECKey(t *testing.T, id string) signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{id, jose.ES256, k}
}

// publish adds k's public key to the issuer's key set.
func (iss *testIssuer) publish(k signingKey) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys = append(iss.keys, jose.JSONWebKey{Key: k.key.Public(), KeyID: k.id, Algorithm: string(k.alg), Use: "sig"})
}

func (iss *testIssuer) fetches() int {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.keyFetchs
}

func (iss *testIssuer) setBroken(broken bool) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.broken = broken
}

// sign returns a compact JWS of claims made with k.
func sign(t *testing.T, k signingKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader(jose.HeaderKey("kid"), k.id))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unsignedToken returns a token with the given header and claims and a
// signature computed by mac, or none when mac is nil: the shapes of
// forged tokens.
func unsignedToken(header, claims map[string]any, mac func([]byte) []byte) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	sig := ""
	if mac != nil {
		sig = base64.RawURLEncoding.EncodeToString(mac([]byte(input)))
	}
	return input + "." + sig
}

const testAudience = "https://scopegate.example/mcp"

func (iss *testIssuer) claims(sub string, mods ...func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": iss.srv.URL, "aud": testAudience, "sub": sub,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"email": sub + "@example.com",
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func TestJWTAuthentication(t *testing.T) {
	iss := newTestIssuer(t)
	rsaKey, ecKey := newRSAKey(t, "rsa-1"), newECKey(t, "ec-1")
	iss.publish(rsaKey)
	iss.publish(ecKey)
	stranger := newRSAKey(t, "rsa-1") // same key id, never published

	cfg := &Config{}
	cfg.Auth.JWT = JWTConfig{Issuer: iss.srv.URL, Audience: testAudience}
	cfg.Auth.APIKeys = []APIKeyConfig{{"carol", hashAPIKey("sg_carol")}}
	c, err := newCallers(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("newCallers: %v", err)
	}
	const metadata = "https://scopegate.example/.well-known/oauth-protected-resource"
	var logs strings.Builder
	h := c.authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, callerFrom(r))
	}), metadata, slog.New(slog.NewTextHandler(&logs, nil)))

	rsaPub := x509.MarshalPKCS1PublicKey(&rsaKey.key.(*rsa.PrivateKey).PublicKey)
	hs256 := func(input []byte) []byte {
		m := hmac.New(sha256.New, rsaPub)
		m.Write(input)
		return m.Sum(nil)
	}
	valid := iss.claims("alice")
	tests := []struct {
		name, token string
		status      int
		body        string // the identifier, or a part of the error description
	}{
		{"RS256", sign(t, rsaKey, valid), 200, "alice"},
		{"ES256", sign(t, ecKey, iss.claims("bob")), 200, "bob"},
		{"audience in a list", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) {
			c["aud"] = []string{"https://other.example", testAudience}
		})), 200, "alice"},
		{"API key beside JWTs", "sg_carol", 200, "carol"},
		{"unknown API key", "sg_dave", 401, "API key is not valid"},
		{"expired", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) {
			c["exp"] = time.Now().Add(-time.Minute).Unix()
		})), 401, "expired"},
		{"no expiry", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) { delete(c, "exp") })), 401, "lacks a claim"},
		{"no audience", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) { delete(c, "aud") })), 401, "lacks a claim"},
		{"not yet valid", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) {
			c["nbf"] = time.Now().Add(time.Hour).Unix()
		})), 401, "not valid yet"},
		{"other audience", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) {
			c["aud"] = "https://other.example"
		})), 401, "audience"},
		{"other issuer", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) {
			c["iss"] = "https://evil.example"
		})), 401, "another issuer"},
		{"unpublished key, published kid", sign(t, stranger, valid), 401, "signature"},
		{"alg naming an error", unsignedToken(map[string]any{"alg": "fetching keys", "kid": "rsa-1"}, valid,
			func([]byte) []byte { return []byte("x") }), 401, "signature"},
		{"alg none", unsignedToken(map[string]any{"alg": "none", "typ": "JWT"}, valid, nil), 401, "signature"},
		{"HS256 with the public key as secret", unsignedToken(map[string]any{"alg": "HS256", "kid": "rsa-1"},
			valid, hs256), 401, "signature"},
		{"tampered claims", func() string {
			parts := strings.Split(sign(t, rsaKey, iss.claims("bob")), ".")
			forged := strings.Split(unsignedToken(map[string]any{}, valid, nil), ".")
			return parts[0] + "." + forged[1] + "." + parts[2]
		}(), 401, "signature"},
		{"no sub", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) { delete(c, "sub") })), 401, `no string claim`},
		{"numeric sub", sign(t, rsaKey, iss.claims("alice", func(c map[string]any) { c["sub"] = 42 })), 401, `no string claim`},
		{"not a JWT", "opaque-token", 401, "neither an API key nor a JWT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			req.Header.Set("Authorization", "Bearer "+tt.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != tt.status || !strings.Contains(body, tt.body) {
				t.Fatalf("status %d body %q, want %d with %q", rec.Code, body, tt.status, tt.body)
			}
			if tt.status == 401 {
				want := `Bearer resource_metadata="` + metadata + `", error="invalid_token"`
				if got := rec.Header().Get("WWW-Authenticate"); got != want {
					t.Errorf("WWW-Authenticate = %q, want %q", got, want)
				}
			} else if body != tt.body {
				t.Errorf("identifier = %q, want %q", body, tt.body)
			}
		})
	}
	if strings.Contains(logs.String(), sign(t, rsaKey, valid)[:20]) || strings.Contains(logs.String(), "sg_") {
		t.Errorf("the log holds a token:\n%s", logs.String())
	}

	t.Run("rotated key", func(t *testing.T) {
		next := newECKey(t, "ec-2")
		token := sign(t, next, iss.claims("erin"))
		iss.publish(next)
		if id, err := c.jwt.identify(context.Background(), token); err != nil || id != "erin" {
			t.Errorf("token signed with a newly published key: %q, %v, want erin", id, err)
		}
	})
	t.Run("junk key ids fetch the key set rarely", func(t *testing.T) {
		before := iss.fetches()
		for i := range 20 {
			req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			req.Header.Set("Authorization", "Bearer "+sign(t, newECKey(t, fmt.Sprintf("junk-%d", i)), iss.claims("alice")))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "does not publish") {
				t.Fatalf("token with an unknown key id: status %d %s, want 401", rec.Code, rec.Body)
			}
		}
		if n := iss.fetches() - before; n > 1 {
			t.Errorf("20 tokens with unknown key ids fetched the key set %d times, want at most 1", n)
		}
	})
	t.Run("two Authorization headers", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		req.Header.Add("Authorization", "Bearer "+sign(t, rsaKey, valid))
		req.Header.Add("Authorization", "Bearer sg_carol")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "several Authorization headers") {
			t.Errorf("two Authorization headers: status %d %s, want 400", rec.Code, rec.Body)
		}
	})
}

// TestJWTIssuerDown: an issuer that cannot be read at start-up does not
// stop scopegate: API keys work, tokens get 503 until the issuer is read,
// then are checked as usual.
func TestJWTIssuerDown(t *testing.T) {
	defer func(d time.Duration) { discoveryRetry = d }(discoveryRetry)
	discoveryRetry = 100 * time.Millisecond
	iss := newTestIssuer(t)
	k := newRSAKey(t, "k")
	iss.publish(k)
	iss.setBroken(true)

	cfg := &Config{}
	cfg.Auth.JWT = JWTConfig{Issuer: iss.srv.URL, Audience: testAudience}
	cfg.Auth.APIKeys = []APIKeyConfig{{"carol", hashAPIKey("sg_carol")}}
	c, err := newCallers(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("newCallers with the issuer down: %v", err)
	}
	h := c.authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, callerFrom(r))
	}), "https://scopegate.example/.well-known/oauth-protected-resource", slog.New(slog.DiscardHandler))
	do := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("sg_carol"); rec.Code != http.StatusOK || rec.Body.String() != "carol" {
		t.Errorf("API key with the issuer down: %d %s, want 200 carol", rec.Code, rec.Body)
	}
	token := sign(t, k, iss.claims("alice"))
	if rec := do(token); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), "temporarily_unavailable") {
		t.Errorf("token with the issuer down: %d %s, want 503 with Retry-After", rec.Code, rec.Body)
	}
	iss.setBroken(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec := do(token)
		if rec.Code == http.StatusOK && rec.Body.String() == "alice" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("token after the issuer came back: %d %s, want 200 alice", rec.Code, rec.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestJWTIdentifierClaim(t *testing.T) {
	iss := newTestIssuer(t)
	k := newRSAKey(t, "k")
	iss.publish(k)
	cfg := &Config{}
	// The key set is named, so no discovery document is read.
	cfg.Auth.JWT = JWTConfig{Issuer: iss.srv.URL, Audience: testAudience, JWKSURL: iss.srv.URL + "/keys",
		IdentifierClaim: "email", Algorithms: []string{"RS256"}}
	v, err := newJWTVerifier(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := v.identify(context.Background(), sign(t, k, iss.claims("alice"))); err != nil || id != "alice@example.com" {
		t.Errorf("identify = %q, %v, want alice@example.com", id, err)
	}
	// Only the configured algorithms are accepted.
	ec := newECKey(t, "e")
	iss.publish(ec)
	if id, err := v.identify(context.Background(), sign(t, ec, iss.claims("alice"))); err == nil {
		t.Errorf("an ES256 token with only RS256 allowed was accepted as %q", id)
	}
}

func TestJWTConfigErrors(t *testing.T) {
	tests := []struct {
		jwt  JWTConfig
		want []string
	}{
		{JWTConfig{Audience: "x"}, []string{"auth.jwt.issuer: is required"}},
		{JWTConfig{Issuer: "http://login.example.com", Audience: "x"},
			[]string{`auth.jwt.issuer: "http://login.example.com" is not an https URL`}},
		{JWTConfig{Issuer: "https://login.example.com"}, []string{"auth.jwt.audience: is required"}},
		{JWTConfig{Issuer: "https://login.example.com", Audience: "x", Algorithms: []string{"HS256", "none"}},
			[]string{`auth.jwt.algorithms[0]: "HS256" is not one of`, `auth.jwt.algorithms[1]: "none" is not one of`}},
		{JWTConfig{Issuer: "https://user:pw@login.example.com", Audience: " "}, []string{
			"auth.jwt.issuer: holds a user name or password", "auth.jwt.audience: is required"}},
		{JWTConfig{Issuer: "https://login.example.com", Audience: "x", IdentifierClaim: "exp"},
			[]string{`auth.jwt.identifier_claim: "exp" does not tell users apart`}},
		{JWTConfig{Issuer: "https://login.example.com", Audience: "x", IdentifierClaim: "azp"},
			[]string{`auth.jwt.identifier_claim: "azp" does not tell users apart`}},
		{JWTConfig{Issuer: "https://login.example.com", Audience: "x", JWKSURL: "ftp://keys"},
			[]string{`auth.jwt.jwks_url: "ftp://keys" is not an https URL`}},
	}
	for _, tt := range tests {
		cfg := &Config{path: "scopegate.yaml"}
		cfg.Auth.JWT = tt.jwt
		errs := cfg.checkJWT()
		var got []string
		for _, e := range errs {
			got = append(got, e.Error())
		}
		joined := strings.Join(got, "\n")
		if len(errs) != len(tt.want) {
			t.Errorf("%+v: errors\n%s\nwant %d", tt.jwt, joined, len(tt.want))
		}
		for _, w := range tt.want {
			if !strings.Contains(joined, w) {
				t.Errorf("%+v: errors\n%s\nwant one containing %q", tt.jwt, joined, w)
			}
		}
	}

	// With JWTs configured, callers authenticate, so any address may be
	// served.
	open := &Config{Listen: "0.0.0.0:8765", PublicURL: "https://scopegate.example.com"}
	open.Auth.JWT = JWTConfig{Issuer: "https://login.example.com", Audience: "x"}
	if err := checkListenFor(open, false, slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("checkListenFor(0.0.0.0, jwt) = %v, want nil", err)
	}

}

// TestIsolationWithJWTs runs the isolation checks against a demo whose
// callers present access tokens from an authorization server.
func TestIsolationWithJWTs(t *testing.T) {
	iss := newTestIssuer(t)
	k := newRSAKey(t, "k1")
	iss.publish(k)
	config := filepath.Join(t.TempDir(), "scopegate.yaml")
	body := fmt.Sprintf("auth:\n  jwt:\n    issuer: %s\n    audience: %s\n", iss.srv.URL, testAudience)
	if err := os.WriteFile(config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	demo := startDemo(t, "http", "--config", config)

	aliceToken := sign(t, k, iss.claims("alice"))
	bobToken := sign(t, k, iss.claims("bob"))
	expired := sign(t, k, iss.claims("alice", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }))
	wantUnauthorized(t, demo.WebURL, http.MethodPost, demo.MCPURL, "")
	wantUnauthorized(t, demo.WebURL, http.MethodPost, demo.MCPURL, expired)
	wantUnauthorized(t, demo.WebURL, http.MethodPost, demo.MCPURL, sign(t, newRSAKey(t, "k1"), iss.claims("alice")))

	resp, err := http.Get(demo.WebURL + protectedResourcePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc protectedResource
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || len(doc.AuthorizationServers) != 1 || doc.AuthorizationServers[0] != iss.srv.URL {
		t.Errorf("protected resource metadata = %+v (%v), want the issuer as its authorization server", doc, err)
	}

	bobsWithHeaders := bobsHeaders(bobToken)
	alice, _ := keyedSDKCaller(t, demo.MCPURL, map[string]string{"Authorization": "Bearer " + aliceToken})
	bob, _ := keyedSDKCaller(t, demo.MCPURL, bobsWithHeaders)
	checkIsolation(t, alice, bob)

	if strings.Contains(demo.Stderr(), aliceToken[:40]) {
		t.Errorf("the log holds a token:\n%s", demo.Stderr())
	}
}
