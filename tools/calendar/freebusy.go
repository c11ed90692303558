package calendar

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // free times are written in the asked zone on any machine

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// FreeBusyInput is the input of calendar_find_free_busy.
type FreeBusyInput struct {
	TimeMin     string   `json:"time_min" jsonschema:"description=Window start\\, RFC 3339 with offset\\, e.g. '2024-05-01T09:00:00+02:00'.,minLength=1"`
	TimeMax     string   `json:"time_max" jsonschema:"description=Window end\\, RFC 3339 with offset.,minLength=1"`
	CalendarIDs []string `json:"calendar_ids,omitempty" jsonschema:"description='primary'\\, ids from calendar_list_calendars\\, or colleagues' email addresses (if they share availability). Default: ['primary'].,maxItems=50"`
	TimeZone    string   `json:"time_zone,omitempty" jsonschema:"description=IANA time zone of the times returned. Default: UTC."`
}

// Period is a span of time; End is exclusive.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// CalendarBusy is one calendar's busy times.
type CalendarBusy struct {
	ID   string   `json:"id"`
	Busy []Period `json:"busy"`
	// Error is Google's reason when the calendar has no answer, such as
	// "notFound" for a calendar that does not exist or is not shared.
	Error string `json:"error,omitempty"`
}

// FreeBusyOutput is the structured result of calendar_find_free_busy.
type FreeBusyOutput struct {
	TimeMin   string         `json:"time_min"`
	TimeMax   string         `json:"time_max"`
	Calendars []CalendarBusy `json:"calendars"`
	// FreeForAll lists the times in the window when none of the calendars
	// that answered is busy.
	FreeForAll []Period `json:"free_for_all"`
}

// freeBusyResponse is freebusy.query's response body.
type freeBusyResponse struct {
	TimeMin   string `json:"timeMin"`
	TimeMax   string `json:"timeMax"`
	Calendars map[string]struct {
		Errors []struct {
			Domain string `json:"domain"`
			Reason string `json:"reason"`
		} `json:"errors"`
		Busy []Period `json:"busy"`
	} `json:"calendars"`
}

// maxListedPeriods bounds how many periods per calendar the text names.
const maxListedPeriods = 30

func findFreeBusy() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "calendar_find_free_busy",
		Title: "Find free and busy times",
		Description: "Find when calendars are busy, and when all are free, in a time window, " +
			"without reading events.",
		Provider: "google",
		// freebusy.query refuses calendar.events. calendar.freebusy sees availability and
		// nothing else; calendar.events.freebusy also lets events be listed, stripped of
		// their details.
		Requirement: registry.AnyOf(registry.CalendarFreeBusy, registry.CalendarEventsFreeBusy,
			registry.CalendarReadonly, registry.CalendarFull),
		Operations:  []string{"calendar.freebusy.query"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runFreeBusy)
}

// Check validates the window and the calendars.
func (in *FreeBusyInput) Check() error {
	_, _, err := in.window()
	if err != nil {
		return err
	}
	if len(in.CalendarIDs) > 50 {
		return registry.Errorf("calendar_ids may name at most 50 calendars, got %d", len(in.CalendarIDs))
	}
	for _, id := range in.CalendarIDs {
		if strings.TrimSpace(id) == "" {
			return registry.Errorf("calendar_ids must not contain empty ids")
		}
	}
	return nil
}

func (in *FreeBusyInput) window() (from, to time.Time, err error) {
	if from, err = parseInstant("time_min", in.TimeMin); err != nil {
		return from, to, err
	}
	if to, err = parseInstant("time_max", in.TimeMax); err != nil {
		return from, to, err
	}
	if !to.After(from) {
		return from, to, registry.Errorf("time_max (%s) must be after time_min (%s)",
			in.TimeMax, in.TimeMin)
	}
	return from, to, nil
}

func runFreeBusy(ctx context.Context, call *registry.Call,
	in FreeBusyInput) (registry.Result, error) {
	from, to, err := in.window()
	if err != nil {
		return registry.Result{}, err
	}
	ids := in.CalendarIDs
	if len(ids) == 0 {
		ids = []string{"primary"}
	}

	items := make([]map[string]string, 0, len(ids))
	for _, id := range ids {
		items = append(items, map[string]string{"id": strings.TrimSpace(id)})
	}
	req := map[string]any{"timeMin": from.Format(time.RFC3339), "timeMax": to.Format(time.RFC3339),
		"items": items}
	if in.TimeZone != "" {
		req["timeZone"] = in.TimeZone
	}
	var resp freeBusyResponse
	u := call.URL(apiBase, "/calendar/v3/freeBusy")
	if err := googleapi.Do(ctx, call, "POST", u, req, &resp); err != nil {
		return registry.Result{}, err
	}

	out := resp.output(ids, from, to, in)
	return registry.Result{Text: freeBusyText(out), Structured: out}, nil
}

// output shapes Google's answer for the calendars asked about, in the order
// asked, and works out when all that answered are free.
func (r *freeBusyResponse) output(ids []string, from, to time.Time,
	in FreeBusyInput) FreeBusyOutput {
	out := FreeBusyOutput{TimeMin: in.TimeMin, TimeMax: in.TimeMax}
	var all []Period
	for _, id := range ids {
		id = strings.TrimSpace(id)
		got, ok := r.Calendars[id]
		cb := CalendarBusy{ID: id, Busy: got.Busy}
		switch {
		case !ok:
			cb.Error = "noAnswer"
		case len(got.Errors) > 0:
			cb.Error = got.Errors[0].Reason
		default:
			all = append(all, got.Busy...)
		}
		if cb.Busy == nil {
			cb.Busy = []Period{}
		}
		out.Calendars = append(out.Calendars, cb)
	}
	zone := time.UTC
	if loc, err := time.LoadLocation(in.TimeZone); err == nil {
		zone = loc
	}
	out.FreeForAll = freeTimes(from, to, all, zone)
	return out
}

// freeTimes returns the parts of [from, to) that no busy period covers,
// written in zone.
func freeTimes(from, to time.Time, busy []Period, zone *time.Location) []Period {
	type span struct{ start, end time.Time }
	var spans []span
	for _, b := range busy {
		s, err1 := time.Parse(time.RFC3339, b.Start)
		e, err2 := time.Parse(time.RFC3339, b.End)
		if err1 == nil && err2 == nil {
			spans = append(spans, span{s, e})
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })

	free := []Period{}
	add := func(s, e time.Time) {
		free = append(free, Period{s.In(zone).Format(time.RFC3339), e.In(zone).Format(time.RFC3339)})
	}
	cursor := from
	for _, sp := range spans {
		if !sp.start.Before(to) {
			break
		}
		if sp.start.After(cursor) {
			add(cursor, sp.start)
		}
		if sp.end.After(cursor) {
			cursor = sp.end
		}
	}
	if to.After(cursor) {
		add(cursor, to)
	}
	return free
}

func freeBusyText(out FreeBusyOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Availability between %s and %s:", out.TimeMin, out.TimeMax)
	for _, c := range out.Calendars {
		switch {
		case c.Error == "notFound":
			fmt.Fprintf(&b, "\n%s: no answer; the calendar does not exist or its owner does "+
				"not share their availability with the user.", c.ID)
		case c.Error != "":
			fmt.Fprintf(&b, "\n%s: no answer (%s).", c.ID, c.Error)
		case len(c.Busy) == 0:
			fmt.Fprintf(&b, "\n%s: free the whole time.", c.ID)
		default:
			fmt.Fprintf(&b, "\n%s: busy %s.", c.ID, periods(c.Busy))
		}
	}
	if len(out.FreeForAll) == 0 {
		b.WriteString("\nNo time in the window is free for everyone.")
	} else {
		fmt.Fprintf(&b, "\nFree for everyone who answered: %s.", periods(out.FreeForAll))
	}
	return b.String()
}

// periods writes a list of periods for people, at most maxListedPeriods.
func periods(list []Period) string {
	parts := make([]string, 0, min(len(list), maxListedPeriods)+1)
	for _, p := range list[:min(len(list), maxListedPeriods)] {
		parts = append(parts, span(p.Start, p.End))
	}
	if len(list) > maxListedPeriods {
		parts = append(parts, fmt.Sprintf("and %d more (see the structured result)",
			len(list)-maxListedPeriods))
	}
	return strings.Join(parts, "; ")
}
