package calendar_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/calendar"
)

// The sandbox seeds these around the current time, in Europe/Berlin.
const (
	holidaysCalendar = "en.german#holiday@group.v.calendar.google.com"
	lunchSummary     = "Lunch with Marco"
)

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestReadCalendarsEventsAndAvailability(t *testing.T) {
	h := scopechecktest.New(t, calendar.Tools())
	h.Grant(t, registry.CalendarListReadonly, registry.CalendarEventsReadonly,
		registry.CalendarFreeBusy)

	var cals calendar.ListCalendarsOutput
	h.MustSucceed(t, "calendar_list_calendars", map[string]any{}).Decode(t, &cals)
	if len(cals.Calendars) != 3 || !cals.Calendars[0].Primary ||
		cals.Calendars[2].ID != holidaysCalendar || cals.Calendars[2].AccessRole != "reader" {
		t.Fatalf("calendars = %+v", cals.Calendars)
	}
	var writable calendar.ListCalendarsOutput
	h.MustSucceed(t, "calendar_list_calendars", map[string]any{"min_access_role": "writer"}).
		Decode(t, &writable)
	if len(writable.Calendars) != 2 {
		t.Errorf("writable calendars = %+v, want 2", writable.Calendars)
	}

	res := h.MustSucceed(t, "calendar_list_events", map[string]any{})
	var week calendar.ListEventsOutput
	res.Decode(t, &week)
	if week.CalendarID != "primary" || week.TimeZone != "Europe/Berlin" || len(week.Events) < 3 {
		t.Fatalf("default week = %+v", week)
	}
	var lunch calendar.Event
	for i, e := range week.Events {
		if i > 0 && e.Start < week.Events[i-1].Start {
			t.Errorf("events out of order: %s before %s", week.Events[i-1].Start, e.Start)
		}
		if e.Summary == lunchSummary {
			lunch = e
		}
	}
	if lunch.ID == "" || !strings.Contains(res.Text, lunchSummary) ||
		!strings.Contains(res.Text, lunch.ID) {
		t.Fatalf("lunch missing from the week:\n%s", res.Text)
	}

	var got calendar.Event
	read := h.MustSucceed(t, "calendar_get_event", map[string]any{"event_id": lunch.ID,
		"time_zone": "UTC"})
	read.Decode(t, &got)
	if got.Location != "Ramen Ichiban, Torstraße 12, Berlin" || !strings.HasSuffix(got.Start, "Z") ||
		!strings.Contains(read.Text, "Where: Ramen Ichiban") {
		t.Errorf("lunch = %+v\n%s", got, read.Text)
	}

	var two calendar.ListEventsOutput
	h.MustSucceed(t, "calendar_list_events", map[string]any{"max_results": 2}).Decode(t, &two)
	var next calendar.ListEventsOutput
	h.MustSucceed(t, "calendar_list_events", map[string]any{"max_results": 2,
		"page_token": two.NextPageToken}).Decode(t, &next)
	if len(two.Events) != 2 || two.NextPageToken == "" || next.Events[0].ID != week.Events[2].ID {
		t.Errorf("second page starts with %+v, want %s", next.Events, week.Events[2].ID)
	}

	now := time.Now()
	var fb calendar.FreeBusyOutput
	busy := h.MustSucceed(t, "calendar_find_free_busy", map[string]any{
		"time_min": rfc3339(now), "time_max": rfc3339(now.Add(72 * time.Hour)),
		"calendar_ids": []string{"primary", "nobody@example.com"},
	})
	busy.Decode(t, &fb)
	if len(fb.Calendars) != 2 || len(fb.Calendars[0].Busy) == 0 ||
		fb.Calendars[1].Error != "notFound" || len(fb.FreeForAll) == 0 {
		t.Errorf("free/busy = %+v", fb)
	}
	if !strings.Contains(busy.Text, "nobody@example.com: no answer") {
		t.Errorf("free/busy text does not explain the missing calendar:\n%s", busy.Text)
	}
}

func TestCreateUpdateDeleteEvent(t *testing.T) {
	h := scopechecktest.New(t, calendar.Tools())
	h.Grant(t, registry.CalendarEvents)
	day := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)

	var created calendar.Event
	res := h.MustSucceed(t, "calendar_create_event", map[string]any{
		"summary": "Design review", "start": day + "T15:00:00", "end": day + "T16:00:00",
		"time_zone": "Europe/Berlin", "location": "Room Havel",
		"attendees": []string{"Ana Ruiz <ana@example.com>"}, "send_updates": "all",
	})
	res.Decode(t, &created)
	if created.ID == "" || created.TimeZone != "Europe/Berlin" || len(created.Attendees) != 2 ||
		!strings.Contains(res.Text, "Google emailed the 1 guest.") {
		t.Fatalf("created = %+v\n%s", created, res.Text)
	}

	var moved calendar.UpdateEventOutput
	res = h.MustSucceed(t, "calendar_update_event", map[string]any{
		"event_id": created.ID, "start": day + "T15:30:00Z",
		"add_attendees":    []string{"bo@example.com"},
		"remove_attendees": []string{"ana@example.com", "zoe@example.com"},
	})
	res.Decode(t, &moved)
	end, err := time.Parse(time.RFC3339, moved.End)
	wantEnd, _ := time.Parse(time.RFC3339, day+"T16:30:00Z")
	if err != nil || !end.Equal(wantEnd) || moved.Location != "Room Havel" ||
		strings.Join(moved.NotGuests, ",") != "zoe@example.com" {
		t.Errorf("moved = %+v, want it to end at %s and keep its place", moved, wantEnd)
	}
	var emails []string
	for _, a := range moved.Attendees {
		emails = append(emails, a.Email)
	}
	if strings.Join(emails, ",") != "demo.user@example.com,bo@example.com" {
		t.Errorf("guests after the change = %v", emails)
	}

	var allDay calendar.UpdateEventOutput
	h.MustSucceed(t, "calendar_update_event", map[string]any{"event_id": created.ID,
		"start": day, "end": time.Now().AddDate(0, 0, 21).Format(time.DateOnly),
		"description": "Whole day now"}).Decode(t, &allDay)
	if !allDay.AllDay || allDay.Start != day || allDay.Description != "Whole day now" {
		t.Errorf("all-day change = %+v", allDay.Event)
	}

	var del calendar.DeleteEventOutput
	h.MustSucceed(t, "calendar_delete_event", map[string]any{"event_id": created.ID}).Decode(t, &del)
	if !del.Deleted || del.AlreadyDeleted {
		t.Errorf("delete = %+v", del)
	}
	again := h.MustSucceed(t, "calendar_delete_event", map[string]any{"event_id": created.ID})
	again.Decode(t, &del)
	if !del.AlreadyDeleted || !strings.Contains(again.Text, "already been deleted") {
		t.Errorf("second delete = %+v %q", del, again.Text)
	}
	var gone calendar.Event
	h.MustSucceed(t, "calendar_get_event", map[string]any{"event_id": created.ID}).Decode(t, &gone)
	if gone.Status != "cancelled" {
		t.Errorf("deleted event status = %q, want cancelled", gone.Status)
	}
}

func TestNarrowGrantAsksForLeastPrivilege(t *testing.T) {
	now := time.Now()
	tests := []struct {
		granted registry.Scope
		tool    string
		args    map[string]any
		want    registry.Scope
	}{
		// calendar.events writes events, yet Google refuses it for the calendar list and
		// for free/busy queries.
		{registry.CalendarEvents, "calendar_list_calendars", map[string]any{},
			registry.CalendarListReadonly},
		{registry.CalendarEvents, "calendar_find_free_busy", map[string]any{
			"time_min": rfc3339(now), "time_max": rfc3339(now.Add(time.Hour))},
			registry.CalendarFreeBusy},
		{registry.CalendarFreeBusy, "calendar_list_events", map[string]any{},
			registry.CalendarEventsReadonly},
		{registry.CalendarFreeBusy, "calendar_get_event", map[string]any{"event_id": "abcde"},
			registry.CalendarEventsReadonly},
		{registry.CalendarReadonly, "calendar_create_event", map[string]any{"summary": "x",
			"start": "2024-05-01", "end": "2024-05-02"}, registry.CalendarEvents},
		{registry.CalendarReadonly, "calendar_update_event", map[string]any{"event_id": "abcde",
			"summary": "y"}, registry.CalendarEvents},
		{registry.CalendarReadonly, "calendar_delete_event", map[string]any{"event_id": "abcde"},
			registry.CalendarEvents},
	}
	harnesses := map[registry.Scope]*scopechecktest.Harness{}
	for _, tt := range tests {
		if harnesses[tt.granted] == nil {
			harnesses[tt.granted] = scopechecktest.New(t, calendar.Tools())
			harnesses[tt.granted].Grant(t, tt.granted)
		}
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			h := harnesses[tt.granted]
			ar := h.Call(t, tt.tool, tt.args).AuthorizationRequired(t)
			if ar.Reason != "missing_scopes" || len(ar.MissingScopes) != 1 ||
				ar.MissingScopes[0].Scope != string(tt.want) {
				t.Errorf("with %s, %s asks for %+v (%s), want only %s", tt.granted, tt.tool,
					ar.MissingScopes, ar.Reason, tt.want)
			}
		})
	}
}

func TestProviderErrorsReadForTheModel(t *testing.T) {
	h := scopechecktest.New(t, calendar.Tools())
	h.Grant(t, registry.CalendarFull)
	now := time.Now()
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"calendar_list_calendars", map[string]any{"page_token": "garbage"}, "Google answered 400"},
		{"calendar_list_events", map[string]any{"calendar_id": "c_none@group.calendar.google.com"},
			`No calendar "c_none@group.calendar.google.com" is visible to the user`},
		{"calendar_get_event", map[string]any{"event_id": "abcdefgh"},
			`Calendar "primary" has no event "abcdefgh"`},
		{"calendar_create_event", map[string]any{"calendar_id": holidaysCalendar, "summary": "x",
			"start": "2024-05-01", "end": "2024-05-02"}, "You need to have writer access to this calendar"},
		{"calendar_update_event", map[string]any{"event_id": "abcdefgh", "location": "Room 1"},
			`has no event "abcdefgh"`},
		{"calendar_delete_event", map[string]any{"event_id": "abcdefgh"}, "nothing was deleted"},
		{"calendar_find_free_busy", map[string]any{"time_min": rfc3339(now),
			"time_max": rfc3339(now.Add(time.Hour)), "time_zone": "Mars/Olympus"},
			"Google answered 400"},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			r := h.Call(t, tt.tool, tt.args)
			if !r.IsError || !strings.Contains(r.Text, tt.want) {
				t.Errorf("%s = %q (isError %v), want an error saying %q", tt.tool, r.Text,
					r.IsError, tt.want)
			}
		})
	}
}

func TestBadArgumentsNeverReachGoogle(t *testing.T) {
	h := scopechecktest.New(t, calendar.Tools())
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"calendar_create_event", map[string]any{"summary": "x", "start": "2024-05-01T10:00:00",
			"end": "2024-05-01T11:00:00"}, "has no UTC offset"},
		{"calendar_create_event", map[string]any{"summary": "x", "start": "2024-05-01",
			"end": "2024-05-01"}, "end is exclusive"},
		{"calendar_create_event", map[string]any{"summary": "x", "start": "2024-05-01",
			"end": "2024-05-01T11:00:00Z"}, "both be dates"},
		{"calendar_update_event", map[string]any{"event_id": "abcde"}, "nothing to change"},
		{"calendar_list_events", map[string]any{"time_min": "tomorrow"}, "RFC 3339"},
		{"calendar_find_free_busy", map[string]any{"time_min": "2024-05-01T10:00:00Z",
			"time_max": "2024-05-01T09:00:00Z"}, "must be after time_min"},
	}
	for _, tt := range tests {
		r := h.Call(t, tt.tool, tt.args)
		if !r.IsError || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s(%v) = %q, want an error saying %q", tt.tool, tt.args, r.Text, tt.want)
		}
	}
}
