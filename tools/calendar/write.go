package calendar

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// CreateEventInput is the input of calendar_create_event.
type CreateEventInput struct {
	CalendarID  string   `json:"calendar_id,omitempty" jsonschema:"description='primary' (default) or a writable calendar's id from calendar_list_calendars."`
	Summary     string   `json:"summary" jsonschema:"description=Title.,minLength=1"`
	Start       string   `json:"start" jsonschema:"description=RFC 3339 date-time ('2024-05-01T10:00:00+02:00')\\, date-time without offset plus time_zone ('2024-05-01T10:00:00')\\, or date ('2024-05-01') for all-day.,minLength=1"`
	End         string   `json:"end" jsonschema:"description=Same form as start. An all-day end date is exclusive: a one-day event on 2024-05-01 ends '2024-05-02'.,minLength=1"`
	TimeZone    string   `json:"time_zone,omitempty" jsonschema:"description=IANA time zone\\, e.g. 'Europe/Berlin'; needed for times without an offset."`
	Description string   `json:"description,omitempty" jsonschema:"description=Notes."`
	Location    string   `json:"location,omitempty" jsonschema:"description=Place\\, as free text."`
	Attendees   []string `json:"attendees,omitempty" jsonschema:"description=Guests' addresses: 'ana@example.com' or 'Ana Ruiz <ana@example.com>'."`
	SendUpdates string   `json:"send_updates,omitempty" jsonschema:"description=Who gets an invitation email: 'all'\\, 'externalOnly' or 'none' (default).,enum=all,enum=externalOnly,enum=none"`
}

func createEvent() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "calendar_create_event",
		Title: "Create a calendar event",
		Description: "Create a timed or all-day Google Calendar event, optionally inviting " +
			"guests by email.",
		Provider:    "google",
		Requirement: writeEvents,
		Operations:  []string{"calendar.events.insert"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runCreateEvent)
}

// newEvent is a checked calendar_create_event input.
type newEvent struct {
	start, end when
	guests     []attendee
}

// Check validates times, guests and options before anything is created.
func (in *CreateEventInput) Check() error {
	_, err := in.parse()
	return err
}

func (in *CreateEventInput) parse() (newEvent, error) {
	var n newEvent
	if strings.TrimSpace(in.Summary) == "" {
		return n, registry.Errorf("summary must not be empty")
	}
	var err error
	if n.start, err = parseWhen("start", in.Start, in.TimeZone); err != nil {
		return n, err
	}
	if n.end, err = parseWhen("end", in.End, in.TimeZone); err != nil {
		return n, err
	}
	if err := checkOrder(n.start, n.end); err != nil {
		return n, err
	}
	if n.guests, err = parseGuests("attendees", in.Attendees); err != nil {
		return n, err
	}
	return n, checkSendUpdates(in.SendUpdates)
}

func runCreateEvent(ctx context.Context, call *registry.Call,
	in CreateEventInput) (registry.Result, error) {
	n, err := in.parse()
	if err != nil {
		return registry.Result{}, err
	}
	calID := calendarOrPrimary(in.CalendarID)

	body := map[string]any{
		"summary": strings.TrimSpace(in.Summary),
		"start":   n.start.wire(in.TimeZone),
		"end":     n.end.wire(in.TimeZone),
	}
	if in.Description != "" {
		body["description"] = in.Description
	}
	if in.Location != "" {
		body["location"] = in.Location
	}
	if len(n.guests) > 0 {
		body["attendees"] = n.guests
	}
	u := eventsURL(call, calID) + sendUpdatesQuery(in.SendUpdates)
	var created event
	if err := googleapi.Do(ctx, call, "POST", u, body, &created); err != nil {
		return registry.Result{}, notFound(err, calID, "", "no event was created")
	}

	out := created.output(calID, fullView)
	text := fmt.Sprintf("Created %q on calendar %s: %s (event id %s). %s", out.Summary, calID,
		span(out.Start, out.End), out.ID, invitations(created.Attendees, in.SendUpdates))
	return registry.Result{Text: text, Structured: out}, nil
}

// parseGuests reads email addresses, naming field in the refusal.
func parseGuests(field string, list []string) ([]attendee, error) {
	var out []attendee
	for _, s := range list {
		a, err := mail.ParseAddress(strings.TrimSpace(s))
		if err != nil {
			return nil, registry.Errorf("%s: %q is not an email address (%v)", field, s, err)
		}
		out = append(out, attendee{Email: a.Address, DisplayName: a.Name})
	}
	return out, nil
}

// invitations says whether the guests (other than the user) heard of a change.
func invitations(guests []attendee, send string) string {
	n := 0
	for _, a := range guests {
		if !a.Self {
			n++
		}
	}
	noun := "guests"
	if n == 1 {
		noun = "guest"
	}
	switch {
	case n == 0:
		return ""
	case send == "all":
		return fmt.Sprintf("Google emailed the %d %s.", n, noun)
	case send == "externalOnly":
		return fmt.Sprintf("Google emailed those of the %d %s outside the user's organisation.",
			n, noun)
	}
	return fmt.Sprintf("No email went to the %d %s.", n, noun)
}

// DeleteEventInput is the input of calendar_delete_event.
type DeleteEventInput struct {
	CalendarID  string `json:"calendar_id,omitempty" jsonschema:"description='primary' (default) or an id from calendar_list_calendars."`
	EventID     string `json:"event_id" jsonschema:"description=Event id; one occurrence's id deletes only that occurrence.,minLength=1"`
	SendUpdates string `json:"send_updates,omitempty" jsonschema:"description=Who gets a cancellation email: 'all'\\, 'externalOnly' or 'none' (default).,enum=all,enum=externalOnly,enum=none"`
}

// DeleteEventOutput is the structured result of calendar_delete_event.
type DeleteEventOutput struct {
	ID         string `json:"id"`
	CalendarID string `json:"calendar_id"`
	Deleted    bool   `json:"deleted"`
	// AlreadyDeleted is true when the event had been deleted before.
	AlreadyDeleted bool `json:"already_deleted,omitempty"`
}

func deleteEvent() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "calendar_delete_event",
		Title: "Delete a calendar event",
		Description: "Delete a Google Calendar event for all guests, optionally emailing them a " +
			"cancellation.",
		Provider:    "google",
		Requirement: writeEvents,
		Operations:  []string{"calendar.events.delete"},
		Annotations: registry.Annotations{Destructive: true, Idempotent: true, OpenWorld: true},
	}, runDeleteEvent)
}

// Check refuses an empty event id and an unknown send_updates.
func (in *DeleteEventInput) Check() error {
	if err := checkEventID(in.EventID); err != nil {
		return err
	}
	return checkSendUpdates(in.SendUpdates)
}

func runDeleteEvent(ctx context.Context, call *registry.Call,
	in DeleteEventInput) (registry.Result, error) {
	calID, id := calendarOrPrimary(in.CalendarID), strings.TrimSpace(in.EventID)
	u := eventsURL(call, calID, id) + sendUpdatesQuery(in.SendUpdates)
	out := DeleteEventOutput{ID: id, CalendarID: calID, Deleted: true}
	err := googleapi.Do(ctx, call, "DELETE", u, nil, nil)
	switch {
	case googleapi.IsToolError(err, 410):
		out.AlreadyDeleted = true
		text := fmt.Sprintf("Event %s in calendar %s had already been deleted; nothing changed.",
			id, calID)
		return registry.Result{Text: text, Structured: out}, nil
	case err != nil:
		return registry.Result{}, notFound(err, calID, id, "nothing was deleted")
	}
	told := "Guests were not emailed."
	if in.SendUpdates == "all" || in.SendUpdates == "externalOnly" {
		told = "Google emailed the guests a cancellation."
	}
	text := fmt.Sprintf("Deleted event %s from calendar %s. %s", id, calID, told)
	return registry.Result{Text: text, Structured: out}, nil
}
