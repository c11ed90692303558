package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGuardMCP(t *testing.T) {
	srv := httptest.NewServer(guardMCP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		io.WriteString(w, "ok")
	})))
	defer srv.Close()
	tests := []struct {
		name   string
		origin string
		body   io.Reader
		length int64
		want   int
	}{
		{"no origin", "", strings.NewReader("{}"), -1, http.StatusOK},
		{"loopback origin", "http://127.0.0.1:6274", strings.NewReader("{}"), -1, http.StatusOK},
		{"another site", "http://evil.example", strings.NewReader("{}"), -1, http.StatusForbidden},
		{"declared too large", "", strings.NewReader("{}"), maxRequestBody + 1, http.StatusRequestEntityTooLarge},
		{"streamed too large", "", io.LimitReader(zeros{}, maxRequestBody+1), -1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL, tt.body)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.length >= 0 {
				req.ContentLength = tt.length
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				if tt.want == http.StatusRequestEntityTooLarge {
					return // the server may close the connection before reading all
				}
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestCheckListen(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, addr := range []string{"127.0.0.1:0", "localhost:8765", "[::1]:9"} {
		if err := checkListen(addr, false, log); err != nil {
			t.Errorf("checkListen(%s) = %v, want nil", addr, err)
		}
	}
	for _, addr := range []string{"0.0.0.0:8765", ":8765", "192.0.2.1:80"} {
		err := checkListen(addr, false, log)
		if err == nil || !strings.Contains(err.Error(), "--insecure-serve-unauthenticated-on-public-address") {
			t.Errorf("checkListen(%s) = %v, want a refusal naming the flag", addr, err)
		}
		if err := checkListen(addr, true, log); err != nil {
			t.Errorf("checkListen(%s, allowed) = %v", addr, err)
		}
	}
}
