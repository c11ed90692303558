package outlook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/outlook"
	"github.com/scopegate/scopegate/tools/sandbox/microsoft"
)

func TestListAndCreateEvents(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphCalendarsRead, registry.GraphCalendarsReadWrite)

	today := time.Now().UTC().Truncate(24 * time.Hour)
	var list outlook.ListEventsOutput
	h.MustSucceed(t, "outlook_list_events", map[string]any{
		"start": today.Format(time.RFC3339), "end": today.AddDate(0, 0, 7).Format(time.RFC3339),
	}).Decode(t, &list)
	var subjects []string
	for _, e := range list.Events {
		subjects = append(subjects, e.Subject)
	}
	want := "Daily stand-up,Design review,1:1 with Ana,Company offsite"
	if got := strings.Join(subjects, ","); got != want {
		t.Errorf("events this week = %s, want %s", got, want)
	}

	created := h.MustSucceed(t, "outlook_create_event", map[string]any{
		"subject": "Planning", "start": "2030-01-15T10:00:00+01:00", "end": "2030-01-15T11:00:00+01:00",
		"time_zone": "Europe/Paris", "location": "Room 2", "attendees": []string{"Ana Ruiz <ana@example.com>"},
	})
	var co outlook.CreateEventOutput
	created.Decode(t, &co)
	if co.Event.Start != "2030-01-15T10:00:00+01:00" || co.Event.Location != "Room 2" ||
		len(co.Event.Attendees) != 1 || !strings.Contains(created.Text, "Invitations went to") {
		t.Errorf("created = %+v (%s)", co.Event, created.Text)
	}

	h.MustSucceed(t, "outlook_list_events", map[string]any{
		"start": "2030-01-15", "end": "2030-01-16", "time_zone": "America/New_York",
	}).Decode(t, &list)
	if len(list.Events) != 1 || list.Events[0].ID != co.Event.ID || list.Events[0].Start != "2030-01-15T04:00:00-05:00" {
		t.Errorf("listing the new event in New York time = %+v", list.Events)
	}
}

func TestListEventsPages(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphCalendarsRead)
	start := time.Now().UTC().AddDate(0, 0, -7).Format(time.RFC3339)
	end := time.Now().UTC().AddDate(0, 0, 7).Format(time.RFC3339)
	var first, second outlook.ListEventsOutput
	h.MustSucceed(t, "outlook_list_events", map[string]any{"start": start, "end": end, "max_results": 3}).Decode(t, &first)
	if len(first.Events) != 3 || first.NextPageToken == "" {
		t.Fatalf("first page = %+v, want 3 events and a page token", first)
	}
	h.MustSucceed(t, "outlook_list_events", map[string]any{"page_token": first.NextPageToken}).Decode(t, &second)
	if len(second.Events) != 2 || second.NextPageToken != "" || second.Events[0].ID == first.Events[0].ID {
		t.Errorf("second page = %+v, want the last 2 of 5 events", second)
	}
}

func TestCalendarProviderErrors(t *testing.T) {
	h, srv := newHarness(t)
	h.Grant(t, registry.GraphCalendarsReadWrite)

	srv.Throttle(microsoft.Throttling{Calls: 3, Status: 503, RetryAfter: 120 * time.Second})
	r := h.Call(t, "outlook_list_events", map[string]any{})
	if !r.IsError || !strings.Contains(r.Text, "temporarily unavailable") || !strings.Contains(r.Text, "Wait 120 seconds") {
		t.Errorf("list under 503 = %q (isError %v)", r.Text, r.IsError)
	}

	srv.Throttle(microsoft.Throttling{Calls: 1, RetryAfter: 30 * time.Second})
	r = h.Call(t, "outlook_create_event", map[string]any{"subject": "x", "start": "2030-01-01T09:00:00Z",
		"end": "2030-01-01T10:00:00Z"})
	if !r.IsError || !strings.Contains(r.Text, "429 (ApplicationThrottled)") || !strings.Contains(r.Text, "Wait 30 seconds") {
		t.Errorf("create under 429 = %q (isError %v)", r.Text, r.IsError)
	}
	srv.Throttle(microsoft.Throttling{})

	r = h.Call(t, "outlook_create_event", map[string]any{"subject": "x", "start": "2030-01-01T09:00:00Z",
		"end": "2030-01-01T10:00:00Z", "attendees": []string{"not an address"}})
	if !r.IsError || !strings.Contains(r.Text, "attendees") {
		t.Errorf("bad attendee = %q (isError %v)", r.Text, r.IsError)
	}
}
