package microsoft

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// team is a Microsoft Teams team the account belongs to.
type team struct {
	id, name, description string
	created               time.Time
	channels              []*channel
}

// channel is a standard channel of a team, with the messages posted to it.
type channel struct {
	id, name, description string
	created               time.Time
	messages              []chatMessage
}

// chatMessage is a message posted to a channel.
type chatMessage struct {
	id, subject, contentType, content string
	created                           time.Time
}

// newChannelID returns a Teams channel id: "19:", 32 hex digits, "@thread.tacv2".
func newChannelID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "19:" + hex.EncodeToString(b) + "@thread.tacv2"
}

func (s *Server) team(id string) *team {
	for _, t := range s.teams {
		if strings.EqualFold(t.id, id) {
			return t
		}
	}
	return nil
}

// listJoinedTeams serves GET /me/joinedTeams. Teams returns every team at once: the
// listing has no pages.
func (s *Server) listJoinedTeams(w http.ResponseWriter, r *graphRequest) {
	s.mu.Lock()
	var items []entity
	for _, t := range s.teams {
		items = append(items, entity{
			"id": t.id, "createdDateTime": nil, "displayName": t.name,
			"description": t.description, "internalId": nil, "classification": nil,
			"specialization": nil, "visibility": nil, "webUrl": nil, "isArchived": false,
			"tenantId": s.ids.tenantID, "isMembershipLimitedToOwners": nil,
			"memberSettings": nil, "guestSettings": nil, "messagingSettings": nil,
			"funSettings": nil, "discoverySettings": nil, "tagSettings": nil, "summary": nil,
		})
	}
	s.mu.Unlock()
	writeGraph(w, r.Request, 200, entity{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#teams",
		"@odata.count":   len(items), "value": items,
	})
}

// listChannels serves GET /teams/{id}/channels, with $select.
func (s *Server) listChannels(w http.ResponseWriter, r *graphRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.team(r.params[0])
	if t == nil {
		s.writeError(w, r.Request, 404, "NotFound", "No team found with Group Id "+r.params[0])
		return
	}
	var items []entity
	var fields []string
	var bad string
	for i, c := range t.channels {
		e := s.channelEntity(t, c)
		if i == 0 {
			if fields, bad = r.selection("channel", e); bad != "" {
				s.writeError(w, r.Request, 400, "BadRequest", bad)
				return
			}
		}
		items = append(items, project(e, fields))
	}
	writeGraph(w, r.Request, 200, entity{
		"@odata.context": fmt.Sprintf("https://graph.microsoft.com/v1.0/$metadata#teams('%s')/"+
			"channels", t.id),
		"@odata.count": len(items), "value": items,
	})
}

func (s *Server) channelEntity(t *team, c *channel) entity {
	return entity{
		"id": c.id, "createdDateTime": c.created.UTC().Format(time.RFC3339Nano),
		"displayName": c.name, "description": c.description, "isFavoriteByDefault": nil,
		"email": "", "tenantId": s.ids.tenantID, "membershipType": "standard",
		"isArchived": false,
		"webUrl": "https://teams.microsoft.com/l/channel/" + url.PathEscape(c.id) + "/" +
			url.PathEscape(c.name) + "?groupId=" + t.id + "&tenantId=" + s.ids.tenantID,
	}
}

// postChannelMessage serves POST /teams/{id}/channels/{id}/messages.
func (s *Server) postChannelMessage(w http.ResponseWriter, r *graphRequest) {
	var in struct {
		Subject string `json:"subject"`
		Body    struct {
			ContentType string `json:"contentType"`
			Content     string `json:"content"`
		} `json:"body"`
	}
	if bad := decodeBody(r.Request, &in); bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	ct := strings.ToLower(in.Body.ContentType)
	if ct == "" {
		ct = "text"
	}
	switch {
	case strings.TrimSpace(in.Body.Content) == "":
		s.writeError(w, r.Request, 400, "BadRequest", "Message body cannot be empty.")
		return
	case ct != "text" && ct != "html":
		s.writeError(w, r.Request, 400, "BadRequest",
			fmt.Sprintf("The body contentType '%s' is not supported.", in.Body.ContentType))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.team(r.params[0])
	if t == nil {
		s.writeError(w, r.Request, 404, "NotFound", "No team found with Group Id "+r.params[0])
		return
	}
	var c *channel
	for _, ch := range t.channels {
		if strings.EqualFold(ch.id, r.params[1]) {
			c = ch
		}
	}
	if c == nil {
		s.writeError(w, r.Request, 404, "NotFound", "Channel "+r.params[1]+" was not found in the team.")
		return
	}
	now := s.now()
	m := chatMessage{id: strconv.FormatInt(now.UnixMilli()+int64(len(c.messages)), 10),
		subject: in.Subject, contentType: ct, content: in.Body.Content, created: now}
	c.messages = append(c.messages, m)
	s.log.Info("channel message posted")
	writeGraph(w, r.Request, http.StatusCreated, s.chatMessageEntity(t, c, m))
}

func (s *Server) chatMessageEntity(t *team, c *channel, m chatMessage) entity {
	created := m.created.UTC().Format("2006-01-02T15:04:05.000Z")
	var subject any
	if m.subject != "" {
		subject = m.subject
	}
	return entity{
		"@odata.context": fmt.Sprintf("https://graph.microsoft.com/v1.0/$metadata#teams('%s')/"+
			"channels('%s')/messages/$entity", t.id, url.PathEscape(c.id)),
		"id": m.id, "replyToId": nil, "etag": m.id, "messageType": "message",
		"createdDateTime": created, "lastModifiedDateTime": created,
		"lastEditedDateTime": nil, "deletedDateTime": nil, "subject": subject, "summary": nil,
		"chatId": nil, "importance": "normal", "locale": "en-us",
		"webUrl": "https://teams.microsoft.com/l/message/" + url.PathEscape(c.id) + "/" + m.id +
			"?groupId=" + t.id + "&tenantId=" + s.ids.tenantID + "&createdTime=" + m.id +
			"&parentMessageId=" + m.id,
		"policyViolation": nil, "eventDetail": nil,
		"from": entity{"application": nil, "device": nil, "user": entity{
			"@odata.type": "#microsoft.graph.teamworkUserIdentity", "id": s.ids.oid,
			"displayName": s.ids.name, "userIdentityType": "aadUser", "tenantId": s.ids.tenantID,
		}},
		"body":            entity{"contentType": m.contentType, "content": m.content},
		"channelIdentity": entity{"teamId": t.id, "channelId": c.id},
		"attachments":     []entity{}, "mentions": []entity{}, "reactions": []entity{},
	}
}

// getMe serves GET /me: the signed-in user's profile.
func (s *Server) getMe(w http.ResponseWriter, r *graphRequest) {
	given, surname, _ := strings.Cut(s.ids.name, " ")
	writeGraph(w, r.Request, 200, entity{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
		"businessPhones": []string{}, "displayName": s.ids.name, "givenName": given,
		"surname": surname, "jobTitle": nil, "mail": s.account, "mobilePhone": nil,
		"officeLocation": nil, "preferredLanguage": "en-US", "userPrincipalName": s.ids.upn,
		"id": s.ids.oid,
	})
}
