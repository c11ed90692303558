package registry

// calendarScopes are the Google Calendar scopes, narrowest first.
var calendarScopes = []ScopeInfo{}
