package microsoft

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEveryOperationEnforcesTheFacts calls every operation of the facts with a token
// holding one permission at a time: Graph refuses it (403) exactly when the facts do not
// list that permission for a work account.
func TestEveryOperationEnforcesTheFacts(t *testing.T) {
	e := newEnv(t, Options{})
	var perms []string
	for name, sf := range e.srv.facts.ScopeDescriptions {
		if sf.Delegated != "" {
			perms = append(perms, name)
		}
	}
	slices.Sort(perms)
	fill := strings.NewReplacer("{id}", "AAMkADx0000000000000000000=", "{path}", "a.txt",
		"{parent-id}", "01PARENT", "{filename}", "b.txt")
	for id, op := range e.srv.facts.Operations {
		method, path, _ := strings.Cut(op.HTTP, " ")
		for _, p := range perms {
			status, _, body := e.graph(t, method, fill.Replace(path), e.tokenWith(p), nil)
			want := slices.Contains(op.AcceptedByScheme[schemeWork], p)
			if got := status != http.StatusForbidden; got != want {
				t.Errorf("%s with %s: status %d, accepted %v, want %v\n%s", id, p, status, got, want, body)
			}
		}
	}
}

func TestRefusalsInEachWorkloadsWords(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("User.Read", "openid")
	tests := []struct {
		path, code, message string
	}{
		{"/me/messages", "ErrorAccessDenied", "Access is denied. Check credentials and try again."},
		{"/me/drive/root/children", "accessDenied", "Access denied"},
		{"/me/joinedTeams", "Forbidden", "Missing scope permissions on the request. API requires one of " +
			"'AgentIdUser.ReadWrite.All, AgentIdUser.ReadWrite.IdentityParentedBy, Directory.Read.All, " +
			"Directory.ReadWrite.All, Team.ReadBasic.All, TeamSettings.Read.All, TeamSettings.ReadWrite.All, " +
			"User.Read.All, User.ReadWrite.All'. Scopes on the request 'User.Read, openid'"},
	}
	for _, tt := range tests {
		status, _, body := e.graph(t, "GET", tt.path, tok, nil)
		ge := graphErrorOf(t, body)
		if status != 403 || ge.Code != tt.code || ge.Message != tt.message {
			t.Errorf("GET %s = %d %s %q, want 403 %s %q", tt.path, status, ge.Code, ge.Message, tt.code, tt.message)
		}
	}
	if status, _, body := e.graph(t, "GET", "/me", e.tokenWith("Mail.Read"), nil); status != 403 ||
		graphErrorOf(t, body).Code != "Authorization_RequestDenied" {
		t.Errorf("GET /me without User.Read = %d %s", status, body)
	}
	if status, _, body := e.graph(t, "GET", "/ME/MESSAGES?$top=1", e.tokenWith("mail.read"), nil); status != 200 {
		t.Errorf("paths and permissions compare without case: %d %s", status, body)
	}
}

func TestUnauthenticated(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Mail.Read")
	tests := []struct{ token, want string }{
		{"", "Access token is empty."},
		{"opaque-token", "IDX14100: JWT is not well formed, there are no dots (.)."},
		{"a.b.c", "Access token validation failure. Invalid signature."},
	}
	for _, tt := range tests {
		status, h, body := e.graph(t, "GET", "/me/messages", tt.token, nil)
		ge := graphErrorOf(t, body)
		if status != 401 || ge.Code != "InvalidAuthenticationToken" || ge.Message != tt.want ||
			!strings.Contains(h.Get("WWW-Authenticate"), "authorization_uri=") {
			t.Errorf("token %q: %d %s %q", tt.token, status, ge.Code, ge.Message)
		}
	}
	e.clock.Advance(accessLifetime)
	status, _, body := e.graph(t, "GET", "/me/messages", tok, nil)
	if ge := graphErrorOf(t, body); status != 401 || ge.Message != "Lifetime validation failed, the token is expired." {
		t.Errorf("expired token: %d %q", status, ge.Message)
	}
}

func TestReadBasicWithholdsContent(t *testing.T) {
	e := newEnv(t, Options{})
	basic := e.tokenWith("Mail.ReadBasic", "Calendars.ReadBasic")
	status, _, body := e.graph(t, "GET", "/me/messages?$top=3", basic, nil)
	var list struct{ Value []map[string]any }
	if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list.Value) != 3 {
		t.Fatalf("list with Mail.ReadBasic: %d %s", status, body)
	}
	for _, m := range list.Value {
		if _, ok := m["body"]; ok || m["bodyPreview"] != nil || m["subject"] == nil {
			t.Errorf("Mail.ReadBasic message = %v, want headers without body or preview", m)
		}
	}
	status, _, body = e.graph(t, "GET", `/me/messages?$search="budget"`, basic, nil)
	if status != 403 || graphErrorOf(t, body).Code != "ErrorAccessDenied" {
		t.Errorf("search with Mail.ReadBasic: %d %s", status, body)
	}
	status, _, body = e.graph(t, "GET", "/me/calendarView?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-10T00:00:00Z",
		basic, nil)
	if status != 200 || strings.Contains(body, `"bodyPreview"`) || !strings.Contains(body, `"subject"`) {
		t.Errorf("calendarView with Calendars.ReadBasic: %d %s", status, body)
	}
	full := e.tokenWith("Mail.Read")
	if status, _, body = e.graph(t, "GET", `/me/messages?$search="budget"`, full, nil); status != 200 ||
		!strings.Contains(body, "Quarterly budget review") || !strings.Contains(body, `"bodyPreview"`) {
		t.Errorf("search with Mail.Read: %d %s", status, body)
	}
}

func TestPaging(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Mail.Read", "Files.Read")
	seen := map[string]bool{}
	next := "/me/messages?$top=5&$select=subject"
	for pages := 0; next != ""; pages++ {
		status, _, body := e.graph(t, "GET", next, tok, nil)
		var page struct {
			Value    []map[string]any
			NextLink string `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal([]byte(body), &page); status != 200 || err != nil {
			t.Fatalf("page %d: %d %s", pages, status, body)
		}
		for _, m := range page.Value {
			seen[m["id"].(string)] = true
			if _, ok := m["from"]; ok || len(m) != 3 {
				t.Errorf("$select=subject gives %v, want id, etag and subject", m)
			}
		}
		if page.NextLink != "" && !strings.HasPrefix(page.NextLink, e.base+"/v1.0/me/messages?") {
			t.Fatalf("nextLink %q is not under the sandbox's mount", page.NextLink)
		}
		next = page.NextLink
	}
	if len(seen) != 14 {
		t.Errorf("paging saw %d messages, want the 14 seeded", len(seen))
	}

	status, _, body := e.graph(t, "GET", "/me/drive/root/children?$top=4", tok, nil)
	if status != 200 || !strings.Contains(body, `$skiptoken=`) && !strings.Contains(body, `%24skiptoken=`) {
		t.Errorf("drive children page: %d %s", status, body)
	}
	status, _, body = e.graph(t, "GET", "/me/messages?$select=nope", tok, nil)
	if ge := graphErrorOf(t, body); status != 400 ||
		ge.Message != "Could not find a property named 'nope' on type 'microsoft.graph.message'." {
		t.Errorf("unknown $select: %d %q", status, ge.Message)
	}
}

func TestThrottling(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Mail.Read", "Files.Read")
	e.srv.Throttle(Throttling{Calls: 2, RetryAfter: 7 * time.Second})
	e.graph(t, "GET", "/me/messages", "", nil) // unauthenticated calls are not counted
	for _, path := range []string{"/me/messages", "/me/drive/root/children"} {
		status, h, body := e.graph(t, "GET", path, tok, nil)
		if status != 429 || h.Get("Retry-After") != "7" {
			t.Errorf("GET %s while throttled: %d Retry-After %q %s", path, status, h.Get("Retry-After"), body)
		}
	}
	if status, _, _ := e.graph(t, "GET", "/me/messages", tok, nil); status != 200 {
		t.Errorf("after throttling: %d", status)
	}
	e.srv.Throttle(Throttling{Calls: 1, Status: 503, RetryAfter: time.Minute})
	status, h, body := e.graph(t, "GET", "/me/messages", tok, nil)
	if status != 503 || h.Get("Retry-After") != "60" || graphErrorOf(t, body).Code != "serviceNotAvailable" {
		t.Errorf("503: %d %q %s", status, h.Get("Retry-After"), body)
	}
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Mail.Read")
	status, _, body := e.graph(t, "GET", "/me/nope", tok, nil)
	if ge := graphErrorOf(t, body); status != 400 || ge.Message != "Resource not found for the segment 'nope'." {
		t.Errorf("unknown segment: %d %q", status, ge.Message)
	}
	if status, _, _ = e.graph(t, "PUT", "/me/messages", tok, nil); status != 405 {
		t.Errorf("wrong method: %d", status)
	}
}

func TestDownloadRedirect(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Files.Read")
	status, h, _ := e.graph(t, "GET", "/me/drive/root:/Documents/plan.txt:/content", tok, nil)
	loc := h.Get("Location")
	if status != 302 || !strings.HasPrefix(loc, e.base+DownloadPath) {
		t.Fatalf("content: %d Location %q", status, loc)
	}
	req, _ := http.NewRequest("GET", loc, nil)
	req.Header.Set("Range", "bytes=0-10")
	status, h, body := e.do(t, req)
	if status != 206 || body != "Plan for Q3" || !strings.HasSuffix(h.Get("Content-Range"), "/57") ||
		!strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("download: %d %q %v", status, body, h)
	}
	e.clock.Advance(2 * downloadLifetime)
	if status, _, _ := e.get(t, loc); status != 401 {
		t.Errorf("expired download link: %d", status)
	}
}
