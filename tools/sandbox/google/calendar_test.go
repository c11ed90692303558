package google

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	calFullScope           = "https://www.googleapis.com/auth/calendar"
	calReadonlyScope       = "https://www.googleapis.com/auth/calendar.readonly"
	calEventsScope         = "https://www.googleapis.com/auth/calendar.events"
	calEventsReadonlyScope = "https://www.googleapis.com/auth/calendar.events.readonly"
	calListReadonlyScope   = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
	calFreeBusyScope       = "https://www.googleapis.com/auth/calendar.freebusy"

	calendarListPath = "/calendar/v3/users/me/calendarList"
	primaryEvents    = "/calendar/v3/calendars/primary/events"
	freeBusyPath     = "/calendar/v3/freeBusy"
)

// The test clock reads 2024-04-02 09:30 UTC, 11:30 in Berlin, two days after the switch to
// summer time; this window holds the seeded events of the coming week.
var weekWindow = url.Values{"timeMin": {"2024-04-01T22:00:00Z"},
	"timeMax": {"2024-04-09T22:00:00Z"}}

func eventsPath(calendarID string) string {
	return "/calendar/v3/calendars/" + url.PathEscape(calendarID) + "/events"
}

func withParams(base url.Values, kv ...string) string {
	v := url.Values{}
	for k, vs := range base {
		v[k] = slices.Clone(vs)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "?" + v.Encode()
}

// calendarErrorOf returns the one error item of a Calendar error body.
func calendarErrorOf(t *testing.T, body calendarError) apiErrorItem {
	t.Helper()
	if len(body.Error.Errors) != 1 {
		t.Fatalf("error body has %d items, want 1: %+v", len(body.Error.Errors), body)
	}
	return body.Error.Errors[0]
}

// getEvents calls events.list (or another GET answering an Events collection) and decodes
// the answer into a fresh value, so no field of an earlier page lingers.
func getEvents(t *testing.T, e *env, token, path string) eventsJSON {
	t.Helper()
	var list eventsJSON
	if resp := e.api(t, token, "GET", path, nil, &list); resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d, want 200", path, resp.StatusCode)
	}
	return list
}

func summaries(items []eventJSON) []string {
	var out []string
	for _, e := range items {
		out = append(out, e.Summary)
	}
	return out
}

func TestCalendarScopeGate(t *testing.T) {
	e := newEnv(t)
	busy := map[string]any{"timeMin": "2024-04-02T00:00:00Z", "timeMax": "2024-04-03T00:00:00Z",
		"items": []map[string]string{{"id": "primary"}}}
	tests := []struct {
		scope, method, path string
		body                any
		want                int
	}{
		{calEventsScope, "GET", calendarListPath, nil, 403},
		{calEventsScope, "POST", freeBusyPath, busy, 403},
		{calEventsReadonlyScope, "POST", primaryEvents, map[string]string{}, 403},
		{calListReadonlyScope, "GET", primaryEvents, nil, 403},
		{calListReadonlyScope, "GET", calendarListPath, nil, 200},
		{calEventsReadonlyScope, "GET", primaryEvents, nil, 200},
		{calFreeBusyScope, "POST", freeBusyPath, busy, 200},
		{calReadonlyScope, "POST", freeBusyPath, busy, 200},
	}
	for _, tt := range tests {
		var got apiError
		resp := e.api(t, e.tokenFor(t, tt.scope), tt.method, tt.path, tt.body, &got)
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s with %s = %d, want %d", tt.method, tt.path, tt.scope,
				resp.StatusCode, tt.want)
		}
		if tt.want == 403 && (len(got.Error.Details) != 1 ||
			got.Error.Details[0].Metadata["service"] != calendarService ||
			!strings.HasPrefix(got.Error.Details[0].Metadata["method"], "calendar.v3.")) {
			t.Errorf("%s %s refusal details = %+v, want Calendar's ErrorInfo", tt.method,
				tt.path, got.Error.Details)
		}
	}
}

func TestCalendarList(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, calListReadonlyScope)
	var list calendarListJSON
	e.api(t, token, "GET", calendarListPath, nil, &list)
	var ids []string
	for _, c := range list.Items {
		ids = append(ids, c.ID)
	}
	wantIDs := []string{DefaultAccount, atlasCalendarID, holidaysCalendarID}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("calendar list ids mismatch (-want +got):\n%s", diff)
	}
	if first := list.Items[0]; !first.Primary || first.AccessRole != "owner" ||
		first.TimeZone != "Europe/Berlin" || list.Kind != "calendar#calendarList" {
		t.Errorf("primary entry = %+v in %s", first, list.Kind)
	}
	if list.NextSyncToken == "" || list.NextPageToken != "" {
		t.Errorf("one page has tokens next page %q, sync %q", list.NextPageToken, list.NextSyncToken)
	}

	var writable calendarListJSON
	e.api(t, token, "GET", calendarListPath+"?minAccessRole=writer", nil, &writable)
	if len(writable.Items) != 2 {
		t.Errorf("minAccessRole=writer lists %d calendars, want 2 (not the holidays)",
			len(writable.Items))
	}

	var page1, page2 calendarListJSON
	e.api(t, token, "GET", calendarListPath+"?maxResults=2", nil, &page1)
	e.api(t, token, "GET", calendarListPath+"?maxResults=2&pageToken="+page1.NextPageToken, nil,
		&page2)
	if len(page1.Items) != 2 || len(page2.Items) != 1 || page2.Items[0].ID != holidaysCalendarID {
		t.Errorf("pages of 2 = %d then %d entries", len(page1.Items), len(page2.Items))
	}

	var bad calendarError
	resp := e.api(t, token, "GET", calendarListPath+"?pageToken=garbage", nil, &bad)
	if item := calendarErrorOf(t, bad); resp.StatusCode != 400 || item.Location != "pageToken" {
		t.Errorf("bad page token = %d %+v, want 400 naming pageToken", resp.StatusCode, item)
	}
	var entry calendarListEntryJSON
	e.api(t, token, "GET", calendarListPath+"/primary", nil, &entry)
	if entry.ID != DefaultAccount || !entry.Primary {
		t.Errorf("calendarList.get primary = %+v", entry)
	}
}

func TestEventsListExpandsSeriesInOrder(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, calEventsReadonlyScope)
	list := getEvents(t, e, token, primaryEvents+withParams(weekWindow, "singleEvents", "true",
		"orderBy", "startTime"))
	want := []string{"Atlas weekly sync", "Lunch with Marco", "Q3 planning review",
		"Dentist appointment", "Atlas weekly sync"}
	if diff := cmp.Diff(want, summaries(list.Items)); diff != "" {
		t.Fatalf("expanded week mismatch (-want +got):\n%s", diff)
	}
	sync := list.Items[0]
	if !regexp.MustCompile(`^[a-v0-9]{26}_20240402T080000Z$`).MatchString(sync.ID) ||
		!strings.HasPrefix(sync.ID, sync.RecurringEventID+"_") ||
		sync.Start.DateTime != "2024-04-02T10:00:00+02:00" ||
		sync.OriginalStartTime.DateTime != sync.Start.DateTime || sync.Recurrence != nil {
		t.Errorf("instance = %+v, start %+v", sync, sync.Start)
	}
	if list.TimeZone != "Europe/Berlin" || list.AccessRole != "owner" || list.NextSyncToken == "" {
		t.Errorf("collection = %s %s %s", list.TimeZone, list.AccessRole, list.NextSyncToken)
	}

	// A week earlier the same series starts at 10:00 winter time.
	list = getEvents(t, e, token, primaryEvents+"?singleEvents=true&q=weekly"+
		"&timeMin=2024-03-25T00:00:00Z&timeMax=2024-03-27T00:00:00Z")
	if len(list.Items) != 1 || list.Items[0].Start.DateTime != "2024-03-26T10:00:00+01:00" {
		t.Errorf("instance before the switch = %+v", list.Items)
	}

	list = getEvents(t, e, token, primaryEvents+withParams(weekWindow))
	if got := summaries(list.Items); len(got) != 4 || !slices.Contains(got, "Atlas weekly sync") ||
		list.Items[0].Recurrence == nil {
		t.Errorf("unexpanded week = %v, want the series once, with its recurrence, and 3 events", got)
	}
	list = getEvents(t, e, token, primaryEvents+withParams(weekWindow, "showDeleted", "true"))
	if !slices.Contains(summaries(list.Items), "Yoga class") {
		t.Errorf("showDeleted = %v, want the cancelled yoga class", summaries(list.Items))
	}
	list = getEvents(t, e, token, primaryEvents+withParams(weekWindow, "q", "RAMEN",
		"timeZone", "UTC"))
	if len(list.Items) != 1 || list.Items[0].Start.DateTime != "2024-04-03T10:30:00Z" {
		t.Errorf("q=RAMEN in UTC = %+v", list.Items)
	}

	var paged []string
	for tok := ""; ; {
		list = getEvents(t, e, token, primaryEvents+withParams(weekWindow, "singleEvents",
			"true", "orderBy", "startTime", "maxResults", "2", "pageToken", tok))
		paged = append(paged, summaries(list.Items)...)
		if tok = list.NextPageToken; tok == "" {
			break
		}
	}
	if diff := cmp.Diff(want, paged); diff != "" {
		t.Errorf("paged week mismatch (-want +got):\n%s", diff)
	}
}

func TestEventsListRefusals(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, calReadonlyScope)
	tests := []struct {
		name                          string
		path                          string
		status                        int
		domain, reason, msg, location string
	}{
		{"startTime order needs single events", primaryEvents + "?orderBy=startTime", 400,
			"global", "invalid", "The requested ordering is not available for the particular query.",
			"orderBy"},
		{"empty range", primaryEvents + withParams(weekWindow, "timeMax", "2024-04-01T22:00:00Z"), 400,
			"calendar", "timeRangeEmpty", "The specified time range is empty.", "timeMax"},
		{"no offset", primaryEvents + "?timeMin=2024-04-02T10:00:00", 400, "global", "badRequest",
			"Bad Request", ""},
		{"unknown calendar", eventsPath("nobody@example.com"), 404, "global", "notFound",
			"Not Found", ""},
		{"unknown event", primaryEvents + "/abcdefghij", 404, "global", "notFound", "Not Found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body calendarError
			resp := e.api(t, token, "GET", tt.path, nil, &body)
			var want calendarError
			want.Error.Code, want.Error.Message = tt.status, tt.msg
			want.Error.Errors = []apiErrorItem{{Domain: tt.domain, Reason: tt.reason,
				Message: tt.msg, Location: tt.location}}
			if tt.location != "" {
				want.Error.Errors[0].LocationType = "parameter"
			}
			if resp.StatusCode != tt.status {
				t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			if diff := cmp.Diff(want, body); diff != "" {
				t.Errorf("error body mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// Google's 404 carries no status field, unlike Gmail's errors.
	var raw map[string]map[string]any
	e.api(t, token, "GET", eventsPath("nobody@example.com"), nil, &raw)
	if _, ok := raw["error"]["status"]; ok {
		t.Errorf("Calendar error body has a status: %v", raw)
	}
}

func TestEventLifecycle(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, calEventsScope)
	var created eventJSON
	resp := e.api(t, token, "POST", primaryEvents+"?sendUpdates=all", map[string]any{
		"summary": "Design review", "location": "Room Havel",
		"start":     map[string]string{"dateTime": "2024-04-05T15:00:00", "timeZone": "Europe/Berlin"},
		"end":       map[string]string{"dateTime": "2024-04-05T16:00:00", "timeZone": "Europe/Berlin"},
		"attendees": []map[string]string{{"email": "ana@example.com"}},
	}, &created)
	if resp.StatusCode != 200 || !regexp.MustCompile(`^[a-v0-9]{26}$`).MatchString(created.ID) {
		t.Fatalf("insert = %d %+v", resp.StatusCode, created)
	}
	if created.Start.DateTime != "2024-04-05T15:00:00+02:00" || created.Status != "confirmed" ||
		!created.Organizer.Self || created.ICalUID != created.ID+"@google.com" ||
		*created.Sequence != 0 ||
		!strings.HasPrefix(created.HTMLLink, "https://www.google.com/calendar/event?eid=") {
		t.Errorf("created = %+v", created)
	}
	wantGuests := []attendeeJSON{
		{Email: DefaultAccount, Organizer: true, Self: true, ResponseStatus: "accepted"},
		{Email: "ana@example.com", ResponseStatus: "needsAction"},
	}
	if diff := cmp.Diff(wantGuests, created.Attendees); diff != "" {
		t.Errorf("attendees mismatch (-want +got):\n%s", diff)
	}

	path := primaryEvents + "/" + created.ID
	var patched eventJSON
	e.api(t, token, "PATCH", path, map[string]any{"summary": "Design review (moved)",
		"start": map[string]string{"dateTime": "2024-04-05T16:00:00+02:00"},
		"end":   map[string]string{"dateTime": "2024-04-05T17:00:00+02:00"}}, &patched)
	if patched.Summary != "Design review (moved)" || patched.Location != "Room Havel" ||
		*patched.Sequence != 1 || patched.End.DateTime != "2024-04-05T17:00:00+02:00" {
		t.Errorf("patched = %+v", patched)
	}

	if resp := e.api(t, token, "DELETE", path, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("delete = %d, want 204", resp.StatusCode)
	}
	var gone eventJSON
	resp = e.api(t, token, "GET", path, nil, &gone)
	if resp.StatusCode != 200 || gone.Status != "cancelled" {
		t.Errorf("get after delete = %d %q, want the event, cancelled", resp.StatusCode, gone.Status)
	}
	var again calendarError
	resp = e.api(t, token, "DELETE", path, nil, &again)
	if item := calendarErrorOf(t, again); resp.StatusCode != 410 || item.Reason != "deleted" ||
		again.Error.Message != "Resource has been deleted" {
		t.Errorf("second delete = %d %+v, want 410 deleted", resp.StatusCode, again)
	}
	list := getEvents(t, e, token, primaryEvents+withParams(weekWindow, "q", "design"))
	if len(list.Items) != 0 {
		t.Errorf("deleted event still listed: %v", summaries(list.Items))
	}
}

func TestInsertRefusals(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, calEventsScope)
	at := func(s string) map[string]string { return map[string]string{"dateTime": s} }
	start, end := at("2024-04-05T15:00:00Z"), at("2024-04-05T16:00:00Z")
	tests := []struct {
		name   string
		path   string
		body   any
		status int
		reason string
		msg    string
	}{
		{"end before start", primaryEvents, map[string]any{"start": end, "end": start}, 400,
			"timeRangeEmpty", "The specified time range is empty."},
		{"no end", primaryEvents, map[string]any{"start": start}, 400, "required",
			"Missing end time."},
		{"no zone", primaryEvents, map[string]any{"start": at("2024-04-05T15:00:00"), "end": end},
			400, "required", "Missing time zone definition for start time."},
		{"bad zone", primaryEvents, map[string]any{"end": end, "start": map[string]string{
			"dateTime": "2024-04-05T15:00:00Z", "timeZone": "Mars/Olympus"}}, 400, "invalid",
			"Invalid time zone definition for start time."},
		{"date and time", primaryEvents, map[string]any{"start": map[string]string{
			"date": "2024-04-05"}, "end": end}, 400, "invalid",
			"Start and end times must either both be date or both be dateTime."},
		{"bad guest", primaryEvents, map[string]any{"start": start, "end": end,
			"attendees": []map[string]string{{"email": "not an address"}}}, 400, "invalid",
			"Invalid attendee email."},
		{"not json", primaryEvents, "{", 400, "parseError", "Parse Error"},
		{"read-only calendar", eventsPath(holidaysCalendarID), map[string]any{"start": start,
			"end": end}, 403, "requiredAccessLevel",
			"You need to have writer access to this calendar."},
		{"unknown calendar", eventsPath("c_nothing@group.calendar.google.com"),
			map[string]any{"start": start, "end": end}, 404, "notFound", "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body calendarError
			resp := e.api(t, token, "POST", tt.path, tt.body, &body)
			item := calendarErrorOf(t, body)
			if resp.StatusCode != tt.status || item.Reason != tt.reason || item.Message != tt.msg {
				t.Errorf("insert = %d %+v, want %d %s %q", resp.StatusCode, item, tt.status,
					tt.reason, tt.msg)
			}
		})
	}

	body := map[string]any{"id": "atlasdemo1", "start": start, "end": end}
	e.api(t, token, "POST", primaryEvents, body, nil)
	var dup calendarError
	if resp := e.api(t, token, "POST", primaryEvents, body, &dup); resp.StatusCode != 409 ||
		calendarErrorOf(t, dup).Reason != "duplicate" {
		t.Errorf("duplicate id = %d %+v, want 409 duplicate", resp.StatusCode, dup)
	}
}

func TestChangeOneInstance(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, calFullScope)
	expanded := primaryEvents + withParams(weekWindow, "singleEvents", "true", "orderBy", "startTime",
		"q", "weekly")
	list := getEvents(t, e, token, expanded)
	if len(list.Items) != 2 {
		t.Fatalf("weekly instances this week = %d, want 2", len(list.Items))
	}
	first, second := list.Items[0], list.Items[1]

	var changed eventJSON
	e.api(t, token, "PATCH", primaryEvents+"/"+first.ID,
		map[string]string{"summary": "Atlas weekly sync (short)"}, &changed)
	if changed.ID != first.ID || changed.RecurringEventID != first.RecurringEventID {
		t.Errorf("patched instance = %+v", changed)
	}
	resp := e.api(t, token, "DELETE", primaryEvents+"/"+second.ID, nil, nil)
	if resp.StatusCode != 204 {
		t.Fatalf("delete instance = %d", resp.StatusCode)
	}

	list = getEvents(t, e, token, primaryEvents+withParams(weekWindow, "singleEvents", "true",
		"orderBy", "startTime", "q", "atlas sync"))
	if diff := cmp.Diff([]string{"Atlas weekly sync (short)"}, summaries(list.Items)); diff != "" {
		t.Errorf("expanded after changes mismatch (-want +got):\n%s", diff)
	}
	list = getEvents(t, e, token, primaryEvents+withParams(weekWindow, "q", "atlas sync"))
	var states []string
	for _, it := range list.Items {
		states = append(states, it.Status+":"+it.ID)
	}
	want := []string{"confirmed:" + first.RecurringEventID, "confirmed:" + first.ID,
		"cancelled:" + second.ID}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("unexpanded after changes mismatch (-want +got):\n%s", diff)
	}
}

func TestFreeBusy(t *testing.T) {
	e := newEnv(t)
	writer := e.tokenFor(t, calEventsScope)
	// Overlaps lunch (12:30 to 13:30 in Berlin), so the two merge.
	e.api(t, writer, "POST", primaryEvents, map[string]any{"summary": "Call",
		"start": map[string]string{"dateTime": "2024-04-03T11:00:00Z"},
		"end":   map[string]string{"dateTime": "2024-04-03T12:00:00Z"}}, nil)

	token := e.tokenFor(t, calFreeBusyScope)
	var got freeBusyJSON
	e.api(t, token, "POST", freeBusyPath, map[string]any{
		"timeMin": "2024-04-02T00:00:00Z", "timeMax": "2024-04-09T00:00:00Z",
		"items": []map[string]string{{"id": "primary"}, {"id": atlasCalendarID},
			{"id": "nobody@example.com"}},
	}, &got)
	want := freeBusyJSON{Kind: "calendar#freeBusy", TimeMin: "2024-04-02T00:00:00.000Z",
		TimeMax: "2024-04-09T00:00:00.000Z", Calendars: map[string]freeBusyCalendarJSON{
			"primary": {Busy: []timePeriodJSON{
				{"2024-04-02T08:00:00Z", "2024-04-02T08:30:00Z"},
				{"2024-04-03T10:30:00Z", "2024-04-03T12:00:00Z"},
				{"2024-04-04T13:00:00Z", "2024-04-04T14:00:00Z"},
				{"2024-04-06T06:30:00Z", "2024-04-06T07:15:00Z"},
			}},
			atlasCalendarID: {Busy: []timePeriodJSON{
				{"2024-04-08T12:00:00Z", "2024-04-08T13:00:00Z"}}},
			"nobody@example.com": {Busy: []timePeriodJSON{},
				Errors: []freeBusyErrorJSON{{"global", "notFound"}}},
		}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("freeBusy mismatch (-want +got):\n%s", diff)
	}

	var local freeBusyJSON
	e.api(t, token, "POST", freeBusyPath, map[string]any{"timeZone": "Europe/Berlin",
		"timeMin": "2024-04-02T08:15:00Z", "timeMax": "2024-04-02T12:00:00Z",
		"items": []map[string]string{{"id": DefaultAccount}}}, &local)
	wantLocal := []timePeriodJSON{{"2024-04-02T10:15:00+02:00", "2024-04-02T10:30:00+02:00"}}
	if diff := cmp.Diff(wantLocal, local.Calendars[DefaultAccount].Busy); diff != "" {
		t.Errorf("clipped local busy mismatch (-want +got):\n%s", diff)
	}

	var empty calendarError
	resp := e.api(t, token, "POST", freeBusyPath, map[string]any{
		"timeMin": "2024-04-02T00:00:00Z", "timeMax": "2024-04-02T00:00:00Z"}, &empty)
	if resp.StatusCode != 400 || calendarErrorOf(t, empty).Reason != "timeRangeEmpty" {
		t.Errorf("empty range = %d %+v, want 400 timeRangeEmpty", resp.StatusCode, empty)
	}
}

func TestCalendarConcurrentUse(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, calFullScope)
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			body := map[string]any{"summary": "Parallel",
				"start": map[string]string{"date": "2024-04-10"},
				"end":   map[string]string{"date": "2024-04-11"}}
			var m map[string]any
			if i%2 == 0 {
				e.api(t, token, "POST", primaryEvents, body, &m)
			} else {
				e.api(t, token, "GET", primaryEvents+"?singleEvents=true", nil, &m)
			}
		}()
	}
	for range 8 {
		<-done
	}
	list := getEvents(t, e, token, primaryEvents+"?q=parallel")
	if len(list.Items) != 4 {
		t.Errorf("parallel inserts listed %d times, want 4", len(list.Items))
	}
}
