package scopechecktest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/sandbox/microsoft"
)

// MicrosoftConnection is the connection name the harness gives the Microsoft sandbox.
const MicrosoftConnection = "outlook"

// MicrosoftSandbox serves the Microsoft sandbox, a work account, as the "outlook"
// connection.
func MicrosoftSandbox() Sandbox {
	return MicrosoftSandboxWith(microsoft.Options{}, nil)
}

// MicrosoftSandboxWith serves a Microsoft sandbox built from opts as the "outlook"
// connection; the harness registers its own client in opts.Clients. When srv is not nil,
// the sandbox is stored in *srv once the harness builds it, so that a test can steer it
// (throttling, revoked consent).
func MicrosoftSandboxWith(opts microsoft.Options, srv **microsoft.Server) Sandbox {
	return Sandbox{
		Connection: MicrosoftConnection,
		Provider:   registry.Microsoft,
		New: func(redirectURI, base string) (http.Handler, registry.Endpoints, string, string) {
			client := microsoft.Client{ID: "harness-client", Secret: "harness-secret",
				RedirectURIs: []string{redirectURI}}
			o := opts
			o.Clients = append(slices.Clone(opts.Clients), client)
			sandbox := microsoft.New(o)
			if srv != nil {
				*srv = sandbox
			}
			ep := microsoft.EndpointsAt(base)
			return sandbox, registry.Endpoints{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL,
				APIBaseURL: strings.TrimRight(ep.APIURL, "/")}, client.ID, client.Secret
		},
	}
}
