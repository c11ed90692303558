package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scopegate/scopegate/cmd/scopegate/internal/testenv"
)

// TestAuthorizationInBrowser walks the authorization pages in headless
// Chromium as a person would: the connect page, a click on Continue, the
// sandbox's consent form with one scope unticked, and the callback page.
// With SCOPEGATE_SCREENSHOTS=DIR it saves each page as a PNG there.
func TestAuthorizationInBrowser(t *testing.T) {
	browser := testenv.Browser(t)
	demo := startDemo(t, "http")
	call, _ := sdkCaller(t, demo.MCPURL)

	s, out, isErr := call(t, "gmail_search_messages", map[string]any{"query": "in:inbox"})
	ar := wantAuthRequired(t, s, out, isErr, "not_connected", scopeReadonly)

	ctx, cancel := context.WithTimeout(browser, time.Minute)
	defer cancel()
	shots := os.Getenv("SCOPEGATE_SCREENSHOTS")
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return s
	}
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}

	do("opening the link", chromedp.Navigate(ar.AuthorizationURL), chromedp.WaitVisible(chromedp.ID("continue")))
	connectText := text("main")
	shot("1-connect")
	do("continuing to the provider", chromedp.Click(chromedp.ID("continue")),
		chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)))
	consentText := text("body")
	// Keep reading Gmail, untick the email address.
	do("unticking a scope", chromedp.Click(chromedp.CSS(`input[value="https://www.googleapis.com/auth/userinfo.email"]`)))
	shot("2-consent")
	do("approving", chromedp.Click(chromedp.CSS(`button[value="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main#connected, main#partial`)))
	resultText := text("main")
	shot("3-result")

	if !strings.Contains(connectText, "Read Gmail") || !strings.Contains(connectText, "gmail_search_messages") {
		t.Errorf("connect page does not explain the request:\n%s", connectText)
	}
	if !strings.Contains(consentText, "gmail.readonly") && !strings.Contains(consentText, "View your email messages") {
		t.Errorf("consent page does not show the requested scope:\n%s", consentText)
	}
	if !strings.Contains(resultText, "Google is connected") || !strings.Contains(resultText, "return to your assistant") {
		t.Errorf("callback page:\n%s", resultText)
	}

	s, out, isErr = call(t, "gmail_search_messages", map[string]any{"query": "in:inbox"})
	wantSuccess(t, s, out, isErr)
}
