package google

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// calendarService is the service name in Calendar's ErrorInfo details.
const calendarService = "calendar-json.googleapis.com"

// calendarOp describes a Calendar method by its RPC name, such as "Events.List".
func calendarOp(id, rpc string, handle func(*Server, http.ResponseWriter, *http.Request,
	accessToken)) operation {
	return operation{id: id, service: calendarService, rpc: "calendar.v3." + rpc, handle: handle}
}

// calendarOperations lists every Calendar method in the facts. All of them are gated on
// scopes; the ones without a handler then answer 501.
//
// The gate is the facts' accepted scopes alone. Google further narrows what some granular
// scopes see (calendar.events.owned only calendars the user owns, calendar.app.created only
// calendars the app made, calendar.events.freebusy only busy times, calendar.events.public.
// readonly only public calendars); the sandbox does not narrow what they return.
var calendarOperations = []operation{
	calendarOp("calendar.calendarList.list", "CalendarList.List", (*Server).listCalendarList),
	calendarOp("calendar.calendarList.get", "CalendarList.Get", (*Server).getCalendarListEntry),
	calendarOp("calendar.events.list", "Events.List", (*Server).listEvents),
	calendarOp("calendar.events.get", "Events.Get", (*Server).getEvent),
	calendarOp("calendar.events.instances", "Events.Instances", nil),
	calendarOp("calendar.events.insert", "Events.Insert", (*Server).insertEvent),
	calendarOp("calendar.events.quickAdd", "Events.QuickAdd", nil),
	calendarOp("calendar.events.patch", "Events.Patch", (*Server).patchEvent),
	calendarOp("calendar.events.update", "Events.Update", nil),
	calendarOp("calendar.events.move", "Events.Move", nil),
	calendarOp("calendar.events.delete", "Events.Delete", (*Server).deleteEvent),
	calendarOp("calendar.freebusy.query", "Freebusy.Query", (*Server).queryFreeBusy),
}

// calendarError is the error body of the Calendar API. Unlike newer Google APIs it carries
// no "status": only the legacy error items, the code and the message, in that order.
type calendarError struct {
	Error struct {
		Errors  []apiErrorItem `json:"errors"`
		Code    int            `json:"code"`
		Message string         `json:"message"`
	} `json:"error"`
}

// writeCalendarError writes a Calendar error with one item. location names the offending
// request parameter, when there is one.
func writeCalendarError(w http.ResponseWriter, code int, domain, reason, msg, location string) {
	var body calendarError
	item := apiErrorItem{Domain: domain, Reason: reason, Message: msg}
	if location != "" {
		item.LocationType, item.Location = "parameter", location
	}
	body.Error.Errors = []apiErrorItem{item}
	body.Error.Code, body.Error.Message = code, msg
	writeJSON(w, code, body)
}

// The Calendar errors the handlers answer with, worded as Google words them.
func calendarNotFound(w http.ResponseWriter) {
	writeCalendarError(w, 404, "global", "notFound", "Not Found", "")
}

func calendarDeleted(w http.ResponseWriter) {
	writeCalendarError(w, 410, "global", "deleted", "Resource has been deleted", "")
}

func calendarBadRequest(w http.ResponseWriter) {
	writeCalendarError(w, 400, "global", "badRequest", "Bad Request", "")
}

func calendarInvalid(w http.ResponseWriter, msg, location string) {
	writeCalendarError(w, 400, "global", "invalid", msg, location)
}

func calendarRequired(w http.ResponseWriter, msg string) {
	writeCalendarError(w, 400, "global", "required", msg, "")
}

func calendarTimeRangeEmpty(w http.ResponseWriter) {
	writeCalendarError(w, 400, "calendar", "timeRangeEmpty", "The specified time range is empty.",
		"timeMax")
}

func calendarNeedsWriter(w http.ResponseWriter) {
	writeCalendarError(w, 403, "calendar", "requiredAccessLevel",
		"You need to have writer access to this calendar.", "")
}

// calendars returns the server's calendar store.
func (s *Server) calendars() *calendarStore { return s.calendar }

// pageToken renders a list offset as an opaque page token.
func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sandbox-page:" + strconv.Itoa(offset)))
}

// parsePageToken reads a token made by pageToken.
func parsePageToken(tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "sandbox-page:"))
	if err != nil || n < 0 || !strings.HasPrefix(string(b), "sandbox-page:") {
		return 0, false
	}
	return n, true
}

// parsePageSize reads a maxResults parameter: its default when absent, at most max, and
// Google's refusal when it is not a positive integer.
func parsePageSize(w http.ResponseWriter, raw string, def, max int) (int, bool) {
	if raw == "" {
		return def, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		calendarInvalid(w, "Invalid Value", "maxResults")
		return 0, false
	}
	return min(n, max), true
}

// parseBoolParam reads a boolean query parameter, refusing anything but true and false.
func parseBoolParam(w http.ResponseWriter, r *http.Request, name string) (bool, bool) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return false, true
	}
	b, err := strconv.ParseBool(raw)
	if err != nil || (raw != "true" && raw != "false") {
		calendarInvalid(w, "Invalid Value", name)
		return false, false
	}
	return b, true
}
