package outlook

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// CreateEventInput is the input of outlook_create_event.
type CreateEventInput struct {
	Subject   string   `json:"subject" jsonschema:"description=Title.,minLength=1"`
	Start     string   `json:"start" jsonschema:"description=RFC 3339 with offset\\, e.g. 2025-03-01T09:00:00+01:00."`
	End       string   `json:"end" jsonschema:"description=RFC 3339 with offset."`
	TimeZone  string   `json:"time_zone,omitempty" jsonschema:"description=IANA time zone Outlook shows the event in\\, e.g. Europe/Paris. Default: UTC."`
	Location  string   `json:"location,omitempty"`
	Body      string   `json:"body,omitempty" jsonschema:"description=Description\\, as plain text."`
	Attendees []string `json:"attendees,omitempty" jsonschema:"description=Addresses of people to invite."`
}

// CreateEventOutput is the structured result of outlook_create_event.
type CreateEventOutput struct {
	Event EventSummary `json:"event"`
}

func createEvent() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "outlook_create_event",
		Title: "Create an Outlook calendar event",
		Description: "Create an event in the user's Outlook calendar; attendees get an email " +
			"invitation.",
		Provider: "microsoft",
		// Creating events needs Calendars.ReadWrite; nothing narrower is accepted.
		Requirement: registry.AnyOf(registry.GraphCalendarsReadWrite),
		Operations:  []string{"POST /me/events"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runCreateEvent)
}

// Check validates times, zone and attendees before anything is created.
func (in *CreateEventInput) Check() error {
	_, err := in.request()
	return err
}

// eventRequest is the body of POST /me/events.
type eventRequest struct {
	Subject  string           `json:"subject"`
	Body     *ItemBody        `json:"body,omitempty"`
	Start    DateTimeTimeZone `json:"start"`
	End      DateTimeTimeZone `json:"end"`
	Location *struct {
		DisplayName string `json:"displayName"`
	} `json:"location,omitempty"`
	Attendees []attendeeRequest `json:"attendees,omitempty"`
}

type attendeeRequest struct {
	EmailAddress EmailAddress `json:"emailAddress"`
	Type         string       `json:"type"`
}

func (in *CreateEventInput) request() (*eventRequest, error) {
	if strings.TrimSpace(in.Subject) == "" {
		return nil, registry.Errorf("subject must not be empty")
	}
	tz, err := zoneOf(in.TimeZone)
	if err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(tz)
	start, err := time.Parse(time.RFC3339, in.Start)
	if err != nil {
		return nil, registry.Errorf("start must be RFC 3339 with an offset, such as "+
			"2025-03-01T09:00:00Z, got %q", in.Start)
	}
	end, err := time.Parse(time.RFC3339, in.End)
	if err != nil {
		return nil, registry.Errorf("end must be RFC 3339 with an offset, such as "+
			"2025-03-01T10:00:00Z, got %q", in.End)
	}
	if !end.After(start) {
		return nil, registry.Errorf("end must be after start")
	}
	attendees, err := recipientList("attendees", in.Attendees)
	if err != nil {
		return nil, err
	}

	const wall = "2006-01-02T15:04:05"
	req := &eventRequest{
		Subject: in.Subject,
		Start:   DateTimeTimeZone{DateTime: start.In(loc).Format(wall), TimeZone: tz},
		End:     DateTimeTimeZone{DateTime: end.In(loc).Format(wall), TimeZone: tz},
	}
	if in.Body != "" {
		req.Body = &ItemBody{ContentType: "text", Content: in.Body}
	}
	if in.Location != "" {
		req.Location = &struct {
			DisplayName string `json:"displayName"`
		}{in.Location}
	}
	for _, a := range attendees {
		req.Attendees = append(req.Attendees, attendeeRequest{EmailAddress: a.EmailAddress, Type: "required"})
	}
	return req, nil
}

func runCreateEvent(ctx context.Context, call *registry.Call, in CreateEventInput) (registry.Result, error) {
	req, err := in.request()
	if err != nil {
		return registry.Result{}, err
	}
	var created Event
	err = graphapi.Do(ctx, call, graphapi.Request{Method: "POST",
		URL: graphapi.URL(call, "/me/events", nil), JSON: req,
		Prefer: []string{`outlook.timezone="` + req.Start.TimeZone + `"`}}, &created)
	if err != nil {
		return registry.Result{}, err
	}

	out := CreateEventOutput{Event: summarizeEvent(created)}
	text := fmt.Sprintf("Created %q from %s to %s (event id %s).", created.Subject,
		out.Event.Start, out.Event.End, created.ID)
	if n := len(out.Event.Attendees); n > 0 {
		text += fmt.Sprintf(" Invitations went to %s.", strings.Join(out.Event.Attendees, ", "))
	}
	return registry.Result{Text: text, Structured: out}, nil
}
