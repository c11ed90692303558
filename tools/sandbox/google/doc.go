// Package google is an in-process emulation of Google's OAuth 2.0 endpoints and of the
// Gmail REST API, for tests and for `scopegate demo`.
//
// A [Server] serves, at its own root, the authorization page with one checkbox per
// requested scope, the token, revocation and userinfo endpoints, and the Gmail operations
// under /gmail/v1/users/{userId}/. Responses and error bodies follow the shapes Google
// documents and returns. What each operation accepts is read from facts.json, a file derived
// from Google's API Discovery documents and embedded in the package; the sandbox never
// consults scopegate's own tool requirements, so a wrong requirement shows up as a failing
// call instead of being mirrored.
//
// The sandbox is not a security boundary and holds everything in memory: one signed-in
// account, the registered clients, their grants, tokens and one mailbox seeded with a few
// messages. It never stands in for Google outside tests and the demo.
package google
