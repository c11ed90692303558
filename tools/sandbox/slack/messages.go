package slack

import "unicode/utf8"

// maxTextRunes is the longest message text chat.postMessage takes.
const maxTextRunes = 40000

// historyPage is the answer of conversations.history and conversations.replies.
type historyPage struct {
	OK                  bool          `json:"ok"`
	Messages            []messageJSON `json:"messages"`
	HasMore             bool          `json:"has_more"`
	PinCount            int           `json:"pin_count"`
	ChannelActionsTS    *int64        `json:"channel_actions_ts"`
	ChannelActionsCount int           `json:"channel_actions_count"`
	ResponseMetadata    *meta         `json:"response_metadata,omitempty"`
}

// parentUser returns the author of m's thread parent, for a reply.
func parentUser(conv *conversation, m *message) string {
	if m.ThreadTS == "" || m.ThreadTS == m.TS {
		return ""
	}
	if p := conv.message(m.ThreadTS); p != nil {
		return p.User
	}
	return ""
}

// conversationsHistory serves conversations.history: top-level messages and broadcast
// replies, newest first, limit per page, paged by a cursor on the next message's ts.
func (s *Server) conversationsHistory(c *apiCall) {
	conv := s.readable(c)
	if conv == nil {
		return
	}
	limit, ok := c.limit(100, 999)
	if !ok {
		return
	}
	from, ok := decodeCursor(c.args.Get("cursor"), "next_ts")
	if !ok {
		c.fail("invalid_cursor")
		return
	}
	page := historyPage{OK: true, Messages: []messageJSON{}}
	for i := len(conv.messages) - 1; i >= 0; i-- {
		m := conv.messages[i]
		if from != "" && m.TS > from {
			continue
		}
		if len(page.Messages) == limit {
			page.HasMore = true
			page.ResponseMetadata = &meta{encodeCursor("next_ts", m.TS)}
			break
		}
		page.Messages = append(page.Messages, s.ws.messageJSON(m, parentUser(conv, m), c.who))
	}
	c.reply(page)
}

// conversationsReplies serves conversations.replies: the thread's parent, then its replies
// oldest first. ts may name the parent or any reply.
func (s *Server) conversationsReplies(c *apiCall) {
	conv := s.readable(c)
	if conv == nil {
		return
	}
	m := conv.message(c.args.Get("ts"))
	if m == nil {
		c.fail("thread_not_found")
		return
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		m = conv.message(m.ThreadTS)
	}
	limit, ok := c.limit(1000, 1000)
	if !ok {
		return
	}
	from, ok := decodeCursor(c.args.Get("cursor"), "next_ts")
	if !ok {
		c.fail("invalid_cursor")
		return
	}
	page := historyPage{OK: true, Messages: []messageJSON{}}
	for _, r := range append([]*message{m}, m.replies...) {
		if from != "" && r.TS < from {
			continue
		}
		if len(page.Messages) == limit {
			page.HasMore = true
			page.ResponseMetadata = &meta{encodeCursor("next_ts", r.TS)}
			break
		}
		page.Messages = append(page.Messages, s.ws.messageJSON(r, parentUser(conv, r), c.who))
	}
	c.reply(page)
}

// chatPostMessage serves chat.postMessage. The token's owner must be in the conversation
// (chat:write.public, which lifts that for public channels, is not among the sandbox's
// scopes). A thread_ts naming a reply threads under that reply's parent.
func (s *Server) chatPostMessage(c *apiCall) {
	conv := s.ws.conversation(c.args.Get("channel"))
	switch {
	case conv == nil || !conv.visibleTo(c.who):
		c.fail("channel_not_found")
		return
	case conv.Archived:
		c.fail("is_archived")
		return
	case !conv.member(c.who):
		c.fail("not_in_channel")
		return
	}
	text := c.args.Get("text")
	switch {
	case text == "" && c.args.Get("blocks") == "" && c.args.Get("attachments") == "":
		c.fail("no_text")
		return
	case utf8.RuneCountInString(text) > maxTextRunes:
		c.fail("msg_too_long")
		return
	}
	thread := c.args.Get("thread_ts")
	if thread != "" {
		parent := conv.message(thread)
		if parent == nil {
			// Slack's reference lists no error for an unknown thread_ts; the sandbox refuses
			// it instead of posting a reply nobody can see.
			c.fail("thread_not_found")
			return
		}
		if parent.ThreadTS != "" && parent.ThreadTS != parent.TS {
			parent = conv.message(parent.ThreadTS)
		}
		thread = parent.TS
	}

	m := &message{TS: s.ws.newTS(s.now()), User: c.who, Text: text, ThreadTS: thread,
		Broadcast: thread != "" && c.flag("reply_broadcast")}
	if c.kind == botKind {
		m.BotID, m.AppID = botID, appID
	}
	conv.post(m)
	s.log.Info("message posted", "channel", conv.ID, "kind", c.kind, "thread", thread != "")
	c.reply(struct {
		OK      bool        `json:"ok"`
		Channel string      `json:"channel"`
		TS      string      `json:"ts"`
		Message messageJSON `json:"message"`
	}{true, conv.ID, m.TS, s.ws.messageJSON(m, parentUser(conv, m), c.who)})
}
