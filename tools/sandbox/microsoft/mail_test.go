package microsoft

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// list decodes a Graph collection of messages or events.
func list(t *testing.T, e *env, path, token string) []map[string]any {
	t.Helper()
	status, _, body := e.graph(t, "GET", path, token, nil)
	var page struct{ Value []map[string]any }
	if err := json.Unmarshal([]byte(body), &page); status != 200 || err != nil {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return page.Value
}

func subjects(items []map[string]any) string {
	var out []string
	for _, m := range items {
		out = append(out, m["subject"].(string))
	}
	return strings.Join(out, "|")
}

func TestMessageQueries(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Mail.Read")
	q := func(k, v string) string { return "/me/messages?" + url.Values{k: {v}, "$top": {"50"}}.Encode() }
	tests := []struct {
		name, path, want string
	}{
		{"kql from and word", q("$search", `"from:ana budget"`), "Quarterly budget review"},
		{"kql unread", q("$search", `"isread:false from:ana@example.com"`), "Quarterly budget review|Design review follow-up"},
		{"kql phrase", q("$search", `"\"release notes\""`), "Release notes for 2.4"},
		{"filter from", "/me/mailFolders/inbox/messages?" + url.Values{
			"$filter":  {"receivedDateTime ge 2026-03-01T00:00:00Z and from/emailAddress/address eq 'bo.chen@example.com'"},
			"$orderby": {"receivedDateTime desc"}}.Encode(), "Release notes for 2.4|Invoice 4471"},
		{"filter subject", q("$filter", "startswith(subject,'Old')"), "Old project kickoff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := subjects(list(t, e, tt.path, tok)); got != tt.want {
				t.Errorf("GET %s = %s, want %s", tt.path, got, tt.want)
			}
		})
	}

	status, _, body := e.graph(t, "GET", "/me/messages?"+url.Values{"$filter": {"isRead eq false"},
		"$orderby": {"receivedDateTime desc"}}.Encode(), tok, nil)
	if status != 400 || graphErrorOf(t, body).Code != "InefficientFilter" {
		t.Errorf("sorting on a property the filter does not restrict first: %d %s", status, body)
	}
	status, _, body = e.graph(t, "GET", "/me/messages?"+url.Values{"$search": {`"x"`},
		"$filter": {"isRead eq false"}}.Encode(), tok, nil)
	if status != 400 {
		t.Errorf("$search with $filter: %d %s", status, body)
	}
}

func TestSendMoveDelete(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Mail.Send", "Mail.Read", "Mail.ReadWrite")
	send := `{"message":{"subject":"Hello me","body":{"contentType":"Text","content":"hi"},` +
		`"toRecipients":[{"emailAddress":{"address":"` + DefaultAccount + `"}}]}}`
	if status, _, body := e.graph(t, "POST", "/me/sendMail", tok, strings.NewReader(send)); status != 202 || body != "" {
		t.Fatalf("sendMail: %d %q", status, body)
	}
	inbox := list(t, e, "/me/mailFolders/Inbox/messages?$top=1", tok)
	if subjects(inbox) != "Hello me" || inbox[0]["isRead"] != false {
		t.Fatalf("newest inbox message = %v", inbox)
	}
	id := inbox[0]["id"].(string)

	status, _, body := e.graph(t, "POST", "/me/messages/"+id+"/move", tok, strings.NewReader(`{"destinationId":"archive"}`))
	var moved map[string]any
	_ = json.Unmarshal([]byte(body), &moved)
	if status != 201 || moved["id"] == id || moved["id"] == nil {
		t.Fatalf("move: %d %s", status, body)
	}
	if status, _, body := e.graph(t, "GET", "/me/messages/"+id, tok, nil); status != 404 ||
		graphErrorOf(t, body).Code != "ErrorItemNotFound" {
		t.Errorf("the old id after a move: %d %s", status, body)
	}
	newID := moved["id"].(string)
	if status, _, _ := e.graph(t, "DELETE", "/me/messages/"+newID, tok, nil); status != 204 {
		t.Errorf("delete: %d", status)
	}
	if status, _, body := e.graph(t, "GET", "/me/messages/bad-id", tok, nil); status != 400 ||
		graphErrorOf(t, body).Code != "ErrorInvalidIdMalformed" {
		t.Errorf("malformed id: %d %s", status, body)
	}
	bad := `{"message":{"subject":"x","toRecipients":[{"emailAddress":{"address":"not an address"}}]}}`
	if status, _, body := e.graph(t, "POST", "/me/sendMail", tok, strings.NewReader(bad)); status != 400 ||
		graphErrorOf(t, body).Code != "ErrorInvalidRecipients" {
		t.Errorf("bad recipient: %d %s", status, body)
	}
}

func TestEvents(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Calendars.ReadWrite", "Calendars.Read")
	create := `{"subject":"Dentist","start":{"dateTime":"2026-03-05T09:30:00","timeZone":"Europe/Berlin"},` +
		`"end":{"dateTime":"2026-03-05T10:00:00","timeZone":"Europe/Berlin"}}`
	status, _, body := e.graph(t, "POST", "/me/events", tok, strings.NewReader(create))
	if status != 201 || !strings.Contains(body, `"dateTime":"2026-03-05T08:30:00.0000000","timeZone":"UTC"`) {
		t.Fatalf("create: %d %s", status, body)
	}
	day := "/me/calendarView?startDateTime=2026-03-05T00:00:00Z&endDateTime=2026-03-06T00:00:00Z"
	if got := subjects(list(t, e, day, tok)); got != "Dentist|1:1 with Ana" {
		t.Errorf("calendarView of 5 March = %s", got)
	}
	if status, _, body := e.graph(t, "GET", "/me/calendarView", tok, nil); status != 400 ||
		graphErrorOf(t, body).Code != "ErrorInvalidParameter" {
		t.Errorf("calendarView without a window: %d %s", status, body)
	}
	badZone := strings.ReplaceAll(create, "Europe/Berlin", "Mars/Olympus")
	if status, _, body := e.graph(t, "POST", "/me/events", tok, strings.NewReader(badZone)); status != 400 ||
		graphErrorOf(t, body).Code != "TimeZoneNotSupportedException" {
		t.Errorf("unknown time zone: %d %s", status, body)
	}
}
