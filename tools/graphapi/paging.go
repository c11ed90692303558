package graphapi

import (
	"encoding/base64"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
)

// PageToken turns an @odata.nextLink into an opaque page token for the agent, or "" when
// there is no next page. The token keeps the link's path and query from the API version
// on, so the origin always comes from the connection, never from the token.
func PageToken(nextLink string) string {
	i := strings.Index(nextLink, Version+"/")
	if nextLink == "" || i < 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(nextLink[i:]))
}

// PageURL turns a page token back into the URL of the next page on the call's API base. The
// page must continue the listing at one of paths (such as "/me/messages"), compared
// without case as Graph does, so a token cannot send the user's token to another
// operation than the tool's own. A bad token is a *registry.ToolError.
func PageURL(call *registry.Call, token string, paths ...string) (string, error) {
	bad := registry.Errorf("page_token is not a page token of this listing; " +
		"call again without it to start from the first page")
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return "", bad
	}
	u, err := url.Parse(string(raw))
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Fragment != "" {
		return "", bad
	}
	path := u.Path
	if strings.Contains(path, "..") || strings.Contains(path, "//") {
		return "", bad
	}
	rest, ok := cutPrefixFold(path, Version)
	if !ok {
		return "", bad
	}
	for _, p := range paths {
		if after, ok := cutPrefixFold(rest, p); ok && after == "" {
			return call.URL(Origin, string(raw)), nil
		}
	}
	return "", bad
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
