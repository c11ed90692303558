package registry

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"

	"github.com/invopop/jsonschema"
)

// Reflecting an input type into its schema is most of what declaring a
// tool costs, and every tool is declared when scopegate starts. So the
// schemas of the tools scopegate ships are made ahead of time, by the same
// reflection, and kept in schemas.json, keyed by a fingerprint of
// everything about the input type that the reflection reads: its fields,
// their Go types and struct tags, recursively. A type that changes gets
// another fingerprint, misses, and is reflected as before, so the file
// can be out of date but never wrong; a test in package tools fails until
// it is made again:
//
//	go test ./tools -run TestPrecomputedSchemas -update
//
//go:embed schemas.json
var schemasJSON []byte

var precomputed = sync.OnceValue(func() map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(schemasJSON, &m); err != nil {
		// Unreadable, the file helps nobody: every schema is reflected.
		return nil
	}
	// A schema library that reflects the canary otherwise than the file
	// says is not the one the file was made with: nothing in it is used.
	if want, err := CanarySchema(); err != nil || !bytes.Equal(m[CanaryKey], want) {
		return nil
	}
	return m
})

// CanaryKey is the entry of schemas.json that holds the canary's schema.
const CanaryKey = "canary"

// schemaCanary is reflected when the file is first read, and compared with
// its entry: it uses the features the tools' inputs use, so a library that
// writes them differently shows it here.
type schemaCanary struct {
	Name  string   `json:"name" jsonschema:"minLength=1,maxLength=9" jsonschema_description:"A name."`
	Kind  string   `json:"kind,omitempty" jsonschema:"enum=a,enum=b"`
	Count int      `json:"count,omitempty" jsonschema:"minimum=1,maximum=5"`
	Ratio float64  `json:"ratio,omitempty"`
	On    bool     `json:"on,omitempty"`
	Tags  []string `json:"tags,omitempty" jsonschema:"maxItems=3"`
	Inner struct {
		ID string `json:"id" jsonschema:"pattern=^[a-z]+$"`
	} `json:"inner"`
}

// CanarySchema returns the canary's schema as reflection makes it now.
func CanarySchema() (json.RawMessage, error) {
	return schemaForType(reflect.TypeFor[schemaCanary]())
}

// schemaOf returns the schema of t, precomputed when it can be.
func schemaOf(t reflect.Type) (json.RawMessage, error) {
	if fp, ok := SchemaFingerprint(t); ok {
		if s, ok := precomputed()[fp]; ok {
			return s, nil
		}
	}
	return schemaForType(t)
}

// schemaHooks are the methods through which a type takes part in its own
// schema. A type whose value has JSONSchema gets the schema it returns,
// and nothing of the type is reflected; so what it returns, written out,
// is its fingerprint. What the others do depends on the schema reflected
// so far, which cannot be fingerprinted: such types are always reflected.
var schemaHooks = []string{"JSONSchema", "JSONSchemaExtend", "JSONSchemaAlias", "JSONSchemaProperty",
	"GetFieldDocString", "EnumDescriptor"}

// ownSchema is the hook whose answer stands for a type's whole schema.
type ownSchema interface {
	JSONSchema() *jsonschema.Schema
}

var ownSchemaType = reflect.TypeFor[ownSchema]()

// SchemaFingerprint returns the key under which the schema of t is kept,
// and false when t's schema must always be reflected.
func SchemaFingerprint(t reflect.Type) (string, bool) {
	// What the fingerprint covers is written straight into the hash.
	hash := sha256.New()
	b := bufio.NewWriterSize(hash, 512)
	// The reflector's settings are those of schemaForType; the version
	// changes whenever they, the way schemas are finished or the way
	// fingerprints are written do.
	b.WriteString("scopegate-schema-v2\n")
	if !fingerprint(b, t, map[reflect.Type]bool{}) {
		return "", false
	}
	b.Flush()
	sum := hash.Sum(nil)
	return hex.EncodeToString(sum[:16]), true
}

func fingerprint(b *bufio.Writer, t reflect.Type, seen map[reflect.Type]bool) bool {
	b.WriteString(t.PkgPath())
	b.WriteByte(' ')
	b.WriteString(t.String())
	b.WriteByte(' ')
	b.WriteString(t.Kind().String())
	b.WriteByte('\n')
	if seen[t] {
		return true
	}
	seen[t] = true
	if t.Kind() != reflect.Pointer && t.Implements(ownSchemaType) {
		// As the reflector does: the schema is what a new value says.
		own, err := json.Marshal(reflect.New(t).Interface().(ownSchema).JSONSchema())
		if err != nil {
			return false
		}
		writeSized(b, string(own))
		return true
	}
	for _, name := range schemaHooks {
		if _, ok := t.MethodByName(name); ok {
			return false
		}
		if _, ok := reflect.PointerTo(t).MethodByName(name); ok {
			return false
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			b.WriteString(f.Name)
			b.WriteByte(' ')
			writeSized(b, string(f.Tag))
			if f.Anonymous {
				b.WriteString(" embedded")
			}
			b.WriteByte('\n')
			if !fingerprint(b, f.Type, seen) {
				return false
			}
		}
	case reflect.Pointer, reflect.Slice:
		return fingerprint(b, t.Elem(), seen)
	case reflect.Array:
		b.WriteString(strconv.Itoa(t.Len()))
		return fingerprint(b, t.Elem(), seen)
	case reflect.Map:
		return fingerprint(b, t.Key(), seen) && fingerprint(b, t.Elem(), seen)
	case reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		// Reflected as the library sees fit; nothing more to say.
	}
	return true
}

// writeSized writes s after its length, so that no s can pass for
// another's end and the next one's start.
func writeSized(b *bufio.Writer, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

// ReflectSchema returns the schema of t as reflection makes it, never
// precomputed: what schemas.json must hold for it.
func ReflectSchema(t reflect.Type) (json.RawMessage, error) {
	return schemaForType(t)
}
