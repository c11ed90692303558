package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
	santhosh "github.com/santhosh-tekuri/jsonschema/v6"
)

// Annotations are the MCP tool annotations. Every field is set on purpose
// for every tool: the registry tests refuse a tool that leaves them at
// their zero value without saying so.
type Annotations struct {
	// ReadOnly tools change nothing at the provider.
	ReadOnly bool
	// Destructive tools may delete or overwrite data. Meaningful only
	// when ReadOnly is false.
	Destructive bool
	// Idempotent tools have no further effect when called again with the
	// same arguments.
	Idempotent bool
	// OpenWorld tools reach beyond scopegate, to a provider.
	OpenWorld bool
}

// Call is what a tool handler receives besides its input: an HTTP client
// that already carries the user's token, and where to send requests.
type Call struct {
	// HTTP sends authorized requests to the provider. It is never nil.
	HTTP *http.Client
	// APIBaseURL, when set, replaces the scheme and host of the provider's
	// real API URLs (the sandbox is reached this way).
	APIBaseURL string
	// Identifier is the user on whose behalf the call is made. It is for
	// logging only; tools never choose an account.
	Identifier string
	// Site is the connection's configured Atlassian site, if any.
	Site string
	// Logger receives the tool's own log lines; nil means silent.
	Logger *slog.Logger
}

// URL returns the full URL of path on the provider's API, where base is the
// provider's real origin such as "https://gmail.googleapis.com".
func (c *Call) URL(base, path string) string {
	if c.APIBaseURL != "" {
		base = strings.TrimRight(c.APIBaseURL, "/")
	}
	return base + path
}

// Result is a tool's successful answer: a short text for the model and the
// person, and the same facts as a JSON object for programs.
type Result struct {
	Text       string
	Structured any
}

// ToolError is a failure the agent can act on: bad input, a provider that
// refused, a message that does not exist. It becomes a tool result with
// isError set; Message is shown as is, so it must hold nothing secret.
type ToolError struct {
	Message string
	// Status is the provider's HTTP status, when the provider answered.
	Status int
}

func (e *ToolError) Error() string { return e.Message }

// Errorf returns a ToolError with a formatted message.
func Errorf(format string, args ...any) error {
	return &ToolError{Message: fmt.Sprintf(format, args...)}
}

// ScopeError reports that the provider refused a call for lack of a scope.
// The gate turns it into an authorization-required result and corrects
// the stored grant.
type ScopeError struct {
	// Missing lists the scopes the provider named, when it named any.
	Missing ScopeSet
	// Detail is the provider's own message, for logs.
	Detail string
}

func (e *ScopeError) Error() string {
	return "provider refused the call for lack of a scope: " + e.Detail
}

// RevokedError reports that the provider no longer accepts the account's
// token at all (revoked, deactivated), so nothing but a new authorization
// can help. The gate marks the account as needing re-authorization and
// answers with an authorization-required result.
type RevokedError struct {
	// Detail is the provider's own reason, for logs.
	Detail string
}

func (e *RevokedError) Error() string {
	return "provider no longer accepts the account's token: " + e.Detail
}

// Handler runs a tool whose arguments are still raw JSON.
type Handler func(ctx context.Context, call *Call, args json.RawMessage) (Result, error)

// Bound runs a tool with arguments that Tool.Bind has already checked and
// decoded.
type Bound func(ctx context.Context, call *Call) (Result, error)

// Tool describes one MCP tool: what it is called, what it takes, what it
// needs, what it calls at the provider and how it runs.
type Tool struct {
	Name        string
	Title       string
	Description string
	Provider    ProviderID
	// TokenType is the kind of token the tool calls with, for providers
	// with more than one (Slack: bot or user); its requirement follows
	// that token type's scopes. Empty for other providers.
	TokenType TokenType
	// Requirement lists the scope alternatives that authorize every
	// operation in Operations, least privileged first.
	Requirement Requirement
	// Operations names the provider operations the handler calls, as the
	// provider's specification names them (for Google, discovery method ids).
	Operations  []string
	Annotations Annotations
	// InputSchema is the JSON Schema of the arguments, inline, with
	// "type": "object" at the top.
	InputSchema json.RawMessage
	// InputType is the Go type the arguments are decoded into, for tools
	// made by NewTool.
	InputType reflect.Type
	// Validate checks arguments without running the tool, so bad input is
	// reported before the gate looks at the user's grant. It returns a
	// *ToolError naming the field at fault.
	Validate func(args json.RawMessage) error
	Handler  Handler
	// Bind checks arguments as Validate does and, when they are good,
	// returns the tool's run with them decoded, so that a caller that
	// validates before running decodes the arguments once. It may be nil
	// for a tool not made by NewTool; Validate and Handler then serve.
	Bind func(args json.RawMessage) (Bound, error)
}

// Spec is the part of a Tool written by hand; NewTool adds the schema and
// the handler.
type Spec struct {
	Name        string
	Title       string
	Description string
	Provider    ProviderID
	TokenType   TokenType
	Requirement Requirement
	Operations  []string
	Annotations Annotations
}

// NewTool builds a Tool whose arguments are decoded into In before fn runs.
// In's schema is generated from its struct tags. NewTool panics when In is
// not a struct, a setup error.
func NewTool[In any](spec Spec, fn func(ctx context.Context, call *Call, in In) (Result, error)) Tool {
	schema, err := schemaOf(reflect.TypeFor[In]())
	if err != nil {
		panic(fmt.Sprintf("registry: tool %s: %v", spec.Name, err))
	}
	v := &schemaValidator{schema: schema}
	required := requiredFields(reflect.TypeFor[In]())
	// The proof is made on first use, not when the tool is declared: a
	// server starts without checking any arguments.
	implied := sync.OnceValue(func() *impliedSchema {
		return newImpliedSchema(reflect.TypeFor[In](), schema, required)
	})
	// decode checks the arguments in the order the errors are reported:
	// shape and types, required fields, the input's own Check, then the
	// schema. The arguments are parsed twice, once into In and once into
	// the generic value the schema is checked against, which also tells
	// which fields are present; for a simple schema, the second parse is
	// left out when the decoded input is proved to match it (see
	// impliedSchema). For such a schema, the decoding is tried first
	// without the strict decoder's buffer: what the proof accepts has no
	// unknown key, so the two decoders agree on it; anything else is
	// decoded again, strictly, for the error it deserves.
	decode := func(args json.RawMessage) (In, error) {
		var in In
		args = normalArgs(args)
		proof := implied()
		if proof != nil {
			if json.Unmarshal(args, &in) == nil && proof.holds(args, reflect.ValueOf(&in).Elem()) {
				return in, check(&in)
			}
			var zero In
			in = zero
		}
		if err := decodeStrict(args, &in); err != nil {
			return in, err
		}
		inst, err := santhosh.UnmarshalJSON(bytes.NewReader(args))
		if err != nil {
			return in, Errorf("arguments must be a JSON object")
		}
		present, ok := inst.(map[string]any)
		if !ok {
			return in, Errorf("arguments must be a JSON object")
		}
		for _, name := range required {
			if present[name] == nil {
				return in, Errorf("missing required argument %q", name)
			}
		}
		if err := check(&in); err != nil {
			return in, err
		}
		return in, v.validateValue(inst)
	}
	return Tool{
		Name:        spec.Name,
		Title:       spec.Title,
		Description: spec.Description,
		Provider:    spec.Provider,
		TokenType:   spec.TokenType,
		Requirement: spec.Requirement,
		Operations:  spec.Operations,
		Annotations: spec.Annotations,
		InputSchema: schema,
		InputType:   reflect.TypeFor[In](),
		Validate: func(args json.RawMessage) error {
			_, err := decode(args)
			return err
		},
		Handler: func(ctx context.Context, call *Call, args json.RawMessage) (Result, error) {
			in, err := decode(args)
			if err != nil {
				return Result{}, err
			}
			return fn(ctx, call, in)
		},
		Bind: func(args json.RawMessage) (Bound, error) {
			in, err := decode(args)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, call *Call) (Result, error) {
				return fn(ctx, call, in)
			}, nil
		},
	}
}

// Checker is implemented by inputs whose values need checks a schema
// cannot express, such as email addresses. Check returns a *ToolError.
type Checker interface {
	Check() error
}

// check runs the input's own Check, if it has one.
func check(in any) error {
	if c, ok := in.(Checker); ok {
		return c.Check()
	}
	return nil
}

// normalArgs treats absent arguments as an empty object.
func normalArgs(args json.RawMessage) json.RawMessage {
	if t := bytes.TrimSpace(args); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return json.RawMessage("{}")
	}
	return args
}

// SchemaFor returns the inline JSON Schema of T: no $ref, no $defs, no $id,
// "type": "object" at the top and no extra properties allowed.
func SchemaFor[T any]() (json.RawMessage, error) {
	return schemaForType(reflect.TypeFor[T]())
}

func schemaForType(t reflect.Type) (json.RawMessage, error) {
	if t.Kind() != reflect.Struct {
		return nil, errors.New("input must be a struct")
	}
	r := jsonschema.Reflector{
		DoNotReference:            true,
		ExpandedStruct:            true,
		AllowAdditionalProperties: false,
		Anonymous:                 true,
	}
	s := r.ReflectFromType(t)
	s.Version = ""
	s.ID = ""
	if s.Properties == nil || s.Properties.Len() == 0 {
		s.Properties = jsonschema.NewProperties()
	}
	return json.Marshal(s)
}

// DecodeArgs decodes a tool's arguments into v, refusing unknown fields and
// naming the field at fault in plain words.
func DecodeArgs(args json.RawMessage, v any) error {
	args = normalArgs(args)
	if err := decodeStrict(args, v); err != nil {
		return err
	}
	return checkRequired(args, v)
}

// decodeStrict decodes args into v, refusing unknown fields, and says what
// is wrong in plain words. It does not check required fields.
func decodeStrict(args json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return Errorf("arguments must be a JSON object, got %s", typeErr.Value)
		case errors.As(err, &typeErr):
			return Errorf("invalid argument %q: expected %s, got %s", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return Errorf("unknown argument %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		default:
			return Errorf("arguments are not a valid JSON object: %v", err)
		}
	}
	return nil
}

// checkRequired reports the first field that the schema marks required
// (no omitempty) and the arguments leave out.
func checkRequired(args json.RawMessage, v any) error {
	var present map[string]json.RawMessage
	if err := json.Unmarshal(args, &present); err != nil {
		return Errorf("arguments must be a JSON object")
	}
	for _, name := range requiredFields(reflect.TypeOf(v).Elem()) {
		if raw, ok := present[name]; !ok || string(raw) == "null" {
			return Errorf("missing required argument %q", name)
		}
	}
	return nil
}

// requiredFields lists, in field order, the JSON names of the fields of
// struct type t that the schema marks required: those without omitempty
// or omitzero.
func requiredFields(t reflect.Type) []string {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" || strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") {
			continue
		}
		names = append(names, name)
	}
	return names
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}
