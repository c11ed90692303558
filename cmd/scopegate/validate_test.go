package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConfigValidate runs `scopegate config validate` on every config
// under testdata/config/broken and testdata/config/warn and compares what
// it says with the .want file beside it (refresh with -update).
func TestConfigValidate(t *testing.T) {
	t.Setenv("SCOPEGATE_TEST_SECRET", "s3cret")
	files, _ := filepath.Glob("../../testdata/config/broken/*.yaml")
	warn, _ := filepath.Glob("../../testdata/config/warn/*.yaml")
	files = append(append(files, warn...), "../../testdata/config/scopegate.yaml")
	t.Setenv("SCOPEGATE_GOOGLE_CLIENT_SECRET", "s3cret")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var out bytes.Buffer
			root := newRootCommand()
			root.SetOut(&out)
			root.SetErr(&out)
			root.SetArgs([]string{"config", "validate", "--config", file})
			err := root.Execute()
			got := out.String()
			if err != nil {
				got += "error: " + err.Error() + "\n"
			}
			broken := strings.Contains(file, "/broken/")
			if broken != (err != nil) {
				t.Errorf("error = %v, want an error only for broken configs", err)
			}

			want := strings.TrimSuffix(file, ".yaml") + ".want"
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (create it with -update)", err)
			}
			if diff := cmp.Diff(string(b), got); diff != "" {
				t.Errorf("config validate %s (-want +got):\n%s", file, diff)
			}
		})
	}
}
