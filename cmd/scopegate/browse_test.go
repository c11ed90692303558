package main

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// pageResult is a page scopegate or the sandbox showed.
type pageResult struct {
	Status int
	Body   string
	URL    string
}

// ID returns the id of the page's <main> element, which names the outcome.
func (p pageResult) ID() string {
	m := regexp.MustCompile(`<main id="([^"]+)"`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

func get(t *testing.T, rawURL string) pageResult {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	return readPage(t, resp)
}

func readPage(t *testing.T, resp *http.Response) pageResult {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return pageResult{Status: resp.StatusCode, Body: string(b), URL: resp.Request.URL.String()}
}

var (
	continueRE = regexp.MustCompile(`<a id="continue"[^>]*href="([^"]+)"`)
	hiddenRE   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	checkboxRE = regexp.MustCompile(`<input type="checkbox" name="scope" value="([^"]+)"`)
)

// authorize follows an authorization link the way a person would: the
// connect page, its continue link, the sandbox consent form, and the
// redirect to scopegate's callback. keep decides which ticked scopes stay
// ticked (nil keeps all); decision is "approve" or "deny". It returns the
// final page and the consent form's URL.
func authorize(t *testing.T, link string, keep func(scope string) bool, decision string) (final pageResult, consentURL string) {
	t.Helper()
	connect := get(t, link)
	if connect.Status != http.StatusOK || connect.ID() != "connect" {
		t.Fatalf("connect page: status %d, id %q:\n%s", connect.Status, connect.ID(), connect.Body)
	}
	m := continueRE.FindStringSubmatch(connect.Body)
	if m == nil {
		t.Fatalf("connect page has no <a id=\"continue\">:\n%s", connect.Body)
	}
	consentURL = html.UnescapeString(m[1])

	consent := get(t, consentURL)
	if consent.Status != http.StatusOK {
		t.Fatalf("consent page: status %d:\n%s", consent.Status, consent.Body)
	}
	form := url.Values{"decision": {decision}}
	for _, h := range hiddenRE.FindAllStringSubmatch(consent.Body, -1) {
		form.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	for _, c := range checkboxRE.FindAllStringSubmatch(consent.Body, -1) {
		scope := html.UnescapeString(c[1])
		if keep == nil || keep(scope) {
			form.Add("scope", scope)
		}
	}
	// The consent form posts to its own URL (action="").
	resp, err := http.Post(consentURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("posting consent: %v", err)
	}
	return readPage(t, resp), consentURL
}
