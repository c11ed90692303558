package scopechecktest

import (
	"net/http"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/sandbox/atlassian"
)

// AtlassianSandbox serves the Atlassian sandbox as the "jira" connection: the sandbox's
// default account, which reaches two Jira sites, and no configured site.
func AtlassianSandbox() Sandbox {
	return AtlassianSandboxWith(AtlassianConfig{})
}

// AtlassianConfig adjusts the Atlassian sandbox a harness serves. The zero value is what
// AtlassianSandbox serves.
type AtlassianConfig struct {
	// OneSite gives the account a single Jira site.
	OneSite bool
	// Site is the connection's configured site (a site's name or URL); empty means none.
	Site string
	// Served, when not nil, receives the sandbox once the harness has built it, so a test
	// can look at its sites or limit its rate.
	Served func(*atlassian.Server)
}

// AtlassianSandboxWith serves the Atlassian sandbox as the "jira" connection, as cfg says.
func AtlassianSandboxWith(cfg AtlassianConfig) Sandbox {
	return Sandbox{
		Connection: "jira",
		Provider:   registry.Atlassian,
		Site:       cfg.Site,
		New: func(redirectURI, base string) (http.Handler, registry.Endpoints, string, string) {
			client := atlassian.Client{ID: "harness-3lo-client", Secret: "harness-3lo-secret",
				RedirectURIs: []string{redirectURI}}
			sandbox := atlassian.New(atlassian.Options{Clients: []atlassian.Client{client},
				OneSite: cfg.OneSite})
			if cfg.Served != nil {
				cfg.Served(sandbox)
			}
			ep := atlassian.EndpointsAt(base)
			return sandbox, registry.Endpoints{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL,
				APIBaseURL: ep.APIBaseURL}, client.ID, client.Secret
		},
	}
}
