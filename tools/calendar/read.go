package calendar

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// ListCalendarsInput is the input of calendar_list_calendars.
type ListCalendarsInput struct {
	MinAccessRole string `json:"min_access_role,omitempty" jsonschema:"description=Only calendars where the user has at least this role (writer may add events). Default: all.,enum=freeBusyReader,enum=reader,enum=writer,enum=owner"`
	PageToken     string `json:"page_token,omitempty" jsonschema:"description=An earlier call's next_page_token."`
}

// CalendarInfo is one calendar on the user's calendar list.
type CalendarInfo struct {
	ID          string `json:"id"`
	Summary     string `json:"summary"`
	Description string `json:"description,omitempty"`
	TimeZone    string `json:"time_zone,omitempty"`
	// AccessRole is the user's role: freeBusyReader, reader, writer or owner.
	AccessRole string `json:"access_role"`
	Primary    bool   `json:"primary,omitempty"`
}

// ListCalendarsOutput is the structured result of calendar_list_calendars.
type ListCalendarsOutput struct {
	Calendars     []CalendarInfo `json:"calendars"`
	NextPageToken string         `json:"next_page_token,omitempty"`
}

// calendarList is calendarList.list's response body.
type calendarList struct {
	Items         []calendarListEntry `json:"items"`
	NextPageToken string              `json:"nextPageToken"`
}

// calendarListEntry is the Calendar API's CalendarListEntry resource, with
// the fields scopegate reads.
type calendarListEntry struct {
	ID              string `json:"id"`
	Summary         string `json:"summary"`
	SummaryOverride string `json:"summaryOverride"`
	Description     string `json:"description"`
	TimeZone        string `json:"timeZone"`
	AccessRole      string `json:"accessRole"`
	Primary         bool   `json:"primary"`
}

// info shapes a calendar list entry for the model, under the name the user
// gave it, if any.
func (c *calendarListEntry) info() CalendarInfo {
	info := CalendarInfo{ID: c.ID, Summary: c.Summary, Description: c.Description,
		TimeZone: c.TimeZone, AccessRole: c.AccessRole, Primary: c.Primary}
	if c.SummaryOverride != "" {
		info.Summary = c.SummaryOverride
	}
	return info
}

func listCalendars() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "calendar_list_calendars",
		Title: "List calendars",
		Description: "List the user's Google calendars, own and shared, with ids, time zones " +
			"and access roles.",
		Provider: "google",
		// calendarList.list refuses calendar.events and calendar.app.created.
		Requirement: registry.AnyOf(registry.CalendarListReadonly, registry.CalendarReadonly,
			registry.CalendarListManage, registry.CalendarFull),
		Operations:  []string{"calendar.calendarList.list"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runListCalendars)
}

func runListCalendars(ctx context.Context, call *registry.Call,
	in ListCalendarsInput) (registry.Result, error) {
	q := url.Values{"maxResults": {"250"}}
	if in.MinAccessRole != "" {
		q.Set("minAccessRole", in.MinAccessRole)
	}
	if in.PageToken != "" {
		q.Set("pageToken", in.PageToken)
	}
	var list calendarList
	u := call.URL(apiBase, "/calendar/v3/users/me/calendarList") + "?" + q.Encode()
	if err := googleapi.Do(ctx, call, "GET", u, nil, &list); err != nil {
		return registry.Result{}, err
	}

	out := ListCalendarsOutput{Calendars: []CalendarInfo{}, NextPageToken: list.NextPageToken}
	var b strings.Builder
	fmt.Fprintf(&b, "%d calendars:", len(list.Items))
	for i := range list.Items {
		info := list.Items[i].info()
		out.Calendars = append(out.Calendars, info)
		fmt.Fprintf(&b, "\n- %s (id %s; %s, %s", info.Summary, info.ID, info.AccessRole,
			info.TimeZone)
		if info.Primary {
			b.WriteString("; the user's primary calendar")
		}
		b.WriteString(")")
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "\nMore calendars exist: call again with page_token %q.", out.NextPageToken)
	}
	return registry.Result{Text: b.String(), Structured: out}, nil
}

// ListEventsInput is the input of calendar_list_events.
type ListEventsInput struct {
	CalendarID string `json:"calendar_id,omitempty" jsonschema:"description='primary' (default) or an id from calendar_list_calendars."`
	TimeMin    string `json:"time_min,omitempty" jsonschema:"description=Window start\\, RFC 3339 with offset; events ending after it are listed. Default: now."`
	TimeMax    string `json:"time_max,omitempty" jsonschema:"description=Window end\\, RFC 3339; events starting before it are listed. Default: time_min + 7 days."`
	Query      string `json:"query,omitempty" jsonschema:"description=Words to find in titles\\, descriptions\\, places and guests."`
	TimeZone   string `json:"time_zone,omitempty" jsonschema:"description=IANA time zone of the times returned. Default: the calendar's."`
	MaxResults int    `json:"max_results,omitempty" jsonschema:"description=Default 25.,minimum=1,maximum=100"`
	PageToken  string `json:"page_token,omitempty" jsonschema:"description=An earlier call's next_page_token. Keep the other arguments."`
}

// ListEventsOutput is the structured result of calendar_list_events.
type ListEventsOutput struct {
	CalendarID    string  `json:"calendar_id"`
	Calendar      string  `json:"calendar,omitempty"`
	TimeZone      string  `json:"time_zone,omitempty"`
	TimeMin       string  `json:"time_min"`
	TimeMax       string  `json:"time_max"`
	Events        []Event `json:"events"`
	NextPageToken string  `json:"next_page_token,omitempty"`
}

// eventsList is events.list's response body.
type eventsList struct {
	Summary       string  `json:"summary"`
	TimeZone      string  `json:"timeZone"`
	Items         []event `json:"items"`
	NextPageToken string  `json:"nextPageToken"`
}

// defaultWindow is the length of calendar_list_events' window when time_max is left out.
const defaultWindow = 7 * 24 * time.Hour

func listEvents() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "calendar_list_events",
		Title: "List calendar events",
		Description: "List a Google calendar's events in a window by start, recurrences " +
			"expanded; calendar_get_event has guests and full text.",
		Provider:    "google",
		Requirement: readEvents,
		Operations:  []string{"calendar.events.list"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runListEvents)
}

// Check validates the window and the page size.
func (in *ListEventsInput) Check() error {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return registry.Errorf("max_results must be between 1 and 100, got %d", in.MaxResults)
	}
	_, _, err := in.window(time.Now())
	return err
}

// window returns the listing window, filling in the defaults.
func (in *ListEventsInput) window(now time.Time) (from, to time.Time, err error) {
	from = now.UTC().Truncate(time.Second)
	if in.TimeMin != "" {
		if from, err = parseInstant("time_min", in.TimeMin); err != nil {
			return from, to, err
		}
	}
	to = from.Add(defaultWindow)
	if in.TimeMax != "" {
		if to, err = parseInstant("time_max", in.TimeMax); err != nil {
			return from, to, err
		}
	}
	if !to.After(from) {
		return from, to, registry.Errorf("time_max (%s) must be after time_min (%s)",
			to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return from, to, nil
}

func runListEvents(ctx context.Context, call *registry.Call,
	in ListEventsInput) (registry.Result, error) {
	from, to, err := in.window(time.Now())
	if err != nil {
		return registry.Result{}, err
	}
	max := in.MaxResults
	if max == 0 {
		max = 25
	}
	calID := calendarOrPrimary(in.CalendarID)

	q := url.Values{
		"timeMin":      {from.Format(time.RFC3339)},
		"timeMax":      {to.Format(time.RFC3339)},
		"singleEvents": {"true"},
		"orderBy":      {"startTime"},
		"maxResults":   {strconv.Itoa(max)},
	}
	for name, v := range map[string]string{"q": strings.TrimSpace(in.Query),
		"timeZone": in.TimeZone, "pageToken": in.PageToken} {
		if v != "" {
			q.Set(name, v)
		}
	}
	var list eventsList
	u := eventsURL(call, calID) + "?" + q.Encode()
	if err := googleapi.Do(ctx, call, "GET", u, nil, &list); err != nil {
		return registry.Result{}, notFound(err, calID, "", "no events were listed")
	}

	out := ListEventsOutput{
		CalendarID: calID, Calendar: list.Summary, TimeZone: list.TimeZone,
		TimeMin: from.Format(time.RFC3339), TimeMax: to.Format(time.RFC3339),
		Events: make([]Event, 0, len(list.Items)), NextPageToken: list.NextPageToken,
	}
	for i := range list.Items {
		out.Events = append(out.Events, list.Items[i].output(calID, listView))
	}

	var b strings.Builder
	what := fmt.Sprintf("calendar %s between %s and %s", calID, out.TimeMin, out.TimeMax)
	if len(out.Events) == 0 {
		fmt.Fprintf(&b, "No events in %s.", what)
	} else {
		fmt.Fprintf(&b, "%d events in %s (times in %s):", len(out.Events), what,
			orDefault(in.TimeZone, out.TimeZone))
		for _, e := range out.Events {
			b.WriteString("\n" + e.line())
		}
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "\nMore events exist: call again with page_token %q.", out.NextPageToken)
	}
	return registry.Result{Text: b.String(), Structured: out}, nil
}

// GetEventInput is the input of calendar_get_event.
type GetEventInput struct {
	CalendarID string `json:"calendar_id,omitempty" jsonschema:"description='primary' (default) or an id from calendar_list_calendars."`
	EventID    string `json:"event_id" jsonschema:"description=Event id\\, from calendar_list_events.,minLength=1"`
	TimeZone   string `json:"time_zone,omitempty" jsonschema:"description=IANA time zone of the times returned. Default: the calendar's."`
}

func getEvent() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "calendar_get_event",
		Title: "Read a calendar event",
		Description: "Read a Google Calendar event in full: guests and their answers, video " +
			"link, description (long ones cut and marked).",
		Provider:    "google",
		Requirement: readEvents,
		Operations:  []string{"calendar.events.get"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runGetEvent)
}

// Check refuses an empty event id.
func (in *GetEventInput) Check() error { return checkEventID(in.EventID) }

func checkEventID(id string) error {
	if strings.TrimSpace(id) == "" {
		return registry.Errorf("event_id must not be empty")
	}
	return nil
}

func runGetEvent(ctx context.Context, call *registry.Call,
	in GetEventInput) (registry.Result, error) {
	calID, id := calendarOrPrimary(in.CalendarID), strings.TrimSpace(in.EventID)
	u := eventsURL(call, calID, id)
	if in.TimeZone != "" {
		u += "?" + url.Values{"timeZone": {in.TimeZone}}.Encode()
	}
	var e event
	if err := googleapi.Do(ctx, call, "GET", u, nil, &e); err != nil {
		return registry.Result{}, notFound(err, calID, id, "nothing was read")
	}
	out := e.output(calID, fullView)
	return registry.Result{Text: out.details(), Structured: out}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
