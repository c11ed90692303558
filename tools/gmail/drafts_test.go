package gmail_test

import (
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/gmail"
)

func TestCreateDraftThenFindIt(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailCompose, registry.GmailReadonly)

	res := h.MustSucceed(t, "gmail_create_draft", map[string]any{
		"to": []string{"Ana Ruiz <ana@example.com>"}, "subject": "Budget numbers",
		"body": "<p>Here they are.</p>", "html": true,
	})
	var out gmail.DraftOutput
	res.Decode(t, &out)
	if !strings.HasPrefix(out.DraftID, "r") || out.MessageID == "" ||
		!strings.Contains(res.Text, "has not been sent") {
		t.Fatalf("draft = %+v %q", out, res.Text)
	}
	var found gmail.SearchOutput
	h.MustSucceed(t, "gmail_search_messages", map[string]any{"query": "in:drafts budget"}).
		Decode(t, &found)
	if len(found.Messages) != 1 || found.Messages[0].ID != out.MessageID ||
		!strings.Contains(found.Messages[0].To, "ana@example.com") {
		t.Errorf("drafts found = %+v, want the new draft", found.Messages)
	}

	// A draft may wait for its recipients.
	h.MustSucceed(t, "gmail_create_draft", map[string]any{"subject": "Ideas", "body": "later"})
}

func TestDraftReplyStaysInTheThread(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailModify)
	var search gmail.SearchOutput
	h.MustSucceed(t, "gmail_search_messages", map[string]any{"query": "from:marco"}).
		Decode(t, &search)
	orig := search.Messages[0]
	var msg gmail.MessageOutput
	h.MustSucceed(t, "gmail_get_message", map[string]any{"message_id": orig.ID}).Decode(t, &msg)

	var out gmail.DraftOutput
	h.MustSucceed(t, "gmail_create_draft", map[string]any{
		"to": []string{"marco.bianchi@example.net"}, "subject": "Re: " + orig.Subject,
		"body": "Thursday works.", "thread_id": orig.ThreadID, "in_reply_to": msg.MessageIDHdr,
	}).Decode(t, &out)
	if out.ThreadID != orig.ThreadID {
		t.Errorf("reply draft thread = %s, want %s", out.ThreadID, orig.ThreadID)
	}

	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"missing thread", map[string]any{"subject": "x", "thread_id": "00000000000000ff"},
			`No Gmail thread has id "00000000000000ff"`},
		{"malformed thread", map[string]any{"subject": "x", "thread_id": "not-an-id"},
			"Google answered 400"},
		{"bad address", map[string]any{"to": []string{"not an address"}}, "is not an email address"},
	}
	for _, tt := range tests {
		r := h.Call(t, "gmail_create_draft", tt.args)
		if !r.IsError || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s: gmail_create_draft = %q (isError %v), want %q", tt.name, r.Text,
				r.IsError, tt.want)
		}
	}
}
