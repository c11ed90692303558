package registry

// driveScopes are the Google Drive scopes, narrowest first.
var driveScopes = []ScopeInfo{}

// sheetsScopes are the Google Sheets scopes, narrowest first.
var sheetsScopes = []ScopeInfo{}
