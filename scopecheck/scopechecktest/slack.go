package scopechecktest

import (
	"net/http"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/sandbox/slack"
)

// SlackSandbox serves the Slack sandbox as the "slack" connection: GrantOn(t, "slack", ...)
// grants bot scopes and GrantOn(t, "slack/user", ...) user scopes. On the sandbox's consent
// page each checkbox's value is "bot:<scope>" or "user:<scope>", which is what Approve's keep
// function sees.
func SlackSandbox() Sandbox {
	return SlackSandboxWith(nil, nil)
}

// SlackSandboxWith is SlackSandbox with the sandbox's options adjusted by configure (the
// harness sets Clients), and the started sandbox handed to started, for tests that rate
// limit it or look inside. Either may be nil.
func SlackSandboxWith(configure func(*slack.Options), started func(*slack.Server)) Sandbox {
	return Sandbox{
		Connection: "slack",
		Provider:   registry.Slack,
		New: func(redirectURI, base string) (http.Handler, registry.Endpoints, string, string) {
			client := slack.Client{ID: "7000000001.7000000009", Secret: "harness-secret",
				RedirectURIs: []string{redirectURI}}
			opts := slack.Options{}
			if configure != nil {
				configure(&opts)
			}
			opts.Clients = []slack.Client{client}
			sandbox := slack.New(opts)
			if started != nil {
				started(sandbox)
			}
			ep := slack.EndpointsAt(base)
			endpoints := registry.Endpoints{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL,
				RevokeURL: ep.RevokeURL, APIBaseURL: strings.TrimRight(ep.APIURL, "/")}
			return sandbox, endpoints, client.ID, client.Secret
		},
	}
}
