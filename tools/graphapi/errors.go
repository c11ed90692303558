package graphapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// ErrorBody is Graph's JSON error envelope ("Microsoft Graph error responses and resource
// types"): a code such as ErrorItemNotFound, a message, and an innerError carrying the
// request id and date. Nested innerError codes and details are left out.
type ErrorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			Code            string `json:"code"`
			Date            string `json:"date"`
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

// deniedCodes are the error codes Graph's workloads answer with, on 403, when the token
// lacks a permission: Outlook (ErrorAccessDenied), the directory
// (Authorization_RequestDenied) and OneDrive (accessDenied). Graph compares them without
// case here, as its workloads differ in casing.
var deniedCodes = []string{"ErrorAccessDenied", "Authorization_RequestDenied", "AccessDenied"}

// requiresOneOf finds the permissions Teams names in its 403 message: "Missing scope
// permissions on the request. API requires one of 'A, B'. Scopes on the request 'C'".
var requiresOneOf = regexp.MustCompile(`(?i)requires one of '([^']*)'`)

// Classify turns a Graph error answer into an error for the gate: a *registry.ScopeError
// when Graph says the token lacks a permission, and a *registry.ToolError otherwise. A
// body that is not Graph's envelope still yields a readable message.
//
// A 403 from Outlook or OneDrive with an access-denied code can also mean that the item
// belongs to someone who did not share it; Graph's answer does not tell the two apart, so
// both are read as a missing permission, and the gate asks the user again.
func Classify(status int, header http.Header, data []byte) error {
	var eb ErrorBody
	_ = json.Unmarshal(data, &eb)
	code := eb.Error.Code
	msg := strings.TrimSpace(eb.Error.Message)
	if msg == "" {
		msg = http.StatusText(status)
	}

	if status == http.StatusForbidden {
		if se := scopeError(code, msg); se != nil {
			return se
		}
	}

	var hint string
	switch {
	case status == http.StatusUnauthorized:
		hint = "Microsoft did not accept the stored sign-in. Call the tool again; if it keeps " +
			"failing, reconnect the account."
	case status == http.StatusNotFound:
		hint = "Check the id: it may be wrong, or the item was moved or deleted."
	case status == http.StatusBadRequest:
		hint = "Fix the arguments and call again."
	case status == http.StatusConflict:
		hint = "Change the arguments to avoid the conflict and call again."
	case status == http.StatusTooManyRequests:
		hint = "Microsoft Graph is throttling requests for this account. " +
			RetryHint(header.Get("Retry-After"))
	case status == http.StatusServiceUnavailable:
		hint = "Microsoft Graph is temporarily unavailable. " + RetryHint(header.Get("Retry-After"))
	case status >= 500:
		hint = "Microsoft Graph had a temporary problem. Try again shortly."
	case status == http.StatusForbidden:
		hint = "Microsoft refused the request for this account."
	}
	text := fmt.Sprintf("Microsoft Graph answered %d", status)
	if code != "" {
		text += " (" + code + ")"
	}
	text += ": " + strings.TrimSuffix(msg, ".") + "."
	if hint != "" {
		text += " " + hint
	}
	return &registry.ToolError{Status: status, Message: text}
}

// scopeError returns the ScopeError a 403 stands for, or nil when the refusal is about
// something else. When Teams names the permissions it requires, none of them is on the
// token, so they are reported as missing.
func scopeError(code, msg string) *registry.ScopeError {
	named := requiresOneOf.FindStringSubmatch(msg)
	denied := false
	for _, c := range deniedCodes {
		denied = denied || strings.EqualFold(code, c)
	}
	if !denied && named == nil {
		return nil
	}
	se := &registry.ScopeError{Detail: code + ": " + msg}
	if named != nil {
		var missing []registry.Scope
		for _, s := range strings.Split(named[1], ",") {
			if s = strings.TrimSpace(s); s != "" {
				missing = append(missing, registry.Microsoft.Normalize(registry.Scope(s)))
			}
		}
		se.Missing = registry.NewScopeSet(missing...)
	}
	return se
}

// RetryHint tells the agent when to call again, from a Retry-After header in seconds or
// as an HTTP date; without one, it suggests a minute.
func RetryHint(retryAfter string) string {
	v := strings.TrimSpace(retryAfter)
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return fmt.Sprintf("Wait %d seconds before calling again.", secs)
	}
	if at, err := http.ParseTime(v); err == nil {
		return fmt.Sprintf("Wait until %s before calling again.", at.UTC().Format(time.TimeOnly+" UTC"))
	}
	return "Wait a minute before calling again."
}
