package calendar

import (
	"fmt"
	"strings"
	"time"
)

// event is the Calendar API's Event resource, with the fields scopegate reads.
type event struct {
	ID               string     `json:"id"`
	Status           string     `json:"status"`
	HTMLLink         string     `json:"htmlLink"`
	Created          string     `json:"created"`
	Updated          string     `json:"updated"`
	Summary          string     `json:"summary"`
	Description      string     `json:"description"`
	Location         string     `json:"location"`
	Organizer        person     `json:"organizer"`
	Start            eventTime  `json:"start"`
	End              eventTime  `json:"end"`
	Recurrence       []string   `json:"recurrence"`
	RecurringEventID string     `json:"recurringEventId"`
	Attendees        []attendee `json:"attendees"`
	AttendeesOmitted bool       `json:"attendeesOmitted"`
	HangoutLink      string     `json:"hangoutLink"`
}

// eventTime is the Calendar API's EventDateTime: a date for all-day events,
// a date-time otherwise, and optionally the zone it is meant in.
type eventTime struct {
	Date     string `json:"date,omitempty"`
	DateTime string `json:"dateTime,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
}

// person is an event's organizer or creator.
type person struct {
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	Self        bool   `json:"self"`
}

// attendee is the Calendar API's EventAttendee. It is sent back whole when
// the guest list changes, so that answers and comments are kept.
type attendee struct {
	Email            string `json:"email,omitempty"`
	DisplayName      string `json:"displayName,omitempty"`
	Optional         bool   `json:"optional,omitempty"`
	ResponseStatus   string `json:"responseStatus,omitempty"`
	Comment          string `json:"comment,omitempty"`
	AdditionalGuests int    `json:"additionalGuests,omitempty"`
	Resource         bool   `json:"resource,omitempty"`
	Organizer        bool   `json:"organizer,omitempty"`
	Self             bool   `json:"self,omitempty"`
}

// Event is an event as the Calendar tools return it.
type Event struct {
	ID         string `json:"id"`
	CalendarID string `json:"calendar_id"`
	Summary    string `json:"summary"`
	// Start and End are RFC 3339 date-times, or dates (yyyy-mm-dd) for
	// all-day events. End is exclusive.
	Start    string `json:"start"`
	End      string `json:"end"`
	AllDay   bool   `json:"all_day,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	Location string `json:"location,omitempty"`
	// Status is "confirmed", "tentative" or "cancelled" (deleted).
	Status               string     `json:"status"`
	Description          string     `json:"description,omitempty"`
	DescriptionTruncated bool       `json:"description_truncated,omitempty"`
	Organizer            string     `json:"organizer,omitempty"`
	Attendees            []Attendee `json:"attendees,omitempty"`
	AttendeeCount        int        `json:"attendee_count,omitempty"`
	AttendeesTruncated   bool       `json:"attendees_truncated,omitempty"`
	Recurrence           []string   `json:"recurrence,omitempty"`
	RecurringEventID     string     `json:"recurring_event_id,omitempty"`
	MeetLink             string     `json:"meet_link,omitempty"`
	HTMLLink             string     `json:"html_link,omitempty"`
	Updated              string     `json:"updated,omitempty"`
}

// Attendee is one guest of an event.
type Attendee struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	// Response is "needsAction", "accepted", "tentative" or "declined".
	Response  string `json:"response,omitempty"`
	Optional  bool   `json:"optional,omitempty"`
	Organizer bool   `json:"organizer,omitempty"`
	Self      bool   `json:"self,omitempty"`
}

// Bounds on what one event contributes to a result.
const (
	maxDescriptionRunes     = 8000
	maxListDescriptionRunes = 200
	maxAttendees            = 100
)

// eventView says how much of an event to keep.
type eventView struct {
	descriptionRunes int
	attendees        bool
}

var (
	fullView = eventView{descriptionRunes: maxDescriptionRunes, attendees: true}
	listView = eventView{descriptionRunes: maxListDescriptionRunes}
)

// output shapes a Calendar event for the model.
func (e *event) output(calendarID string, v eventView) Event {
	out := Event{
		ID: e.ID, CalendarID: calendarID, Summary: e.Summary, Location: e.Location,
		Status: e.Status, Recurrence: e.Recurrence, RecurringEventID: e.RecurringEventID,
		MeetLink: e.HangoutLink, HTMLLink: e.HTMLLink, Updated: e.Updated,
		AttendeeCount: len(e.Attendees), TimeZone: e.Start.TimeZone,
	}
	out.Start, out.AllDay = e.Start.String(), e.Start.Date != ""
	out.End = e.End.String()
	if e.Organizer.DisplayName != "" && e.Organizer.Email != "" {
		out.Organizer = e.Organizer.DisplayName + " <" + e.Organizer.Email + ">"
	} else {
		out.Organizer = e.Organizer.Email
	}
	out.Description, out.DescriptionTruncated = truncate(e.Description, v.descriptionRunes)
	if v.attendees {
		for _, a := range e.Attendees[:min(len(e.Attendees), maxAttendees)] {
			out.Attendees = append(out.Attendees, Attendee{Email: a.Email, Name: a.DisplayName,
				Response: a.ResponseStatus, Optional: a.Optional, Organizer: a.Organizer,
				Self: a.Self})
		}
		out.AttendeesTruncated = len(e.Attendees) > maxAttendees || e.AttendeesOmitted
	}
	return out
}

// String returns the date or date-time.
func (t eventTime) String() string {
	if t.Date != "" {
		return t.Date
	}
	return t.DateTime
}

// truncate cuts s to n runes, saying whether it did.
func truncate(s string, n int) (string, bool) {
	if r := []rune(s); len(r) > n {
		return string(r[:n]), true
	}
	return s, false
}

// span writes when an event takes place, for people: "Wed 3 Apr 2024,
// 12:30–13:30 (UTC+02:00)" or "Fri 12 Apr – Sun 14 Apr 2024 (all day)".
func span(start, end string) string {
	if d1, err := time.Parse(time.DateOnly, start); err == nil {
		last := d1
		if d2, err := time.Parse(time.DateOnly, end); err == nil && d2.After(d1) {
			last = d2.AddDate(0, 0, -1)
		}
		if last.Equal(d1) {
			return d1.Format("Mon 2 Jan 2006") + " (all day)"
		}
		return d1.Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006") + " (all day)"
	}
	t1, err1 := time.Parse(time.RFC3339, start)
	t2, err2 := time.Parse(time.RFC3339, end)
	if err1 != nil || err2 != nil {
		return start + " – " + end
	}
	t2 = t2.In(t1.Location())
	zone := "UTC" + t1.Format("-07:00")
	if t1.Format(time.DateOnly) == t2.Format(time.DateOnly) {
		return fmt.Sprintf("%s, %s–%s (%s)", t1.Format("Mon 2 Jan 2006"), t1.Format("15:04"),
			t2.Format("15:04"), zone)
	}
	return fmt.Sprintf("%s – %s (%s)", t1.Format("Mon 2 Jan 2006 15:04"),
		t2.Format("Mon 2 Jan 2006 15:04"), zone)
}

// line writes one event as a line of a list.
func (e Event) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "- [%s] %s — %s", e.ID, span(e.Start, e.End), orUntitled(e.Summary))
	if e.Location != "" {
		fmt.Fprintf(&b, " @ %s", e.Location)
	}
	if e.Status == "cancelled" {
		b.WriteString(" (cancelled)")
	}
	return b.String()
}

// details writes an event in full, for people.
func (e Event) details() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nWhen: %s", orUntitled(e.Summary), span(e.Start, e.End))
	if e.TimeZone != "" {
		fmt.Fprintf(&b, ", time zone %s", e.TimeZone)
	}
	if len(e.Recurrence) > 0 {
		fmt.Fprintf(&b, "\nRepeats: %s", strings.Join(e.Recurrence, "; "))
	}
	if e.RecurringEventID != "" {
		fmt.Fprintf(&b, "\nOne occurrence of the recurring event %s", e.RecurringEventID)
	}
	if e.Location != "" {
		fmt.Fprintf(&b, "\nWhere: %s", e.Location)
	}
	if e.Organizer != "" {
		fmt.Fprintf(&b, "\nOrganizer: %s", e.Organizer)
	}
	if len(e.Attendees) > 0 {
		b.WriteString("\nGuests:")
		for _, a := range e.Attendees {
			fmt.Fprintf(&b, "\n- %s (%s)", a.Email, orNone(a.Response))
		}
		if e.AttendeesTruncated {
			b.WriteString("\n[More guests are not shown.]")
		}
	}
	if e.MeetLink != "" {
		fmt.Fprintf(&b, "\nVideo call: %s", e.MeetLink)
	}
	fmt.Fprintf(&b, "\nEvent id %s in calendar %s", e.ID, e.CalendarID)
	if e.Status == "cancelled" {
		b.WriteString("\nThis event was deleted (status cancelled).")
	}
	if e.Description != "" {
		fmt.Fprintf(&b, "\n\n%s", e.Description)
		if e.DescriptionTruncated {
			fmt.Fprintf(&b, "\n\n[The description was cut after %d characters.]",
				maxDescriptionRunes)
		}
	}
	return b.String()
}

func orUntitled(s string) string {
	if s == "" {
		return "(untitled)"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "no answer"
	}
	return s
}
