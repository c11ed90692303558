// Package graphapi sends requests to Microsoft Graph v1.0 and turns Graph's error bodies
// into results an agent can act on. It knows Graph's wire format (OData collections with
// @odata.nextLink, the {"error": {"code", "message", "innerError"}} envelope, Retry-After),
// not any one workload: the tools of Outlook, OneDrive and Teams build on it.
package graphapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
)

// Origin is Microsoft Graph's real origin; Version is the API version every path starts
// with.
const (
	Origin  = "https://graph.microsoft.com"
	Version = "/v1.0"
)

// maxBody bounds how much of a JSON answer is read.
const maxBody = 16 << 20

// URL returns the absolute URL of a Graph v1.0 path such as "/me/messages", with the
// query q (nil for none), on the call's API base.
func URL(call *registry.Call, path string, q url.Values) string {
	u := call.URL(Origin, Version+path)
	if len(q) > 0 {
		u += "?" + encodeQuery(q)
	}
	return u
}

// encodeQuery encodes q like url.Values.Encode but leaves the "$" of OData system query
// options readable ($top rather than %24top); Graph accepts both spellings.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "%24", "$")
}

// Request is one call to Graph. The zero value of every field but Method and URL means
// "none".
type Request struct {
	Method string
	URL    string
	// JSON, when not nil, is encoded as the request body.
	JSON any
	// Raw, when not nil, is sent as the body with ContentType.
	Raw         []byte
	ContentType string
	// Prefer lists Prefer header values, such as `outlook.body-content-type="text"`.
	Prefer []string
	// Status, when not nil, receives the HTTP status of a successful answer, for
	// operations whose status carries meaning (201 Created against 200 OK).
	Status *int
}

// Do sends one request to Graph and decodes a JSON answer into out, which may be nil.
// Errors Graph reports come back as *registry.ScopeError when a scope is missing and as
// *registry.ToolError otherwise, with Graph's message and what to do.
func Do(ctx context.Context, call *registry.Call, r Request, out any) error {
	req, err := newRequest(ctx, r)
	if err != nil {
		return err
	}
	resp, err := call.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading microsoft graph's answer: %w", err)
	}

	if resp.StatusCode >= 300 {
		logFailure(call, r, resp)
		return Classify(resp.StatusCode, resp.Header, data)
	}
	if r.Status != nil {
		*r.Status = resp.StatusCode
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &registry.ToolError{
			Status: resp.StatusCode,
			Message: fmt.Sprintf("Microsoft Graph answered with a body scopegate could not read "+
				"(%v); nothing else is known about the outcome.", err),
		}
	}
	return nil
}

func newRequest(ctx context.Context, r Request) (*http.Request, error) {
	var body []byte
	contentType := r.ContentType
	switch {
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
		body, contentType = b, "application/json"
	case r.Raw != nil:
		body = r.Raw
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, reader)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, p := range r.Prefer {
		req.Header.Add("Prefer", p)
	}
	return req, nil
}

// logFailure records Graph's request id, which Microsoft support asks for, without the
// URL's query (it may hold search terms).
func logFailure(call *registry.Call, r Request, resp *http.Response) {
	if call.Logger == nil {
		return
	}
	path := r.URL
	if u, err := url.Parse(r.URL); err == nil {
		path = u.Path
	}
	call.Logger.Info("microsoft graph refused a call", "method", r.Method, "path", path,
		"status", resp.StatusCode, "request_id", resp.Header.Get("request-id"))
}

// Collection is one page of an OData collection: the items and the link to the next page.
type Collection[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// IsStatus reports whether err is a ToolError with the given HTTP status.
func IsStatus(err error, status int) bool {
	var te *registry.ToolError
	return errors.As(err, &te) && te.Status == status
}
