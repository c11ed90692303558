package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

type impliedInput struct {
	ID    string  `json:"id" jsonschema:"minLength=1"`
	Count int     `json:"count,omitempty" jsonschema:"minimum=1,maximum=5"`
	Size  uint    `json:"size,omitempty" jsonschema:"maximum=9"`
	Color string  `json:"color,omitempty" jsonschema:"enum=red,enum=green"`
	Name  string  `json:"name,omitempty" jsonschema:"maxLength=3"`
	Flag  bool    `json:"flag,omitempty"`
	Ratio float64 `json:"ratio,omitempty"`
}

// referenceValidate is what Validate did before impliedSchema: decode and
// check required fields, then the schema on a second parse.
func referenceValidate(t *testing.T, schema json.RawMessage, args string) string {
	t.Helper()
	var in impliedInput
	if err := DecodeArgs(json.RawMessage(args), &in); err != nil {
		return err.Error()
	}
	v := &schemaValidator{schema: schema}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(normalArgs(json.RawMessage(args))))
	if err != nil {
		return "arguments must be a JSON object"
	}
	if err := v.validateValue(inst); err != nil {
		return err.Error()
	}
	return ""
}

// TestImpliedSchemaAgrees checks that leaving the schema out for a simple
// input changes no verdict and no message.
func TestImpliedSchemaAgrees(t *testing.T) {
	tool := NewTool(Spec{Name: "t"}, func(context.Context, *Call, impliedInput) (Result, error) { return Result{}, nil })
	if newImpliedSchema(reflect.TypeFor[impliedInput](), tool.InputSchema, requiredFields(reflect.TypeFor[impliedInput]())) == nil {
		t.Fatalf("schema %s is not handled as simple", tool.InputSchema)
	}
	cases := []string{
		``, `null`, ` null `, `{}`, `[]`, `"x"`, `1`,
		`{"id":"a"}`, ` { "id" : "a" } `, "{\n\t\"id\":\"a\"\r\n}",
		`{"id":""}`, `{"id":null}`, `{"id":1}`, `{"ID":"a"}`, `{"Id":"a","id":"b"}`,
		`{"\u0069d":"a"}`, `{"id":"a","id":"b"}`, `{"id":"a"} x`, `{"id":"a"}{}`, `{"id":"a"`,
		`{"id":"a","count":1}`, `{"id":"a","count":5}`, `{"id":"a","count":0}`, `{"id":"a","count":6}`,
		`{"id":"a","count":1.0}`, `{"id":"a","count":1e0}`, `{"id":"a","count":-1}`, `{"id":"a","count":null}`,
		`{"id":"a","count":"2"}`, `{"id":"a","count":99999999999999999999}`,
		`{"id":"a","size":9}`, `{"id":"a","size":10}`, `{"id":"a","size":-1}`,
		`{"id":"a","color":"red"}`, `{"id":"a","color":"blue"}`, `{"id":"a","color":"Red"}`, `{"id":"a","color":""}`,
		`{"id":"a","name":"abc"}`, `{"id":"a","name":"abcd"}`, `{"id":"a","name":"äöü"}`, `{"id":"a","name":"äöüß"}`,
		`{"id":"a","name":"\u00e4b"}`, `{"id":"a","name":"a\"b"}`, `{"id":"a","name":"a\\"}`,
		`{"id":"a","flag":true}`, `{"id":"a","flag":"true"}`, `{"id":"a","flag":null}`,
		`{"id":"a","ratio":0.5}`, `{"id":"a","ratio":1e300}`, `{"id":"a","ratio":-0}`,
		`{"id":"a","extra":1}`, `{"id":"a","extra":{"x":[1,"]"]}}`, `{"id":"a","count":[1]}`, `{"id":"a","name":{"a":"}"}}`,
		`{"id":"a","ratio":1,"flag":false,"color":"green","name":"x","count":3,"size":0}`,
	}
	for _, args := range cases {
		checkAgrees(t, tool, args)
	}
}

// checkAgrees fails t when Validate and the schema disagree on args.
func checkAgrees(t *testing.T, tool Tool, args string) {
	t.Helper()
	want := referenceValidate(t, tool.InputSchema, args)
	got := ""
	if err := tool.Validate(json.RawMessage(args)); err != nil {
		got = err.Error()
	}
	if got != want {
		t.Errorf("Validate(%q) = %q, want %q as the schema says", args, got, want)
	}
}

// FuzzImpliedSchemaAgrees looks for arguments on which leaving the schema
// out changes the verdict or the message; `go test` runs the seeds, and
// `go test -fuzz FuzzImpliedSchemaAgrees ./registry/` searches further.
func FuzzImpliedSchemaAgrees(f *testing.F) {
	for _, c := range []string{`{}`, `{"id":"a","count":3}`, `{"id":"","name":"äöüß"}`, `{"id":"a","color":"red","size":10}`} {
		f.Add(c)
	}
	tool := NewTool(Spec{Name: "t"}, func(context.Context, *Call, impliedInput) (Result, error) { return Result{}, nil })
	f.Fuzz(func(t *testing.T, args string) { checkAgrees(t, tool, args) })
}

// TestImpliedSchemaRefuses lists inputs whose schema must always be
// checked.
func TestImpliedSchemaRefuses(t *testing.T) {
	type quoted struct {
		N int `json:"n,string"`
	}
	type nested struct {
		Tags []string `json:"tags"`
	}
	type raw struct {
		V json.RawMessage `json:"v"`
	}
	type pattern struct {
		S string `json:"s" jsonschema:"pattern=^a"`
	}
	type bounded struct {
		F float64 `json:"f" jsonschema:"maximum=1"`
	}
	for name, typ := range map[string]reflect.Type{
		"quoted": reflect.TypeFor[quoted](), "nested": reflect.TypeFor[nested](),
		"raw": reflect.TypeFor[raw](), "pattern": reflect.TypeFor[pattern](), "bounded": reflect.TypeFor[bounded](),
	} {
		schema, err := schemaForType(typ)
		if err != nil {
			t.Fatal(err)
		}
		if newImpliedSchema(typ, schema, requiredFields(typ)) != nil {
			t.Errorf("%s: schema %s handled as simple", name, schema)
		}
	}
}

// TestSchemaThatDoesNotCompileRefuses: arguments are never let through
// unchecked because a schema is broken.
func TestSchemaThatDoesNotCompileRefuses(t *testing.T) {
	v := &schemaValidator{schema: json.RawMessage(`{"type": 7}`)}
	if err := v.validateValue(map[string]any{}); err == nil {
		t.Error("a schema that does not compile let the arguments through")
	}
}
