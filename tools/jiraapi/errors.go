package jiraapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// ErrorCollection is Jira's error body (the OpenAPI schema ErrorCollection): messages about
// the request as a whole, and messages about single fields keyed by the field's id.
type ErrorCollection struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

// GatewayError is the body Atlassian's API gateway answers a refused token with, such as
// {"code":401,"message":"Unauthorized; scope does not match"}.
type GatewayError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// scopeMismatch is the gateway's message when the token lacks the operation's scopes.
const scopeMismatch = "scope does not match"

// Classify turns one of Jira's error answers into an error for the gate:
//
//   - 401 whose message says the scope does not match: a *registry.ScopeError, so the gate
//     asks the user for the scope and corrects the stored grant;
//   - any other answer: a *registry.ToolError saying what Jira said and what to do. A 403
//     is a permission inside Jira (set by a Jira administrator), not an OAuth scope; a 404
//     names subject; a 400 lists the field messages; a 429 says when to try again.
//
// A body that is not one of Jira's JSON shapes still yields a readable message.
func Classify(status int, header http.Header, data []byte, subject string) error {
	var gw GatewayError
	_ = json.Unmarshal(data, &gw)
	var ec ErrorCollection
	_ = json.Unmarshal(data, &ec)
	said := ec.summary()
	if said == "" {
		said = strings.TrimSpace(gw.Message)
	}
	if said == "" {
		said = http.StatusText(status)
	}

	if status == http.StatusUnauthorized && strings.Contains(strings.ToLower(gw.Message), scopeMismatch) {
		return &registry.ScopeError{Detail: gw.Message}
	}

	var text string
	switch {
	case status == http.StatusUnauthorized:
		text = fmt.Sprintf("Atlassian did not accept the stored authorization (%s). Call the tool "+
			"again; if it keeps failing, reconnect the Jira account.", said)
	case status == http.StatusForbidden:
		text = fmt.Sprintf("Jira refused: %s. This is a permission inside Jira, set by a Jira "+
			"administrator for the project, not an access scopegate can ask for; ask a Jira "+
			"administrator or use another project.", said)
	case status == http.StatusNotFound && subject != "":
		text = fmt.Sprintf("Jira found no %s: %s. Check the key (for example with "+
			"jira_search_issues); it may be wrong, or the user may not be allowed to see it.", subject, said)
	case status == http.StatusNotFound:
		text = fmt.Sprintf("Jira found nothing there: %s.", said)
	case status == http.StatusBadRequest:
		text = fmt.Sprintf("Jira refused the request: %s. Fix the arguments and call again.", said)
	case status == http.StatusGone:
		text = fmt.Sprintf("Jira no longer offers this operation: %s.", said)
	case status == http.StatusTooManyRequests:
		text = "Jira's rate limit was reached, so nothing was done. " +
			RetryHint(header.Get("Retry-After"), header.Get("X-RateLimit-Reset"))
	case status >= 500:
		text = fmt.Sprintf("Jira had a temporary problem (%d %s). Try again shortly.", status, said)
	default:
		text = fmt.Sprintf("Jira answered %d: %s.", status, said)
	}
	return &registry.ToolError{Status: status, Message: text}
}

// summary joins the collection's messages, the field messages as "field: message" in the
// order of the field ids, without a final period.
func (ec *ErrorCollection) summary() string {
	var parts []string
	for _, m := range ec.ErrorMessages {
		if m = strings.TrimSpace(m); m != "" {
			parts = append(parts, strings.TrimSuffix(m, "."))
		}
	}
	fields := make([]string, 0, len(ec.Errors))
	for f := range ec.Errors {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		parts = append(parts, f+": "+strings.TrimSuffix(strings.TrimSpace(ec.Errors[f]), "."))
	}
	return strings.Join(parts, "; ")
}

// RetryHint tells the model when to call again, from a Retry-After header in seconds or as
// an HTTP date, or else Jira's X-RateLimit-Reset ("2024-05-01T12:30Z"); without either, it
// suggests a minute.
func RetryHint(retryAfter, reset string) string {
	if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && secs >= 0 {
		return fmt.Sprintf("Wait %d seconds before calling again.", secs)
	}
	if at, err := http.ParseTime(retryAfter); err == nil {
		return fmt.Sprintf("Wait until %s before calling again.", at.UTC().Format("15:04:05 UTC"))
	}
	if at, err := time.Parse("2006-01-02T15:04Z", strings.TrimSpace(reset)); err == nil {
		return fmt.Sprintf("Wait until %s before calling again.", at.UTC().Format("15:04 UTC"))
	}
	return "Wait a minute before calling again."
}
