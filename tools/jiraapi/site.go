package jiraapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
)

// Site is one Atlassian cloud site the user's grant reaches, as
// GET https://api.atlassian.com/oauth/token/accessible-resources lists it.
type Site struct {
	// ID is the site's cloud id, which requests name in /ex/jira/{cloudId}.
	ID   string `json:"id"`
	Name string `json:"name"`
	// URL is the site's own address, such as https://example.atlassian.net.
	URL string `json:"url"`
	// Scopes are the scopes granted on this site.
	Scopes    []string `json:"scopes"`
	AvatarURL string   `json:"avatarUrl"`
}

// Host returns the site's host name, such as example.atlassian.net.
func (s Site) Host() string {
	if u, err := url.Parse(s.URL); err == nil && u.Host != "" {
		return u.Host
	}
	return s.URL
}

// jira reports whether the grant on the site reaches Jira: one of its scopes is a Jira
// scope (classic "...:jira-..." or granular "...:jira").
func (s Site) jira() bool {
	for _, sc := range s.Scopes {
		if strings.Contains(sc, "jira") {
			return true
		}
	}
	return false
}

// Sites lists the Jira sites the user's token reaches. The call needs no scope of its own.
func Sites(ctx context.Context, call *registry.Call) ([]Site, error) {
	var all []Site
	u := call.URL(Gateway, "/oauth/token/accessible-resources")
	if err := send(ctx, call, u, Request{Method: http.MethodGet}, &all); err != nil {
		return nil, err
	}
	var out []Site
	for _, s := range all {
		if s.jira() {
			out = append(out, s)
		}
	}
	return out, nil
}

// Open returns a client for the site this call should use, asking Atlassian which sites
// the grant reaches (once per call: nothing is cached across calls). requested is the
// tool's site argument, empty when the model gave none. See ChooseSite.
func Open(ctx context.Context, call *registry.Call, requested string) (*Client, error) {
	sites, err := Sites(ctx, call)
	if err != nil {
		return nil, err
	}
	site, err := ChooseSite(sites, call.Site, requested)
	if err != nil {
		return nil, err
	}
	if call.Logger != nil {
		call.Logger.Debug("jira site chosen", "site", site.Host(), "sites", len(sites))
	}
	return &Client{call: call, Site: site}, nil
}

// ChooseSite picks the site a call uses, never by guessing:
//
//   - the connection's configured site when there is one (requested may only repeat it);
//   - otherwise the requested site;
//   - otherwise the only site.
//
// A site is named by its URL, its host or its name, in any case. When several sites remain
// possible, or a named one is not among them, the error is a *registry.ToolError listing
// the sites and saying what to do.
func ChooseSite(sites []Site, configured, requested string) (Site, error) {
	if len(sites) == 0 {
		return Site{}, registry.Errorf("The Atlassian authorization reaches no Jira site. " +
			"Reconnect the Jira account and choose a Jira site on Atlassian's consent page.")
	}
	if configured != "" {
		s, ok := findSite(sites, configured)
		if !ok {
			return Site{}, registry.Errorf("The Jira connection is configured for the site %q, "+
				"which this authorization does not reach; it reaches %s. Reconnect with that site, "+
				"or ask the administrator to change the connection's site.", configured, listSites(sites))
		}
		if requested != "" {
			if r, ok := findSite(sites, requested); !ok || r.ID != s.ID {
				return Site{}, registry.Errorf("The Jira connection is fixed to the site %s by its "+
					"configuration, so site %q cannot be used. Call again without site.", s.Host(), requested)
			}
		}
		return s, nil
	}
	if requested != "" {
		s, ok := findSite(sites, requested)
		if !ok {
			return Site{}, registry.Errorf("No Jira site %q is reachable with this authorization. "+
				"Call again with site set to one of: %s.", requested, listSites(sites))
		}
		return s, nil
	}
	if len(sites) == 1 {
		return sites[0], nil
	}
	return Site{}, registry.Errorf("The Atlassian authorization reaches %d Jira sites: %s. Call the "+
		"tool again with site set to the one meant (its name or URL); ask the user if unsure.",
		len(sites), listSites(sites))
}

// findSite finds the site a reference names: its cloud id, name, URL or host.
func findSite(sites []Site, ref string) (Site, bool) {
	want := normalizeSite(ref)
	for _, s := range sites {
		if want == strings.ToLower(s.ID) || want == strings.ToLower(s.Name) ||
			want == normalizeSite(s.URL) {
			return s, true
		}
	}
	return Site{}, false
}

// normalizeSite reduces a site reference to a lower-case host or name.
func normalizeSite(ref string) string {
	ref = strings.ToLower(strings.TrimSpace(ref))
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "https://"), "http://")
	return strings.TrimRight(ref, "/")
}

// listSites writes the sites as "name (url)", for messages.
func listSites(sites []Site) string {
	parts := make([]string, len(sites))
	for i, s := range sites {
		parts[i] = fmt.Sprintf("%s (%s)", s.Name, s.URL)
	}
	return strings.Join(parts, ", ")
}
