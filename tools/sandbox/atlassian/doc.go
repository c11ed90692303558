// Package atlassian is an in-process emulation of Atlassian's OAuth 2.0 (3LO) endpoints and
// of the Jira Cloud platform REST API v3, for tests and for `scopegate demo`.
//
// A [Server] serves, at its own root, what Atlassian serves on two hosts: the authorization
// page with one checkbox per requested scope and the token endpoint (auth.atlassian.com),
// and the accessible-resources list and the Jira operations under /ex/jira/{cloudId}/
// (api.atlassian.com). Responses and error bodies follow the shapes Atlassian documents and
// returns. What each Jira operation accepts is read from facts.json, a copy of the project's
// testdata/provider-facts/jira.json embedded in the package: an operation takes its classic
// scope, or every scope of its granular set together. The sandbox never consults scopegate's
// own tool requirements, so a wrong requirement shows up as a failing call.
//
// Simplifications, each a known difference from Atlassian:
//   - The consent page lets the user untick scopes (Atlassian's is all or nothing), so that
//     partial grants can be tested, and grants every site of the account (Atlassian asks
//     for one site per consent).
//   - Access tokens are opaque strings, not JWTs; there is no revocation endpoint, as at
//     Atlassian, whose users remove an app's access in their account settings.
//   - JQL is a subset: the fields, operators and functions a model commonly writes.
//   - Jira permissions are per project and fixed by the seed.
//
// The sandbox is not a security boundary and holds everything in memory. It never stands in
// for Atlassian outside tests and the demo.
package atlassian
