package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaValidator checks arguments against a tool's input schema for what
// decoding cannot see (enums, ranges, lengths, patterns), and says what is
// wrong in plain words.
type schemaValidator struct {
	once   sync.Once
	schema json.RawMessage
	sch    *jsonschema.Schema
	err    error
}

// validateValue checks inst, the arguments as santhosh-tekuri/jsonschema
// unmarshals them (jsonschema.UnmarshalJSON), against the schema, which is
// compiled on first use.
func (v *schemaValidator) validateValue(inst any) error {
	v.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(v.schema))
		if err != nil {
			v.err = err
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("input.json", doc); err != nil {
			v.err = err
			return
		}
		v.sch, v.err = c.Compile("input.json")
	})
	if v.err != nil {
		// A schema that does not compile is a setup error the registry
		// tests catch; should one slip through, nothing is let through
		// unchecked.
		return Errorf("scopegate cannot check arguments for this tool: its input schema does not compile")
	}
	err := v.sch.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var msgs []string
	for _, u := range ve.BasicOutput().Errors {
		if u.Error == nil {
			continue
		}
		where := strings.TrimPrefix(u.InstanceLocation, "/")
		if where == "" {
			msgs = append(msgs, u.Error.String())
			continue
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", strings.ReplaceAll(where, "/", "."), u.Error.String()))
	}
	if len(msgs) == 0 {
		return Errorf("the arguments do not match the tool's input schema")
	}
	// The schema library reports in no fixed order; the same arguments
	// always get the same message.
	slices.Sort(msgs)
	return Errorf("invalid arguments: %s", strings.Join(msgs, "; "))
}
