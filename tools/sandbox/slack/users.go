package slack

import (
	"slices"
	"strings"
)

// scopeUsersReadEmail is the scope without which Slack leaves profile.email out.
const scopeUsersReadEmail = "users:read.email"

// usersList serves users.list: every member, the bot user and deactivated accounts
// included; no limit means everyone at once.
func (s *Server) usersList(c *apiCall) {
	limit, ok := c.limit(len(s.ws.people), 1000)
	if !ok {
		return
	}
	from, ok := decodeCursor(c.args.Get("cursor"), "user")
	if !ok {
		c.fail("invalid_cursor")
		return
	}
	withEmail := slices.Contains(c.scopes, scopeUsersReadEmail)
	members := []userJSON{}
	next, started := "", from == ""
	for _, p := range s.ws.people {
		if !started {
			started = p.ID == from
		}
		if !started {
			continue
		}
		if len(members) == limit {
			next = encodeCursor("user", p.ID)
			break
		}
		members = append(members, userView(p, withEmail))
	}
	if !started {
		c.fail("invalid_cursor")
		return
	}
	c.reply(struct {
		OK               bool       `json:"ok"`
		Members          []userJSON `json:"members"`
		CacheTS          int64      `json:"cache_ts"`
		ResponseMetadata meta       `json:"response_metadata"`
	}{true, members, s.now().Unix(), meta{next}})
}

// usersInfo serves users.info.
func (s *Server) usersInfo(c *apiCall) {
	p := s.ws.person(c.args.Get("user"))
	if p == nil {
		c.fail("user_not_found")
		return
	}
	c.reply(struct {
		OK   bool     `json:"ok"`
		User userJSON `json:"user"`
	}{true, userView(p, slices.Contains(c.scopes, scopeUsersReadEmail))})
}

// usersLookupByEmail serves users.lookupByEmail; addresses compare without case.
func (s *Server) usersLookupByEmail(c *apiCall) {
	email := c.args.Get("email")
	for _, p := range s.ws.people {
		if email != "" && !p.Bot && strings.EqualFold(p.Email, email) {
			c.reply(struct {
				OK   bool     `json:"ok"`
				User userJSON `json:"user"`
			}{true, userView(p, true)})
			return
		}
	}
	c.fail("users_not_found")
}

// authTest serves auth.test, which needs no scope.
func (s *Server) authTest(c *apiCall) {
	p := s.ws.person(c.who)
	resp := struct {
		OK                  bool   `json:"ok"`
		URL                 string `json:"url"`
		Team                string `json:"team"`
		User                string `json:"user"`
		TeamID              string `json:"team_id"`
		UserID              string `json:"user_id"`
		BotID               string `json:"bot_id,omitempty"`
		IsEnterpriseInstall bool   `json:"is_enterprise_install"`
	}{OK: true, URL: "https://" + teamDomain + ".slack.com/", Team: teamName, User: p.Name,
		TeamID: teamID, UserID: p.ID, BotID: p.BotID}
	c.reply(resp)
}
