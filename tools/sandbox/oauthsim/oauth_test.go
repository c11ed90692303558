package oauthsim

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestS256(t *testing.T) {
	// RFC 7636 appendix B.
	got := S256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	if want := "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want {
		t.Errorf("S256 = %q, want %q", got, want)
	}
}

func TestClientCredentials(t *testing.T) {
	r := httptest.NewRequest("POST", "/token", strings.NewReader(""))
	r.SetBasicAuth(url.QueryEscape("app id"), url.QueryEscape("s3cret/+"))
	if id, secret := ClientCredentials(r, url.Values{"client_id": {"form"}}); id != "app id" || secret != "s3cret/+" {
		t.Errorf("Basic credentials = %q, %q", id, secret)
	}
	r = httptest.NewRequest("POST", "/token", strings.NewReader(""))
	if id, secret := ClientCredentials(r, url.Values{"client_id": {"a"}, "client_secret": {"b"}}); id != "a" || secret != "b" {
		t.Errorf("form credentials = %q, %q", id, secret)
	}
}

func TestWithQuery(t *testing.T) {
	for _, c := range []struct{ uri, want string }{
		{"http://app/cb", "http://app/cb?code=a+b&state=s%26t"},
		{"http://app/cb?x=1", "http://app/cb?x=1&code=a+b&state=s%26t"},
	} {
		if got := WithQuery(c.uri, "code", "a b", "empty", "", "state", "s&t"); got != c.want {
			t.Errorf("WithQuery(%q) = %q, want %q", c.uri, got, c.want)
		}
	}
}
