package outlook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/outlook"
	"github.com/scopegate/scopegate/tools/sandbox/microsoft"
)

// newHarness serves the Outlook tools against a fresh Microsoft sandbox.
func newHarness(t *testing.T) (*scopechecktest.Harness, *microsoft.Server) {
	t.Helper()
	var srv *microsoft.Server
	h := scopechecktest.New(t, outlook.Tools(), scopechecktest.MicrosoftSandboxWith(microsoft.Options{}, &srv))
	return h, srv
}

func TestSendSearchReadMoveDelete(t *testing.T) {
	h, srv := newHarness(t)
	h.Grant(t, registry.GraphMailSend, registry.GraphMailRead, registry.GraphMailReadWrite)

	subject := "Café menu — naïve résumé"
	sent := h.MustSucceed(t, "outlook_send_mail", map[string]any{
		"to": []string{"Demo User <" + srv.Account() + ">"}, "cc": []string{"ana@example.com"},
		"subject": subject, "body": "Line one\nLine two with ünïcode",
	})
	var so outlook.SendOutput
	sent.Decode(t, &so)
	if !so.Sent || len(so.To) != 1 {
		t.Fatalf("send output = %+v", so)
	}

	found := h.MustSucceed(t, "outlook_search_messages", map[string]any{"query": "résumé", "folder": "inbox"})
	var search outlook.SearchOutput
	found.Decode(t, &search)
	if len(search.Messages) != 1 || search.Messages[0].Subject != subject || search.Messages[0].IsRead {
		t.Fatalf("search = %+v, want the delivered copy, unread", search.Messages)
	}
	id := search.Messages[0].ID

	read := h.MustSucceed(t, "outlook_get_message", map[string]any{"message_id": id})
	var msg outlook.MessageOutput
	read.Decode(t, &msg)
	if !strings.Contains(msg.Body, "Line two with ünïcode") || len(msg.Cc) != 1 || msg.Subject != subject {
		t.Errorf("message = %+v", msg)
	}

	moved := h.MustSucceed(t, "outlook_move_message", map[string]any{"message_id": id, "destination": "archive"})
	var mo outlook.MoveOutput
	moved.Decode(t, &mo)
	if mo.ID == "" || mo.ID == id || mo.PreviousID != id {
		t.Fatalf("move output = %+v, want a new id", mo)
	}
	if r := h.Call(t, "outlook_get_message", map[string]any{"message_id": id}); !r.IsError ||
		!strings.Contains(r.Text, "No Outlook message has id") {
		t.Errorf("reading the old id after a move = %q (isError %v)", r.Text, r.IsError)
	}
	inArchive := h.MustSucceed(t, "outlook_search_messages", map[string]any{"query": "résumé", "folder": "archive"})
	inArchive.Decode(t, &search)
	if len(search.Messages) != 1 || search.Messages[0].ID != mo.ID {
		t.Errorf("archive search = %+v, want the moved message", search.Messages)
	}

	h.MustSucceed(t, "outlook_delete_message", map[string]any{"message_id": mo.ID})
	r := h.Call(t, "outlook_delete_message", map[string]any{"message_id": mo.ID})
	if !r.IsError || !strings.Contains(r.Text, "nothing was deleted") {
		t.Errorf("deleting twice = %q (isError %v)", r.Text, r.IsError)
	}
}

func TestReply(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphMailRead, registry.GraphMailSend)
	found := h.MustSucceed(t, "outlook_search_messages", map[string]any{"query": "budget", "folder": "inbox"})
	var search outlook.SearchOutput
	found.Decode(t, &search)
	if len(search.Messages) == 0 {
		t.Fatal("the seeded budget message is not found")
	}
	r := h.MustSucceed(t, "outlook_send_mail", map[string]any{
		"reply_to_message_id": search.Messages[0].ID, "body": "Checked, the travel line is fine."})
	if !strings.Contains(r.Text, "Replied to message") {
		t.Errorf("reply = %q", r.Text)
	}
	sent := h.MustSucceed(t, "outlook_search_messages", map[string]any{"query": "travel line is fine", "folder": "sentitems"})
	sent.Decode(t, &search)
	if len(search.Messages) != 1 || !strings.HasPrefix(search.Messages[0].Subject, "RE: ") ||
		len(search.Messages[0].To) != 1 || !strings.Contains(search.Messages[0].To[0], "ana@example.com") {
		t.Errorf("sent reply = %+v", search.Messages)
	}
}

func TestSearchFiltersAndPages(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphMailRead)

	seen := map[string]bool{}
	args := map[string]any{"folder": "inbox", "max_results": 5}
	for page := 0; ; page++ {
		var out outlook.SearchOutput
		h.MustSucceed(t, "outlook_search_messages", args).Decode(t, &out)
		for _, m := range out.Messages {
			if seen[m.ID] {
				t.Fatalf("page %d repeats message %s", page, m.ID)
			}
			seen[m.ID] = true
		}
		if out.NextPageToken == "" {
			break
		}
		args = map[string]any{"folder": "inbox", "page_token": out.NextPageToken}
	}
	if len(seen) != 12 {
		t.Errorf("paging saw %d inbox messages, want the 12 seeded", len(seen))
	}

	var out outlook.SearchOutput
	h.MustSucceed(t, "outlook_search_messages", map[string]any{
		"from": "ana@example.com", "unread_only": true}).Decode(t, &out)
	if len(out.Messages) != 2 || out.Messages[0].Subject != "Quarterly budget review" {
		t.Errorf("unread from ana = %+v", out.Messages)
	}
	after := time.Now().Add(-150 * time.Minute).UTC().Format(time.RFC3339)
	h.MustSucceed(t, "outlook_search_messages", map[string]any{"received_after": after}).Decode(t, &out)
	if len(out.Messages) != 1 {
		t.Errorf("received in the last 150 minutes = %+v, want the budget message and no others", out.Messages)
	}

	r := h.Call(t, "outlook_search_messages", map[string]any{"page_token": "bm90LWEtdG9rZW4"})
	if !r.IsError || !strings.Contains(r.Text, "not a page token") {
		t.Errorf("bad page token = %q (isError %v)", r.Text, r.IsError)
	}
}

func TestNarrowGrantAsksForTheLeastPrivilegedScope(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphUserRead)
	tests := []struct {
		tool string
		args map[string]any
		want registry.Scope
	}{
		{"outlook_search_messages", map[string]any{"query": "x"}, registry.GraphMailRead},
		{"outlook_get_message", map[string]any{"message_id": "x"}, registry.GraphMailRead},
		{"outlook_send_mail", map[string]any{"to": []string{"a@example.com"}, "body": "x"}, registry.GraphMailSend},
		{"outlook_move_message", map[string]any{"message_id": "x", "destination": "archive"}, registry.GraphMailReadWrite},
		{"outlook_delete_message", map[string]any{"message_id": "x"}, registry.GraphMailReadWrite},
		{"outlook_list_events", map[string]any{}, registry.GraphCalendarsRead},
		{"outlook_create_event", map[string]any{"subject": "x", "start": "2025-03-01T09:00:00Z",
			"end": "2025-03-01T10:00:00Z"}, registry.GraphCalendarsReadWrite},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			ar := h.Call(t, tt.tool, tt.args).AuthorizationRequired(t)
			if ar.Reason != "missing_scopes" || len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(tt.want) {
				t.Errorf("%s asks for %+v (%s), want only %s", tt.tool, ar.MissingScopes, ar.Reason, tt.want)
			}
		})
	}
}

// TestReadBasicIsNotEnough shows why Mail.ReadBasic, which Graph accepts for listing
// and reading messages, is not among the mail reading tools' alternatives.
func TestReadBasicIsNotEnough(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphMailReadBasic)
	calls := map[string]map[string]any{
		"outlook_search_messages": {"query": "budget"},
		"outlook_get_message":     {"message_id": "AAMkADnotAnIdButWellShaped="},
	}
	for tool, args := range calls {
		ar := h.Call(t, tool, args).AuthorizationRequired(t)
		if ar.MissingScopes[0].Scope != string(registry.GraphMailRead) {
			t.Errorf("%s asks for %s, want Mail.Read", tool, ar.MissingScopes[0].Scope)
		}
	}
}
