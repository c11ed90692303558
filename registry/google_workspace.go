package registry

// googleWorkspaceScopes are the Calendar, Drive and Sheets scopes.
var googleWorkspaceScopes = concat(calendarScopes, driveScopes, sheetsScopes)
