package google

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// The paths the sandbox serves, relative to its root. They are Google's own paths, so a
// client only swaps the host (and any prefix the sandbox is mounted under).
const (
	// AuthPath is the authorization endpoint: GET shows the consent page, POST takes the
	// user's decision. Google serves it at https://accounts.google.com/o/oauth2/v2/auth.
	AuthPath = "/o/oauth2/v2/auth"
	// TokenPath is the token endpoint (https://oauth2.googleapis.com/token).
	TokenPath = "/token"
	// RevokePath is the revocation endpoint (https://oauth2.googleapis.com/revoke).
	RevokePath = "/revoke"
	// UserinfoPath is the OpenID Connect userinfo endpoint
	// (https://openidconnect.googleapis.com/v1/userinfo, also served by Google at
	// https://www.googleapis.com/oauth2/v3/userinfo).
	UserinfoPath = "/oauth2/v3/userinfo"
	// GmailPath is the prefix of the Gmail API operations (https://gmail.googleapis.com/gmail/v1/).
	GmailPath = "/gmail/v1/"
)

// DefaultAccount is the signed-in sandbox user's email address when Options.Account is empty.
const DefaultAccount = "demo.user@example.com"

// Endpoints holds the absolute URLs of a sandbox mounted at some base URL.
type Endpoints struct {
	// AuthURL is the authorization endpoint, for oauth2.Endpoint.AuthURL.
	AuthURL string
	// TokenURL is the token endpoint, for oauth2.Endpoint.TokenURL.
	TokenURL string
	// RevokeURL is the token revocation endpoint.
	RevokeURL string
	// UserinfoURL is the OpenID Connect userinfo endpoint.
	UserinfoURL string
	// APIURL is the root under which the API paths (gmail/v1/...) live, with a trailing
	// slash, like Google's https://gmail.googleapis.com/.
	APIURL string
}

// EndpointsAt returns the endpoint URLs of a sandbox served at base, for example
// "http://127.0.0.1:8080/sandbox/google" when the handler is mounted with
// http.StripPrefix("/sandbox/google", srv). A trailing slash on base is ignored.
func EndpointsAt(base string) Endpoints {
	base = strings.TrimRight(base, "/")
	return Endpoints{
		AuthURL:     base + AuthPath,
		TokenURL:    base + TokenPath,
		RevokeURL:   base + RevokePath,
		UserinfoURL: base + UserinfoPath,
		APIURL:      base + "/",
	}
}

// Client is an OAuth client registered with the sandbox, as in Google Cloud console.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client_secret. Empty means the client authenticates with its ID alone
	// (and PKCE), like a public client.
	Secret string
	// RedirectURIs are the authorized redirect URIs; a request's redirect_uri must equal one
	// of them exactly.
	RedirectURIs []string
}

// Options configures a Server. The zero value serves one account and no clients.
type Options struct {
	// Clients are the registered OAuth clients. An unknown client_id gets Google's
	// invalid_client answers.
	Clients []Client
	// Account is the signed-in sandbox user's email address. Empty means DefaultAccount.
	Account string
	// Now returns the current time, for token and code expiry and for message dates. Nil
	// means time.Now.
	Now func() time.Time
	// Logger receives lifecycle and refusal events, never tokens, codes or secrets. Nil
	// means silent.
	Logger *slog.Logger
}

// Server is the Google sandbox. It implements http.Handler, serving every endpoint at its
// own root, and is safe for concurrent use. Create it with New.
type Server struct {
	account string
	sub     string
	clients map[string]Client
	now     func() time.Time
	log     *slog.Logger
	facts   *facts
	mux     *http.ServeMux

	mu       sync.Mutex
	consents map[string]*pendingConsent
	codes    map[string]*authCode
	access   map[string]*accessToken
	refresh  map[string]*refreshToken
	grants   map[string]*grant // by client ID: the one account's grant to that client
	mailbox  *mailbox
	calendar *calendarStore
	drive    *workspace
}

// New returns a sandbox with the given clients and account and a freshly seeded mailbox.
func New(opts Options) *Server {
	s := &Server{
		account:  opts.Account,
		clients:  oauthsim.Registry(opts.Clients, func(c Client) string { return c.ID }),
		now:      oauthsim.NowOr(opts.Now),
		log:      oauthsim.LoggerOr(opts.Logger),
		facts:    loadFacts(),
		consents: make(map[string]*pendingConsent),
		codes:    make(map[string]*authCode),
		access:   make(map[string]*accessToken),
		refresh:  make(map[string]*refreshToken),
		grants:   make(map[string]*grant),
	}
	if s.account == "" {
		s.account = DefaultAccount
	}
	s.sub = subjectFor(s.account)
	s.mailbox = newMailbox(s.account, s.now())
	s.calendar = newCalendarStore(s.account, s.now())
	s.drive = newWorkspace(s.account, s.now())

	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+AuthPath, s.authorize)
	s.mux.HandleFunc("POST "+AuthPath, s.decide)
	s.mux.HandleFunc("POST "+TokenPath, s.token)
	s.mux.HandleFunc("POST "+RevokePath, s.revoke)
	s.mux.HandleFunc("GET "+UserinfoPath, s.userinfo)
	s.mux.HandleFunc("POST "+UserinfoPath, s.userinfo)
	s.route(gmailOperations)
	s.route(calendarOperations)
	s.route(driveOperations)
	s.route(sheetsOperations)
	s.routeWorkspaceExtras()
	return s
}

// ServeHTTP serves the sandbox's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Account returns the signed-in sandbox user's email address.
func (s *Server) Account() string {
	return s.account
}

// randomToken returns prefix followed by 26 unguessable characters.
func randomToken(prefix string) string {
	return prefix + rand.Text()
}
