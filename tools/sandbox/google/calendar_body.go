package google

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// eventBody is the writable part of an Event in an insert or patch body. A nil field was
// not sent (or sent as null) and leaves the event's value as it is.
type eventBody struct {
	ID           *string         `json:"id"`
	Status       *string         `json:"status"`
	Summary      *string         `json:"summary"`
	Description  *string         `json:"description"`
	Location     *string         `json:"location"`
	Start        *dateTimeJSON   `json:"start"`
	End          *dateTimeJSON   `json:"end"`
	Recurrence   *[]string       `json:"recurrence"`
	Attendees    *[]attendeeJSON `json:"attendees"`
	Transparency *string         `json:"transparency"`
	Visibility   *string         `json:"visibility"`
}

// decodeEventBody reads an Event from the request body, answering Google's parse error
// when it is not JSON. Fields the sandbox does not keep are ignored.
func decodeEventBody(w http.ResponseWriter, r *http.Request) (eventBody, bool) {
	var b eventBody
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody)).Decode(&b)
	if err != nil {
		writeCalendarError(w, 400, "global", "parseError", "Parse Error", "")
		return b, false
	}
	return b, true
}

// apply writes the body's fields into e and checks the result as Google does, writing its
// refusal and returning false when the event would be invalid. e may be left half changed
// then, so callers apply to a copy.
func (b *eventBody) apply(w http.ResponseWriter, e *event, account string, primary bool) bool {
	for _, f := range []struct {
		src *string
		dst *string
	}{{b.Summary, &e.summary}, {b.Description, &e.description}, {b.Location, &e.location}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	enums := []struct {
		name    string
		src     *string
		dst     *string
		allowed []string
		none    string // the default value, which Google leaves out of responses
	}{
		{"status", b.Status, &e.status, []string{"confirmed", "tentative", "cancelled"}, ""},
		{"transparency", b.Transparency, &e.transparency, []string{"opaque", "transparent"},
			"opaque"},
		{"visibility", b.Visibility, &e.visibility,
			[]string{"default", "public", "private", "confidential"}, "default"},
	}
	for _, f := range enums {
		if f.src == nil {
			continue
		}
		if !slices.Contains(f.allowed, *f.src) {
			calendarInvalid(w, "Invalid Value", "")
			return false
		}
		*f.dst = *f.src
		if *f.src == f.none {
			*f.dst = ""
		}
	}

	var ok bool
	if b.Start != nil {
		if e.start, ok = parseEventTime(w, *b.Start, "start"); !ok {
			return false
		}
	}
	if b.End != nil {
		if e.end, ok = parseEventTime(w, *b.End, "end"); !ok {
			return false
		}
	}
	if b.Recurrence != nil {
		if e.rule, ok = parseRecurrence(*b.Recurrence); !ok {
			calendarInvalid(w, "Invalid recurrence rule.", "")
			return false
		}
		e.recurrence = slices.Clone(*b.Recurrence)
	}
	if b.Attendees != nil {
		if e.attendees, ok = parseAttendees(w, *b.Attendees, account, primary); !ok {
			return false
		}
	}
	return checkTimes(w, e)
}

// checkTimes checks that the event has a start and an end of the same kind, in order.
func checkTimes(w http.ResponseWriter, e *event) bool {
	switch {
	case !e.start.allDay() && e.start.at.IsZero():
		calendarRequired(w, "Missing start time.")
	case !e.end.allDay() && e.end.at.IsZero():
		calendarRequired(w, "Missing end time.")
	case e.start.allDay() != e.end.allDay():
		calendarInvalid(w, "Start and end times must either both be date or both be dateTime.",
			"")
	case e.start.allDay() && e.end.date <= e.start.date,
		!e.start.allDay() && e.end.at.Before(e.start.at):
		calendarTimeRangeEmpty(w)
	default:
		return true
	}
	return false
}

// parseEventTime reads an EventDateTime; which is "start" or "end", for messages. A
// date-time needs an offset unless the time zone is named.
func parseEventTime(w http.ResponseWriter, d dateTimeJSON, which string) (eventTime, bool) {
	t := eventTime{timeZone: d.TimeZone}
	var loc *time.Location
	if d.TimeZone != "" {
		l, err := time.LoadLocation(d.TimeZone)
		if err != nil || d.TimeZone == "Local" {
			calendarInvalid(w, "Invalid time zone definition for "+which+" time.", "")
			return t, false
		}
		loc = l
	}
	var err error
	switch {
	case d.Date != "" && d.DateTime != "":
		calendarInvalid(w, "Invalid "+which+" time.", "")
		return t, false
	case d.Date != "":
		_, err = time.Parse(time.DateOnly, d.Date)
		t.date = d.Date
	case d.DateTime != "":
		t.at, err = time.Parse(time.RFC3339, d.DateTime)
		if err != nil {
			if _, localErr := time.Parse("2006-01-02T15:04:05", d.DateTime); localErr == nil &&
				loc == nil {
				calendarRequired(w, "Missing time zone definition for "+which+" time.")
				return t, false
			}
			if loc != nil {
				t.at, err = time.ParseInLocation("2006-01-02T15:04:05", d.DateTime, loc)
			}
		}
	default:
		calendarRequired(w, "Missing "+which+" time.")
		return t, false
	}
	if err != nil {
		calendarInvalid(w, "Invalid "+which+" time.", "")
		return t, false
	}
	return t, true
}

// parseAttendees checks a guest list. On the primary calendar the account joins the list as
// the organizer, having accepted, as Google adds it.
func parseAttendees(w http.ResponseWriter, list []attendeeJSON, account string,
	primary bool) ([]attendee, bool) {
	var out []attendee
	for _, a := range list {
		if a.Email == "" {
			calendarRequired(w, "Missing attendee email.")
			return nil, false
		}
		addr, err := mail.ParseAddress(a.Email)
		if err != nil || addr.Address != a.Email || addr.Name != "" {
			calendarInvalid(w, "Invalid attendee email.", "")
			return nil, false
		}
		status := a.ResponseStatus
		switch status {
		case "":
			status = "needsAction"
		case "needsAction", "declined", "tentative", "accepted":
		default:
			calendarInvalid(w, "Invalid Value", "")
			return nil, false
		}
		if slices.ContainsFunc(out, func(o attendee) bool {
			return strings.EqualFold(o.email, a.Email)
		}) {
			continue
		}
		self := strings.EqualFold(a.Email, account)
		out = append(out, attendee{email: a.Email, displayName: a.DisplayName,
			responseStatus: status, comment: a.Comment, optional: a.Optional,
			resource: a.Resource, additionalGuests: a.AdditionalGuests, self: self,
			organizer: self && primary})
	}
	if primary && len(out) > 0 &&
		!slices.ContainsFunc(out, func(a attendee) bool { return a.self }) {
		out = slices.Insert(out, 0, attendee{email: account, organizer: true, self: true,
			responseStatus: "accepted"})
	}
	return out, true
}
