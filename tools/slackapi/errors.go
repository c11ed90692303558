package slackapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
)

// Error is Slack's refusal of one Web API call: {"ok": false, "error": ...} with HTTP 200,
// or an HTTP error status such as 429.
type Error struct {
	Method string
	// Status is the HTTP status; Slack refuses most calls with 200.
	Status int
	// Code is Slack's error code; "ratelimited" for HTTP 429 and "http_<status>" for other
	// statuses without a Slack body.
	Code string
	// Needed and Provided are missing_scope's scopes: which would do, and which the token
	// holds.
	Needed, Provided registry.ScopeSet
	// RetryAfter is the Retry-After header of a rate-limited answer.
	RetryAfter string
	// Details are response_metadata.messages, Slack's notes on invalid arguments.
	Details []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("slack %s: %s", e.Method, e.Code)
}

// envelope is what every Web API answer shares.
type envelope struct {
	OK               bool     `json:"ok"`
	Error            string   `json:"error"`
	Needed           string   `json:"needed"`
	Provided         string   `json:"provided"`
	ResponseMetadata Metadata `json:"response_metadata"`
}

// Decode reads a Web API answer to method. A successful one is decoded into out (which may
// be nil) and Decode returns nil; a refusal comes back as *Error. A body scopegate cannot
// read is a *registry.ToolError.
func Decode(method string, status int, header http.Header, body []byte, out any) error {
	var env envelope
	jsonErr := json.Unmarshal(body, &env)
	switch {
	case status == http.StatusTooManyRequests:
		return &Error{Method: method, Status: status, Code: "ratelimited",
			RetryAfter: header.Get("Retry-After")}
	case status != http.StatusOK && (jsonErr != nil || env.Error == ""):
		return &Error{Method: method, Status: status, Code: fmt.Sprintf("http_%d", status)}
	case jsonErr != nil:
		return unreadable(method, jsonErr)
	case !env.OK:
		return &Error{Method: method, Status: status, Code: cmp.Or(env.Error, "unknown_error"),
			Needed:   registry.Slack.ParseGrant(env.Needed),
			Provided: registry.Slack.ParseGrant(env.Provided),
			Details:  env.ResponseMetadata.Messages}
	}
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return unreadable(method, err)
	}
	return nil
}

func unreadable(method string, err error) error {
	return &registry.ToolError{Message: fmt.Sprintf("Slack answered %s with a body scopegate "+
		"could not read (%v); nothing else is known about the outcome.", method, err)}
}

// Explain turns an *Error into what the gate expects and leaves other errors alone:
//
//   - missing_scope naming a scope of req, or none: a *registry.ScopeError, so the gate asks
//     for the scope and corrects the stored grant;
//   - missing_scope naming only scopes outside req: a *registry.ToolError, because the grant
//     the tool relies on is fine and the call reached something the tool does not cover;
//   - a code saying the token no longer works (revokedCodes): a *registry.RevokedError, so the
//     gate marks the account as needing re-authorization and offers a new link;
//   - every other code: a *registry.ToolError saying what happened and what to do, with the
//     tool's hint for the code, if any.
func Explain(err error, req registry.Requirement, hints Hints) error {
	var se *Error
	if !errors.As(err, &se) {
		return err
	}
	if se.Code == "missing_scope" {
		detail := fmt.Sprintf("slack %s: missing_scope, needed %q, provided %q",
			se.Method, se.Needed.String(), se.Provided.String())
		if len(se.Needed) == 0 || len(se.Needed.Minus(req.Scopes())) < len(se.Needed) {
			return &registry.ScopeError{Missing: se.Needed, Detail: detail}
		}
		return &registry.ToolError{Status: se.Status, Message: withHint(fmt.Sprintf(
			"Slack refused %s: it needs %s for this conversation, a permission this tool does "+
				"not ask for, because the tool works with other kinds of conversations.",
			se.Method, joinOr(se.Needed)), hints["missing_scope"])}
	}
	if revokedCodes[se.Code] {
		return &registry.RevokedError{Detail: fmt.Sprintf("slack %s: %s", se.Method, se.Code)}
	}
	return &registry.ToolError{Status: se.Status, Message: withHint(describe(se), hints[se.Code])}
}

// revokedCodes are Slack's answers for a token that no longer works at all:
// Slack says so with HTTP 200, where other providers answer 401 and then
// refuse the refresh. invalid_auth is also Slack's answer for a token it
// never issued, which for a stored token means the same. token_expired is
// not among them: with token rotation a refresh may still work.
var revokedCodes = map[string]bool{
	"invalid_auth":     true,
	"token_revoked":    true,
	"account_inactive": true,
}

// describe writes the explanation of a refusal for the model and the person.
func describe(e *Error) string {
	lead := fmt.Sprintf("Slack refused %s (%s).", e.Method, e.Code)
	switch {
	case e.Code == "ratelimited":
		return fmt.Sprintf("Slack's rate limit for %s was reached. %s", e.Method,
			RetryHint(e.RetryAfter))
	case strings.HasPrefix(e.Code, "http_") && e.Status >= 500:
		return fmt.Sprintf("Slack had a temporary problem with %s (HTTP %d). Try again shortly; "+
			"if the call writes, check first whether it took effect.", e.Method, e.Status)
	case strings.HasPrefix(e.Code, "http_"):
		return fmt.Sprintf("Slack answered %s with HTTP %d.", e.Method, e.Status)
	}
	if text, ok := explanations[e.Code]; ok {
		return lead + " " + text
	}
	if len(e.Details) > 0 {
		return lead + " Slack says: " + strings.Join(e.Details, "; ")
	}
	return lead
}

func withHint(text, hint string) string {
	if hint == "" {
		return text
	}
	return text + " " + hint
}

// joinOr lists scopes as alternatives: "a", "a or b".
func joinOr(set registry.ScopeSet) string {
	return strings.Join(set.Strings(), " or ")
}

// RetryHint tells the model when to call again, from a Retry-After header in seconds or as
// an HTTP date; without one, it suggests a minute.
func RetryHint(retryAfter string) string {
	if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && secs >= 0 {
		return fmt.Sprintf("Wait %d seconds before calling again.", secs)
	}
	if at, err := http.ParseTime(retryAfter); err == nil {
		return fmt.Sprintf("Wait until %s before calling again.", at.UTC().Format("15:04:05 UTC"))
	}
	return "Wait a minute before calling again."
}

const tryAgain = "Try again shortly; if the call writes, check first whether it took effect."

const reconnect = "Reconnect Slack in scopegate (call the tool again for a link, or ask the " +
	"administrator), then try again."

// explanations say what Slack's error codes mean for the person and what to do next.
var explanations = map[string]string{
	"not_authed":             "Slack received no credentials with the call. " + reconnect,
	"token_expired":          "The stored Slack token expired. " + reconnect,
	"not_allowed_token_type": "This Slack method does not accept this kind of token.",
	"channel_not_found": "Slack found no conversation with that id that this token can " +
		"see. Check the id; private channels are visible only to their members.",
	"not_in_channel": "The token's owner is not a member of that conversation, and Slack " +
		"requires membership for this.",
	"is_archived": "The channel is archived; nobody can post to or join it until someone " +
		"unarchives it.",
	"method_not_supported_for_channel_type": "This does not work with that kind of " +
		"conversation.",
	"name_taken": "A channel with that name already exists (archived ones keep their " +
		"names). Pick another name.",
	"invalid_name_specials": "Channel names may use only lowercase letters, digits, hyphens " +
		"and underscores.",
	"invalid_name_maxlength": "Channel names are at most 80 characters.",
	"invalid_name_required":  "The channel name is empty.",
	"invalid_name_punctuation": "A channel name needs at least one letter or digit, not only " +
		"punctuation.",
	"invalid_name":     "Slack does not accept that channel name.",
	"user_not_found":   "Slack found no user with that id.",
	"user_not_visible": "That user is not visible to this token.",
	"users_not_found":  "No one in the workspace has that email address, or Slack hides it.",
	"thread_not_found": "Slack found no message with that ts in this conversation to thread on.",
	"no_text":          "The message is empty.",
	"msg_too_long":     "The message is too long for Slack; shorten it or send it as a file.",
	"invalid_cursor":   "The cursor is not valid or has expired; start again without one.",
	"invalid_limit":    "Slack did not accept the page size.",
	"restricted_action": "A workspace setting does not allow this. A Slack administrator " +
		"can change it.",
	"file_not_found": "Slack found no uploaded file for that upload; start the upload again.",
	"file_uploads_disabled": "The workspace does not allow file uploads. A Slack administrator " +
		"can change it.",
	"file_upload_size_restricted": "The workspace does not allow files that large.",
	"storage_limit_reached":       "The workspace's file storage is full.",
	"posting_to_channel_denied":   "The token's owner may not post in that channel.",
	"access_denied":               "Slack refused access to that file.",
	"fatal_error":                 "Slack had an internal error. " + tryAgain,
	"internal_error":              "Slack had an internal error. " + tryAgain,
	"service_unavailable":         "Slack is temporarily unavailable. Try again shortly.",
	"request_timeout":             "Slack timed out. " + tryAgain,
}
