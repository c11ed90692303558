package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scopegate/scopegate/cmd/scopegate/internal/testenv"
)

// TestConsentOutcomesInBrowser walks a full grant, a partial grant and a
// denial in headless Chromium, checking each page and then what scopegate
// holds for the user, as scopegate_status reports it.
func TestConsentOutcomesInBrowser(t *testing.T) {
	browser := testenv.Browser(t)
	demo := startDemo(t, "http")
	call, _ := sdkCaller(t, demo.MCPURL)
	ctx, cancel := context.WithTimeout(browser, 2*time.Minute)
	defer cancel()

	status := func(t *testing.T) (granted, declined []string) {
		t.Helper()
		s, text, isErr := call(t, "scopegate_status", map[string]any{})
		var out struct {
			Connections []struct {
				Connection string   `json:"connection"`
				Granted    []string `json:"granted_scopes"`
				Declined   []string `json:"declined_scopes"`
			} `json:"connections"`
		}
		if err := json.Unmarshal(s, &out); err != nil || isErr {
			t.Fatalf("scopegate_status = %s", text)
		}
		for _, c := range out.Connections {
			if c.Connection == "google" {
				return c.Granted, c.Declined
			}
		}
		t.Fatalf("no google connection in %s", s)
		return nil, nil
	}
	// walk opens the link, continues to the provider, unticks the given
	// scopes, presses the button and returns the final page's id and text.
	walk := func(t *testing.T, link string, untick []string, button string) (string, string) {
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("continue")),
			chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)),
		}
		for _, s := range untick {
			steps = append(steps, chromedp.Click(chromedp.CSS(`input[value="`+s+`"]`)))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS(`button[value="`+button+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`main`)))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("walking the pages: %v", err)
		}
		id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").id`))
		if err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		return id, text
	}
	link := func(t *testing.T, tool string, args map[string]any) string {
		t.Helper()
		s, text, isErr := call(t, tool, args)
		var ar authResult
		if json.Unmarshal(s, &ar) != nil || isErr || ar.AuthorizationURL == "" {
			t.Fatalf("%s = %s, want an authorization link", tool, text)
		}
		return ar.AuthorizationURL
	}

	t.Run("full grant", func(t *testing.T) {
		id, text := walk(t, link(t, "gmail_search_messages", map[string]any{"query": "in:inbox"}), nil, "approve")
		if id != "connected" || !strings.Contains(text, "Read Gmail") {
			t.Fatalf("page %q:\n%s", id, text)
		}
		granted, _ := status(t)
		if !slices.Contains(granted, scopeReadonly) {
			t.Errorf("granted = %v, want gmail.readonly", granted)
		}
	})
	t.Run("partial grant", func(t *testing.T) {
		id, text := walk(t, link(t, "gmail_send_email", map[string]any{"to": []string{"a@example.com"},
			"subject": "s", "body": "b"}), []string{scopeSend}, "approve")
		if id != "partial" || !strings.Contains(text, "gmail_send_email") || !strings.Contains(text, "Send email") {
			t.Fatalf("page %q should name what was not granted and the tool left unavailable:\n%s", id, text)
		}
		granted, declined := status(t)
		if slices.Contains(granted, scopeSend) || !slices.Contains(declined, scopeSend) || !slices.Contains(granted, scopeReadonly) {
			t.Errorf("granted = %v, declined = %v; want send declined and read kept", granted, declined)
		}
	})
	t.Run("denial", func(t *testing.T) {
		const calendarList = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
		id, text := walk(t, link(t, "calendar_list_calendars", map[string]any{}), nil, "deny")
		if id != "denied" || !strings.Contains(text, "calendar_list_calendars") {
			t.Fatalf("page %q:\n%s", id, text)
		}
		granted, declined := status(t)
		if slices.Contains(granted, calendarList) || !slices.Contains(declined, calendarList) || !slices.Contains(granted, scopeReadonly) {
			t.Errorf("granted = %v, declined = %v; want the calendar scope declined and earlier grants kept", granted, declined)
		}
	})
}
