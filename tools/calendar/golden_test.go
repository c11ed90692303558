package calendar

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// The golden files are response bodies in the shapes Google's Calendar API
// returns, as its reference documentation and discovery document describe
// them. These tests decode them with the tools' own types.

func golden(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "google", "calendar", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeGolden(t *testing.T, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(golden(t, name), v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

var ignoreLinks = cmpopts.IgnoreFields(Event{}, "HTMLLink", "Updated")

func TestGoldenEventsList(t *testing.T) {
	var list eventsList
	decodeGolden(t, "events.list.json", &list)
	var got []Event
	for i := range list.Items {
		got = append(got, list.Items[i].output("primary", listView))
	}
	want := []Event{
		{ID: "5rgedbbegd47hr43pbha4bih5p_20240403T073000Z", CalendarID: "primary",
			Summary: "Team standup", Start: "2024-04-03T09:30:00+02:00",
			End: "2024-04-03T09:45:00+02:00", TimeZone: "Europe/Madrid", Location: "Sala Retiro",
			Status: "confirmed", Organizer: "ana.ruiz@example.com", AttendeeCount: 3,
			RecurringEventID: "5rgedbbegd47hr43pbha4bih5p",
			MeetLink:         "https://meet.google.com/abc-defg-hij"},
		{ID: "1h8n2vq0c5m3d7s9lk4o6p2r8t", CalendarID: "primary", Summary: "Supplier call",
			Start: "2024-04-03T16:00:00+02:00", End: "2024-04-03T16:30:00+02:00",
			TimeZone: "Europe/Madrid", Status: "tentative",
			Description: "Agenda:\n1. Delivery dates\n2. Prices for Q3",
			Organizer:   "Luis Ortega <luis.ortega@example.com>", AttendeeCount: 2},
		{ID: "0k3ci7dbf3j0ug9h1uo2d7aq5c", CalendarID: "primary", Summary: "Conference trip",
			Start: "2024-04-04", End: "2024-04-06", AllDay: true, Status: "confirmed",
			Organizer: "ana.ruiz@example.com"},
	}
	if diff := cmp.Diff(want, got, ignoreLinks); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if list.TimeZone != "Europe/Madrid" || !strings.HasPrefix(list.NextPageToken, "Cig") {
		t.Errorf("collection = %q %q", list.TimeZone, list.NextPageToken)
	}
	wantLines := []string{
		"- [5rgedbbegd47hr43pbha4bih5p_20240403T073000Z] Wed 3 Apr 2024, 09:30–09:45 " +
			"(UTC+02:00) — Team standup @ Sala Retiro",
		"- [0k3ci7dbf3j0ug9h1uo2d7aq5c] Thu 4 Apr – Fri 5 Apr 2024 (all day) — Conference trip",
	}
	for i, j := range []int{0, 2} {
		if line := got[j].line(); line != wantLines[i] {
			t.Errorf("line(%s) = %q, want %q", got[j].ID, line, wantLines[i])
		}
	}
}

func TestGoldenEventsGet(t *testing.T) {
	var e event
	decodeGolden(t, "events.get.json", &e)
	got := e.output("primary", fullView)
	wantGuests := []Attendee{
		{Email: "ana.ruiz@example.com", Name: "Ana Ruiz", Response: "accepted", Organizer: true,
			Self: true},
		{Email: "luis.ortega@example.com", Name: "Luis Ortega", Response: "declined"},
		{Email: "mei.chen@example.com", Response: "tentative", Optional: true},
		{Email: "c_1882mdt5o0t0ihvbj0ke1fhpg3ck8@resource.calendar.google.com",
			Name: "Madrid-3-Sala Retiro (8)", Response: "accepted"},
	}
	if diff := cmp.Diff(wantGuests, got.Attendees); diff != "" {
		t.Errorf("attendees mismatch (-want +got):\n%s", diff)
	}
	if got.Organizer != "Ana Ruiz <ana.ruiz@example.com>" || got.AttendeeCount != 4 ||
		got.MeetLink != "https://meet.google.com/xyz-abcd-efg" || got.AttendeesTruncated {
		t.Errorf("event = %+v", got)
	}
	text := got.details()
	for _, want := range []string{
		"When: Mon 8 Apr 2024, 11:00–12:30 (UTC+02:00), time zone Europe/Madrid",
		"- luis.ortega@example.com (declined)",
		"Video call: https://meet.google.com/xyz-abcd-efg",
		"<b>Goal:</b> agree on the Q2 roadmap.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("details lack %q:\n%s", want, text)
		}
	}

	long := e
	long.Description = strings.Repeat("é", maxDescriptionRunes+5)
	cut := long.output("primary", fullView)
	if !cut.DescriptionTruncated || len([]rune(cut.Description)) != maxDescriptionRunes ||
		!strings.Contains(cut.details(), "[The description was cut after 8000 characters.]") {
		t.Errorf("a long description is not cut and marked")
	}
}

func TestGoldenEventsInsert(t *testing.T) {
	var e event
	decodeGolden(t, "events.insert.json", &e)
	got := e.output("primary", fullView)
	if got.ID != "q8e1t0u3o5v7m2k4a6c8g0i2j4" || got.TimeZone != "Europe/Berlin" ||
		len(got.Attendees) != 2 {
		t.Errorf("created = %+v", got)
	}
	if s := invitations(e.Attendees, "all"); s != "Google emailed the 1 guest." {
		t.Errorf("invitations = %q", s)
	}
}

func TestGoldenCalendarList(t *testing.T) {
	var list calendarList
	decodeGolden(t, "calendarList.list.json", &list)
	var got []CalendarInfo
	for i := range list.Items {
		got = append(got, list.Items[i].info())
	}
	want := []CalendarInfo{
		{ID: "ana.ruiz@example.com", Summary: "ana.ruiz@example.com", TimeZone: "Europe/Madrid",
			AccessRole: "owner", Primary: true},
		{ID: "c_9d1f7e0a3b5c2d4e6f8a0b2c4d6e8f0a@group.calendar.google.com",
			Summary: "Marketing (shared)", Description: "Launches, campaigns and team events",
			TimeZone: "Europe/Madrid", AccessRole: "writer"},
		{ID: "es.spain#holiday@group.v.calendar.google.com", Summary: "Holidays in Spain",
			Description: "Holidays and Observances in Spain", TimeZone: "Europe/Madrid",
			AccessRole: "reader"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calendars mismatch (-want +got):\n%s", diff)
	}
}

func TestGoldenFreeBusy(t *testing.T) {
	var resp freeBusyResponse
	decodeGolden(t, "freebusy.query.json", &resp)
	in := FreeBusyInput{TimeMin: "2024-04-03T07:00:00Z", TimeMax: "2024-04-03T16:00:00Z",
		TimeZone: "Europe/Madrid"}
	from, to, err := in.window()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"primary", "luis.ortega@example.com", "someone@elsewhere.example",
		"unasked@example.com"}
	got := resp.output(ids, from, to, in)
	wantFree := []Period{
		{"2024-04-03T10:00:00+02:00", "2024-04-03T13:00:00+02:00"},
		{"2024-04-03T14:00:00+02:00", "2024-04-03T16:00:00+02:00"},
		{"2024-04-03T16:30:00+02:00", "2024-04-03T18:00:00+02:00"},
	}
	if diff := cmp.Diff(wantFree, got.FreeForAll); diff != "" {
		t.Errorf("free times mismatch (-want +got):\n%s", diff)
	}
	var errs []string
	for _, c := range got.Calendars {
		errs = append(errs, c.ID+":"+c.Error)
	}
	wantErrs := []string{"primary:", "luis.ortega@example.com:",
		"someone@elsewhere.example:notFound", "unasked@example.com:noAnswer"}
	if diff := cmp.Diff(wantErrs, errs); diff != "" {
		t.Errorf("calendar errors mismatch (-want +got):\n%s", diff)
	}
	if text := freeBusyText(got); !strings.Contains(text,
		"someone@elsewhere.example: no answer; the calendar does not exist") {
		t.Errorf("text does not explain the unknown calendar:\n%s", text)
	}
}

func TestGoldenErrors(t *testing.T) {
	tests := []struct {
		file   string
		status int
		want   string // in the message the model reads
	}{
		{"error.404.notFound.json", 404, `Calendar "primary" has no event "abc12"`},
		{"error.410.deleted.json", 410, "Google answered 410: Resource has been deleted."},
		{"error.400.timeRangeEmpty.json", 400,
			"The specified time range is empty. Fix the arguments and call again."},
		{"error.403.requiredAccessLevel.json", 403, "You need to have writer access"},
		{"error.403.rateLimitExceeded.json", 403, "rate limit was reached. Wait a minute"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			err := googleapi.Classify(tt.status, nil, golden(t, tt.file))
			err = notFound(err, "primary", "abc12", "nothing was read")
			var te *registry.ToolError
			if !errors.As(err, &te) || !strings.Contains(te.Message, tt.want) {
				t.Errorf("Classify(%s) = %v, want a tool error saying %q", tt.file, err, tt.want)
			}
		})
	}

	err := googleapi.Classify(403, nil, golden(t, "error.403.insufficientScopes.json"))
	var se *registry.ScopeError
	if !errors.As(err, &se) {
		t.Errorf("insufficient scopes = %v, want a ScopeError for the gate", err)
	}
}

func TestSpanFormats(t *testing.T) {
	tests := []struct{ start, end, want string }{
		{"2024-04-03", "2024-04-04", "Wed 3 Apr 2024 (all day)"},
		{"2024-12-31", "2025-01-02", "Tue 31 Dec – Wed 1 Jan 2025 (all day)"},
		{"2024-04-03T22:00:00Z", "2024-04-04T03:00:00+02:00",
			"Wed 3 Apr 2024 22:00 – Thu 4 Apr 2024 01:00 (UTC+00:00)"},
		{"2024-04-03T09:00:00-07:00", "2024-04-03T09:30:00-07:00",
			"Wed 3 Apr 2024, 09:00–09:30 (UTC-07:00)"},
		{"soon", "later", "soon – later"},
	}
	for _, tt := range tests {
		if got := span(tt.start, tt.end); got != tt.want {
			t.Errorf("span(%q, %q) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
}
