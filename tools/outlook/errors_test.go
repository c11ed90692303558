package outlook_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/sandbox/microsoft"
)

func TestMailProviderErrors(t *testing.T) {
	h, srv := newHarness(t)
	h.Grant(t, registry.GraphMailRead, registry.GraphMailSend, registry.GraphMailReadWrite)
	unknown := "AAMkADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"outlook_get_message", map[string]any{"message_id": unknown}, `No Outlook message has id "` + unknown},
		{"outlook_get_message", map[string]any{"message_id": "nope"}, "Microsoft Graph answered 400 (ErrorInvalidIdMalformed)"},
		{"outlook_move_message", map[string]any{"message_id": unknown, "destination": "archive"}, "nothing was moved"},
		{"outlook_delete_message", map[string]any{"message_id": unknown}, "nothing was deleted"},
		{"outlook_send_mail", map[string]any{"reply_to_message_id": unknown, "body": "x"}, "nothing was sent"},
		{"outlook_search_messages", map[string]any{"folder": "nosuchfolder"}, "ErrorInvalidIdMalformed"},
	}
	for _, tt := range tests {
		r := h.Call(t, tt.tool, tt.args)
		if !r.IsError || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s(%v) = %q (isError %v), want %q", tt.tool, tt.args, r.Text, r.IsError, tt.want)
		}
	}

	// A short Retry-After on a read is waited out by the gate; a long one reaches the
	// agent with the time to wait.
	srv.Throttle(microsoft.Throttling{Calls: 1, RetryAfter: time.Second})
	h.MustSucceed(t, "outlook_search_messages", map[string]any{"query": "budget"})
	srv.Throttle(microsoft.Throttling{Calls: 3, RetryAfter: 45 * time.Second})
	r := h.Call(t, "outlook_search_messages", map[string]any{"query": "budget"})
	if !r.IsError || !strings.Contains(r.Text, "throttling") || !strings.Contains(r.Text, "Wait 45 seconds") {
		t.Errorf("search under 429 = %q (isError %v)", r.Text, r.IsError)
	}
	srv.Throttle(microsoft.Throttling{})
	r = h.Call(t, "outlook_send_mail", map[string]any{"to": []string{"x@example.com"}, "body": "x"})
	if r.IsError {
		t.Errorf("send after throttling ended = %q", r.Text)
	}
}

var (
	continueRE = regexp.MustCompile(`<a id="continue"[^>]*href="([^"]+)"`)
	hiddenRE   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	checkboxRE = regexp.MustCompile(`<input type="checkbox" name="scope" value="([^"]+)"`)
)

// TestGraphSpellingsOfGrantedScopes runs the consent flow with the scope parameter
// rewritten the way other Microsoft clients write it (resource prefix, lower case): the
// sandbox reports the grant in that spelling, and the tools still accept it.
func TestGraphSpellingsOfGrantedScopes(t *testing.T) {
	h, _ := newHarness(t)
	link, err := h.Gate.IssueLink(context.Background(), scopechecktest.Identifier,
		scopechecktest.MicrosoftConnection, "", registry.NewScopeSet(registry.GraphMailRead, registry.GraphCalendarsRead))
	if err != nil {
		t.Fatal(err)
	}
	m := continueRE.FindStringSubmatch(get(t, link))
	if m == nil {
		t.Fatal("no continue link on the connect page")
	}
	consentURL, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	q := consentURL.Query()
	respelled := strings.NewReplacer("Mail.Read", "https://graph.microsoft.com/mail.read",
		"Calendars.Read", "HTTPS://GRAPH.MICROSOFT.COM/CALENDARS.READ").Replace(q.Get("scope"))
	q.Set("scope", respelled)
	consentURL.RawQuery = q.Encode()

	consent := get(t, consentURL.String())
	form := url.Values{"decision": {"approve"}}
	for _, f := range hiddenRE.FindAllStringSubmatch(consent, -1) {
		form.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	for _, c := range checkboxRE.FindAllStringSubmatch(consent, -1) {
		form.Add("scope", html.UnescapeString(c[1]))
	}
	resp, err := http.PostForm(consentURL.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `<main id="connected"`) {
		t.Fatalf("the respelled grant did not connect:\n%s", page)
	}

	acct, err := h.Store.Account(context.Background(), scopechecktest.Identifier, scopechecktest.MicrosoftConnection)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []registry.Scope{registry.GraphMailRead, registry.GraphCalendarsRead, registry.GraphOfflineAccess} {
		if !acct.Granted.Has(s) {
			t.Errorf("stored grant %v lacks %s", acct.Granted, s)
		}
	}
	h.MustSucceed(t, "outlook_search_messages", map[string]any{"query": "budget"})
	h.MustSucceed(t, "outlook_list_events", map[string]any{})
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProviderRefusalCorrectsTheGrant stores a grant that claims Mail.ReadWrite while the
// token lacks it: Outlook's ErrorAccessDenied becomes an authorization request and the
// claim is dropped.
func TestProviderRefusalCorrectsTheGrant(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphMailRead)
	ctx := context.Background()
	acct, err := h.Store.Account(ctx, scopechecktest.Identifier, scopechecktest.MicrosoftConnection)
	if err != nil {
		t.Fatal(err)
	}
	acct.Granted = acct.Granted.Union(registry.ScopeSet{registry.GraphMailReadWrite})
	if err := h.Store.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	ar := h.Call(t, "outlook_delete_message", map[string]any{"message_id": "AAMkADx0000000000000000000="}).
		AuthorizationRequired(t)
	if ar.Reason != scopecheck.ReasonProviderRefused || ar.MissingScopes[0].Scope != string(registry.GraphMailReadWrite) {
		t.Errorf("refusal = %s asking %+v", ar.Reason, ar.MissingScopes)
	}
	acct, _ = h.Store.Account(ctx, scopechecktest.Identifier, scopechecktest.MicrosoftConnection)
	if acct.Granted.Has(registry.GraphMailReadWrite) || !acct.Granted.Has(registry.GraphMailRead) {
		t.Errorf("stored grant after the refusal = %v", acct.Granted)
	}
}
