package microsoft

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// graphAppID is Microsoft Graph's application id, the audience of its access tokens.
const graphAppID = "00000003-0000-0000-c000-000000000000"

// consumersTenant is the tenant id Microsoft gives every personal account.
const consumersTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

// identity is who the signed-in account is: its ids as Microsoft Entra reports them.
type identity struct {
	upn      string // user principal name, the address
	name     string // display name
	oid      string // object id in the tenant
	tenantID string
	domain   string // the tenant's verified domain
}

func newIdentity(account string, personal bool) identity {
	_, domain, _ := strings.Cut(account, "@")
	id := identity{
		upn:      account,
		name:     oauthsim.DisplayName(account),
		oid:      guidFor("oid:" + strings.ToLower(account)),
		tenantID: guidFor("tenant:" + strings.ToLower(domain)),
		domain:   strings.ToLower(domain),
	}
	if personal {
		id.tenantID = consumersTenant
	}
	return id
}

// knowsTenant reports whether a {tenant} path segment reaches the account: a
// multi-tenant alias, or the account's own tenant by id or domain.
func (id identity) knowsTenant(tenant string, personal bool) bool {
	switch strings.ToLower(tenant) {
	case "common", id.tenantID, id.domain:
		return true
	case "organizations":
		return !personal
	case "consumers":
		return personal
	}
	return false
}

// guidFor derives a stable GUID-shaped id from a seed.
func guidFor(seed string) string {
	b := sha256.Sum256([]byte(seed))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newGUID returns a random GUID-shaped id, as request and trace ids are.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// randomToken returns prefix followed by n random URL-safe characters' worth of bytes.
func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// jwt returns a JWT-shaped token with the given header and claims. Its signature is
// random bytes: the sandbox publishes no keys, and it finds its tokens by lookup.
func jwt(header, claims any) string {
	sig := make([]byte, 256)
	_, _ = rand.Read(sig)
	return segment(header) + "." + segment(claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func segment(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// accessTokenJWT shapes a Graph access token (a v1.0 token, as Graph's are) with the
// claims Microsoft puts in it; scp lists the granted permissions.
func (s *Server) accessTokenJWT(clientID string, scp []string, now, exp time.Time) string {
	header := map[string]string{"typ": "JWT", "alg": "RS256", "nonce": randomToken("", 32),
		"x5t": "sandbox", "kid": "sandbox"}
	claims := map[string]any{
		"aud": graphAppID, "iss": "https://sts.windows.net/" + s.ids.tenantID + "/",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
		"appid": clientID, "name": s.ids.name, "oid": s.ids.oid,
		"scp": strings.Join(scp, " "), "tid": s.ids.tenantID,
		"upn": s.ids.upn, "unique_name": s.ids.upn, "ver": "1.0",
		"uti": randomToken("", 16),
	}
	return jwt(header, claims)
}

// idTokenJWT shapes a v2.0 ID token. The sandbox grants email with openid (see
// reportScopes), so the email claim is always there.
func (s *Server) idTokenJWT(clientID, nonce string, now time.Time) string {
	header := map[string]string{"typ": "JWT", "alg": "RS256", "kid": "sandbox"}
	claims := map[string]any{
		"aud": clientID, "iss": "https://login.microsoftonline.com/" + s.ids.tenantID + "/v2.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"name": s.ids.name, "oid": s.ids.oid, "preferred_username": s.ids.upn,
		"sub": guidFor("sub:" + clientID + s.ids.oid), "tid": s.ids.tenantID, "ver": "2.0",
		"email": s.ids.upn,
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return jwt(header, claims)
}
