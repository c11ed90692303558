package atlassian

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// The paths the sandbox serves, relative to its root. They are Atlassian's own paths, so a
// client only swaps the scheme and host (and any prefix the sandbox is mounted under).
const (
	// AuthPath is the authorization endpoint: GET shows the consent page, POST takes the
	// user's decision. Atlassian serves it at https://auth.atlassian.com/authorize.
	AuthPath = "/authorize"
	// TokenPath is the token endpoint (https://auth.atlassian.com/oauth/token).
	TokenPath = "/oauth/token"
	// ResourcesPath lists the sites a token reaches
	// (https://api.atlassian.com/oauth/token/accessible-resources).
	ResourcesPath = "/oauth/token/accessible-resources"
	// JiraPath is the prefix of the Jira operations, followed by a site's cloud id
	// (https://api.atlassian.com/ex/jira/{cloudId}/rest/api/3/...).
	JiraPath = "/ex/jira/"
)

// DefaultAccount is the signed-in sandbox user's email address when Options.Account is
// empty.
const DefaultAccount = "demo.user@example.com"

// Endpoints holds the absolute URLs of a sandbox mounted at some base URL.
type Endpoints struct {
	// AuthURL is the authorization endpoint, for oauth2.Endpoint.AuthURL.
	AuthURL string
	// TokenURL is the token endpoint, for oauth2.Endpoint.TokenURL.
	TokenURL string
	// APIBaseURL stands for https://api.atlassian.com, without a trailing slash: the
	// accessible-resources list and the Jira operations live under it at Atlassian's paths.
	APIBaseURL string
	// ResourcesURL is the accessible-resources endpoint.
	ResourcesURL string
}

// EndpointsAt returns the endpoint URLs of a sandbox served at base, for example
// "http://127.0.0.1:8080/sandbox/atlassian" when the handler is mounted with
// http.StripPrefix("/sandbox/atlassian", srv). A trailing slash on base is ignored.
func EndpointsAt(base string) Endpoints {
	base = strings.TrimRight(base, "/")
	return Endpoints{
		AuthURL:      base + AuthPath,
		TokenURL:     base + TokenPath,
		APIBaseURL:   base,
		ResourcesURL: base + ResourcesPath,
	}
}

// Client is an OAuth 2.0 (3LO) app registered with the sandbox, as in Atlassian's developer
// console.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client_secret. Atlassian's token endpoint always requires it.
	Secret string
	// RedirectURIs are the app's callback URLs; a request's redirect_uri must equal one of
	// them exactly.
	RedirectURIs []string
	// Scopes are the scopes added to the app in the developer console. Requesting another
	// one is refused, as Atlassian does. Nil means every scope the sandbox knows.
	Scopes []string
}

// Options configures a Server. The zero value serves the default account on two sites and
// no clients.
type Options struct {
	// Clients are the registered apps. An unknown client_id is refused.
	Clients []Client
	// Account is the signed-in sandbox user's email address. Empty means DefaultAccount.
	Account string
	// OneSite gives the account a single Jira site instead of two.
	OneSite bool
	// Now returns the current time, for token and code expiry and for issue dates. Nil
	// means time.Now.
	Now func() time.Time
	// Logger receives lifecycle and refusal events, never tokens, codes or secrets. Nil
	// means silent.
	Logger *slog.Logger
}

// Server is the Atlassian sandbox. It implements http.Handler, serving every endpoint at
// its own root, and is safe for concurrent use. Create it with New.
type Server struct {
	clients map[string]Client
	now     func() time.Time
	log     *slog.Logger
	facts   *facts
	mux     *http.ServeMux
	me      *user

	mu       sync.Mutex
	consents map[string]*pendingConsent
	codes    map[string]*authCode
	access   map[string]*accessToken
	refresh  map[string]*refreshToken
	sites    []*site
	limited  int           // API calls still to refuse with 429
	limitFor time.Duration // the Retry-After of those refusals
}

// New returns a sandbox with the given clients and account and freshly seeded sites.
func New(opts Options) *Server {
	s := &Server{
		clients:  oauthsim.Registry(opts.Clients, func(c Client) string { return c.ID }),
		now:      oauthsim.NowOr(opts.Now),
		log:      oauthsim.LoggerOr(opts.Logger),
		facts:    loadFacts(),
		consents: make(map[string]*pendingConsent),
		codes:    make(map[string]*authCode),
		access:   make(map[string]*accessToken),
		refresh:  make(map[string]*refreshToken),
	}
	account := opts.Account
	if account == "" {
		account = DefaultAccount
	}
	s.me, s.sites = seed(account, s.now())
	if opts.OneSite {
		s.sites = s.sites[:1]
	}

	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+AuthPath, s.authorize)
	s.mux.HandleFunc("POST "+AuthPath, s.decide)
	s.mux.HandleFunc("POST "+TokenPath, s.token)
	s.mux.HandleFunc("GET "+ResourcesPath, s.accessibleResources)
	s.route(jiraOperations)
	return s
}

// ServeHTTP serves the sandbox's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Account returns the signed-in sandbox user's email address.
func (s *Server) Account() string {
	return s.me.email
}

// Site describes one of the account's Jira sites, as accessible-resources lists it.
type Site struct {
	// ID is the site's cloud id.
	ID string
	// Name is the site's name, usually its subdomain.
	Name string
	// URL is the site's address, such as https://acme-demo.atlassian.net.
	URL string
}

// Sites returns the account's Jira sites in the order accessible-resources lists them.
func (s *Server) Sites() []Site {
	out := make([]Site, len(s.sites))
	for i, st := range s.sites {
		out[i] = Site{ID: st.id, Name: st.name, URL: st.url}
	}
	return out
}

// LimitRate makes the next calls Jira operations answer 429 Too Many Requests with a
// Retry-After of retryAfter, as Jira's burst rate limit does.
func (s *Server) LimitRate(calls int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited, s.limitFor = calls, retryAfter
}

// randomToken returns prefix followed by 26 unguessable characters.
func randomToken(prefix string) string {
	return prefix + rand.Text()
}
