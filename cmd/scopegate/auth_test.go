package main

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestNewAPIKey(t *testing.T) {
	a, err := newAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newAPIKey()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(a, apiKeyPrefix))
	if !strings.HasPrefix(a, apiKeyPrefix) || err != nil || len(raw) != 32 {
		t.Errorf("newAPIKey() = %q, want %q and 32 bytes in base64url (%v)", a, apiKeyPrefix, err)
	}
	if a == b {
		t.Errorf("newAPIKey() twice = %q both times", a)
	}
}

func TestHashAPIKey(t *testing.T) {
	// The SHA-256 test vector of FIPS 180-2, appendix B.1.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := hashAPIKey("abc"); got != want {
		t.Errorf("hashAPIKey(%q) = %s, want %s", "abc", got, want)
	}
}

func TestCheckAuth(t *testing.T) {
	h1, h2 := hashAPIKey("sg_one"), hashAPIKey("sg_two")
	tests := []struct {
		name string
		keys []APIKeyConfig
		want string // "" for no error
	}{
		{"valid", []APIKeyConfig{{"alice", h1}, {"alice", h2}}, ""},
		{"no identifier", []APIKeyConfig{{"", h1}}, "auth.api_keys[0].identifier: is required"},
		{"spaced identifier", []APIKeyConfig{{" bob", h1}}, "auth.api_keys[0].identifier:"},
		{"short hash", []APIKeyConfig{{"alice", h1[:63]}}, "auth.api_keys[0].sha256: is not 64 lowercase hex"},
		{"upper case", []APIKeyConfig{{"alice", strings.ToUpper(h1)}}, "auth.api_keys[0].sha256: is not 64"},
		{"a key, not a hash", []APIKeyConfig{{"alice", "sg_secret"}}, "auth.api_keys[0].sha256: holds an API key"},
		{"duplicate", []APIKeyConfig{{"alice", h1}, {"bob", h1}},
			"auth.api_keys[1].sha256: is also auth.api_keys[0].sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{path: "scopegate.yaml"}
			cfg.Auth.APIKeys = tt.keys
			errs := cfg.checkAuth()
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("checkAuth() = %v, want none", errs)
			case tt.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want)):
				t.Errorf("checkAuth() = %v, want one error containing %q", errs, tt.want)
			}
			for _, err := range errs {
				if strings.Contains(err.Error(), "sg_secret") {
					t.Errorf("checkAuth() repeats the key: %v", err)
				}
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	cfg := &Config{}
	cfg.Auth.APIKeys = []APIKeyConfig{{"alice", hashAPIKey("sg_alice")}, {"bob", hashAPIKey("sg_bob")}}
	keys, err := newCallers(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	const metadata = "https://scopegate.example/.well-known/oauth-protected-resource"
	h := keys.authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, callerFrom(r))
	}), metadata, slog.New(slog.DiscardHandler))

	tests := []struct {
		name, authorization string
		status              int
		body, challenge     string
	}{
		{"alice", "Bearer sg_alice", http.StatusOK, "alice", ""},
		{"bob, lower-case scheme", "bearer sg_bob", http.StatusOK, "bob", ""},
		{"no header", "", http.StatusUnauthorized, `"error":"unauthorized"`,
			`Bearer resource_metadata="` + metadata + `"`},
		{"basic", "Basic c2dfYWxpY2U6", http.StatusUnauthorized, `"error":"unauthorized"`,
			`Bearer resource_metadata="` + metadata + `"`},
		{"wrong key", "Bearer sg_carol", http.StatusUnauthorized, `"error":"invalid_token"`,
			`Bearer resource_metadata="` + metadata + `", error="invalid_token"`},
		{"the hash", "Bearer " + hashAPIKey("sg_alice"), http.StatusUnauthorized, "invalid_token", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			req.Header.Set("X-Scopegate-Identifier", "mallory")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("status %d body %q, want %d containing %q", rec.Code, rec.Body, tt.status, tt.body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); tt.challenge != "" && got != tt.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
		})
	}
}

func TestNoKeysNoKeyring(t *testing.T) {
	keys, err := newKeyring(&Config{})
	if keys != nil || err != nil {
		t.Errorf("newKeyring(no keys) = %v, %v, want nil, nil", keys, err)
	}
}

func TestCheckListenForKeys(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg := &Config{Listen: "0.0.0.0:8765"}
	if err := checkListenFor(cfg, false, log); err == nil {
		t.Errorf("checkListenFor(%s, no keys) = nil, want a refusal", cfg.Listen)
	}
	cfg.Auth.APIKeys = []APIKeyConfig{{"alice", hashAPIKey("sg_alice")}}
	if err := checkListenFor(cfg, false, log); err == nil || !strings.Contains(err.Error(), "set public_url") {
		t.Errorf("checkListenFor(%s, with keys, no public_url) = %v, want an error asking for public_url", cfg.Listen, err)
	}
	cfg.PublicURL = "https://scopegate.example.com"
	if err := checkListenFor(cfg, false, log); err != nil {
		t.Errorf("checkListenFor(%s, with keys) = %v, want nil", cfg.Listen, err)
	}
	cfg.Listen = "192.0.2.1:8765"
	cfg.PublicURL = ""
	if err := checkListenFor(cfg, false, log); err != nil {
		t.Errorf("checkListenFor(%s, with keys) = %v, want nil", cfg.Listen, err)
	}
}

// TestKeysCommands creates a key against a configuration that has one
// already, and checks the printed section and 'keys hash' agree.
func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "scopegate.yaml")
	old := hashAPIKey("sg_old")
	body := "auth:\n  api_keys:\n    - identifier: alice\n      sha256: " + old + "\n"
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(binary(t), "keys", "create", "--identifier", "bob", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "SCOPEGATE_CONFIG=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	var key string
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, apiKeyPrefix) {
			key = strings.TrimSpace(line)
		}
	}
	var section struct {
		Auth AuthConfig `yaml:"auth"`
	}
	_, yamlPart, _ := strings.Cut(string(out), "\nauth:")
	if err := yaml.Unmarshal([]byte("auth:"+yamlPart), &section); err != nil || key == "" {
		t.Fatalf("keys create printed no key and YAML section (%v):\n%s", err, out)
	}
	want := []APIKeyConfig{{"alice", old}, {"bob", hashAPIKey(key)}}
	if got := section.Auth.APIKeys; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("keys create section = %+v, want %+v", got, want)
	}

	hash := exec.Command(binary(t), "keys", "hash")
	hash.Stdin = strings.NewReader(key + "\n")
	got, err := hash.Output()
	if err != nil || strings.TrimSpace(string(got)) != hashAPIKey(key) {
		t.Errorf("keys hash = %q, %v, want %s", got, err, hashAPIKey(key))
	}

	missing := exec.Command(binary(t), "keys", "create")
	if out, err := missing.CombinedOutput(); err == nil || !strings.Contains(string(out), "--identifier") {
		t.Errorf("keys create without --identifier = %q, %v, want an error naming the flag", out, err)
	}
}

// TestDemoRefusesBadKeys starts the demo with a duplicated hash.
func TestDemoRefusesBadKeys(t *testing.T) {
	h := hashAPIKey("sg_one")
	cfgPath := filepath.Join(t.TempDir(), "scopegate.yaml")
	body := "auth:\n  api_keys:\n    - {identifier: alice, sha256: " + h + "}\n" +
		"    - {identifier: bob, sha256: " + h + "}\n"
	if err := os.WriteFile(cfgPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(t), "demo", "--transport", "http", "--listen", "127.0.0.1:0",
		"--config", cfgPath)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "auth.api_keys[1].sha256") {
		t.Errorf("demo with a duplicated hash = %v:\n%s\nwant an error naming the field", err, out)
	}
}

func TestKeysHashWarnsAboutWhatIsNotAKey(t *testing.T) {
	key, err := newAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ input, warning string }{
		{key, ""},
		{hashAPIKey(key), "already a key's hash"},
		{"my-own-secret", "does not start with"},
	} {
		var out, warn strings.Builder
		if err := printKeyHash(&out, &warn, strings.NewReader(tc.input+"\n")); err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(out.String()) != hashAPIKey(tc.input) {
			t.Errorf("hash of %q = %q", tc.input, out.String())
		}
		if (tc.warning == "") != (warn.Len() == 0) || !strings.Contains(warn.String(), tc.warning) {
			t.Errorf("warning for %q = %q, want one containing %q", tc.input, warn.String(), tc.warning)
		}
	}
}
