package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// JWTConfig accepts OAuth access tokens in JWT form from one authorization
// server, as organisations that already run one (Entra ID, Okta, Auth0,
// Keycloak...) prefer to API keys. The token's signature is checked
// against the issuer's published keys, and its issuer, audience and expiry
// against this configuration; the caller's identifier is one of its claims.
type JWTConfig struct {
	// Issuer is the authorization server's issuer identifier, exactly as
	// its tokens carry it in "iss" (an https URL).
	Issuer string `yaml:"issuer,omitempty"`
	// Audience is the value the tokens meant for scopegate carry in
	// "aud". MCP clients that find the issuer through the protected
	// resource metadata ask it for tokens for that document's resource,
	// scopegate's public URL, so that is the usual value unless the
	// authorization server names its APIs otherwise.
	Audience string `yaml:"audience,omitempty"`
	// JWKSURL is where the issuer publishes its signing keys. Empty means
	// the jwks_uri of the issuer's OpenID Connect discovery document,
	// read at start-up.
	JWKSURL string `yaml:"jwks_url,omitempty"`
	// IdentifierClaim names the claim that holds the caller's identifier,
	// a string; default "sub". It should be a claim users cannot change
	// themselves: two people must never share a value.
	IdentifierClaim string `yaml:"identifier_claim,omitempty"`
	// Algorithms lists the signature algorithms accepted; default RS256
	// and ES256. Only public-key algorithms are allowed: a shared secret
	// known to the issuer would let it, or anyone who obtains it, mint
	// tokens as anyone.
	Algorithms []string `yaml:"algorithms,omitempty"`
}

// enabled reports whether JWTs are accepted at all.
func (j JWTConfig) enabled() bool {
	return j.Issuer != "" || j.Audience != "" || j.JWKSURL != "" || j.IdentifierClaim != "" || len(j.Algorithms) > 0
}

// jwtAlgorithms are the algorithms the verifier can check, all public-key.
var jwtAlgorithms = []string{
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
	"EdDSA",
}

var defaultJWTAlgorithms = []string{"RS256", "ES256"}

// checkJWT checks auth.jwt.
func (c *Config) checkJWT() []error {
	j := c.Auth.JWT
	if !j.enabled() {
		return nil
	}
	var errs []error
	if err := checkHTTPSURL(j.Issuer); err != nil {
		errs = append(errs, c.errorf("auth.jwt.issuer", "%v", err))
	}
	if strings.TrimSpace(j.Audience) == "" {
		errs = append(errs, c.errorf("auth.jwt.audience",
			"is required: the value tokens for scopegate carry in \"aud\", usually scopegate's public URL"))
	}
	if j.JWKSURL != "" {
		if err := checkHTTPSURL(j.JWKSURL); err != nil {
			errs = append(errs, c.errorf("auth.jwt.jwks_url", "%v", err))
		}
	}
	switch claim := j.IdentifierClaim; {
	case strings.TrimSpace(claim) != claim:
		errs = append(errs, c.errorf("auth.jwt.identifier_claim", "%q has surrounding spaces", claim))
	case slices.Contains(notIdentifierClaims, claim):
		errs = append(errs, c.errorf("auth.jwt.identifier_claim",
			"%q does not tell users apart (it names the token, the issuer, the client or a time); "+
				"use sub, or a claim such as email or oid", claim))
	}
	for i, alg := range j.Algorithms {
		if !slices.Contains(jwtAlgorithms, alg) {
			errs = append(errs, c.errorf(fmt.Sprintf("auth.jwt.algorithms[%d]", i),
				"%q is not one of %s (only public-key algorithms are accepted)", alg, strings.Join(jwtAlgorithms, ", ")))
		}
	}
	return errs
}

// notIdentifierClaims are claims that never identify one user: times, the
// token itself, the issuer, the audience, the client every user of an
// application shares, scopes and sessions. Taking one as the identifier
// would make all callers one user, or each token a new one.
var notIdentifierClaims = []string{
	"exp", "nbf", "iat", "auth_time", "jti", "iss", "aud", "azp", "client_id",
	"scope", "scp", "sid", "typ", "nonce",
}

// checkHTTPSURL accepts an absolute https URL, and http on loopback for
// local testing.
func checkHTTPSURL(raw string) error {
	if raw == "" {
		return errors.New("is required")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.User != nil {
		return errors.New("holds a user name or password: put no credentials in it")
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q is not an https URL", raw)
}

// How the verifier treats the issuer's key set.
var (
	// jwksTimeout bounds one fetch of the key set or discovery document.
	jwksTimeout = 10 * time.Second
	// jwksUnknownKeyRefetch is how often, at most, a token naming a key id
	// not in the cached set makes the key set be fetched again. Tokens
	// from anyone reach this, so it must stay rare.
	jwksUnknownKeyRefetch = time.Minute
	// discoveryRetry is how long to wait before reading the discovery
	// document again when it could not be read.
	discoveryRetry = 30 * time.Second
)

// jwtVerifier checks bearer tokens issued by the configured authorization
// server. Parsing and signature checks are golang-jwt's; the issuer's key
// set is fetched, cached, refreshed hourly and, at most once a minute,
// when a token names a key id not yet seen, by keyfunc, so the issuer can
// rotate its keys without letting junk tokens hammer it.
type jwtVerifier struct {
	issuer string
	claim  string
	parser *jwt.Parser
	log    *slog.Logger

	mu   sync.RWMutex
	keys keyfunc.Keyfunc // nil until the key set's URL is known
}

// newJWTVerifier returns the verifier for auth.jwt, or nil when it is not
// configured. Without jwks_url it reads the issuer's discovery document;
// when that fails, it says so and tries again in the background, and
// tokens are answered 503 meanwhile, so that API keys keep working while
// the issuer is down.
func newJWTVerifier(ctx context.Context, c *Config, log *slog.Logger) (*jwtVerifier, error) {
	j := c.Auth.JWT
	if !j.enabled() {
		return nil, nil
	}
	if errs := c.checkJWT(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	algs := j.Algorithms
	if len(algs) == 0 {
		algs = defaultJWTAlgorithms
	}
	v := &jwtVerifier{
		issuer: j.Issuer,
		claim:  cmp.Or(j.IdentifierClaim, "sub"),
		log:    log,
		parser: jwt.NewParser(
			jwt.WithValidMethods(algs),
			jwt.WithIssuer(j.Issuer),
			jwt.WithAudience(j.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(time.Minute),
		),
	}
	if j.JWKSURL != "" {
		return v, v.useKeySet(ctx, j.JWKSURL)
	}
	if err := v.discover(ctx); err != nil {
		log.Error("cannot read the JWT issuer's discovery document; tokens are refused with 503 until it is read",
			"issuer", j.Issuer, "err", err, "retry_in", discoveryRetry.String())
		go v.keepDiscovering(ctx)
	}
	return v, nil
}

// discover reads the jwks_uri of the issuer's OpenID Connect discovery
// document, which go-oidc checks names the same issuer.
func (v *jwtVerifier) discover(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, jwksTimeout)
	defer cancel()
	p, err := oidc.NewProvider(dctx, v.issuer)
	if err != nil {
		return err
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&doc); err != nil || doc.JWKSURI == "" {
		return errors.New("the discovery document names no jwks_uri; set auth.jwt.jwks_url")
	}
	return v.useKeySet(ctx, doc.JWKSURI)
}

func (v *jwtVerifier) keepDiscovering(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(discoveryRetry):
		}
		err := v.discover(ctx)
		if err == nil {
			v.log.Info("read the JWT issuer's discovery document", "issuer", v.issuer)
			return
		}
		v.log.Error("cannot read the JWT issuer's discovery document", "issuer", v.issuer, "err", err,
			"retry_in", discoveryRetry.String())
	}
}

// useKeySet starts fetching and caching the key set at url, until ctx
// ends. A first fetch that fails is not an error: it is tried again when
// a token needs it.
func (v *jwtVerifier) useKeySet(ctx context.Context, url string) error {
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{url}, keyfunc.Override{
		HTTPTimeout:       jwksTimeout,
		RateLimitWaitMax:  time.Second,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(jwksUnknownKeyRefetch), 1),
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				v.log.Warn("cannot fetch the JWT issuer's keys", "jwks_url", u, "err", err)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("auth.jwt: the key set at %s: %w", url, err)
	}
	v.mu.Lock()
	v.keys = kf
	v.mu.Unlock()
	return nil
}

// errTokenRefused is a token that is not valid for scopegate; its text is
// safe to show the caller.
type errTokenRefused struct{ reason string }

func (e errTokenRefused) Error() string { return e.reason }

// errNoKeys means the issuer's keys are not known yet: the token can be
// neither accepted nor refused.
var errNoKeys = errors.New("the issuer's signing keys could not be read")

// identify returns the identifier a valid token names. A refusal is an
// errTokenRefused that says why in words the caller may see; nothing of
// the token is repeated. errNoKeys means the token could not be checked.
func (v *jwtVerifier) identify(ctx context.Context, token string) (string, error) {
	if strings.Count(token, ".") != 2 {
		return "", errTokenRefused{"the bearer token is neither an API key nor a JWT"}
	}
	v.mu.RLock()
	keys := v.keys
	v.mu.RUnlock()
	if keys == nil {
		return "", errNoKeys
	}
	claims := jwt.MapClaims{}
	parsed, err := v.parser.ParseWithClaims(token, claims, keys.KeyfuncCtx(ctx))
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenUnverifiable) && parsed != nil && parsed.Method != nil:
		// No key to check the signature with: the token names a key id
		// that is not in the set, even after the rate-limited refetch, or
		// no key id. When the set itself could not be read, the token can
		// be neither accepted nor refused.
		if all, rerr := keys.Storage().KeyReadAll(ctx); rerr != nil || len(all) == 0 {
			return "", errNoKeys
		}
		return "", errTokenRefused{"the token is signed with a key the issuer does not publish"}
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "", errTokenRefused{"the token lacks a claim scopegate requires: exp, iss and aud"}
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", errTokenRefused{"the token has expired"}
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "", errTokenRefused{"the token is not valid yet (nbf)"}
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "", errTokenRefused{"the token is not meant for this server (audience)"}
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "", errTokenRefused{"the token was issued by another issuer than " + v.issuer}
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return "", errTokenRefused{"the token's claims are malformed: a registered claim such as aud or exp has the wrong type"}
	default:
		return "", errTokenRefused{"the token's signature or format is not valid"}
	}
	id, ok := claims[v.claim].(string)
	if !ok {
		return "", errTokenRefused{fmt.Sprintf("the token has no string claim %q to identify its user", v.claim)}
	}
	if err := checkIdentifier(id); err != nil {
		return "", errTokenRefused{fmt.Sprintf("the token's claim %q is not a usable identifier: %v", v.claim, err)}
	}
	return id, nil
}
