package graphapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// bearer adds a token to every request, as the gate's client does.
type bearer struct{ base http.RoundTripper }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer user-token")
	return b.base.RoundTrip(r)
}

func TestDownloadDoesNotSendTheTokenToStorage(t *testing.T) {
	var storageAuth string
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageAuth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="notes.txt"`)
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader("hello, world"))
	}))
	defer storage.Close()
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer user-token" {
			t.Errorf("Graph got no token")
		}
		http.Redirect(w, r, storage.URL+"/download/abc", http.StatusFound)
	}))
	defer graph.Close()

	call := &registry.Call{HTTP: &http.Client{Transport: bearer{http.DefaultTransport}}, APIBaseURL: graph.URL}
	c, err := Download(context.Background(), call, URL(call, "/me/drive/items/X/content", nil), 5)
	if err != nil {
		t.Fatal(err)
	}
	if storageAuth != "" {
		t.Errorf("the storage host got Authorization %q", storageAuth)
	}
	if string(c.Data) != "hello" || c.Size != 12 || c.ContentType != "text/plain" || c.Filename != "notes.txt" {
		t.Errorf("Download = %+v", c)
	}
}
