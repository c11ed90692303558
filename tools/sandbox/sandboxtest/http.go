package sandboxtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Serve serves h on a test server, under mount when it is not empty (as with
// http.StripPrefix(mount, h)), and closes the server when the test ends. It returns the
// server and h's root URL, mount included.
func Serve(t testing.TB, h http.Handler, mount string) (*httptest.Server, string) {
	t.Helper()
	if mount != "" {
		mux := http.NewServeMux()
		mux.Handle(mount+"/", http.StripPrefix(mount, h))
		h = mux
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, ts.URL + mount
}

// NoRedirects makes c stop at the first redirect, so that a test can read the Location
// header itself, and returns c.
func NoRedirects(c *http.Client) *http.Client {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// NewRequest builds a request to u, with token as a bearer token when it is not empty and
// body encoded as JSON when it is not nil.
func NewRequest(t testing.TB, method, u, token string, body any) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// Do sends req with c and returns the response, its body already read and closed, and
// the body.
func Do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}
