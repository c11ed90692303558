// Package jiraapi sends requests to the Jira Cloud platform REST API v3 for scopegate's Jira
// tools. It reaches Jira the way OAuth 2.0 (3LO) apps must, through Atlassian's gateway at
// https://api.atlassian.com/ex/jira/{cloudId}, chooses the cloud site from the ones the
// user's grant reaches, converts between plain text and the Atlassian Document Format, and
// turns Jira's answers into results a model can act on. It knows Jira's wire format, not
// any one tool.
package jiraapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
)

// Gateway is the origin of Atlassian's API gateway, where OAuth 2.0 (3LO) apps reach every
// site's REST API and the accessible-resources list.
const Gateway = "https://api.atlassian.com"

// maxBody bounds how much of a response is read.
const maxBody = 16 << 20

// Client sends requests to Jira's REST API v3 on one site, for the length of one tool
// call. Create it with Open.
type Client struct {
	call *registry.Call
	// Site is the site every request goes to.
	Site Site
}

// Request is one call to Jira's REST API v3.
type Request struct {
	Method string
	// Path is the operation's path below /rest/api/3, with its parameters already escaped,
	// such as "/issue/DEMO-1/comment".
	Path  string
	Query url.Values
	// Body, when not nil, is sent as JSON.
	Body any
	// Subject names what the request is about, such as "issue DEMO-1", for the message of
	// a 404.
	Subject string
}

// Do sends req and decodes a JSON answer into out, which may be nil. Errors Jira reports
// come back as *registry.ScopeError for missing scopes and as *registry.ToolError
// otherwise, with Jira's message and what to do (see Classify).
func (c *Client) Do(ctx context.Context, req Request, out any) error {
	u := c.call.URL(Gateway, "/ex/jira/"+url.PathEscape(c.Site.ID)+"/rest/api/3"+req.Path)
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	return send(ctx, c.call, u, req, out)
}

// BrowseURL returns the address of an issue in Jira's web interface.
func (c *Client) BrowseURL(key string) string {
	return strings.TrimRight(c.Site.URL, "/") + "/browse/" + url.PathEscape(key)
}

// send makes the request req to the absolute URL u and reads the answer; req's Path and
// Query are already part of u.
func send(ctx context.Context, call *registry.Call, u string, req Request, out any) error {
	var reader io.Reader
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
		reader = bytes.NewReader(b)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u, reader)
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	hr.Header.Set("Accept", "application/json")
	if req.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}

	resp, err := call.HTTP.Do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading jira's answer: %w", err)
	}

	if resp.StatusCode >= 300 {
		return Classify(resp.StatusCode, resp.Header, data, req.Subject)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &registry.ToolError{
			Status: resp.StatusCode,
			Message: fmt.Sprintf("Jira answered with a body scopegate could not read (%v); "+
				"nothing else is known about the outcome.", err),
		}
	}
	return nil
}
