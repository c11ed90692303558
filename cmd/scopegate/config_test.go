package main

import (
	"strings"
	"testing"
)

func testEnv(key string) string {
	if key == "SCOPEGATE_TEST_SECRET" || key == "SCOPEGATE_GOOGLE_CLIENT_SECRET" {
		return "s3cret"
	}
	return ""
}

func TestSampleConfigLoads(t *testing.T) {
	cfg, err := loadConfig("../../testdata/config/scopegate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	conns, err := cfg.connections(testEnv)
	if err != nil {
		t.Fatalf("sample config: %v", err)
	}
	if cfg.Identifier != "user_123" || len(conns) != 1 || conns[0].Name != "google" || len(conns[0].Ceiling) != 3 {
		t.Errorf("sample config read as identifier %q, %d connections", cfg.Identifier, len(conns))
	}
	if conns[0].ClientSecret != "s3cret" {
		t.Error("client secret not read from the named environment variable")
	}
}

func TestSecretEnvMustBeSet(t *testing.T) {
	cfg, err := loadConfig("../../testdata/config/scopegate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.connections(func(string) string { return "" })
	want := "connections[0].client_secret_env: environment variable SCOPEGATE_GOOGLE_CLIENT_SECRET is not set"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want it to contain %q", err, want)
	}
}
