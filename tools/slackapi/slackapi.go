// Package slackapi calls Slack's Web API for scopegate's Slack tools and turns Slack's
// answers into results the model can act on. It knows Slack's wire format (methods under
// /api/, the ok and error envelope, cursors, rate limits and upload URLs), not any one tool.
package slackapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
)

// Origin is Slack's real origin; methods live at Origin + "/api/" + method.
const Origin = "https://slack.com"

const (
	// maxBody bounds how much of an answer is read.
	maxBody = 8 << 20
	// maxPages bounds how many pages List fetches for one call.
	maxPages = 10
)

// MethodURL returns the URL of a Web API method, at the sandbox when the call says so.
func MethodURL(call *registry.Call, method string) string {
	return call.URL(Origin, "/api/"+method)
}

// Metadata is an answer's response_metadata: the cursor of the next page (empty on the
// last), and any warnings or messages Slack adds.
type Metadata struct {
	NextCursor string   `json:"next_cursor"`
	Warnings   []string `json:"warnings,omitempty"`
	Messages   []string `json:"messages,omitempty"`
}

// Hints add a tool's own advice to Slack error codes, such as which tool to call first. A
// hint is appended to the explanation of its code.
type Hints map[string]string

// Client calls Slack for one tool call. Its errors are what the gate expects: a
// *registry.ScopeError when Slack says a scope the tool relies on is missing, a
// *registry.ToolError for every other refusal, and transport errors as they are.
type Client struct {
	call  *registry.Call
	req   registry.Requirement
	hints Hints
}

// New returns a Client for a tool whose requirement is req. Slack names the scope it
// wanted; when that scope is none of req's, the stored grant was not wrong (the call reached
// a kind of conversation the tool does not ask permission for), so the refusal becomes a
// ToolError instead of a ScopeError. hints may be nil.
func New(call *registry.Call, req registry.Requirement, hints Hints) *Client {
	return &Client{call: call, req: req, hints: hints}
}

// Post calls method with a form body and decodes a successful answer into out, which may
// be nil.
func (c *Client) Post(ctx context.Context, method string, args url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, MethodURL(c.call, method),
		strings.NewReader(args.Encode()))
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, method, out)
}

// PostJSON calls a method that reads JSON bodies (Slack's json_input_supported) with body
// encoded as JSON, and decodes a successful answer into out, which may be nil.
func (c *Client) PostJSON(ctx context.Context, method string, body, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encoding request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, MethodURL(c.call, method),
		bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	return c.do(req, method, out)
}

func (c *Client) do(req *http.Request, method string, out any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := c.call.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading slack's answer: %w", err)
	}
	return Explain(Decode(method, resp.StatusCode, resp.Header, data, out), c.req, c.hints)
}

// List gathers up to max items of a cursor-paged method: the array under field ("channels",
// "members", "messages") of each page, following response_metadata.next_cursor from cursor
// until max items are in hand or the last page is read. Slack may return fewer items than
// asked even before the end, so pages are fetched until one of those holds, at most ten. The
// returned cursor continues where the items end; it is empty after the last page.
func List[T any](ctx context.Context, c *Client, method, field string, args url.Values,
	cursor string, max int) ([]T, string, error) {
	var items []T
	for range maxPages {
		page := url.Values{}
		for k, v := range args {
			page[k] = v
		}
		page.Set("limit", strconv.Itoa(max-len(items)))
		if cursor != "" {
			page.Set("cursor", cursor)
		}
		var raw map[string]json.RawMessage
		if err := c.Post(ctx, method, page, &raw); err != nil {
			return nil, "", err
		}
		var got []T
		var md Metadata
		if err := unmarshalField(raw, field, &got); err != nil {
			return nil, "", unreadable(method, err)
		}
		if err := unmarshalField(raw, "response_metadata", &md); err != nil {
			return nil, "", unreadable(method, err)
		}
		items, cursor = append(items, got...), md.NextCursor
		if cursor == "" || len(items) >= max {
			break
		}
	}
	return items, cursor, nil
}

// unmarshalField decodes raw[field] into v; a missing field leaves v as it is.
func unmarshalField(raw map[string]json.RawMessage, field string, v any) error {
	data, ok := raw[field]
	if !ok || string(data) == "null" {
		return nil
	}
	return json.Unmarshal(data, v)
}

// Upload sends a file's bytes to an upload URL that files.getUploadURLExternal handed out.
// The URL must be on Slack (files.slack.com over HTTPS) or on the API's own host (the
// sandbox); scopegate sends nothing anywhere else.
func (c *Client) Upload(ctx context.Context, uploadURL string, content []byte) error {
	u, err := url.Parse(uploadURL)
	api, _ := url.Parse(MethodURL(c.call, ""))
	onSlack := err == nil && u.Scheme == "https" && strings.HasSuffix(u.Hostname(), ".slack.com")
	if err != nil || (!onSlack && (u.Host != api.Host || u.Scheme != api.Scheme)) {
		return &registry.ToolError{Message: "Slack handed out an upload address outside Slack, " +
			"so scopegate did not send the file. Nothing was uploaded."}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uploadURL,
		bytes.NewReader(content))
	if err != nil {
		return fmt.Errorf("building upload: %w", err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.call.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return &registry.ToolError{Status: resp.StatusCode, Message: fmt.Sprintf(
			"Slack's upload host answered %s, so the file was not uploaded. Call the tool again "+
				"to start over.", resp.Status)}
	}
	return nil
}
