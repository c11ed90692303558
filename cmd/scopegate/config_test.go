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
	if cfg.Identifier != "user_123" || len(conns) != 1 || conns[0].Name != "gmail" || len(conns[0].Ceiling) != 3 {
		t.Errorf("sample config read as identifier %q, %d connections", cfg.Identifier, len(conns))
	}
	if conns[0].ClientSecret != "s3cret" {
		t.Error("client secret not read from the named environment variable")
	}
}

func TestBrokenConfigs(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"unknown-scope.yaml", []string{
			`../../testdata/config/broken/unknown-scope.yaml: connections[0].scopes[0]: unknown google scope "https://www.googleapis.com/auth/gmail.sendd"`,
		}},
		{"unknown-field.yaml", []string{`field identifer not found`}},
		{"missing-fields.yaml", []string{
			`connections[0].provider: unknown provider "gogle" (known: google)`,
			`connections[1].name: "gmail" is used by another connection`,
			`connections[1].client_id: is required`,
			`connections[1].client_secret_env: is required`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := loadConfig("../../testdata/config/broken/" + tt.file)
			if err == nil {
				_, err = cfg.connections(testEnv)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\ndoes not contain %q", err, want)
				}
			}
		})
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
