package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// JWTConfig accepts OAuth access tokens in JWT form from one authorization
// server, as organisations that already run one (Entra ID, Okta, Auth0,
// Keycloak...) prefer to API keys. The token's signature is checked
// against the issuer's published keys, and its issuer, audience and expiry
// against this configuration; the caller's identifier is one of its claims.
type JWTConfig struct {
	// Issuer is the authorization server's issuer identifier, exactly as
	// its tokens carry it in "iss" (an https URL).
	Issuer string `yaml:"issuer"`
	// Audience is the value the tokens meant for scopegate carry in
	// "aud". MCP clients that find the issuer through the protected
	// resource metadata ask it for tokens for that document's resource,
	// scopegate's public URL, so that is the usual value unless the
	// authorization server names its APIs otherwise.
	Audience string `yaml:"audience"`
	// JWKSURL is where the issuer publishes its signing keys. Empty means
	// the jwks_uri of the issuer's OpenID Connect discovery document,
	// read at start-up.
	JWKSURL string `yaml:"jwks_url"`
	// IdentifierClaim names the claim that holds the caller's identifier,
	// a string; default "sub". It should be a claim users cannot change
	// themselves: two people must never share a value.
	IdentifierClaim string `yaml:"identifier_claim"`
	// Algorithms lists the signature algorithms accepted; default RS256
	// and ES256. Only public-key algorithms are allowed: a shared secret
	// known to the issuer would let it, or anyone who obtains it, mint
	// tokens as anyone.
	Algorithms []string `yaml:"algorithms"`
}

// enabled reports whether JWTs are accepted at all.
func (j JWTConfig) enabled() bool {
	return j.Issuer != "" || j.Audience != "" || j.JWKSURL != "" || j.IdentifierClaim != "" || len(j.Algorithms) > 0
}

// jwtAlgorithms are the algorithms the verifier can check, all public-key.
var jwtAlgorithms = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

var defaultJWTAlgorithms = []string{oidc.RS256, oidc.ES256}

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
	if j.Audience == "" {
		errs = append(errs, c.errorf("auth.jwt.audience",
			"is required: the value tokens for scopegate carry in \"aud\", usually scopegate's public URL"))
	}
	if j.JWKSURL != "" {
		if err := checkHTTPSURL(j.JWKSURL); err != nil {
			errs = append(errs, c.errorf("auth.jwt.jwks_url", "%v", err))
		}
	}
	if strings.TrimSpace(j.IdentifierClaim) != j.IdentifierClaim {
		errs = append(errs, c.errorf("auth.jwt.identifier_claim", "%q has surrounding spaces", j.IdentifierClaim))
	}
	for i, alg := range j.Algorithms {
		if !slices.Contains(jwtAlgorithms, alg) {
			errs = append(errs, c.errorf(fmt.Sprintf("auth.jwt.algorithms[%d]", i),
				"%q is not one of %s (only public-key algorithms are accepted)", alg, strings.Join(jwtAlgorithms, ", ")))
		}
	}
	return errs
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
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q is not an https URL", raw)
}

// jwtVerifier checks bearer tokens issued by the configured authorization
// server. Signature checks are go-oidc's (with go-jose underneath); keys are
// fetched from the issuer and cached, and fetched again when a token names
// a key not yet seen, so the issuer can rotate its keys.
type jwtVerifier struct {
	verifier *oidc.IDTokenVerifier
	issuer   string
	claim    string
}

// newJWTVerifier returns the verifier for auth.jwt, or nil when it is not
// configured. Without jwks_url it reads the issuer's discovery document.
func newJWTVerifier(ctx context.Context, c *Config) (*jwtVerifier, error) {
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
	claim := j.IdentifierClaim
	if claim == "" {
		claim = "sub"
	}
	jwksURL := j.JWKSURL
	if jwksURL == "" {
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(dctx, j.Issuer)
		if err != nil {
			return nil, fmt.Errorf("auth.jwt: reading the discovery document of %s: %w "+
				"(set auth.jwt.jwks_url when the issuer publishes none)", j.Issuer, err)
		}
		var doc struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if err := p.Claims(&doc); err != nil || doc.JWKSURI == "" {
			return nil, fmt.Errorf("auth.jwt: the discovery document of %s names no jwks_uri; set auth.jwt.jwks_url", j.Issuer)
		}
		jwksURL = doc.JWKSURI
	}
	keys := oidc.NewRemoteKeySet(context.WithoutCancel(ctx), jwksURL)
	return &jwtVerifier{
		verifier: oidc.NewVerifier(j.Issuer, keys, &oidc.Config{
			ClientID:             j.Audience,
			SupportedSigningAlgs: algs,
		}),
		issuer: j.Issuer,
		claim:  claim,
	}, nil
}

// errTokenRefused is a token that is not valid for scopegate; its text is
// safe to show the caller.
type errTokenRefused struct{ reason string }

func (e errTokenRefused) Error() string { return e.reason }

// identify returns the identifier a valid token names. A refusal says why
// in words the caller may see; nothing of the token is repeated.
func (v *jwtVerifier) identify(ctx context.Context, token string) (string, error) {
	if strings.Count(token, ".") != 2 {
		return "", errTokenRefused{"the bearer token is neither an API key nor a JWT"}
	}
	t, err := v.verifier.Verify(ctx, token)
	if err != nil {
		var expired *oidc.TokenExpiredError
		switch {
		case errors.As(err, &expired):
			return "", errTokenRefused{"the token has expired"}
		case strings.Contains(err.Error(), "expected audience"):
			return "", errTokenRefused{"the token is not meant for this server (audience)"}
		case strings.Contains(err.Error(), "unmarshal claims"):
			return "", errTokenRefused{"the token's claims are malformed: a registered claim such as sub, aud or exp has the wrong type"}
		case strings.Contains(err.Error(), "not before"):
			return "", errTokenRefused{"the token is not valid yet (nbf)"}
		case strings.Contains(err.Error(), "different provider"):
			return "", errTokenRefused{"the token was issued by another issuer than " + v.issuer}
		case strings.Contains(err.Error(), "fetching keys"), strings.Contains(err.Error(), "get keys"):
			// Not the caller's fault; said plainly and logged.
			return "", fmt.Errorf("the issuer's signing keys could not be read: %w", err)
		}
		return "", errTokenRefused{"the token's signature or format is not valid"}
	}
	var claims map[string]json.RawMessage
	if err := t.Claims(&claims); err != nil {
		return "", errTokenRefused{"the token's claims are not a JSON object"}
	}
	var id string
	if raw, ok := claims[v.claim]; !ok || json.Unmarshal(raw, &id) != nil {
		return "", errTokenRefused{fmt.Sprintf("the token has no string claim %q to identify its user", v.claim)}
	}
	if err := checkIdentifier(id); err != nil {
		return "", errTokenRefused{fmt.Sprintf("the token's claim %q is not a usable identifier: %v", v.claim, err)}
	}
	return id, nil
}
