package calendar

import (
	"context"
	"fmt"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// UpdateEventInput is the input of calendar_update_event. Fields left out
// stay as they are.
type UpdateEventInput struct {
	CalendarID      string   `json:"calendar_id,omitempty" jsonschema:"description='primary' (default) or an id from calendar_list_calendars."`
	EventID         string   `json:"event_id" jsonschema:"description=Event id\\, from calendar_list_events; one occurrence's id changes only that occurrence.,minLength=1"`
	Summary         *string  `json:"summary,omitempty" jsonschema:"description=New title."`
	Description     *string  `json:"description,omitempty" jsonschema:"description=New notes; empty removes them."`
	Location        *string  `json:"location,omitempty" jsonschema:"description=New place; empty removes it."`
	Start           string   `json:"start,omitempty" jsonschema:"description=New start\\, in calendar_create_event's forms."`
	End             string   `json:"end,omitempty" jsonschema:"description=New end (exclusive for all-day events)."`
	TimeZone        string   `json:"time_zone,omitempty" jsonschema:"description=IANA time zone for start and end; needed for times without an offset."`
	AddAttendees    []string `json:"add_attendees,omitempty" jsonschema:"description=Addresses to invite."`
	RemoveAttendees []string `json:"remove_attendees,omitempty" jsonschema:"description=Addresses to remove."`
	SendUpdates     string   `json:"send_updates,omitempty" jsonschema:"description=Who gets an update email: 'all'\\, 'externalOnly' or 'none' (default).,enum=all,enum=externalOnly,enum=none"`
}

// UpdateEventOutput is the structured result of calendar_update_event: the
// event as it is now, and what changed.
type UpdateEventOutput struct {
	Event
	Changed []string `json:"changed"`
	// NotGuests lists remove_attendees that were not on the guest list.
	NotGuests []string `json:"not_guests,omitempty"`
}

func updateEvent() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "calendar_update_event",
		Title: "Change a calendar event",
		Description: "Change a Google Calendar event; only given fields change, and a new start " +
			"alone keeps the length.",
		Provider:    "google",
		Requirement: writeEvents,
		// events.get reads the event when its length or guest list is needed.
		Operations: []string{"calendar.events.patch", "calendar.events.get"},
		// It overwrites fields and can remove guests; calling it again may email
		// the guests again.
		Annotations: registry.Annotations{Destructive: true, OpenWorld: true},
	}, runUpdateEvent)
}

// eventChange is a checked calendar_update_event input.
type eventChange struct {
	start, end   *when
	add, remove  []attendee
	needsCurrent bool
}

// Check validates the changes before anything is sent.
func (in *UpdateEventInput) Check() error {
	_, err := in.parse()
	return err
}

func (in *UpdateEventInput) parse() (eventChange, error) {
	var c eventChange
	if err := checkEventID(in.EventID); err != nil {
		return c, err
	}
	if in.Summary == nil && in.Description == nil && in.Location == nil && in.Start == "" &&
		in.End == "" && len(in.AddAttendees)+len(in.RemoveAttendees) == 0 {
		return c, registry.Errorf("nothing to change: give at least one field to change")
	}
	if in.TimeZone != "" && in.Start == "" && in.End == "" {
		return c, registry.Errorf("time_zone applies to start and end; give them too")
	}
	for _, f := range []struct {
		name, value string
		dst         **when
	}{{"start", in.Start, &c.start}, {"end", in.End, &c.end}} {
		if f.value == "" {
			continue
		}
		w, err := parseWhen(f.name, f.value, in.TimeZone)
		if err != nil {
			return c, err
		}
		*f.dst = &w
	}
	if c.start != nil && c.end != nil {
		if err := checkOrder(*c.start, *c.end); err != nil {
			return c, err
		}
	}
	var err error
	if c.add, err = parseGuests("add_attendees", in.AddAttendees); err != nil {
		return c, err
	}
	if c.remove, err = parseGuests("remove_attendees", in.RemoveAttendees); err != nil {
		return c, err
	}
	c.needsCurrent = (c.start != nil && c.end == nil) || len(c.add)+len(c.remove) > 0
	return c, checkSendUpdates(in.SendUpdates)
}

func runUpdateEvent(ctx context.Context, call *registry.Call,
	in UpdateEventInput) (registry.Result, error) {
	c, err := in.parse()
	if err != nil {
		return registry.Result{}, err
	}
	calID, id := calendarOrPrimary(in.CalendarID), strings.TrimSpace(in.EventID)

	var cur event
	if c.needsCurrent {
		err := googleapi.Do(ctx, call, "GET", eventsURL(call, calID, id), nil, &cur)
		if err != nil {
			return registry.Result{}, notFound(err, calID, id, "nothing was changed")
		}
	}
	patch, changed, notGuests, err := in.patch(c, &cur)
	if err != nil {
		return registry.Result{}, err
	}

	u := eventsURL(call, calID, id) + sendUpdatesQuery(in.SendUpdates)
	var updated event
	if err := googleapi.Do(ctx, call, "PATCH", u, patch, &updated); err != nil {
		return registry.Result{}, notFound(err, calID, id, "nothing was changed")
	}

	out := UpdateEventOutput{Event: updated.output(calID, fullView), Changed: changed,
		NotGuests: notGuests}
	var b strings.Builder
	fmt.Fprintf(&b, "Updated %q (event id %s): changed %s. It is now %s.", out.Summary, out.ID,
		strings.Join(changed, ", "), span(out.Start, out.End))
	if len(notGuests) > 0 {
		fmt.Fprintf(&b, " Not on the guest list, so not removed: %s.",
			strings.Join(notGuests, ", "))
	}
	if s := invitations(updated.Attendees, in.SendUpdates); s != "" {
		b.WriteString(" " + s)
	}
	return registry.Result{Text: b.String(), Structured: out}, nil
}

// patch builds the events.patch body, and names what it changes. cur is the
// event as it is, read when c needs it.
func (in *UpdateEventInput) patch(c eventChange, cur *event) (p map[string]any, changed,
	notGuests []string, err error) {
	p = map[string]any{}
	for _, f := range []struct {
		name, wire string
		v          *string
	}{{"summary", "summary", in.Summary}, {"description", "description", in.Description},
		{"location", "location", in.Location}} {
		if f.v != nil {
			p[f.wire] = *f.v
			changed = append(changed, f.name)
		}
	}

	if c.start != nil && c.end == nil {
		end, err := shiftEnd(cur.Start, cur.End, *c.start)
		if err != nil {
			return nil, nil, nil, err
		}
		c.end = &end
	}
	if c.start != nil {
		p["start"] = patchTime(c.start.wire(in.TimeZone))
		changed = append(changed, "start")
	}
	if c.end != nil {
		p["end"] = patchTime(c.end.wire(in.TimeZone))
		changed = append(changed, "end")
	}

	if len(c.add)+len(c.remove) > 0 {
		guests := make([]attendee, 0, len(cur.Attendees)+len(c.add))
		for _, a := range cur.Attendees {
			if !hasGuest(c.remove, a.Email) {
				guests = append(guests, a)
			}
		}
		for _, r := range c.remove {
			if !hasGuest(cur.Attendees, r.Email) {
				notGuests = append(notGuests, r.Email)
			}
		}
		for _, a := range c.add {
			if !hasGuest(guests, a.Email) {
				guests = append(guests, a)
			}
		}
		p["attendees"] = guests
		changed = append(changed, "guests")
	}
	return p, changed, notGuests, nil
}

// patchTime writes a start or end for a patch. Google merges the fields of a
// patched object, so the kind not used is cleared explicitly: otherwise a
// timed event moved to a date would keep its date-time too.
func patchTime(t eventTime) map[string]any {
	m := map[string]any{"date": nil, "dateTime": nil}
	if t.Date != "" {
		m["date"] = t.Date
	} else {
		m["dateTime"] = t.DateTime
	}
	if t.TimeZone != "" {
		m["timeZone"] = t.TimeZone
	}
	return m
}

func hasGuest(list []attendee, email string) bool {
	for _, a := range list {
		if strings.EqualFold(a.Email, email) {
			return true
		}
	}
	return false
}
