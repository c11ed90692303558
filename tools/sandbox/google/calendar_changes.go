package google

import (
	"net/http"
	"slices"
)

// writableCalendar finds the request's calendar and checks that the account may change its
// events, writing Google's refusal otherwise. The caller holds cs.mu.
func (cs *calendarStore) writableCalendar(w http.ResponseWriter, r *http.Request) *calendar {
	c := cs.lookupCalendar(r.PathValue("calendarId"))
	if c == nil {
		calendarNotFound(w)
		return nil
	}
	if !roleAtLeast(c.accessRole, "writer") {
		calendarNeedsWriter(w)
		return nil
	}
	return c
}

// parseSendUpdates reads the sendUpdates parameter of a change.
func parseSendUpdates(w http.ResponseWriter, r *http.Request) (string, bool) {
	switch v := r.URL.Query().Get("sendUpdates"); v {
	case "", "all", "externalOnly", "none":
		return v, true
	default:
		calendarInvalid(w, "Invalid Value", "sendUpdates")
		return "", false
	}
}

// notifyGuests logs the emails Google would send about a change to e.
func (s *Server) notifyGuests(e *event, sendUpdates, change string) {
	if sendUpdates != "all" && sendUpdates != "externalOnly" {
		return
	}
	n := 0
	for _, a := range e.attendees {
		if !a.self {
			n++
		}
	}
	if n > 0 {
		s.log.Info("event guests notified", "event_id", e.id, "change", change, "guests", n,
			"send_updates", sendUpdates)
	}
}

// insertEvent serves events.insert.
func (s *Server) insertEvent(w http.ResponseWriter, r *http.Request, t accessToken) {
	send, ok := parseSendUpdates(w, r)
	if !ok {
		return
	}
	b, ok := decodeEventBody(w, r)
	if !ok {
		return
	}
	now := s.now()

	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.writableCalendar(w, r)
	if c == nil {
		return
	}
	e := &event{id: newEventID(), status: "confirmed"}
	e.creator, e.organizer = cs.ownerOf(c)
	if !b.apply(w, e, cs.account, c.primary) {
		return
	}
	if b.ID != nil {
		if !validEventID(*b.ID) {
			calendarInvalid(w, "Invalid resource id value.", "")
			return
		}
		if c.stored(*b.ID) != nil {
			writeCalendarError(w, 409, "global", "duplicate",
				"The requested identifier already exists.", "")
			return
		}
		e.id = *b.ID
	}
	cs.add(c, e, now)
	s.log.Info("event created", "client_id", t.clientID, "event_id", e.id)
	s.notifyGuests(e, send, "created")
	writeJSON(w, 200, c.render(e, c.loc))
}

// validEventID reports whether id is one a client may choose: 5 to 1024 characters of
// base32hex, lowercase.
func validEventID(id string) bool {
	if len(id) < 5 || len(id) > 1024 {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'v') {
			return false
		}
	}
	return true
}

// patchEvent serves events.patch: the fields in the body replace the event's, arrays
// whole. Patching one instance of a series changes that instance alone.
func (s *Server) patchEvent(w http.ResponseWriter, r *http.Request, _ accessToken) {
	send, ok := parseSendUpdates(w, r)
	if !ok {
		return
	}
	b, ok := decodeEventBody(w, r)
	if !ok {
		return
	}
	now := s.now()

	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.writableCalendar(w, r)
	if c == nil {
		return
	}
	e := c.lookupEvent(r.PathValue("eventId"))
	if e == nil {
		calendarNotFound(w)
		return
	}
	draft := *e
	draft.attendees = slices.Clone(e.attendees)
	if e.recurringEventID != "" {
		b.Recurrence = nil // an instance has no recurrence of its own
	}
	if !b.apply(w, &draft, cs.account, c.primary) {
		return
	}
	if !draft.start.equal(e.start) || !draft.end.equal(e.end) {
		draft.sequence++
	}
	if stored := c.stored(e.id); stored != nil {
		*stored = draft
		e = stored
	} else {
		e = &draft
		c.events = append(c.events, e)
	}
	cs.touch(e, now)
	s.notifyGuests(e, send, "updated")
	writeJSON(w, 200, c.render(e, c.loc))
}

// deleteEvent serves events.delete. The event stays, cancelled, so that events.get and
// lists with showDeleted still see it; deleting it again answers 410.
func (s *Server) deleteEvent(w http.ResponseWriter, r *http.Request, t accessToken) {
	send, ok := parseSendUpdates(w, r)
	if !ok {
		return
	}
	now := s.now()

	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.writableCalendar(w, r)
	if c == nil {
		return
	}
	e := c.lookupEvent(r.PathValue("eventId"))
	if e == nil {
		calendarNotFound(w)
		return
	}
	if e.status == "cancelled" {
		calendarDeleted(w)
		return
	}
	if c.stored(e.id) == nil {
		c.events = append(c.events, e) // a cancelled instance becomes an exception
	}
	e.status = "cancelled"
	cs.touch(e, now)
	s.log.Info("event deleted", "client_id", t.clientID, "event_id", e.id)
	s.notifyGuests(e, send, "cancelled")
	w.WriteHeader(http.StatusNoContent)
}
