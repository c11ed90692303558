package oauthsim

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// S256 is the PKCE S256 transformation of a code verifier (RFC 7636 section 4.2): the
// unpadded base64url encoding of its SHA-256 digest.
func S256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ClientCredentials returns the client id and secret of a token request: from HTTP Basic,
// whose credentials are form-urlencoded first (RFC 6749 section 2.3.1), or else from the
// client_id and client_secret parameters.
func ClientCredentials(r *http.Request, params url.Values) (id, secret string) {
	id, secret, basic := r.BasicAuth()
	if !basic {
		return params.Get("client_id"), params.Get("client_secret")
	}
	id, _ = url.QueryUnescape(id)
	secret, _ = url.QueryUnescape(secret)
	return id, secret
}

// SecretMatches reports whether a presented client secret equals the registered one, in
// constant time.
func SecretMatches(presented, registered string) bool {
	return subtle.ConstantTimeCompare([]byte(presented), []byte(registered)) == 1
}

// WithQuery appends key, value pairs to a URI's query in the given order, skipping empty
// values. The URI was registered by the client, so it is used as is.
func WithQuery(uri string, kv ...string) string {
	var b strings.Builder
	b.WriteString(uri)
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.WriteString(sep + url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
		sep = "&"
	}
	return b.String()
}
