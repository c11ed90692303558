package google

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// eventsJSON is the Events collection that events.list returns.
type eventsJSON struct {
	Kind             string         `json:"kind"`
	Etag             string         `json:"etag"`
	Summary          string         `json:"summary"`
	Description      string         `json:"description,omitempty"`
	Updated          string         `json:"updated"`
	TimeZone         string         `json:"timeZone"`
	AccessRole       string         `json:"accessRole"`
	DefaultReminders []reminderJSON `json:"defaultReminders"`
	NextPageToken    string         `json:"nextPageToken,omitempty"`
	NextSyncToken    string         `json:"nextSyncToken,omitempty"`
	Items            []eventJSON    `json:"items"`
}

// eventsQuery holds the checked parameters of events.list.
type eventsQuery struct {
	timeMin, timeMax time.Time
	singleEvents     bool
	showDeleted      bool
	orderBy          string
	max              int
	offset           int
	q                string
	loc              *time.Location // nil: the calendar's own zone
}

// parseEventsQuery reads events.list's parameters, writing Google's refusal when one is
// wrong.
func parseEventsQuery(w http.ResponseWriter, r *http.Request) (eventsQuery, bool) {
	v := r.URL.Query()
	var p eventsQuery
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{"timeMin", &p.timeMin}, {"timeMax", &p.timeMax}} {
		if raw := v.Get(b.name); raw != "" {
			t, err := time.Parse(time.RFC3339, raw)
			if err != nil {
				calendarBadRequest(w)
				return p, false
			}
			*b.dst = t
		}
	}
	if !p.timeMin.IsZero() && !p.timeMax.IsZero() && !p.timeMax.After(p.timeMin) {
		calendarTimeRangeEmpty(w)
		return p, false
	}
	var ok bool
	if p.singleEvents, ok = parseBoolParam(w, r, "singleEvents"); !ok {
		return p, false
	}
	if p.showDeleted, ok = parseBoolParam(w, r, "showDeleted"); !ok {
		return p, false
	}
	switch p.orderBy = v.Get("orderBy"); p.orderBy {
	case "", "updated":
	case "startTime":
		if !p.singleEvents {
			calendarInvalid(w, "The requested ordering is not available for the particular query.",
				"orderBy")
			return p, false
		}
	default:
		calendarInvalid(w, "Invalid Value", "orderBy")
		return p, false
	}
	if p.max, ok = parsePageSize(w, v.Get("maxResults"), 250, 2500); !ok {
		return p, false
	}
	if tok := v.Get("pageToken"); tok != "" {
		if p.offset, ok = parsePageToken(tok); !ok {
			calendarInvalid(w, "Invalid Value", "pageToken")
			return p, false
		}
	}
	p.q = strings.ToLower(strings.TrimSpace(v.Get("q")))
	p.loc, ok = parseZoneParam(w, r)
	return p, ok
}

// parseZoneParam reads a timeZone parameter: nil when absent.
func parseZoneParam(w http.ResponseWriter, r *http.Request) (*time.Location, bool) {
	name := r.URL.Query().Get("timeZone")
	if name == "" {
		return nil, true
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		calendarInvalid(w, "Invalid Value", "timeZone")
		return nil, false
	}
	return loc, true
}

// occurring returns c's events that end after from and start before to; a zero bound does
// not limit. With expand it returns single events and the instances of recurring series,
// changed instances in place of the ones they replace; without, single events, whole series
// and their changed instances. Cancelled events are included. The caller holds the lock.
func (c *calendar) occurring(from, to time.Time, expand bool) []*event {
	overlaps := func(e *event) bool {
		start, end := e.start.instant(c.loc), e.end.instant(c.loc)
		return (from.IsZero() || end.After(from)) && (to.IsZero() || start.Before(to))
	}
	var out []*event
	for _, e := range c.events {
		if e.rule == nil {
			if overlaps(e) {
				out = append(out, e)
			}
			continue
		}
		insts := e.instances(c.loc, from, to)
		if !expand {
			if len(insts) > 0 {
				out = append(out, e)
			}
			continue
		}
		for _, inst := range insts {
			if c.stored(inst.id) == nil {
				out = append(out, inst)
			}
		}
	}
	return out
}

// matches reports whether every word of q, lowercased, appears in the event's text fields,
// the way events.list's q searches them.
func (e *event) matches(q string) bool {
	parts := []string{e.summary, e.description, e.location, e.organizer.email,
		e.organizer.displayName}
	for _, a := range e.attendees {
		parts = append(parts, a.email, a.displayName)
	}
	text := strings.ToLower(strings.Join(parts, "\n"))
	for _, word := range strings.Fields(q) {
		if !strings.Contains(text, word) {
			return false
		}
	}
	return true
}

// listEvents serves events.list.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, _ accessToken) {
	p, ok := parseEventsQuery(w, r)
	if !ok {
		return
	}

	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.lookupCalendar(r.PathValue("calendarId"))
	if c == nil {
		calendarNotFound(w)
		return
	}
	loc := c.loc
	if p.loc != nil {
		loc = p.loc
	}
	var hits []*event
	for _, e := range c.occurring(p.timeMin, p.timeMax, p.singleEvents) {
		// Unexpanded lists keep cancelled instances, so a client can drop them from a series.
		keepCancelled := p.showDeleted || (!p.singleEvents && e.recurringEventID != "")
		if (e.status == "cancelled" && !keepCancelled) || (p.q != "" && !e.matches(p.q)) {
			continue
		}
		hits = append(hits, e)
	}
	switch p.orderBy {
	case "startTime":
		slices.SortStableFunc(hits, func(a, b *event) int {
			return a.start.instant(c.loc).Compare(b.start.instant(c.loc))
		})
	case "updated":
		slices.SortStableFunc(hits, func(a, b *event) int { return a.updated.Compare(b.updated) })
	}

	out := eventsJSON{
		Kind: "calendar#events", Etag: etagOf(cs.changes + 1), Summary: c.summary,
		Description: c.description, Updated: c.updated.UTC().Format(googleMillis),
		TimeZone: c.timeZone, AccessRole: c.accessRole, DefaultReminders: []reminderJSON{},
		Items: []eventJSON{},
	}
	if roleAtLeast(c.accessRole, "writer") {
		out.DefaultReminders = defaultReminders
	}
	start := min(p.offset, len(hits))
	end := min(start+p.max, len(hits))
	for _, e := range hits[start:end] {
		if e.status == "cancelled" && e.recurringEventID != "" && !p.singleEvents {
			out.Items = append(out.Items, c.renderCancelled(e, loc))
			continue
		}
		out.Items = append(out.Items, c.render(e, loc))
	}
	if end < len(hits) {
		out.NextPageToken = pageToken(end)
	} else {
		out.NextSyncToken = syncToken(cs.changes)
	}
	writeJSON(w, 200, out)
}

// syncToken renders the store's change count as an opaque sync token.
func syncToken(changes uint64) string {
	return base64.RawStdEncoding.EncodeToString([]byte("sandbox-sync:" +
		strconv.FormatUint(changes, 10)))
}

// getEvent serves events.get. A deleted event is still returned, with status cancelled.
func (s *Server) getEvent(w http.ResponseWriter, r *http.Request, _ accessToken) {
	zone, ok := parseZoneParam(w, r)
	if !ok {
		return
	}
	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.lookupCalendar(r.PathValue("calendarId"))
	if c == nil {
		calendarNotFound(w)
		return
	}
	e := c.lookupEvent(r.PathValue("eventId"))
	if e == nil {
		calendarNotFound(w)
		return
	}
	if zone == nil {
		zone = c.loc
	}
	writeJSON(w, 200, c.render(e, zone))
}
