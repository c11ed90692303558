package tools_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools"
)

var update = flag.Bool("update", false, "write registry/schemas.json from the tools' input types")

const schemasFile = "../registry/schemas.json"

// TestPrecomputedSchemas keeps registry/schemas.json, the schemas made
// ahead of time so that start-up need not reflect them, equal to what
// reflection makes of every tool's input type, entry for entry.
func TestPrecomputedSchemas(t *testing.T) {
	want := map[string]json.RawMessage{}
	reflected := 0
	for _, tool := range tools.All() {
		if tool.InputType == nil {
			t.Errorf("%s: no input type", tool.Name)
			continue
		}
		schema, err := registry.ReflectSchema(tool.InputType)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(schema, tool.InputSchema) {
			t.Errorf("%s: its schema is not what reflection makes of %s:\n got %s\nwant %s",
				tool.Name, tool.InputType, tool.InputSchema, schema)
		}
		fp, ok := registry.SchemaFingerprint(tool.InputType)
		if !ok {
			reflected++
			continue
		}
		want[fp] = schema
	}
	canary, err := registry.CanarySchema()
	if err != nil {
		t.Fatal(err)
	}
	want[registry.CanaryKey] = canary
	if reflected > 5 {
		t.Errorf("%d tools' schemas cannot be made ahead of time; a few (inputs holding types with other schema hooks, such as JSONSchemaExtend) may be", reflected)
	}

	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	})
	var b strings.Builder
	b.WriteString("{\n")
	for i, k := range keys {
		sep := ","
		if i == len(keys)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "%q: %s%s\n", k, want[k], sep)
	}
	b.WriteString("}\n")

	if *update {
		if err := os.WriteFile(schemasFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(schemasFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != b.String() {
		t.Errorf("%s is out of date with the tools' input types; run\n\tgo test ./tools -run TestPrecomputedSchemas -update", schemasFile)
	}
}
