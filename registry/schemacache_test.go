package registry

import (
	"reflect"
	"testing"

	"github.com/invopop/jsonschema"
)

type fpA struct {
	Name string `json:"name" jsonschema:"minLength=1"`
	Tags []fpB  `json:"tags,omitempty"`
}

type fpB struct {
	Value int `json:"value"`
}

type fpTag struct {
	Name string `json:"name" jsonschema:"minLength=2"`
	Tags []fpB  `json:"tags,omitempty"`
}

type fpNested struct {
	Name string `json:"name" jsonschema:"minLength=1"`
	Tags []fpC  `json:"tags,omitempty"`
}

type fpC struct {
	Value string `json:"value"`
}

type fpHook struct{ X string }

func (fpHook) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }

type fpWithHook struct {
	H fpHook `json:"h"`
}

type fpOtherHook struct{ X string }

func (fpOtherHook) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "number"} }

type fpWithOtherHook struct {
	H fpOtherHook `json:"h"`
}

type fpExtend struct{ X string }

func (fpExtend) JSONSchemaExtend(s *jsonschema.Schema) { s.Title = "extended" }

type fpWithExtend struct {
	E fpExtend `json:"e"`
}

type fpPointerHook struct{ X string }

func (*fpPointerHook) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }

type fpWithPointerHook struct {
	H fpPointerHook `json:"h"`
}

func TestSchemaFingerprint(t *testing.T) {
	a, ok := SchemaFingerprint(reflect.TypeFor[fpA]())
	if !ok {
		t.Fatal("fpA has no fingerprint")
	}
	if again, _ := SchemaFingerprint(reflect.TypeFor[fpA]()); again != a {
		t.Errorf("fingerprint of one type changed: %s then %s", a, again)
	}
	for _, other := range []reflect.Type{reflect.TypeFor[fpTag](), reflect.TypeFor[fpNested](), reflect.TypeFor[fpB]()} {
		if fp, _ := SchemaFingerprint(other); fp == a {
			t.Errorf("%s has the fingerprint of fpA", other)
		}
	}
	hook, ok := SchemaFingerprint(reflect.TypeFor[fpWithHook]())
	if !ok {
		t.Error("a type holding one with its own JSONSchema method has no fingerprint")
	}
	if other, _ := SchemaFingerprint(reflect.TypeFor[fpWithOtherHook]()); other == hook {
		t.Error("two types whose JSONSchema methods answer differently have one fingerprint")
	}
	for _, always := range []reflect.Type{reflect.TypeFor[fpWithExtend](), reflect.TypeFor[fpWithPointerHook]()} {
		if _, ok := SchemaFingerprint(always); ok {
			t.Errorf("%s has a fingerprint; a schema hook that depends on the reflection must make it reflected", always)
		}
	}
}

func TestSchemaOfFallsBackToReflection(t *testing.T) {
	// fpA is not among the shipped tools' inputs, so it is reflected.
	got, err := schemaOf(reflect.TypeFor[fpA]())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := schemaForType(reflect.TypeFor[fpA]())
	if string(got) != string(want) {
		t.Errorf("schemaOf = %s, want %s", got, want)
	}
}

func TestShippedSchemasAreUsed(t *testing.T) {
	if precomputed() == nil {
		t.Fatal("schemas.json is unreadable, or its canary does not match this schema library: every schema is reflected")
	}
}
