package slack

import (
	"encoding/base64"
	"slices"
	"strings"
	"unicode/utf8"
)

// encodeCursor writes a cursor as Slack does: base64 of "<kind>:<position>".
func encodeCursor(kind, pos string) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + ":" + pos))
}

// decodeCursor reads a cursor of the given kind; an empty cursor is the first page.
func decodeCursor(cursor, kind string) (string, bool) {
	if cursor == "" {
		return "", true
	}
	raw, err := base64.StdEncoding.DecodeString(cursor)
	if err != nil {
		return "", false
	}
	pos, ok := strings.CutPrefix(string(raw), kind+":")
	return pos, ok && pos != ""
}

// conversationsList serves conversations.list. Slack refuses the whole list when the token
// lacks the read scope of any requested type, naming that type's scope.
func (s *Server) conversationsList(c *apiCall) {
	types := strings.Split(c.args.Get("types"), ",")
	if c.args.Get("types") == "" {
		types = []string{typePublic}
	}
	for _, t := range types {
		if _, known := conversationFamily[t]; !known {
			c.fail("invalid_types")
			return
		}
	}
	for _, t := range types {
		if !s.allowsType(c, t) {
			return
		}
	}
	limit, ok := c.limit(100, 1000)
	if !ok {
		return
	}
	start, ok := decodeCursor(c.args.Get("cursor"), "team")
	if !ok {
		c.fail("invalid_cursor")
		return
	}

	var page []any
	next := ""
	started := start == ""
	for _, conv := range s.ws.convs {
		if !started {
			started = conv.ID == start
		}
		if !started || !slices.Contains(types, conv.Type) || !conv.visibleTo(c.who) ||
			(conv.Archived && c.flag("exclude_archived")) {
			continue
		}
		if len(page) == limit {
			next = encodeCursor("team", conv.ID)
			break
		}
		page = append(page, s.ws.conversationJSON(conv, c.who))
	}
	if !started {
		c.fail("invalid_cursor")
		return
	}
	if page == nil {
		page = []any{}
	}
	c.reply(struct {
		OK               bool  `json:"ok"`
		Channels         []any `json:"channels"`
		ResponseMetadata meta  `json:"response_metadata"`
	}{true, page, meta{next}})
}

// reachable resolves the channel argument to a conversation the token may use with this
// method: visible to it and of a type its scopes allow. Otherwise it answers the call.
func (s *Server) reachable(c *apiCall) *conversation {
	conv := s.ws.conversation(c.args.Get("channel"))
	if conv == nil || !conv.visibleTo(c.who) {
		c.fail("channel_not_found")
		return nil
	}
	if !s.allowsType(c, conv.Type) {
		return nil
	}
	return conv
}

// readable is reachable, and for a bot token also a member: only user tokens read public
// channels they are not in.
func (s *Server) readable(c *apiCall) *conversation {
	conv := s.reachable(c)
	if conv != nil && c.kind == botKind && !conv.member(c.who) {
		c.fail("not_in_channel")
		return nil
	}
	return conv
}

// conversationsInfo serves conversations.info.
func (s *Server) conversationsInfo(c *apiCall) {
	conv := s.reachable(c)
	if conv == nil {
		return
	}
	c.reply(struct {
		OK      bool `json:"ok"`
		Channel any  `json:"channel"`
	}{true, s.ws.conversationJSON(conv, c.who)})
}

// conversationsJoin serves conversations.join: public channels only, not archived ones. A
// member joining again gets ok with the already_in_channel warning.
func (s *Server) conversationsJoin(c *apiCall) {
	conv := s.reachable(c)
	if conv == nil {
		return
	}
	if conv.Archived {
		c.fail("is_archived")
		return
	}
	type warnings struct {
		Warnings []string `json:"warnings"`
	}
	resp := struct {
		OK               bool      `json:"ok"`
		Channel          any       `json:"channel"`
		Warning          string    `json:"warning,omitempty"`
		ResponseMetadata *warnings `json:"response_metadata,omitempty"`
	}{OK: true}
	if conv.member(c.who) {
		resp.Warning = "already_in_channel"
		resp.ResponseMetadata = &warnings{[]string{"already_in_channel"}}
	} else {
		conv.Members = append(conv.Members, c.who)
		s.log.Info("conversation joined", "channel", conv.ID, "kind", c.kind)
	}
	resp.Channel = s.ws.conversationJSON(conv, c.who)
	c.reply(resp)
}

// conversationsCreate serves conversations.create with Slack's channel name rules: at most
// 80 characters of lowercase letters, digits, hyphens and underscores, unique in the
// workspace (archived channels keep their names).
func (s *Server) conversationsCreate(c *apiCall) {
	convType := typePublic
	if c.flag("is_private") {
		convType = typePrivate
	}
	if !s.allowsType(c, convType) {
		return
	}
	name := c.args.Get("name")
	if code := checkChannelName(name); code != "" {
		c.fail(code)
		return
	}
	for _, conv := range s.ws.convs {
		if conv.Name == name {
			c.fail("name_taken")
			return
		}
	}
	conv := &conversation{ID: s.ws.newID("C"), Name: name, Type: convType,
		Created: s.now().Unix(), Creator: c.who, Members: []string{c.who}}
	s.ws.convs = append(s.ws.convs, conv)
	s.log.Info("conversation created", "channel", conv.ID, "private", convType == typePrivate)
	c.reply(struct {
		OK      bool `json:"ok"`
		Channel any  `json:"channel"`
	}{true, s.ws.conversationJSON(conv, c.who)})
}

// checkChannelName returns Slack's error for an unusable channel name, or "".
func checkChannelName(name string) string {
	switch {
	case name == "":
		return "invalid_name_required"
	case utf8.RuneCountInString(name) > 80:
		return "invalid_name_maxlength"
	case strings.Trim(name, "-_") == "":
		return "invalid_name_punctuation"
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "invalid_name_specials"
		}
	}
	return ""
}
