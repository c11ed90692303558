package microsoft

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// The paths the sandbox serves, relative to its root. They are Microsoft's own paths
// (https://login.microsoftonline.com/{tenant}/oauth2/v2.0/... and
// https://graph.microsoft.com/v1.0/...), so a client only swaps the host and any prefix the
// sandbox is mounted under.
const (
	// AuthPath is the authorization endpoint: GET shows the consent page, POST takes the
	// user's decision. {tenant} is "common", "organizations", "consumers", or the
	// account's tenant id or domain.
	AuthPath = "/{tenant}/oauth2/v2.0/authorize"
	// TokenPath is the token endpoint.
	TokenPath = "/{tenant}/oauth2/v2.0/token"
	// GraphPath is the prefix of the Graph v1.0 operations.
	GraphPath = "/v1.0/"
	// DownloadPath is where the pre-authenticated download URLs of OneDrive files point,
	// like Microsoft's *.sharepoint.com download links; they need no token.
	DownloadPath = "/download/"
)

// DefaultAccount is the signed-in sandbox user when Options.Account is empty.
const DefaultAccount = "demo.user@example.com"

// Endpoints holds the absolute URLs of a sandbox mounted at some base URL.
type Endpoints struct {
	// AuthURL and TokenURL are the OAuth endpoints for the "common" tenant, the value
	// scopegate uses when a connection names no tenant.
	AuthURL  string
	TokenURL string
	// APIURL is the root under which the Graph paths (v1.0/...) live, with a trailing
	// slash, like Microsoft's https://graph.microsoft.com/.
	APIURL string
}

// EndpointsAt returns the endpoint URLs of a sandbox served at base, for example
// "http://127.0.0.1:8080/sandbox/microsoft" when the handler is mounted with
// http.StripPrefix("/sandbox/microsoft", srv). A trailing slash on base is ignored.
func EndpointsAt(base string) Endpoints {
	base = strings.TrimRight(base, "/")
	return Endpoints{
		AuthURL:  base + "/common/oauth2/v2.0/authorize",
		TokenURL: base + "/common/oauth2/v2.0/token",
		APIURL:   base + "/",
	}
}

// Client is an application registered with the sandbox, as in Microsoft Entra's app
// registrations.
type Client struct {
	// ID is the application (client) id.
	ID string
	// Secret is a client secret. Empty means a public client, which authenticates with
	// its id and PKCE alone.
	Secret string
	// RedirectURIs are the registered redirect URIs; a request's redirect_uri must equal
	// one of them exactly.
	RedirectURIs []string
}

// Options configures a Server. The zero value serves one work account and no clients.
type Options struct {
	// Clients are the registered applications. An unknown client id gets Microsoft's
	// AADSTS700016 answers.
	Clients []Client
	// Account is the signed-in user's address (user principal name). Empty means
	// DefaultAccount.
	Account string
	// Personal makes the account a personal Microsoft account: permissions are checked
	// against the DelegatedPersonal scheme, which has no Teams, and no permission needs
	// an administrator. False means a work or school account.
	Personal bool
	// AdminConsented lists permissions an administrator of the account's organization has
	// already approved; the others that need an administrator are refused at consent.
	AdminConsented []string
	// Now returns the current time, for token lifetimes and seeded dates. Nil means
	// time.Now.
	Now func() time.Time
	// Logger receives lifecycle and refusal events, never tokens, codes or secrets. Nil
	// means silent.
	Logger *slog.Logger
}

// Server is the Microsoft sandbox. It implements http.Handler, serving every endpoint at
// its own root, and is safe for concurrent use. Create it with New.
type Server struct {
	account  string
	personal bool
	adminOK  []string
	clients  map[string]Client
	now      func() time.Time
	log      *slog.Logger
	facts    *facts
	mux      *http.ServeMux
	ids      identity
	routes   []route

	mu        sync.Mutex
	consents  map[string]*pendingConsent
	codes     map[string]*authCode
	access    map[string]*accessToken
	refresh   map[string]*refreshToken
	grants    map[string]*grant // by client id: the account's consent to that client
	downloads map[string]*download
	throttle  Throttling
	mail      *mailbox
	cal       *calendar
	drive     *drive
	teams     []*team
}

// New returns a sandbox with the given clients and account and freshly seeded data.
func New(opts Options) *Server {
	s := &Server{
		account:   opts.Account,
		personal:  opts.Personal,
		adminOK:   opts.AdminConsented,
		clients:   oauthsim.Registry(opts.Clients, func(c Client) string { return c.ID }),
		now:       oauthsim.NowOr(opts.Now),
		log:       oauthsim.LoggerOr(opts.Logger),
		facts:     loadFacts(),
		consents:  make(map[string]*pendingConsent),
		codes:     make(map[string]*authCode),
		access:    make(map[string]*accessToken),
		refresh:   make(map[string]*refreshToken),
		grants:    make(map[string]*grant),
		downloads: make(map[string]*download),
	}
	if s.account == "" {
		s.account = DefaultAccount
	}
	s.ids = newIdentity(s.account, s.personal)
	s.seed(s.now())

	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+AuthPath, s.authorize)
	s.mux.HandleFunc("POST "+AuthPath, s.decide)
	s.mux.HandleFunc("POST "+TokenPath, s.token)
	s.mux.HandleFunc("GET "+DownloadPath+"{key}", s.serveDownload)
	s.routes = s.compileRoutes(graphOperations())
	return s
}

// ServeHTTP serves the sandbox's endpoints. Graph is dispatched apart from the mux
// because its paths, like "/v1.0/me/drive/root:/a/b.txt:/content", are not mux patterns
// and would overlap the {tenant} ones.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, GraphPath) {
		s.graph(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Account returns the signed-in sandbox user's address.
func (s *Server) Account() string {
	return s.account
}

// Throttling makes Graph refuse calls as if the account were over its limits. The zero
// value throttles nothing.
type Throttling struct {
	// Calls is how many of the next Graph calls are refused.
	Calls int
	// Status is 429 (Too Many Requests, the default) or 503 (Service Unavailable).
	Status int
	// RetryAfter is sent in the Retry-After header, in whole seconds.
	RetryAfter time.Duration
}

// Throttle makes the next t.Calls Graph calls that carry a valid token answer t.Status
// with Retry-After, the way Graph throttles; it replaces any throttling still pending.
func (s *Server) Throttle(t Throttling) {
	if t.Status == 0 {
		t.Status = http.StatusTooManyRequests
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = t
}

// RevokeConsent forgets everything the account granted a client, as when the user removes
// the app at https://myapps.microsoft.com: its refresh tokens are refused from then on
// (AADSTS65001), and access tokens already issued keep working until they expire, as
// Microsoft's do.
func (s *Server) RevokeConsent(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.grants, clientID)
	s.log.Info("consent revoked", "client_id", clientID)
}
