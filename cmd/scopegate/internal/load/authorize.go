package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// The parts of scopegate's connect page and the sandbox's consent form that
// a person acts on.
var (
	continueLink  = regexp.MustCompile(`<a id="continue"[^>]*href="([^"]+)"`)
	hiddenInput   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	scopeCheckbox = regexp.MustCompile(`<input type="checkbox" name="scope" value="([^"]+)"`)
	pageID        = regexp.MustCompile(`<main id="([^"]+)"`)
)

// authorizeTool calls the tool once and, when it answers
// authorization_required, approves every scope the link asks for through
// the connect page and the sandbox's consent form, then checks that the
// call now goes through. It works against `scopegate demo` only: a real
// provider's consent page is not a form this program can fill in.
func authorizeTool(ctx context.Context, o options) error {
	s, err := connect(ctx, o)
	if err != nil {
		return err
	}
	defer s.close()

	res, err := s.call(ctx, o)
	if err != nil {
		return err
	}
	if classify(res, nil) != outcomeAuthRequired {
		fmt.Fprintf(os.Stderr, "load: %s needs no authorization\n", o.tool)
		return nil
	}
	link, _ := res.StructuredContent.(map[string]any)["authorization_url"].(string)
	if link == "" {
		return fmt.Errorf("the authorization_required result has no authorization_url")
	}
	if err := approve(s.http, link); err != nil {
		return err
	}

	res, err = s.call(ctx, o)
	if err != nil {
		return err
	}
	if k := classify(res, nil); k != outcomeOK {
		return fmt.Errorf("after approving, the call still answers %s: %s",
			outcomeNames[k], resultText(res))
	}
	fmt.Fprintf(os.Stderr, "load: approved the scopes %s needs\n", o.tool)
	return nil
}

// call makes one call with the run's arguments.
func (s *session) call(ctx context.Context, o options) (*mcp.CallToolResult, error) {
	ctx, cancel := context.WithTimeout(ctx, o.callTimeout)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = o.tool
	req.Params.Arguments = o.args
	return s.client.CallTool(ctx, req)
}

// approve follows an authorization link as a person would: the connect
// page, its continue link to the consent form, and the form posted back
// with every scope ticked.
func approve(hc *http.Client, link string) error {
	connect, connectURL, err := fetchPage(hc, http.MethodGet, link, nil)
	if err != nil {
		return err
	}
	m := continueLink.FindStringSubmatch(connect)
	if m == nil {
		return fmt.Errorf("the connect page at %s has no continue link", link)
	}
	next, err := connectURL.Parse(html.UnescapeString(m[1]))
	if err != nil {
		return fmt.Errorf("continue link: %w", err)
	}

	consent, consentURL, err := fetchPage(hc, http.MethodGet, next.String(), nil)
	if err != nil {
		return err
	}
	form := url.Values{"decision": {"approve"}}
	for _, f := range hiddenInput.FindAllStringSubmatch(consent, -1) {
		form.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	for _, c := range scopeCheckbox.FindAllStringSubmatch(consent, -1) {
		form.Add("scope", html.UnescapeString(c[1]))
	}
	// The consent form posts to its own URL.
	final, _, err := fetchPage(hc, http.MethodPost, consentURL.String(), form)
	if err != nil {
		return err
	}
	if id := pageID.FindStringSubmatch(final); id == nil || id[1] != "connected" {
		return fmt.Errorf("approving did not connect the account; the final page is %q", pageIDOf(final))
	}
	return nil
}

// fetchPage gets or posts to a loopback URL and returns the page and the
// URL it came from after redirects.
func fetchPage(hc *http.Client, method, rawURL string, form url.Values) (string, *url.URL, error) {
	if _, err := loopbackURL(rawURL); err != nil {
		return "", nil, err
	}
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = hc.PostForm(rawURL, form)
	} else {
		resp, err = hc.Get(rawURL)
	}
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", nil, fmt.Errorf("reading %s: %w", rawURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("%s %s: %s", method, resp.Request.URL.Redacted(), resp.Status)
	}
	return string(body), resp.Request.URL, nil
}

func pageIDOf(page string) string {
	if m := pageID.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return "without an id"
}

// resultText returns a result's text content.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
