package microsoft

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// attendee is one invitee of an event.
type attendee struct {
	addr     address
	kind     string // required, optional or resource
	response string // none, accepted, tentativelyAccepted, declined
}

// event is one single-instance event of the calendar. Times are kept in UTC.
type event struct {
	id, subject, body, location string
	html, allDay, online        bool
	start, end                  time.Time
	organizer                   address
	attendees                   []attendee
	created, modified           time.Time
	version                     int
}

// calendar is the account's default calendar.
type calendar struct {
	events []*event
}

func (c *calendar) event(id string) *event {
	for _, e := range c.events {
		if e.id == id {
			return e
		}
	}
	return nil
}

// zone reads Prefer: outlook.timezone. Graph also takes Windows zone names; the sandbox
// knows the IANA ones and UTC and falls back to UTC for others.
func zone(r *http.Request) (*time.Location, string) {
	for _, v := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || !strings.EqualFold(k, "outlook.timezone") {
				continue
			}
			name := strings.Trim(val, `"`)
			if loc, err := time.LoadLocation(name); err == nil && name != "" && name != "Local" {
				return loc, name
			}
		}
	}
	return time.UTC, "UTC"
}

// dateTimeTimeZone renders a time as Graph's dateTimeTimeZone in the given zone.
func dateTimeTimeZone(t time.Time, loc *time.Location, name string) entity {
	return entity{"dateTime": t.In(loc).Format("2006-01-02T15:04:05.0000000"), "timeZone": name}
}

// entity renders the event as Graph's event resource.
func (e *event) entity(s *Server, loc *time.Location, zoneName string) entity {
	ct := "text"
	if e.html {
		ct = "html"
	}
	bodyText := e.body
	if e.html {
		bodyText = htmlToText(e.body)
	}
	preview := strings.Join(strings.Fields(bodyText), " ")
	if r := []rune(preview); len(r) > 255 {
		preview = string(r[:255])
	}
	attendees := []entity{}
	for _, a := range e.attendees {
		attendees = append(attendees, entity{
			"type":         a.kind,
			"status":       entity{"response": a.response, "time": "0001-01-01T00:00:00Z"},
			"emailAddress": entity{"name": a.addr.Name, "address": a.addr.Address},
		})
	}
	changeKey := fmt.Sprintf("DwAAABYAAAA%08d", e.version)
	isOrganizer := strings.EqualFold(e.organizer.Address, s.account)
	response := "organizer"
	if !isOrganizer {
		response = "none"
	}
	place := entity{"displayName": e.location, "locationType": "default", "uniqueId": e.location,
		"uniqueIdType": "private"}
	locations := []entity{}
	if e.location != "" {
		locations = append(locations, place)
	}
	return entity{
		"@odata.etag":                fmt.Sprintf(`W/"%s"`, changeKey),
		"id":                         e.id,
		"transactionId":              nil,
		"originalStartTimeZone":      "UTC",
		"originalEndTimeZone":        "UTC",
		"iCalUId":                    iCalUID(e.id),
		"reminderMinutesBeforeStart": 15,
		"isReminderOn":               true,
		"hasAttachments":             false,
		"responseRequested":          true,
		"onlineMeetingUrl":           nil,
		"onlineMeetingProvider":      "unknown",
		"onlineMeeting":              nil,
		"allowNewTimeProposals":      true,
		"isDraft":                    false,
		"hideAttendees":              false,
		"recurrence":                 nil,
		"locations":                  locations,
		"createdDateTime":            e.created.UTC().Format(time.RFC3339Nano),
		"lastModifiedDateTime":       e.modified.UTC().Format(time.RFC3339Nano),
		"changeKey":                  changeKey,
		"categories":                 []string{},
		"subject":                    e.subject,
		"bodyPreview":                preview,
		"body":                       entity{"contentType": ct, "content": e.body},
		"importance":                 "normal",
		"sensitivity":                "normal",
		"isAllDay":                   e.allDay,
		"isCancelled":                false,
		"isOrganizer":                isOrganizer,
		"isOnlineMeeting":            e.online,
		"showAs":                     "busy",
		"type":                       "singleInstance",
		"seriesMasterId":             nil,
		"webLink": "https://outlook.office365.com/owa/?itemid=" + url.QueryEscape(e.id) +
			"&exvsurl=1&path=/calendar/item",
		"responseStatus": entity{"response": response, "time": "0001-01-01T00:00:00Z"},
		"start":          dateTimeTimeZone(e.start, loc, zoneName),
		"end":            dateTimeTimeZone(e.end, loc, zoneName),
		"location":       place,
		"attendees":      attendees,
		"organizer":      recipient(e.organizer),
	}
}

// eventEntities renders events for the request: time zone, Calendars.ReadBasic
// redaction, $select. The caller holds s.mu.
func (s *Server) eventEntities(r *graphRequest, list []*event) ([]entity, string) {
	loc, name := zone(r.Request)
	basic := r.onlyBasic("Calendars")
	var fields []string
	out := make([]entity, 0, len(list))
	for i, e := range list {
		ent := e.entity(s, loc, name)
		if i == 0 {
			var bad string
			if fields, bad = r.selection("event", ent); bad != "" {
				return nil, bad
			}
		}
		if basic {
			delete(ent, "body")
			delete(ent, "bodyPreview")
		}
		out = append(out, project(ent, fields))
	}
	return out, ""
}

// calendarView serves the calendarView operations: the events that overlap the window
// startDateTime to endDateTime, by start time.
func (s *Server) calendarView(w http.ResponseWriter, r *graphRequest) {
	if r.op.id == "GET /users/{id}/calendarView" {
		u := r.params[0]
		if !strings.EqualFold(u, s.ids.upn) && !strings.EqualFold(u, s.ids.oid) {
			s.writeError(w, r.Request, 404, "ErrorInvalidUser",
				fmt.Sprintf("The requested user '%s' is invalid.", u))
			return
		}
	}
	var from, to string
	for k, v := range r.URL.Query() {
		switch strings.ToLower(k) {
		case "startdatetime":
			from = v[0]
		case "enddatetime":
			to = v[0]
		}
	}
	if from == "" || to == "" {
		s.writeError(w, r.Request, 400, "ErrorInvalidParameter", "This request requires a time "+
			"window specified by the query string parameters StartDateTime and EndDateTime.")
		return
	}
	start, errStart := parseGraphTime(from, time.UTC)
	end, errEnd := parseGraphTime(to, time.UTC)
	if errStart != nil || errEnd != nil {
		s.writeError(w, r.Request, 400, "ErrorInvalidParameter", "The value of the parameter "+
			"'StartDateTime' or 'EndDateTime' is invalid.")
		return
	}
	win, bad := r.pageWindow(10, 1000, false)
	if bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}

	s.mu.Lock()
	var found []*event
	for _, e := range s.cal.events {
		if e.start.Before(end) && e.end.After(start) {
			found = append(found, e)
		}
	}
	slices.SortStableFunc(found, func(a, b *event) int { return a.start.Compare(b.start) })
	items, bad := s.eventEntities(r, found)
	s.mu.Unlock()
	if bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	s.writeCollection(w, r, s.context("calendarView"), items, win)
}

// listEvents serves GET /me/events: every event, by start time. The sandbox does not
// filter this listing.
func (s *Server) listEvents(w http.ResponseWriter, r *graphRequest) {
	if r.URL.Query().Get("$filter") != "" {
		s.writeError(w, r.Request, 501, "NotImplemented",
			"The Microsoft sandbox does not filter /me/events; use /me/calendarView.")
		return
	}
	win, bad := r.pageWindow(10, 1000, false)
	if bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	s.mu.Lock()
	found := slices.Clone(s.cal.events)
	slices.SortStableFunc(found, func(a, b *event) int { return a.start.Compare(b.start) })
	items, bad := s.eventEntities(r, found)
	s.mu.Unlock()
	if bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	s.writeCollection(w, r, s.context("events"), items, win)
}

// getEvent serves GET /me/events/{id}.
func (s *Server) getEvent(w http.ResponseWriter, r *graphRequest) {
	id := r.params[0]
	if !wellFormedItemID(id) {
		s.writeError(w, r.Request, 400, "ErrorInvalidIdMalformed", msgMalformed)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.cal.event(id)
	if e == nil {
		s.writeError(w, r.Request, 404, "ErrorItemNotFound", msgNotFound)
		return
	}
	items, bad := s.eventEntities(r, []*event{e})
	if bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	items[0]["@odata.context"] = s.context("events/$entity")
	writeGraph(w, r.Request, 200, items[0])
}

// parseGraphTime reads a date-time as Graph's query strings and dateTimeTimeZone values
// write it: with an offset, or without one in loc.
func parseGraphTime(v string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.9999999", v, loc)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// iCalUID derives an event's iCalendar UID in Outlook's hexadecimal shape.
func iCalUID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return fmt.Sprintf("040000008200E00074C5B7101A82E008%X", sum[:25])
}
