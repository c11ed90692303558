package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseScopes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want ScopeSet
	}{
		{"space separated", "b a", ScopeSet{"a", "b"}},
		{"comma separated", "chat:write,channels:read", ScopeSet{"channels:read", "chat:write"}},
		{"duplicates and blanks", " a  a ,, b ", ScopeSet{"a", "b"}},
		{"empty", "", ScopeSet{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseScopes(tt.in)); diff != "" {
				t.Errorf("ParseScopes(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRequirementCheck(t *testing.T) {
	send := AnyOf(GmailSend, GmailCompose, GmailModify, GmailFull)
	both := Requirement{NewScopeSet("a", "b"), NewScopeSet("c")}
	tests := []struct {
		name        string
		req         Requirement
		grant       ScopeSet
		wantMet     int
		wantMissing ScopeSet
	}{
		{"nothing granted asks for least privileged", send, nil, -1, ScopeSet{GmailSend}},
		{"narrowest scope meets", send, NewScopeSet(GmailSend), 0, nil},
		{"broader scope meets", send, NewScopeSet(GmailReadonly, GmailFull), 3, nil},
		{"unrelated scope does not meet", send, NewScopeSet(GmailReadonly), -1, ScopeSet{GmailSend}},
		{"set needs every member", both, NewScopeSet("a"), -1, ScopeSet{"b"}},
		{"set met in full", both, NewScopeSet("a", "b"), 0, nil},
		{"second alternative", both, NewScopeSet("c"), 1, nil},
		{"empty requirement fails closed", nil, NewScopeSet("a"), -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			met, missing := tt.req.Check(tt.grant)
			if met != tt.wantMet {
				t.Errorf("Check(%v) met = %d, want %d", tt.grant, met, tt.wantMet)
			}
			if diff := cmp.Diff(tt.wantMissing, missing); diff != "" {
				t.Errorf("Check(%v) missing mismatch (-want +got):\n%s", tt.grant, diff)
			}
		})
	}
}

func TestCheckDoesNotAllocateWhenMet(t *testing.T) {
	req := AnyOf(GmailSend, GmailCompose, GmailModify, GmailFull)
	grant := NewScopeSet(GoogleOpenID, GoogleEmail, GmailReadonly, GmailModify)
	allocs := testing.AllocsPerRun(100, func() { req.Check(grant) })
	if allocs != 0 {
		t.Errorf("Check allocates %v times per call when met, want 0", allocs)
	}
}

func TestCatalogIsConsistent(t *testing.T) {
	for _, p := range Providers() {
		seen := map[Scope]bool{}
		for _, info := range p.Catalog {
			if seen[info.Scope] {
				t.Errorf("%s catalog lists %s twice", p.ID, info.Scope)
			}
			seen[info.Scope] = true
			if info.Title == "" || info.Explanation == "" || info.Sensitivity == "" {
				t.Errorf("%s catalog entry %s lacks a title, explanation or sensitivity", p.ID, info.Scope)
			}
		}
		for _, info := range p.Catalog {
			for _, broader := range info.CoveredBy {
				if !seen[broader] {
					t.Errorf("%s: %s is covered by %s, which is not in the catalog", p.ID, info.Scope, broader)
				}
			}
		}
		for _, s := range p.AlwaysRequest {
			if !seen[s] {
				t.Errorf("%s always requests %s, which is not in the catalog", p.ID, s)
			}
		}
	}
}

func TestDecodeArgs(t *testing.T) {
	type input struct {
		ID    string   `json:"id"`
		Count int      `json:"count,omitempty"`
		Tags  []string `json:"tags,omitempty"`
	}
	tests := []struct {
		name string
		args string
		want string
	}{
		{"valid", `{"id":"x","count":2}`, ""},
		{"wrong type", `{"id":"x","count":"two"}`, `invalid argument "count": expected an integer, got string`},
		{"missing required", `{"count":2}`, `missing required argument "id"`},
		{"null required", `{"id":null}`, `missing required argument "id"`},
		{"unknown field", `{"id":"x","colour":"red"}`, `unknown argument "colour"`},
		{"not an object", `[1,2]`, `arguments must be a JSON object, got array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in input
			err := DecodeArgs([]byte(tt.args), &in)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("DecodeArgs(%s) = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestValidateSaysWhatIsWrong(t *testing.T) {
	type input struct {
		Color string   `json:"color" jsonschema:"enum=red,enum=green"`
		Count int      `json:"count,omitempty" jsonschema:"minimum=1,maximum=5"`
		Tags  []string `json:"tags,omitempty" jsonschema:"maxItems=2"`
	}
	tool := NewTool(Spec{Name: "t"}, func(context.Context, *Call, input) (Result, error) { return Result{}, nil })
	tests := []struct{ args, want string }{
		{`{"color":"red","count":3}`, ""},
		{`{"color":"blue"}`, "invalid arguments: color: value must be one of"},
		{`{"color":"red","count":9}`, "invalid arguments: count: maximum: got 9, want 5"},
		{`{"color":"red","tags":["a","b","c"]}`, "invalid arguments: tags: maxItems"},
		{`{"colour":"red"}`, `unknown argument "colour"`},
	}
	for _, tt := range tests {
		err := tool.Validate([]byte(tt.args))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("Validate(%s) = %q, want it to start with %q", tt.args, got, tt.want)
		}
		if strings.Contains(got, "&{") {
			t.Errorf("Validate(%s) shows a Go value: %q", tt.args, got)
		}
	}
}
