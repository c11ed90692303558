package registry

// Google Calendar scopes that scopegate's tools use or that cover them. The
// strings are Google's own.
const (
	CalendarFreeBusy       Scope = "https://www.googleapis.com/auth/calendar.freebusy"
	CalendarEventsFreeBusy Scope = "https://www.googleapis.com/auth/calendar.events.freebusy"
	CalendarListReadonly   Scope = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
	CalendarEventsReadonly Scope = "https://www.googleapis.com/auth/calendar.events.readonly"
	CalendarListManage     Scope = "https://www.googleapis.com/auth/calendar.calendarlist"
	CalendarReadonly       Scope = "https://www.googleapis.com/auth/calendar.readonly"
	CalendarEvents         Scope = "https://www.googleapis.com/auth/calendar.events"
	CalendarFull           Scope = "https://www.googleapis.com/auth/calendar"
)

// calendarScopes are the Google Calendar scopes, narrowest first.
//
// Google classifies every Calendar scope as sensitive (verification of the
// OAuth client, no security assessment); none is restricted. CoveredBy
// names a broader scope only when Google's discovery document lets it call
// every method the narrower one can: calendar.events, for instance, does not
// cover the free/busy scopes, because freebusy.query refuses it.
var calendarScopes = []ScopeInfo{
	{
		Scope: CalendarFreeBusy,
		Title: "See when you are busy",
		Explanation: "See the times your calendars are busy or free, without any event's " +
			"title, guests or details.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{CalendarEventsFreeBusy, CalendarReadonly, CalendarFull},
	},
	{
		Scope: CalendarEventsFreeBusy,
		Title: "See availability on calendars",
		Explanation: "See when the calendars you can access are busy or free, including " +
			"calendars shared with you, without event details.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{CalendarReadonly, CalendarFull},
	},
	{
		Scope: CalendarListReadonly,
		Title: "See your list of calendars",
		Explanation: "See which calendars you have and are subscribed to, with their names " +
			"and time zones. It cannot read events.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{CalendarListManage, CalendarReadonly, CalendarFull},
	},
	{
		Scope: CalendarEventsReadonly,
		Title: "Read calendar events",
		Explanation: "Read the events on all your calendars: titles, times, places, " +
			"descriptions and guests. It cannot change anything.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{CalendarReadonly, CalendarEvents, CalendarFull},
	},
	{
		Scope: CalendarListManage,
		Title: "Manage your list of calendars",
		Explanation: "See, add and remove the calendars you are subscribed to. It cannot read " +
			"or change events.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{CalendarFull},
	},
	{
		Scope: CalendarReadonly,
		Title: "Read your calendars",
		Explanation: "See every calendar you can access: the list of calendars, their events " +
			"and when you are free or busy. It cannot change anything.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{CalendarFull},
	},
	{
		Scope: CalendarEvents,
		Title: "Create and change calendar events",
		Explanation: "Read, create, change and delete events on all your calendars, and " +
			"invite guests. It cannot share or delete calendars.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{CalendarFull},
	},
	{
		Scope: CalendarFull,
		Title: "Full Google Calendar access",
		Explanation: "Everything in Google Calendar: events, the calendars themselves, their " +
			"sharing settings, and deleting whole calendars.",
		Sensitivity: Sensitive,
	},
}
