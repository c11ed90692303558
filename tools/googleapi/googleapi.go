// Package googleapi sends requests to Google's REST APIs and turns Google's
// error bodies into results an agent can act on. It knows Google's wire
// format, not any one API.
package googleapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
)

// maxBody bounds how much of a response is read.
const maxBody = 16 << 20

// ErrorBody is Google's JSON error envelope, as described in Google's API
// design guide ("Errors"): a code, a message, a status and optional
// legacy errors and typed details.
type ErrorBody struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Errors  []struct {
			Message string `json:"message"`
			Domain  string `json:"domain"`
			Reason  string `json:"reason"`
		} `json:"errors"`
		Details []struct {
			Type   string `json:"@type"`
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

// Do sends one request to Google and decodes a JSON answer into out, which
// may be nil. body, when not nil, is sent as JSON. Errors Google reports
// come back as *registry.ScopeError for missing scopes and as
// *registry.ToolError otherwise, with Google's message and what to do.
func Do(ctx context.Context, call *registry.Call, method, url string, body, out any) error {
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, reader)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := call.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading google's answer: %w", err)
	}

	if resp.StatusCode >= 300 {
		return Classify(resp.StatusCode, resp.Header, data)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &registry.ToolError{
			Status:  resp.StatusCode,
			Message: fmt.Sprintf("Google answered with a body scopegate could not read (%v); nothing else is known about the outcome.", err),
		}
	}
	return nil
}

// Classify turns a Google error answer into an error for the gate: a
// *registry.ScopeError when Google says the token lacks a scope, and a
// *registry.ToolError otherwise. A body that is not Google's JSON envelope
// still yields a readable message.
func Classify(status int, header http.Header, data []byte) error {
	var eb ErrorBody
	_ = json.Unmarshal(data, &eb)
	msg := strings.TrimSpace(eb.Error.Message)
	if msg == "" {
		msg = http.StatusText(status)
	}

	if status == http.StatusForbidden && insufficientScope(&eb, header) {
		return &registry.ScopeError{Detail: msg}
	}

	var hint string
	switch {
	case status == http.StatusUnauthorized:
		hint = "Google did not accept the stored credentials. Call the tool again; if it keeps failing, reconnect the account."
	case status == http.StatusNotFound:
		hint = "Check the id: it may be wrong, or the item was deleted."
	case status == http.StatusBadRequest:
		hint = "Fix the arguments and call again."
	case status == http.StatusTooManyRequests || hasReason(&eb, "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"):
		hint = "Google's rate limit was reached. " + RetryHint(header.Get("Retry-After"))
	case status >= 500:
		hint = "Google had a temporary problem. Try again shortly."
	case status == http.StatusForbidden:
		hint = "Google refused the request for this account."
	}
	text := fmt.Sprintf("Google answered %d: %s.", status, strings.TrimSuffix(msg, "."))
	if hint != "" {
		text += " " + hint
	}
	return &registry.ToolError{Status: status, Message: text}
}

// RetryHint tells the agent when to call again, from a Retry-After header
// in seconds or as an HTTP date; without one, it suggests a minute.
func RetryHint(retryAfter string) string {
	if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && secs >= 0 {
		return fmt.Sprintf("Wait %d seconds before calling again.", secs)
	}
	if at, err := http.ParseTime(retryAfter); err == nil {
		return fmt.Sprintf("Wait until %s before calling again.", at.UTC().Format("15:04:05 UTC"))
	}
	return "Wait a minute before calling again."
}

func insufficientScope(eb *ErrorBody, header http.Header) bool {
	if strings.Contains(header.Get("WWW-Authenticate"), "insufficient_scope") {
		return true
	}
	for _, d := range eb.Error.Details {
		if d.Reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" {
			return true
		}
	}
	return hasReason(eb, "insufficientPermissions")
}

func hasReason(eb *ErrorBody, reasons ...string) bool {
	for _, e := range eb.Error.Errors {
		for _, r := range reasons {
			if e.Reason == r {
				return true
			}
		}
	}
	return false
}

// IsToolError reports whether err is a ToolError with the given status.
func IsToolError(err error, status int) bool {
	var te *registry.ToolError
	return errors.As(err, &te) && te.Status == status
}
