package main

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/sandbox/atlassian"
	"github.com/scopegate/scopegate/tools/sandbox/google"
	"github.com/scopegate/scopegate/tools/sandbox/microsoft"
	"github.com/scopegate/scopegate/tools/sandbox/slack"
)

// demoSandbox is one provider emulation the demo serves, with the
// connection that reaches it.
type demoSandbox struct {
	handler http.Handler
	prefix  string // where it is mounted, such as "/sandbox/google"
	conn    *registry.Connection
	account string // the signed-in sandbox user, for the help text
}

// demoSandboxes builds the four sandboxes, each with one OAuth client of a
// fresh random secret whose redirect URI is scopegate's own callback. The
// connections are named after their providers.
//
// Each sandbox is made on its first request (see lazySandbox): making one
// parses its facts and seeds its data, which a start that only lists tools
// does not need.
func demoSandboxes(publicURL, redirectURI string, log *slog.Logger) []demoSandbox {
	redirects := []string{redirectURI}
	conn := func(p *registry.Provider, clientID, secret string, ep registry.Endpoints) *registry.Connection {
		return &registry.Connection{Name: string(p.ID), Provider: p, ClientID: clientID, ClientSecret: secret, Endpoints: ep}
	}
	base := func(p *registry.Provider) string { return publicURL + "/sandbox/" + string(p.ID) }

	gSecret := randomSecret()
	g := lazySandbox(func() http.Handler {
		return google.New(google.Options{Logger: log.With("sandbox", "google"),
			Clients: []google.Client{{ID: "scopegate-demo.apps.googleusercontent.com", Secret: gSecret, RedirectURIs: redirects}}})
	})
	gEP := google.EndpointsAt(base(registry.Google))

	mSecret := randomSecret()
	m := lazySandbox(func() http.Handler {
		return microsoft.New(microsoft.Options{Logger: log.With("sandbox", "microsoft"),
			Clients: []microsoft.Client{{ID: "00000000-5c0e-4a7e-9a7e-000000000001", Secret: mSecret, RedirectURIs: redirects}}})
	})
	mEP := microsoft.EndpointsAt(base(registry.Microsoft))

	sSecret := randomSecret()
	s := lazySandbox(func() http.Handler {
		return slack.New(slack.Options{Logger: log.With("sandbox", "slack"),
			Clients: []slack.Client{{ID: "7000000001.7000000001", Secret: sSecret, RedirectURIs: redirects}}})
	})
	sEP := slack.EndpointsAt(base(registry.Slack))

	aSecret := randomSecret()
	a := lazySandbox(func() http.Handler {
		return atlassian.New(atlassian.Options{Logger: log.With("sandbox", "atlassian"), OneSite: true,
			Clients: []atlassian.Client{{ID: "scopegate-demo-3lo", Secret: aSecret, RedirectURIs: redirects}}})
	})
	aEP := atlassian.EndpointsAt(base(registry.Atlassian))

	// The sandboxes are made without Options.Account, so their users are
	// their packages' defaults: the help text need not make one to say who.
	return []demoSandbox{
		{g, "/sandbox/google", conn(registry.Google, "scopegate-demo.apps.googleusercontent.com", gSecret, registry.Endpoints{
			AuthURL: gEP.AuthURL, TokenURL: gEP.TokenURL, RevokeURL: gEP.RevokeURL, APIBaseURL: strings.TrimRight(gEP.APIURL, "/")}),
			google.DefaultAccount},
		{m, "/sandbox/microsoft", conn(registry.Microsoft, "00000000-5c0e-4a7e-9a7e-000000000001", mSecret, registry.Endpoints{
			AuthURL: mEP.AuthURL, TokenURL: mEP.TokenURL, APIBaseURL: strings.TrimRight(mEP.APIURL, "/")}),
			microsoft.DefaultAccount},
		{s, "/sandbox/slack", conn(registry.Slack, "7000000001.7000000001", sSecret, registry.Endpoints{
			AuthURL: sEP.AuthURL, TokenURL: sEP.TokenURL, RevokeURL: sEP.RevokeURL, APIBaseURL: strings.TrimRight(sEP.APIURL, "/")}),
			slack.InstallerEmail},
		{a, "/sandbox/atlassian", conn(registry.Atlassian, "scopegate-demo-3lo", aSecret, registry.Endpoints{
			AuthURL: aEP.AuthURL, TokenURL: aEP.TokenURL, APIBaseURL: aEP.APIBaseURL}),
			atlassian.DefaultAccount},
	}
}

// lazySandbox returns a handler that makes its sandbox with build on its
// first request, once, and serves every request with it.
func lazySandbox(build func() http.Handler) http.Handler {
	var (
		once sync.Once
		h    http.Handler
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { h = build() })
		h.ServeHTTP(w, r)
	})
}

func randomSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
