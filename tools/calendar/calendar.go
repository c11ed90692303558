// Package calendar implements scopegate's Google Calendar tools on the
// Calendar API v3: listing calendars, reading, creating, changing and
// deleting events, and finding free and busy times. Each tool is an input
// struct, a requirement that agrees with Google's discovery document for
// every method it calls, and a handler.
package calendar

import (
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// apiBase is the Calendar API's real origin; its paths start with /calendar/v3.
const apiBase = "https://www.googleapis.com"

// Tools returns the Calendar tools in the order they are listed: reads,
// then writes, deletion last.
func Tools() []registry.Tool {
	return []registry.Tool{
		listCalendars(),
		listEvents(),
		getEvent(),
		findFreeBusy(),
		createEvent(),
		updateEvent(),
		deleteEvent(),
	}
}

// Requirements shared by several tools.
var (
	// readEvents reads events on any calendar the user can see. Left out:
	// calendar.events.owned(.readonly), which reach only calendars the user
	// owns, not ones shared with them; calendar.events.freebusy, under which
	// events come without titles or guests; calendar.events.public.readonly,
	// public calendars only; calendar.app.created, only calendars the app
	// made itself.
	readEvents = registry.AnyOf(registry.CalendarEventsReadonly, registry.CalendarReadonly,
		registry.CalendarEvents, registry.CalendarFull)
	// writeEvents changes events on any calendar the user may write to. Left
	// out for the same reasons: calendar.events.owned and
	// calendar.app.created.
	writeEvents = registry.AnyOf(registry.CalendarEvents, registry.CalendarFull)
)

// eventsURL returns the URL of a calendar's events collection, followed by
// the given path elements, each escaped.
func eventsURL(call *registry.Call, calendarID string, elems ...string) string {
	p := "/calendar/v3/calendars/" + url.PathEscape(calendarID) + "/events"
	for _, e := range elems {
		p += "/" + url.PathEscape(e)
	}
	return call.URL(apiBase, p)
}

// calendarOrPrimary returns the calendar id to use, "primary" when empty.
func calendarOrPrimary(id string) string {
	if id = strings.TrimSpace(id); id == "" {
		return "primary"
	}
	return id
}

// notFound rewrites Google's 404 for an event as a message the model can
// act on; other errors pass unchanged.
func notFound(err error, calendarID, eventID, outcome string) error {
	if !googleapi.IsToolError(err, 404) {
		return err
	}
	if eventID == "" {
		return registry.Errorf("No calendar %q is visible to the user; %s. "+
			"calendar_list_calendars shows the calendar ids.", calendarID, outcome)
	}
	return registry.Errorf("Calendar %q has no event %q, or the calendar is not visible to "+
		"the user; %s. calendar_list_events shows current event ids.", calendarID, eventID, outcome)
}

// sendUpdatesQuery returns the query string that passes a tool's
// send_updates argument on as sendUpdates, "none" when it is empty.
func sendUpdatesQuery(v string) string {
	if v == "" {
		v = "none"
	}
	return "?" + url.Values{"sendUpdates": {v}}.Encode()
}

// checkSendUpdates refuses a value Google does not know.
func checkSendUpdates(v string) error {
	switch v {
	case "", "all", "externalOnly", "none":
		return nil
	}
	return registry.Errorf("send_updates must be all, externalOnly or none, got %q", v)
}
