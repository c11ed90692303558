package google

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// calendarListJSON is the CalendarList collection that calendarList.list returns.
type calendarListJSON struct {
	Kind          string                  `json:"kind"`
	Etag          string                  `json:"etag"`
	NextPageToken string                  `json:"nextPageToken,omitempty"`
	NextSyncToken string                  `json:"nextSyncToken,omitempty"`
	Items         []calendarListEntryJSON `json:"items"`
}

// listCalendarList serves calendarList.list. The sandbox has no hidden or deleted entries,
// so showHidden and showDeleted are checked but change nothing.
func (s *Server) listCalendarList(w http.ResponseWriter, r *http.Request, _ accessToken) {
	v := r.URL.Query()
	max, ok := parsePageSize(w, v.Get("maxResults"), 100, 250)
	if !ok {
		return
	}
	offset := 0
	if tok := v.Get("pageToken"); tok != "" {
		if offset, ok = parsePageToken(tok); !ok {
			calendarInvalid(w, "Invalid Value", "pageToken")
			return
		}
	}
	minRole := v.Get("minAccessRole")
	if minRole != "" && !slices.Contains(accessRoles, minRole) {
		calendarInvalid(w, "Invalid Value", "minAccessRole")
		return
	}
	for _, name := range []string{"showHidden", "showDeleted"} {
		if _, ok := parseBoolParam(w, r, name); !ok {
			return
		}
	}

	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var entries []calendarListEntryJSON
	for _, c := range cs.calendars {
		if minRole == "" || roleAtLeast(c.accessRole, minRole) {
			entries = append(entries, c.listEntry())
		}
	}
	out := calendarListJSON{Kind: "calendar#calendarList", Etag: etagOf(cs.changes + 7),
		Items: []calendarListEntryJSON{}}
	start := min(offset, len(entries))
	end := min(start+max, len(entries))
	out.Items = append(out.Items, entries[start:end]...)
	if end < len(entries) {
		out.NextPageToken = pageToken(end)
	} else {
		out.NextSyncToken = syncToken(cs.changes)
	}
	writeJSON(w, 200, out)
}

// getCalendarListEntry serves calendarList.get.
func (s *Server) getCalendarListEntry(w http.ResponseWriter, r *http.Request, _ accessToken) {
	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.lookupCalendar(r.PathValue("calendarId"))
	if c == nil {
		calendarNotFound(w)
		return
	}
	writeJSON(w, 200, c.listEntry())
}

// freeBusyRequest is the body of freebusy.query. Groups are not expanded: the sandbox knows
// no groups, so a group id is a calendar it cannot find.
type freeBusyRequest struct {
	TimeMin              string `json:"timeMin"`
	TimeMax              string `json:"timeMax"`
	TimeZone             string `json:"timeZone"`
	CalendarExpansionMax int    `json:"calendarExpansionMax"`
	Items                []struct {
		ID string `json:"id"`
	} `json:"items"`
}

// freeBusyJSON is the FreeBusyResponse.
type freeBusyJSON struct {
	Kind      string                          `json:"kind"`
	TimeMin   string                          `json:"timeMin"`
	TimeMax   string                          `json:"timeMax"`
	Calendars map[string]freeBusyCalendarJSON `json:"calendars"`
}

// freeBusyCalendarJSON is one calendar's FreeBusyCalendar.
type freeBusyCalendarJSON struct {
	Errors []freeBusyErrorJSON `json:"errors,omitempty"`
	Busy   []timePeriodJSON    `json:"busy"`
}

// freeBusyErrorJSON is the Calendar API's Error: why one calendar has no answer.
type freeBusyErrorJSON struct {
	Domain string `json:"domain"`
	Reason string `json:"reason"`
}

// timePeriodJSON is a TimePeriod.
type timePeriodJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// maxFreeBusyCalendars is the most calendars one freebusy.query answers for.
const maxFreeBusyCalendars = 50

// queryFreeBusy serves freebusy.query: for each calendar the merged times within the window
// when its confirmed or tentative, opaque events keep the account busy, cut to the window.
// Events the account declined do not count.
func (s *Server) queryFreeBusy(w http.ResponseWriter, r *http.Request, _ accessToken) {
	var req freeBusyRequest
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody)).Decode(&req)
	if err != nil {
		writeCalendarError(w, 400, "global", "parseError", "Parse Error", "")
		return
	}
	var from, to time.Time
	for _, f := range []struct {
		name, raw string
		dst       *time.Time
	}{{"timeMin", req.TimeMin, &from}, {"timeMax", req.TimeMax, &to}} {
		if f.raw == "" {
			writeCalendarError(w, 400, "global", "required", "Required", f.name)
			return
		}
		if *f.dst, err = time.Parse(time.RFC3339, f.raw); err != nil {
			calendarBadRequest(w)
			return
		}
	}
	if !to.After(from) {
		calendarTimeRangeEmpty(w)
		return
	}
	zone := time.UTC
	if req.TimeZone != "" {
		if zone, err = time.LoadLocation(req.TimeZone); err != nil || req.TimeZone == "Local" {
			calendarInvalid(w, "Invalid Value", "timeZone")
			return
		}
	}
	limit := maxFreeBusyCalendars
	if req.CalendarExpansionMax > maxFreeBusyCalendars {
		calendarInvalid(w, "Invalid Value", "calendarExpansionMax")
		return
	} else if req.CalendarExpansionMax > 0 {
		limit = req.CalendarExpansionMax
	}

	cs := s.calendars()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := freeBusyJSON{Kind: "calendar#freeBusy", TimeMin: from.UTC().Format(googleMillis),
		TimeMax: to.UTC().Format(googleMillis), Calendars: map[string]freeBusyCalendarJSON{}}
	for i, item := range req.Items {
		answer := freeBusyCalendarJSON{Busy: []timePeriodJSON{}}
		c := cs.lookupCalendar(item.ID)
		switch {
		case i >= limit:
			answer.Errors = []freeBusyErrorJSON{{"global", "tooManyCalendarsRequested"}}
		case c == nil:
			answer.Errors = []freeBusyErrorJSON{{"global", "notFound"}}
		default:
			for _, span := range c.busy(from, to) {
				answer.Busy = append(answer.Busy, timePeriodJSON{
					Start: span[0].In(zone).Format(time.RFC3339),
					End:   span[1].In(zone).Format(time.RFC3339),
				})
			}
		}
		out.Calendars[item.ID] = answer
	}
	writeJSON(w, 200, out)
}

// busy returns the merged spans within [from, to) when c's events keep the account busy.
// The caller holds the lock.
func (c *calendar) busy(from, to time.Time) [][2]time.Time {
	var spans [][2]time.Time
	for _, e := range c.occurring(from, to, true) {
		if e.status == "cancelled" || e.transparency == "transparent" || e.declined() {
			continue
		}
		start, end := e.start.instant(c.loc), e.end.instant(c.loc)
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		if end.After(start) {
			spans = append(spans, [2]time.Time{start, end})
		}
	}
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	var merged [][2]time.Time
	for _, sp := range spans {
		if n := len(merged); n > 0 && !sp[0].After(merged[n-1][1]) {
			if sp[1].After(merged[n-1][1]) {
				merged[n-1][1] = sp[1]
			}
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// declined reports whether the account is a guest of the event who declined it.
func (e *event) declined() bool {
	return slices.ContainsFunc(e.attendees, func(a attendee) bool {
		return a.self && a.responseStatus == "declined"
	})
}
