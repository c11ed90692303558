package microsoft

import (
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
)

// eventIn is the body of POST /me/events, with the properties the sandbox keeps.
type eventIn struct {
	Subject string `json:"subject"`
	Body    *struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"body"`
	Start    *dateTimeIn `json:"start"`
	End      *dateTimeIn `json:"end"`
	Location *struct {
		DisplayName string `json:"displayName"`
	} `json:"location"`
	Attendees []struct {
		EmailAddress address `json:"emailAddress"`
		Type         string  `json:"type"`
	} `json:"attendees"`
	IsAllDay        bool `json:"isAllDay"`
	IsOnlineMeeting bool `json:"isOnlineMeeting"`
}

// dateTimeIn is a dateTimeTimeZone in a request.
type dateTimeIn struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

// resolve turns a dateTimeTimeZone into a time, or returns Graph's error code and message.
func (d *dateTimeIn) resolve() (time.Time, string, string) {
	name := d.TimeZone
	if name == "" {
		name = "UTC"
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return time.Time{}, "TimeZoneNotSupportedException", fmt.Sprintf("A valid TimeZone value "+
			"must be specified. The following TimeZone value is not supported: '%s'.", d.TimeZone)
	}
	t, err := parseGraphTime(d.DateTime, loc)
	if err != nil {
		return time.Time{}, "BadRequest", fmt.Sprintf("Cannot convert the literal '%s' to the "+
			"expected type 'Edm.DateTimeOffset'.", d.DateTime)
	}
	return t.In(loc), "", ""
}

// createEvent serves POST /me/events: the event is added to the default calendar with the
// signed-in user as organizer; attendees are invited (the sandbox sends nothing).
func (s *Server) createEvent(w http.ResponseWriter, r *graphRequest) {
	var in eventIn
	if bad := decodeBody(r.Request, &in); bad != "" {
		s.writeError(w, r.Request, 400, "BadRequest", bad)
		return
	}
	if in.Start == nil || in.End == nil {
		s.writeError(w, r.Request, 400, "ErrorInvalidRequest",
			"Your request can't be completed. An event needs both a Start and an End.")
		return
	}
	start, code, msg := in.Start.resolve()
	var end time.Time
	if code == "" {
		end, code, msg = in.End.resolve()
	}
	switch {
	case code != "":
		s.writeError(w, r.Request, 400, code, msg)
		return
	case end.Before(start):
		s.writeError(w, r.Request, 400, "ErrorInvalidRequest",
			"Your request can't be completed. The end time must be after the start time.")
		return
	case in.IsAllDay && (!isMidnight(start) || !isMidnight(end) || !end.After(start)):
		s.writeError(w, r.Request, 400, "ErrorInvalidRequest", "Your request can't be "+
			"completed. An all-day event must start and end at midnight.")
		return
	}

	now := s.now()
	e := &event{
		id: newItemID(), subject: in.Subject, start: start, end: end, allDay: in.IsAllDay,
		online: in.IsOnlineMeeting, organizer: s.mail.owner, created: now, modified: now,
	}
	if in.Body != nil {
		e.body, e.html = in.Body.Content, strings.EqualFold(in.Body.ContentType, "html")
	}
	if in.Location != nil {
		e.location = in.Location.DisplayName
	}
	for _, a := range in.Attendees {
		if _, err := mail.ParseAddress(a.EmailAddress.Address); err != nil {
			s.writeError(w, r.Request, 400, "ErrorInvalidRecipients", fmt.Sprintf("At least one "+
				"recipient isn't valid., Recipient '%s' is not resolved.", a.EmailAddress.Address))
			return
		}
		kind := strings.ToLower(a.Type)
		if kind == "" {
			kind = "required"
		}
		e.attendees = append(e.attendees, attendee{addr: a.EmailAddress, kind: kind, response: "none"})
	}

	s.mu.Lock()
	s.cal.events = append(s.cal.events, e)
	items, _ := s.eventEntities(&graphRequest{Request: r.Request, token: r.token}, []*event{e})
	s.mu.Unlock()
	items[0]["@odata.context"] = s.context("events/$entity")
	s.log.Info("event created", "attendees", len(e.attendees))
	writeGraph(w, r.Request, http.StatusCreated, items[0])
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}
