package microsoft

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// factsJSON is Microsoft Graph's published permission facts, the same file the project
// keeps as testdata/provider-facts/microsoft.json (a test checks that they agree).
//
//go:embed facts.json
var factsJSON []byte

// Permission schemes of Microsoft's permissions data: delegated access for work or school
// accounts and for personal Microsoft accounts.
const (
	schemeWork     = "DelegatedWork"
	schemePersonal = "DelegatedPersonal"
)

// facts is the subset of Microsoft's permissions data the sandbox needs: for each
// operation its HTTP method and path and, per scheme, the permissions that authorize it;
// for each permission its delegated description and whether an administrator must
// consent to it.
type facts struct {
	Operations        map[string]operationFacts `json:"operations"`
	ScopeDescriptions map[string]scopeFacts     `json:"scope_descriptions"`
	Source            string                    `json:"source"`
}

// operationFacts is one Graph operation; any one permission listed for the caller's scheme
// authorizes a call.
type operationFacts struct {
	HTTP             string              `json:"http"`
	AcceptedByScheme map[string][]string `json:"accepted_by_scheme"`
}

// scopeFacts describes one permission. A permission without a delegated description
// exists only for applications.
type scopeFacts struct {
	Delegated           string `json:"delegated"`
	DelegatedAdminOnly  bool   `json:"delegated_requires_admin_consent"`
	Application         string `json:"application"`
	ApplicationAdminReq bool   `json:"application_requires_admin_consent"`
}

// parseFacts decodes and checks a facts document.
func parseFacts(data []byte) (*facts, error) {
	var f facts
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("decoding facts: %w", err)
	}
	if len(f.Operations) == 0 || len(f.ScopeDescriptions) == 0 {
		return nil, fmt.Errorf("facts hold no operations or no permission descriptions")
	}
	for id, op := range f.Operations {
		if op.HTTP != id {
			return nil, fmt.Errorf("operation %s has http %q", id, op.HTTP)
		}
	}
	return &f, nil
}

// loadFacts returns the embedded facts. A broken embedded file is a build mistake, so it
// panics.
func loadFacts() *facts {
	return oauthsim.MustParse("microsoft sandbox", factsJSON, parseFacts)
}

// accepted returns the permissions that authorize an operation under a scheme.
func (f *facts) accepted(operation, scheme string) []string {
	return f.Operations[operation].AcceptedByScheme[scheme]
}

// accepts reports whether any of granted authorizes the operation under the scheme,
// comparing names without case as Graph does. An operation missing from the facts is
// authorized by nothing.
func (f *facts) accepts(operation, scheme string, granted []string) bool {
	for _, a := range f.accepted(operation, scheme) {
		for _, g := range granted {
			if strings.EqualFold(a, g) {
				return true
			}
		}
	}
	return false
}

// permission returns the canonical spelling of a delegated Graph permission named in any
// case, and whether there is one.
func (f *facts) permission(name string) (string, scopeFacts, bool) {
	for canonical, sf := range f.ScopeDescriptions {
		if strings.EqualFold(canonical, name) && sf.Delegated != "" {
			return canonical, sf, true
		}
	}
	return "", scopeFacts{}, false
}
