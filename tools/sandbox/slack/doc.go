// Package slack is an in-process emulation of Slack's OAuth v2 flow and of the Web API
// methods scopegate's Slack tools call, for tests and for `scopegate demo`.
//
// A [Server] serves, at its own root and under Slack's own paths, the install (consent) page
// at /oauth/v2/authorize with one checkbox per requested bot and user scope (named "scope",
// valued "bot:<scope>" or "user:<scope>", all ticked; Slack's real page has no checkboxes,
// the sandbox has them so partial grants can be tested), the oauth.v2.access and auth.revoke
// methods, the Web API methods under /api/METHOD, and the upload URLs of Slack's external
// file upload flow. Every answer has Slack's shape: HTTP 200
// with {"ok": false, "error": ...} for refusals, missing_scope with "needed" and "provided",
// HTTP 429 with Retry-After when rate limited, and cursor paging through
// response_metadata.next_cursor.
//
// What each method accepts is read from facts.json, derived from Slack's per-method
// reference and embedded in the package: a bot token (xoxb-) is checked against the bot
// column, a user token (xoxp-) against the user column. For conversations, the scope must
// also match the conversation's type (channels, groups, im or mpim), as Slack checks it. The
// sandbox never consults scopegate's tool requirements, so a wrong requirement shows up as a
// refused call.
//
// The sandbox holds everything in memory: one workspace seeded with people, public and
// private channels, direct messages, messages with threads and files; one signed-in person
// (the installer); one bot user shared by every registered app. It is not a security
// boundary and never stands in for Slack outside tests and the demo.
package slack
