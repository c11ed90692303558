package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestAccountsRefusesAMissingStore(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere.db")
	out, err := exec.Command(binary(t), "accounts", "list", "--store", missing).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no store at "+missing) {
		t.Fatalf("accounts list on a missing store = %v:\n%s", err, out)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(missing), "*")); len(matches) != 0 {
		t.Errorf("accounts list created %v", matches)
	}
}
