package slack

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// codeLifetime is how long Slack lets an authorization code be exchanged.
const codeLifetime = 10 * time.Minute

// install is the workspace's installation of one app: what its bot was granted and what
// each person granted it on their own behalf. Grants only grow until revoked, as Slack adds
// the scopes of each new install to the installation.
type install struct {
	botScopes  []string // sorted
	botToken   string   // empty until a bot scope is granted, and after revocation
	userScopes map[string][]string
	userTokens map[string]string
}

// accessToken is an issued token. Its scopes are the installation's current ones, so a
// token gains scopes when the app is installed again with more.
type accessToken struct {
	clientID string
	kind     string // botKind or userKind
	who      string // the bot user or the person
	revoked  bool
}

// authCode is an issued authorization code, single use.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string
	bot, user   bool // whether the code carries a bot grant, a user grant or both
	expires     time.Time
}

// approve records the person's consent on the installation and issues the code.
func (s *Server) approve(p *pendingConsent, bot, user []string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.installs[p.clientID]
	if in == nil {
		in = &install{userScopes: map[string][]string{}, userTokens: map[string]string{}}
		s.installs[p.clientID] = in
	}
	if len(bot) > 0 {
		in.botScopes = union(in.botScopes, bot)
		if in.botToken == "" {
			in.botToken = fmt.Sprintf("xoxb-7000000001-7000000005-%s", randomText())
			s.tokens[in.botToken] = &accessToken{clientID: p.clientID, kind: botKind,
				who: botUserID}
		}
	}
	if len(user) > 0 {
		in.userScopes[installerID] = union(in.userScopes[installerID], user)
		if in.userTokens[installerID] == "" {
			tok := fmt.Sprintf("xoxp-7000000001-7000000002-7000000003-%s", randomText())
			in.userTokens[installerID] = tok
			s.tokens[tok] = &accessToken{clientID: p.clientID, kind: userKind, who: installerID}
		}
	}
	code := fmt.Sprintf("7000000001.%d.%x", s.now().UnixNano(), sha256.Sum256([]byte(randomText())))
	s.codes[code] = &authCode{clientID: p.clientID, redirectURI: p.redirectURI,
		challenge: p.challenge, bot: len(bot) > 0, user: len(user) > 0,
		expires: s.now().Add(codeLifetime)}
	return code
}

// team is the workspace as oauth.v2.access names it.
type team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// authedUser is oauth.v2.access's authed_user: always the installer's id, and their token
// and scopes when user scopes were granted.
type authedUser struct {
	ID          string `json:"id"`
	Scope       string `json:"scope,omitempty"`
	AccessToken string `json:"access_token,omitempty"`
	TokenType   string `json:"token_type,omitempty"`
}

// accessResponse is oauth.v2.access's answer; the bot fields are present only when the
// install granted bot scopes.
type accessResponse struct {
	OK                  bool       `json:"ok"`
	AppID               string     `json:"app_id"`
	AuthedUser          authedUser `json:"authed_user"`
	Scope               string     `json:"scope,omitempty"`
	TokenType           string     `json:"token_type,omitempty"`
	AccessToken         string     `json:"access_token,omitempty"`
	BotUserID           string     `json:"bot_user_id,omitempty"`
	Team                team       `json:"team"`
	Enterprise          *team      `json:"enterprise"`
	IsEnterpriseInstall bool       `json:"is_enterprise_install"`
}

// exchange serves oauth.v2.access. Like every Slack method it answers HTTP 200, with
// {"ok":false,"error":...} when it refuses.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeSlack(w, http.StatusOK, failure("invalid_form_data"))
		return
	}
	form := r.Form
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	client, ok := s.clients[id]
	if !ok {
		writeSlack(w, http.StatusOK, failure("invalid_client_id"))
		return
	}
	if !oauthsim.SecretMatches(secret, client.Secret) {
		s.log.Info("code exchange refused", "client_id", id, "error", "bad_client_secret")
		writeSlack(w, http.StatusOK, failure("bad_client_secret"))
		return
	}
	switch form.Get("grant_type") {
	case "", "authorization_code":
	case "refresh_token":
		// The sandbox's apps do not opt in to token rotation, so there is nothing to refresh.
		writeSlack(w, http.StatusOK, failure("invalid_refresh_token"))
		return
	default:
		writeSlack(w, http.StatusOK, failure("invalid_grant_type"))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	code := form.Get("code")
	c, ok := s.codes[code]
	if !ok || c.clientID != id || s.now().After(c.expires) {
		writeSlack(w, http.StatusOK, failure("invalid_code"))
		return
	}
	if c.redirectURI != "" && form.Get("redirect_uri") != c.redirectURI {
		writeSlack(w, http.StatusOK, failure("bad_redirect_uri"))
		return
	}
	// Slack documents code_verifier but no error of its own for a wrong one; the sandbox
	// refuses the code, which is what a client sees either way.
	if c.challenge != "" && oauthsim.S256(form.Get("code_verifier")) != c.challenge {
		s.log.Info("code exchange refused", "client_id", id, "error", "pkce")
		writeSlack(w, http.StatusOK, failure("invalid_code"))
		return
	}
	delete(s.codes, code)

	writeSlack(w, http.StatusOK, s.accessResponseLocked(id, c))
}

func (s *Server) accessResponseLocked(clientID string, c *authCode) accessResponse {
	in := s.installs[clientID]
	resp := accessResponse{OK: true, AppID: appID, AuthedUser: authedUser{ID: installerID},
		Team: team{ID: teamID, Name: teamName}}
	if c.bot && in.botToken != "" {
		resp.Scope = strings.Join(in.botScopes, ",")
		resp.TokenType = "bot"
		resp.AccessToken = in.botToken
		resp.BotUserID = botUserID
	}
	if tok := in.userTokens[installerID]; c.user && tok != "" {
		resp.AuthedUser.Scope = strings.Join(in.userScopes[installerID], ",")
		resp.AuthedUser.AccessToken = tok
		resp.AuthedUser.TokenType = "user"
	}
	s.log.Info("tokens issued", "client_id", clientID, "bot_scopes", resp.Scope,
		"user_scopes", resp.AuthedUser.Scope)
	return resp
}

// revoke serves auth.revoke: the token comes as a bearer token or a form field. With test=1
// nothing is revoked. A revoked bot token takes the bot's grant with it; a revoked user
// token the person's.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, problem := s.tokenFromRequestLocked(r, r.PostForm)
	if problem != "" {
		writeSlack(w, http.StatusOK, failure(problem))
		return
	}
	if b := r.Form.Get("test"); b == "1" || b == "true" {
		writeSlack(w, http.StatusOK, struct {
			OK      bool `json:"ok"`
			Revoked bool `json:"revoked"`
		}{true, false})
		return
	}
	t := s.tokens[tok]
	t.revoked = true
	if in := s.installs[t.clientID]; in != nil {
		if t.kind == botKind {
			in.botScopes, in.botToken = nil, ""
		} else {
			delete(in.userScopes, t.who)
			delete(in.userTokens, t.who)
		}
	}
	s.log.Info("token revoked", "client_id", t.clientID, "kind", t.kind)
	writeSlack(w, http.StatusOK, struct {
		OK      bool `json:"ok"`
		Revoked bool `json:"revoked"`
	}{true, true})
}

// tokenFromRequestLocked finds the caller's token: the Authorization header with the Bearer
// scheme, or else a token form field. It returns Slack's error for a missing, unknown or
// revoked token. The caller holds s.mu.
func (s *Server) tokenFromRequestLocked(r *http.Request, form url.Values) (string, string) {
	tok := form.Get("token")
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, value, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			s.log.Info("api call refused",
				"why", "authorization header does not use the Bearer scheme")
			return "", "invalid_auth"
		}
		tok = strings.TrimSpace(value)
	}
	if tok == "" {
		return "", "not_authed"
	}
	t, ok := s.tokens[tok]
	switch {
	case !ok:
		return "", "invalid_auth"
	case t.revoked:
		return "", "token_revoked"
	}
	return tok, ""
}

// scopesLocked returns a token's current scopes. The caller holds s.mu.
func (s *Server) scopesLocked(t *accessToken) []string {
	in := s.installs[t.clientID]
	if in == nil {
		return nil
	}
	if t.kind == botKind {
		return in.botScopes
	}
	return in.userScopes[t.who]
}

// purgeLocked forgets expired consents, codes and uploads, so that a long demo does not grow
// without bound. The caller holds s.mu.
func (s *Server) purgeLocked(now time.Time) {
	maps.DeleteFunc(s.consents, func(_ string, p *pendingConsent) bool {
		return now.After(p.expires)
	})
	maps.DeleteFunc(s.codes, func(_ string, c *authCode) bool { return now.After(c.expires) })
	maps.DeleteFunc(s.uploads, func(_ string, u *pendingUpload) bool {
		return now.After(u.expires)
	})
}

// union returns the sorted set of scopes in a or b.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
