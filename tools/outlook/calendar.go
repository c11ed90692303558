package outlook

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// Event is Graph's event resource, with the members the tools select.
type Event struct {
	ID          string           `json:"id"`
	Subject     string           `json:"subject"`
	BodyPreview string           `json:"bodyPreview"`
	Start       DateTimeTimeZone `json:"start"`
	End         DateTimeTimeZone `json:"end"`
	IsAllDay    bool             `json:"isAllDay"`
	Location    struct {
		DisplayName string `json:"displayName"`
	} `json:"location"`
	Organizer *Recipient `json:"organizer"`
	Attendees []struct {
		Type         string       `json:"type"`
		EmailAddress EmailAddress `json:"emailAddress"`
		Status       struct {
			Response string `json:"response"`
		} `json:"status"`
	} `json:"attendees"`
	WebLink string `json:"webLink"`
}

// DateTimeTimeZone is Graph's dateTimeTimeZone: a wall-clock time and the zone it is in.
type DateTimeTimeZone struct {
	DateTime string `json:"dateTime"`
	TimeZone string `json:"timeZone"`
}

// rfc3339 writes the time with its offset when the zone is one Go knows (UTC and IANA
// names, which is what the tools ask for), and as Graph wrote it otherwise.
func (d DateTimeTimeZone) rfc3339() string {
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil || d.TimeZone == "" {
		return strings.TrimSpace(d.DateTime + " " + d.TimeZone)
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.9999999", d.DateTime, loc)
	if err != nil {
		return strings.TrimSpace(d.DateTime + " " + d.TimeZone)
	}
	return t.Format(time.RFC3339)
}

// EventSummary is one event as the tools return it.
type EventSummary struct {
	ID        string   `json:"id"`
	Subject   string   `json:"subject"`
	Start     string   `json:"start"`
	End       string   `json:"end"`
	AllDay    bool     `json:"all_day,omitempty"`
	Location  string   `json:"location,omitempty"`
	Organizer string   `json:"organizer,omitempty"`
	Attendees []string `json:"attendees,omitempty"`
	Preview   string   `json:"preview,omitempty"`
	WebLink   string   `json:"web_link,omitempty"`
}

func summarizeEvent(e Event) EventSummary {
	s := EventSummary{ID: e.ID, Subject: e.Subject, Start: e.Start.rfc3339(), End: e.End.rfc3339(),
		AllDay: e.IsAllDay, Location: e.Location.DisplayName, Preview: e.BodyPreview, WebLink: e.WebLink}
	if e.Organizer != nil {
		s.Organizer = e.Organizer.String()
	}
	for _, a := range e.Attendees {
		s.Attendees = append(s.Attendees, Recipient{EmailAddress: a.EmailAddress}.String())
	}
	return s
}

// ListEventsInput is the input of outlook_list_events.
type ListEventsInput struct {
	Start      string `json:"start,omitempty" jsonschema:"description=Window start\\, RFC 3339 or a date. Default: now."`
	End        string `json:"end,omitempty" jsonschema:"description=Window end\\, RFC 3339 or a date. Default: start + 7 days."`
	TimeZone   string `json:"time_zone,omitempty" jsonschema:"description=IANA time zone of the times returned. Default: UTC."`
	MaxResults int    `json:"max_results,omitempty" jsonschema:"description=Default 25.,minimum=1,maximum=100"`
	PageToken  string `json:"page_token,omitempty" jsonschema:"description=An earlier call's next_page_token. It carries the other arguments."`
}

// ListEventsOutput is the structured result of outlook_list_events.
type ListEventsOutput struct {
	Start         string         `json:"start"`
	End           string         `json:"end"`
	Events        []EventSummary `json:"events"`
	NextPageToken string         `json:"next_page_token,omitempty"`
}

const eventSelect = "id,subject,bodyPreview,start,end,isAllDay,location,organizer,attendees,webLink"

func listEvents() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "outlook_list_events",
		Title: "List Outlook calendar events",
		Description: "List the user's Outlook calendar events in a time window by start, " +
			"recurring ones expanded.",
		Provider: "microsoft",
		// Calendars.ReadBasic would do (the tool shows previews, which it withholds, but
		// nothing else it lacks) and Microsoft marks it least privileged, but its permissions
		// data says an administrator must consent to it, while Calendars.Read needs no one:
		// asking for ReadBasic would stop most users at "Need admin approval". Requirements
		// are ordered narrowest first, so it cannot follow Calendars.Read either, and is left
		// out. The facts for /me/calendarView are copied by Microsoft's data from
		// /users/{id}/calendarView, which agrees.
		Requirement: registry.AnyOf(registry.GraphCalendarsRead, registry.GraphCalendarsReadWrite),
		Operations:  []string{"GET /me/calendarView"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runListEvents)
}

// Check refuses unreadable times, a window that ends before it starts, an unknown time
// zone and a page size out of range.
func (in *ListEventsInput) Check() error {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return registry.Errorf("max_results must be between 1 and 100, got %d", in.MaxResults)
	}
	if _, err := zoneOf(in.TimeZone); err != nil {
		return err
	}
	start, end, err := in.window(time.Now())
	if err != nil {
		return err
	}
	if !end.After(start) {
		return registry.Errorf("end must be after start")
	}
	return nil
}

func (in *ListEventsInput) window(now time.Time) (time.Time, time.Time, error) {
	start, end := now, time.Time{}
	var err error
	if in.Start != "" {
		if start, err = parseWhen("start", in.Start); err != nil {
			return start, end, err
		}
	}
	end = start.AddDate(0, 0, 7)
	if in.End != "" {
		end, err = parseWhen("end", in.End)
	}
	return start, end, err
}

func zoneOf(name string) (string, error) {
	if name == "" {
		return "UTC", nil
	}
	if _, err := time.LoadLocation(name); err != nil || name == "Local" {
		return "", registry.Errorf("time_zone %q is not an IANA time zone such as Europe/Paris", name)
	}
	return name, nil
}

func runListEvents(ctx context.Context, call *registry.Call, in ListEventsInput) (registry.Result, error) {
	start, end, err := in.window(time.Now())
	if err != nil {
		return registry.Result{}, err
	}
	tz, err := zoneOf(in.TimeZone)
	if err != nil {
		return registry.Result{}, err
	}
	var u string
	if in.PageToken != "" {
		if u, err = graphapi.PageURL(call, in.PageToken, "/me/calendarView"); err != nil {
			return registry.Result{}, err
		}
	} else {
		top := in.MaxResults
		if top == 0 {
			top = 25
		}
		u = graphapi.URL(call, "/me/calendarView", url.Values{
			"startDateTime": {start.UTC().Format(time.RFC3339)},
			"endDateTime":   {end.UTC().Format(time.RFC3339)},
			"$top":          {strconv.Itoa(top)},
			"$select":       {eventSelect},
			"$orderby":      {"start/dateTime"},
		})
	}
	var page graphapi.Collection[Event]
	err = graphapi.Do(ctx, call, graphapi.Request{Method: "GET", URL: u,
		Prefer: []string{`outlook.timezone="` + tz + `"`}}, &page)
	if err != nil {
		return registry.Result{}, err
	}

	out := ListEventsOutput{Start: start.UTC().Format(time.RFC3339), End: end.UTC().Format(time.RFC3339),
		Events: make([]EventSummary, 0, len(page.Value)), NextPageToken: graphapi.PageToken(page.NextLink)}
	for _, e := range page.Value {
		out.Events = append(out.Events, summarizeEvent(e))
	}
	return registry.Result{Text: eventsText(out), Structured: out}, nil
}

func eventsText(out ListEventsOutput) string {
	var b strings.Builder
	if len(out.Events) == 0 {
		fmt.Fprintf(&b, "No events between %s and %s.", out.Start, out.End)
	} else {
		fmt.Fprintf(&b, "%d events between %s and %s:\n", len(out.Events), out.Start, out.End)
	}
	for _, e := range out.Events {
		when := e.Start + " to " + e.End
		if e.AllDay {
			when = "all day from " + e.Start
		}
		fmt.Fprintf(&b, "- [%s] %s, %s", e.ID, orNone(e.Subject), when)
		if e.Location != "" {
			fmt.Fprintf(&b, ", at %s", e.Location)
		}
		b.WriteString("\n")
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "More events exist: call again with page_token %q.", out.NextPageToken)
	}
	return strings.TrimRight(b.String(), "\n")
}
