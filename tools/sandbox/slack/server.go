package slack

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// The paths the sandbox serves, relative to its root. They are Slack's own paths on
// https://slack.com, so a client only swaps the origin (and any prefix the sandbox is mounted
// under).
const (
	// AuthPath is the install page: GET shows the consent form, POST takes the decision.
	AuthPath = "/oauth/v2/authorize"
	// TokenPath is the oauth.v2.access method, which exchanges a code for tokens.
	TokenPath = "/api/oauth.v2.access"
	// RevokePath is the auth.revoke method.
	RevokePath = "/api/auth.revoke"
	// APIPath is the prefix of every Web API method: /api/METHOD.
	APIPath = "/api/"
	// UploadPath is the prefix of the upload URLs files.getUploadURLExternal hands out
	// (Slack serves them at https://files.slack.com/upload/v1/...).
	UploadPath = "/upload/v1/"
)

// Endpoints holds the absolute URLs of a sandbox mounted at some base URL.
type Endpoints struct {
	// AuthURL is the authorization (install) endpoint.
	AuthURL string
	// TokenURL is oauth.v2.access.
	TokenURL string
	// RevokeURL is auth.revoke.
	RevokeURL string
	// APIURL is the origin under which /api/METHOD lives, with a trailing slash, like
	// Slack's https://slack.com/.
	APIURL string
}

// EndpointsAt returns the endpoint URLs of a sandbox served at base, for example
// "http://127.0.0.1:8080/sandbox/slack" when the handler is mounted with
// http.StripPrefix("/sandbox/slack", srv). A trailing slash on base is ignored.
func EndpointsAt(base string) Endpoints {
	base = strings.TrimRight(base, "/")
	return Endpoints{
		AuthURL:   base + AuthPath,
		TokenURL:  base + TokenPath,
		RevokeURL: base + RevokePath,
		APIURL:    base + "/",
	}
}

// Client is a Slack app registered with the sandbox, as on api.slack.com/apps.
type Client struct {
	// ID is the app's client_id.
	ID string
	// Secret is the client_secret; oauth.v2.access requires it.
	Secret string
	// RedirectURIs are the app's redirect URLs. A request's redirect_uri must equal one of
	// them; without one, the first is used.
	RedirectURIs []string
}

// Options configures a Server. The zero value serves the seeded workspace and no apps.
type Options struct {
	// Clients are the registered apps. An unknown client_id is refused with Slack's
	// invalid_client_id.
	Clients []Client
	// Now returns the current time, for code expiry and message timestamps. Nil means
	// time.Now.
	Now func() time.Time
	// Logger receives lifecycle and refusal events, never tokens, codes or secrets. Nil
	// means silent.
	Logger *slog.Logger
	// RateLimit, when set, is asked before each Web API method runs, after the token is
	// checked. A positive answer makes the sandbox refuse the call as Slack does when a
	// method's rate limit tier is exceeded: HTTP 429, a Retry-After header in whole seconds
	// (rounded up) and {"ok":false,"error":"ratelimited"}. Nil never limits.
	RateLimit func(method string) time.Duration
}

// Server is the Slack sandbox. It implements http.Handler, serving every endpoint at its own
// root, and is safe for concurrent use. Create it with New.
type Server struct {
	clients   map[string]Client
	now       func() time.Time
	log       *slog.Logger
	rateLimit func(string) time.Duration
	facts     *facts
	mux       *http.ServeMux

	mu       sync.Mutex
	consents map[string]*pendingConsent
	codes    map[string]*authCode
	tokens   map[string]*accessToken // every token ever issued, revoked ones included
	installs map[string]*install     // by client ID
	uploads  map[string]*pendingUpload
	ws       *workspace
}

// New returns a sandbox with the given apps and a freshly seeded workspace.
func New(opts Options) *Server {
	s := &Server{
		clients:   oauthsim.Registry(opts.Clients, func(c Client) string { return c.ID }),
		now:       oauthsim.NowOr(opts.Now),
		log:       oauthsim.LoggerOr(opts.Logger),
		rateLimit: opts.RateLimit,
		facts:     loadFacts(),
		consents:  make(map[string]*pendingConsent),
		codes:     make(map[string]*authCode),
		tokens:    make(map[string]*accessToken),
		installs:  make(map[string]*install),
		uploads:   make(map[string]*pendingUpload),
	}
	s.ws = seedWorkspace(s.now())

	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET "+AuthPath, s.authorize)
	s.mux.HandleFunc("POST "+AuthPath, s.decide)
	s.mux.HandleFunc(TokenPath, s.exchange)
	s.mux.HandleFunc(RevokePath, s.revoke)
	s.mux.HandleFunc(APIPath+"{method}", s.api)
	s.mux.HandleFunc("POST "+UploadPath+"{key}", s.receiveUpload)
	return s
}

// ServeHTTP serves the sandbox's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Account returns the signed-in person's email address: the one who installs apps and to
// whom user tokens belong.
func (s *Server) Account() string {
	return s.ws.installer().Email
}

// Team returns the workspace's id and name.
func (s *Server) Team() (id, name string) {
	return teamID, teamName
}

// randomText returns 26 unguessable characters.
func randomText() string {
	return rand.Text()
}
