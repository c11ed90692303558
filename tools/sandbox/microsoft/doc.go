// Package microsoft is an in-process emulation of the Microsoft identity platform (v2.0
// endpoints) and of the Microsoft Graph v1.0 operations scopegate's Outlook, OneDrive and
// Teams tools call, for tests and for `scopegate demo`.
//
// A [Server] serves, at its own root, the authorization endpoint under
// /{tenant}/oauth2/v2.0/authorize with one checkbox per requested permission, the token
// endpoint under /{tenant}/oauth2/v2.0/token (authorization codes with PKCE, refresh
// tokens), and Graph under /v1.0/. Token responses, OAuth errors (AADSTS codes) and Graph
// error bodies follow the shapes Microsoft documents and returns. What each Graph
// operation accepts is read from facts.json, Microsoft's permissions data for delegated
// access, embedded in the package; the sandbox never consults scopegate's own tool
// requirements, so a wrong requirement shows up as a failing call.
//
// Two rules come from the permissions' own descriptions rather than from the per-operation
// data: a token that reaches mail only through Mail.ReadBasic gets messages without body,
// preview or attachments and may not search, and one that reaches events only through
// Calendars.ReadBasic gets events without body or preview.
//
// What is simplified: the consent page lets the user untick single permissions (Microsoft's
// own page is all or nothing) and is shown even when nothing new is asked; permissions
// that need an administrator are refused with Microsoft's "Need admin approval" page unless
// Options.AdminConsented lists them; tokens are JWT-shaped but unsigned and are looked up,
// not verified; only the OData query options the tools use are understood ($top, $skip,
// $select, $orderby on dates, a small $filter grammar and KQL subset for $search). There is
// no token revocation endpoint, as Microsoft has none; RevokeConsent plays the user
// removing the app's access.
//
// The sandbox is not a security boundary and holds everything in memory: one signed-in
// account with a mailbox, a calendar, a OneDrive and two teams. It never stands in for
// Microsoft outside tests and the demo.
package microsoft
