package google

import (
	"encoding/base64"
	"strconv"
	"time"
)

// googleMillis is how the Calendar API writes created and updated times.
const googleMillis = "2006-01-02T15:04:05.000Z07:00"

// eventJSON is the Calendar API's Event resource, with the fields the sandbox keeps, in the
// order Google writes them.
type eventJSON struct {
	Kind              string         `json:"kind"`
	Etag              string         `json:"etag"`
	ID                string         `json:"id"`
	Status            string         `json:"status"`
	HTMLLink          string         `json:"htmlLink,omitempty"`
	Created           string         `json:"created,omitempty"`
	Updated           string         `json:"updated,omitempty"`
	Summary           string         `json:"summary,omitempty"`
	Description       string         `json:"description,omitempty"`
	Location          string         `json:"location,omitempty"`
	Creator           *personJSON    `json:"creator,omitempty"`
	Organizer         *personJSON    `json:"organizer,omitempty"`
	Start             *dateTimeJSON  `json:"start,omitempty"`
	End               *dateTimeJSON  `json:"end,omitempty"`
	Recurrence        []string       `json:"recurrence,omitempty"`
	RecurringEventID  string         `json:"recurringEventId,omitempty"`
	OriginalStartTime *dateTimeJSON  `json:"originalStartTime,omitempty"`
	Transparency      string         `json:"transparency,omitempty"`
	Visibility        string         `json:"visibility,omitempty"`
	ICalUID           string         `json:"iCalUID,omitempty"`
	Sequence          *int           `json:"sequence,omitempty"`
	Attendees         []attendeeJSON `json:"attendees,omitempty"`
	Reminders         *remindersJSON `json:"reminders,omitempty"`
	EventType         string         `json:"eventType,omitempty"`
}

// dateTimeJSON is an EventDateTime.
type dateTimeJSON struct {
	Date     string `json:"date,omitempty"`
	DateTime string `json:"dateTime,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
}

// personJSON is an event's creator or organizer.
type personJSON struct {
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	Self        bool   `json:"self,omitempty"`
}

// attendeeJSON is an EventAttendee.
type attendeeJSON struct {
	Email            string `json:"email,omitempty"`
	DisplayName      string `json:"displayName,omitempty"`
	Organizer        bool   `json:"organizer,omitempty"`
	Self             bool   `json:"self,omitempty"`
	Resource         bool   `json:"resource,omitempty"`
	Optional         bool   `json:"optional,omitempty"`
	ResponseStatus   string `json:"responseStatus,omitempty"`
	Comment          string `json:"comment,omitempty"`
	AdditionalGuests int    `json:"additionalGuests,omitempty"`
}

// remindersJSON is an event's reminders; the sandbox keeps the calendar's defaults.
type remindersJSON struct {
	UseDefault bool `json:"useDefault"`
}

// reminderJSON is an EventReminder.
type reminderJSON struct {
	Method  string `json:"method"`
	Minutes int    `json:"minutes"`
}

// defaultReminders are the reminders of the calendars the account owns.
var defaultReminders = []reminderJSON{{Method: "popup", Minutes: 10}}

// etagOf quotes a change counter the way Google's etags look.
func etagOf(n uint64) string {
	return `"` + strconv.FormatUint(n, 10) + `"`
}

// renderTime renders an EventDateTime, writing instants in loc.
func renderTime(t eventTime, loc *time.Location) *dateTimeJSON {
	if t.allDay() {
		return &dateTimeJSON{Date: t.date, TimeZone: t.timeZone}
	}
	return &dateTimeJSON{DateTime: t.at.In(loc).Format(time.RFC3339), TimeZone: t.timeZone}
}

// render shapes an event of c as Google returns it, with instants written in loc.
func (c *calendar) render(e *event, loc *time.Location) eventJSON {
	seq := e.sequence
	out := eventJSON{
		Kind:             "calendar#event",
		Etag:             etagOf(e.etag),
		ID:               e.id,
		Status:           e.status,
		HTMLLink:         htmlLink(e.id, c.id),
		Created:          e.created.UTC().Format(googleMillis),
		Updated:          e.updated.UTC().Format(googleMillis),
		Summary:          e.summary,
		Description:      e.description,
		Location:         e.location,
		Creator:          renderPerson(e.creator),
		Organizer:        renderPerson(e.organizer),
		Start:            renderTime(e.start, loc),
		End:              renderTime(e.end, loc),
		Recurrence:       e.recurrence,
		RecurringEventID: e.recurringEventID,
		Transparency:     e.transparency,
		Visibility:       e.visibility,
		ICalUID:          e.iCalUID(),
		Sequence:         &seq,
		Reminders:        &remindersJSON{UseDefault: true},
		EventType:        "default",
	}
	if e.recurringEventID != "" {
		out.OriginalStartTime = renderTime(e.originalStart, loc)
	}
	for _, a := range e.attendees {
		out.Attendees = append(out.Attendees, attendeeJSON{
			Email: a.email, DisplayName: a.displayName, Organizer: a.organizer, Self: a.self,
			Resource: a.resource, Optional: a.optional, ResponseStatus: a.responseStatus,
			Comment: a.comment, AdditionalGuests: a.additionalGuests,
		})
	}
	return out
}

// renderCancelled shapes a cancelled instance the way unexpanded lists carry it: only what
// identifies it.
func (c *calendar) renderCancelled(e *event, loc *time.Location) eventJSON {
	return eventJSON{
		Kind:              "calendar#event",
		Etag:              etagOf(e.etag),
		ID:                e.id,
		Status:            e.status,
		RecurringEventID:  e.recurringEventID,
		OriginalStartTime: renderTime(e.originalStart, loc),
	}
}

// iCalUID is the event's RFC 5545 UID; instances share their series'.
func (e *event) iCalUID() string {
	if e.recurringEventID != "" {
		return e.recurringEventID + "@google.com"
	}
	return e.id + "@google.com"
}

func renderPerson(p person) *personJSON {
	if p.email == "" {
		return nil
	}
	return &personJSON{Email: p.email, DisplayName: p.displayName, Self: p.self}
}

// htmlLink is the event's address in Google Calendar's web interface, whose eid names the
// event and its calendar.
func htmlLink(eventID, calendarID string) string {
	eid := base64.RawURLEncoding.EncodeToString([]byte(eventID + " " + calendarID))
	return "https://www.google.com/calendar/event?eid=" + eid
}

// calendarListEntryJSON is the Calendar API's CalendarListEntry resource.
type calendarListEntryJSON struct {
	Kind                 string                    `json:"kind"`
	Etag                 string                    `json:"etag"`
	ID                   string                    `json:"id"`
	Summary              string                    `json:"summary"`
	Description          string                    `json:"description,omitempty"`
	TimeZone             string                    `json:"timeZone"`
	ColorID              string                    `json:"colorId"`
	BackgroundColor      string                    `json:"backgroundColor"`
	ForegroundColor      string                    `json:"foregroundColor"`
	Selected             bool                      `json:"selected,omitempty"`
	AccessRole           string                    `json:"accessRole"`
	DefaultReminders     []reminderJSON            `json:"defaultReminders"`
	Primary              bool                      `json:"primary,omitempty"`
	ConferenceProperties *conferencePropertiesJSON `json:"conferenceProperties,omitempty"`
}

// conferencePropertiesJSON is a calendar's ConferenceProperties.
type conferencePropertiesJSON struct {
	AllowedConferenceSolutionTypes []string `json:"allowedConferenceSolutionTypes"`
}

// listEntry shapes c as an entry of the account's calendar list.
func (c *calendar) listEntry() calendarListEntryJSON {
	out := calendarListEntryJSON{
		Kind:             "calendar#calendarListEntry",
		Etag:             etagOf(uint64(c.updated.UnixMicro())),
		ID:               c.id,
		Summary:          c.summary,
		Description:      c.description,
		TimeZone:         c.timeZone,
		ColorID:          c.colorID,
		BackgroundColor:  c.background,
		ForegroundColor:  c.foreground,
		Selected:         true,
		AccessRole:       c.accessRole,
		DefaultReminders: []reminderJSON{},
		Primary:          c.primary,
	}
	if roleAtLeast(c.accessRole, "writer") {
		out.DefaultReminders = defaultReminders
		out.ConferenceProperties = &conferencePropertiesJSON{
			AllowedConferenceSolutionTypes: []string{"hangoutsMeet"},
		}
	}
	return out
}
