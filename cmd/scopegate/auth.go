package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// apiKeyPrefix begins every API key scopegate makes, so that a key pasted
// where it does not belong is easy to recognise and to scan for.
const apiKeyPrefix = "sg_"

// protectedResourcePath serves the protected resource metadata of RFC 9728.
const protectedResourcePath = "/.well-known/oauth-protected-resource"

// newAPIKey returns a new API key: apiKeyPrefix and 32 random bytes in
// unpadded base64url.
func newAPIKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return apiKeyPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashAPIKey returns the hash under which a key is configured: the
// SHA-256 of the whole key, in lowercase hex.
//
// A fast, unsalted hash is enough here, unlike for passwords: a key holds
// 256 random bits, so no dictionary or exhaustive search can recover it
// from its hash, and a salt or a slow hash would only add cost to every
// request. Keeping hashes rather than keys means a leaked configuration
// file lets nobody call scopegate.
func hashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

var sha256HexRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkIdentifier says what is wrong with an identifier, if anything.
func checkIdentifier(id string) error {
	switch {
	case id == "":
		return errors.New("is required")
	case len(id) > 256:
		return errors.New("is longer than 256 bytes")
	case strings.TrimSpace(id) != id || strings.ContainsFunc(id, unicode.IsControl):
		return fmt.Errorf("%q has surrounding spaces or control characters", id)
	}
	return nil
}

// checkAuth checks the auth section: each API key names an identifier and
// a well-formed hash, and no hash appears twice.
func (c *Config) checkAuth() []error {
	var errs []error
	seen := map[string]int{}
	for i, k := range c.Auth.APIKeys {
		field := fmt.Sprintf("auth.api_keys[%d]", i)
		if err := checkIdentifier(k.Identifier); err != nil {
			errs = append(errs, c.errorf(field+".identifier", "%v", err))
		}
		// The value is never repeated: it may be a key pasted by mistake.
		first, dup := seen[k.SHA256]
		switch {
		case strings.HasPrefix(k.SHA256, apiKeyPrefix):
			errs = append(errs, c.errorf(field+".sha256", "holds an API key, not its hash: "+
				"remove it from the file and put the output of 'scopegate keys hash' there"))
		case !sha256HexRE.MatchString(k.SHA256):
			errs = append(errs, c.errorf(field+".sha256",
				"is not 64 lowercase hex digits (the output of 'scopegate keys hash')"))
		case dup:
			errs = append(errs, c.errorf(field+".sha256",
				"is also auth.api_keys[%d].sha256: one key cannot act for two entries", first))
		default:
			seen[k.SHA256] = i
		}
	}
	return errs
}

// keyring maps API keys, by their hashes, to identifiers. A nil *keyring
// means callers over HTTP are not authenticated.
type keyring struct {
	keys []keyEntry
}

type keyEntry struct {
	sum        [sha256.Size]byte
	identifier string
}

// newKeyring returns the configured API keys, or nil when there are none.
func newKeyring(c *Config) (*keyring, error) {
	if len(c.Auth.APIKeys) == 0 {
		return nil, nil
	}
	if errs := c.checkAuth(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	k := &keyring{}
	for _, e := range c.Auth.APIKeys {
		entry := keyEntry{identifier: e.Identifier}
		if _, err := hex.Decode(entry.sum[:], []byte(e.SHA256)); err != nil {
			return nil, fmt.Errorf("decoding a checked hash: %w", err)
		}
		k.keys = append(k.keys, entry)
	}
	return k, nil
}

// count returns how many keys k holds; none when k is nil.
func (k *keyring) count() int {
	if k == nil {
		return 0
	}
	return len(k.keys)
}

// identify returns the identifier key acts for. Every configured hash is
// compared in constant time, so the time taken tells nothing about which
// entry, or how much of a hash, matched.
func (k *keyring) identify(key string) (string, bool) {
	sum := sha256.Sum256([]byte(key))
	found := ""
	for _, e := range k.keys {
		if subtle.ConstantTimeCompare(sum[:], e.sum[:]) == 1 {
			found = e.identifier
		}
	}
	return found, found != ""
}

type callerKey struct{}

// callerFrom returns the identifier authenticate found for r, or "" when
// r was not authenticated. It never falls back to the configured one.
func callerFrom(r *http.Request) string {
	id, _ := r.Context().Value(callerKey{}).(string)
	return id
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// callers authenticates the callers over HTTP: with API keys, with JWTs
// from the configured authorization server, or both. A nil *callers means
// callers are not authenticated.
type callers struct {
	keys *keyring
	jwt  *jwtVerifier
}

// newCallers returns what the configuration says about authenticating
// callers, or nil when it says nothing.
func newCallers(ctx context.Context, c *Config, log *slog.Logger) (*callers, error) {
	keys, err := newKeyring(c)
	if err != nil {
		return nil, err
	}
	jwt, err := newJWTVerifier(ctx, c, log)
	if err != nil {
		return nil, err
	}
	if keys == nil && jwt == nil {
		return nil, nil
	}
	return &callers{keys: keys, jwt: jwt}, nil
}

// identify returns the identifier token acts for. A token that starts like
// an API key is only ever compared with the keys; anything else is a JWT
// when JWTs are accepted. refused is true when the token is not valid, as
// opposed to a failure to check it.
func (c *callers) identify(ctx context.Context, token string) (id string, refused bool, err error) {
	if c.keys != nil && (c.jwt == nil || strings.HasPrefix(token, apiKeyPrefix)) {
		if id, ok := c.keys.identify(token); ok {
			return id, false, nil
		}
		return "", true, errTokenRefused{"the API key is not valid"}
	}
	if c.jwt == nil {
		return "", true, errTokenRefused{"the API key is not valid"}
	}
	id, err = c.jwt.identify(ctx, token)
	var r errTokenRefused
	return id, errors.As(err, &r), err
}

// authenticate lets through only requests whose bearer token is a
// configured API key or a valid JWT, with the caller's identifier in their
// context for callerFrom. Others get 401 and a challenge that points at
// the protected resource metadata (RFC 9728, section 5.1); when the
// issuer's keys cannot be read, 503. The token is never logged.
func (c *callers) authenticate(next http.Handler, metadataURL string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Values("Authorization")) > 1 {
			log.Warn("mcp request refused", "why", "several Authorization headers", "path", r.URL.Path)
			writeJSONError(w, http.StatusBadRequest, "invalid_request",
				"the request has several Authorization headers; send exactly one")
			return
		}
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			log.Debug("mcp request refused", "why", "no bearer token", "path", r.URL.Path)
			unauthorized(w, metadataURL, "unauthorized", c.wanted())
			return
		}
		id, refused, err := c.identify(r.Context(), token)
		switch {
		case err != nil && refused:
			log.Warn("mcp request refused", "why", err.Error(), "path", r.URL.Path,
				"remote_addr", r.RemoteAddr)
			unauthorized(w, metadataURL, "invalid_token", err.Error())
			return
		case err != nil:
			if r.Context().Err() == nil {
				log.Error("mcp request refused", "why", "cannot check the token", "err", err)
			}
			w.Header().Set("Retry-After", "5")
			writeJSONError(w, http.StatusServiceUnavailable, "temporarily_unavailable",
				"scopegate cannot check tokens right now: its authorization server's keys could not be read; "+
					"try again shortly")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, id)))
	})
}

// wanted says what an unauthenticated caller must send.
func (c *callers) wanted() string {
	switch {
	case c.keys != nil && c.jwt != nil:
		return "this endpoint needs an API key or an access token from " + c.jwt.issuer +
			": send Authorization: Bearer <key or token>"
	case c.jwt != nil:
		return "this endpoint needs an access token from " + c.jwt.issuer + ": send Authorization: Bearer <token>"
	}
	return "this endpoint needs an API key: send Authorization: Bearer <key>"
}

// unauthorized answers 401 with a Bearer challenge (RFC 6750, section 3)
// and a short JSON body.
func unauthorized(w http.ResponseWriter, metadataURL, code, description string) {
	challenge := `Bearer resource_metadata="` + metadataURL + `"`
	if code == "invalid_token" {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSONError(w, http.StatusUnauthorized, code, description)
}

// writeJSONError answers status with an OAuth-style JSON error body.
func writeJSONError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, description})
}

// protectedResource is the protected resource metadata of RFC 9728,
// section 2, as far as scopegate fills it in.
//
// With API keys alone it names no authorization_servers: keys are made by
// 'scopegate keys create', not issued by an OAuth authorization server, so
// there is none to discover, and a client is configured with its key
// instead. With JWTs it names the configured issuer, where MCP clients
// obtain their tokens.
type protectedResource struct {
	Resource             string   `json:"resource"`
	AuthorizationServers []string `json:"authorization_servers,omitempty"`
	BearerMethods        []string `json:"bearer_methods_supported"`
	ResourceName         string   `json:"resource_name"`
}

// serveProtectedResource serves the metadata document for resource.
func serveProtectedResource(resource string, c *callers) http.Handler {
	doc := protectedResource{
		Resource:      resource,
		BearerMethods: []string{"header"},
		ResourceName:  "scopegate",
	}
	if c.jwt != nil {
		doc.AuthorizationServers = []string{c.jwt.issuer}
	}
	body, _ := json.Marshal(doc)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

// sessionOwners remembers which identifier opened each SSE session, and
// refuses a message posted to a session by another identifier: knowing a
// session id does not let one caller write into another's stream.
type sessionOwners struct {
	mu    sync.Mutex
	owner map[string]string
}

type sessionSlotKey struct{}

func newSessionOwners() *sessionOwners {
	return &sessionOwners{owner: map[string]string{}}
}

// newSessionID makes a session id for the SSE transport and records the
// caller who opened it.
func (o *sessionOwners) newSessionID(_ context.Context, r *http.Request) (string, error) {
	id := rand.Text()
	o.mu.Lock()
	o.owner[id] = callerFrom(r)
	o.mu.Unlock()
	if slot, ok := r.Context().Value(sessionSlotKey{}).(*string); ok {
		*slot = id
	}
	return id, nil
}

// stream wraps the SSE stream handler so that a session's owner is
// forgotten when its stream ends.
func (o *sessionOwners) stream(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id string
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionSlotKey{}, &id)))
		if id != "" {
			o.mu.Lock()
			delete(o.owner, id)
			o.mu.Unlock()
		}
	})
}

// message wraps the SSE message handler: a message to a session another
// identifier opened is answered exactly as one to a session that does not
// exist, so that a caller cannot even tell which session ids are in use.
func (o *sessionOwners) message(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		owner, ok := o.owner[r.URL.Query().Get("sessionId")]
		o.mu.Unlock()
		if ok && owner != callerFrom(r) {
			log.Warn("mcp request refused", "why", "session of another identifier",
				"identifier", callerFrom(r))
			// Session ids are rand.Text, which never holds "-": the
			// transport answers as it does for any unknown session.
			u := *r.URL
			q := u.Query()
			q.Set("sessionId", "-")
			u.RawQuery = q.Encode()
			r = r.Clone(r.Context())
			r.URL = &u
		}
		next.ServeHTTP(w, r)
	})
}
