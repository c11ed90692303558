package gmail_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/gmail"
)

// firstMatch returns the id of the newest message matching query.
func firstMatch(t *testing.T, h *scopechecktest.Harness, query string) string {
	t.Helper()
	var out gmail.SearchOutput
	h.MustSucceed(t, "gmail_search_messages", map[string]any{"query": query}).Decode(t, &out)
	if len(out.Messages) == 0 {
		t.Fatalf("no message matches %q", query)
	}
	return out.Messages[0].ID
}

func TestListLabelsWithTheLabelsScopeAlone(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailLabels)
	res := h.MustSucceed(t, "gmail_list_labels", map[string]any{})
	var out gmail.ListLabelsOutput
	res.Decode(t, &out)
	ids := make([]string, len(out.Labels))
	for i, l := range out.Labels {
		ids[i] = l.ID
	}
	// System labels come first in Gmail's order, then the user's by name.
	if ids[0] != "CHAT" || !slices.Contains(ids, "INBOX") ||
		!slices.Equal(ids[len(ids)-2:], []string{"Label_2", "Label_1"}) {
		t.Errorf("label ids = %v", ids)
	}
	if !strings.Contains(res.Text, "- Receipts (Label_1)") || !strings.Contains(res.Text, "INBOX") {
		t.Errorf("text = %q", res.Text)
	}
}

func TestModifyLabels(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailModify)
	id := firstMatch(t, h, "from:marco")

	res := h.MustSucceed(t, "gmail_modify_labels", map[string]any{
		"message_id": id, "actions": []string{"mark_unread", "archive", "unstar"},
		"add_labels": []string{"receipts", "projects/atlas"},
	})
	var out gmail.ModifyLabelsOutput
	res.Decode(t, &out)
	for _, want := range []string{"UNREAD", "Label_1", "Label_2"} {
		if !slices.Contains(out.Labels, want) {
			t.Errorf("labels = %v, want %s among them", out.Labels, want)
		}
	}
	if slices.Contains(out.Labels, "INBOX") || slices.Contains(out.Labels, "STARRED") {
		t.Errorf("labels = %v, want neither INBOX nor STARRED", out.Labels)
	}
	if !slices.Equal(out.Removed, []string{"INBOX", "STARRED"}) {
		t.Errorf("removed = %v", out.Removed)
	}
	if !strings.Contains(res.Text, "added Label_1, Label_2, UNREAD") {
		t.Errorf("text = %q", res.Text)
	}

	h.MustSucceed(t, "gmail_modify_labels", map[string]any{"message_id": id,
		"actions": []string{"move_to_inbox", "mark_read"}}).Decode(t, &out)
	if !slices.Contains(out.Labels, "INBOX") || slices.Contains(out.Labels, "UNREAD") {
		t.Errorf("labels after move_to_inbox and mark_read = %v", out.Labels)
	}

	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"unknown name", map[string]any{"message_id": id, "add_labels": []string{"Taxes"}},
			`No Gmail label is named "Taxes"`},
		{"added and removed", map[string]any{"message_id": id, "actions": []string{"star"},
			"remove_labels": []string{"starred"}}, "both added and removed"},
		{"unknown id", map[string]any{"message_id": id, "add_labels": []string{"Label_99"}},
			"Invalid label: Label_99"},
		{"missing message", map[string]any{"message_id": "0000000000000000",
			"actions": []string{"mark_read"}}, `No Gmail message has id "0000000000000000"`},
		{"nothing to do", map[string]any{"message_id": id}, "nothing to change"},
		{"unknown action", map[string]any{"message_id": id, "actions": []string{"snooze"}},
			"snooze"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.Call(t, "gmail_modify_labels", tt.args)
			if !r.IsError || !strings.Contains(r.Text, tt.want) {
				t.Errorf("gmail_modify_labels(%v) = %q (isError %v), want %q", tt.args, r.Text,
					r.IsError, tt.want)
			}
		})
	}
}

func TestDeleteMessageNeedsFullAccess(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailModify)
	id := firstMatch(t, h, "subject:invoice")

	ar := h.Call(t, "gmail_delete_message", map[string]any{"message_id": id}).AuthorizationRequired(t)
	if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(registry.GmailFull) {
		t.Fatalf("delete with gmail.modify asks for %+v, want only %s", ar.MissingScopes,
			registry.GmailFull)
	}

	h.Grant(t, registry.GmailFull)
	res := h.MustSucceed(t, "gmail_delete_message", map[string]any{"message_id": id})
	var out gmail.DeleteOutput
	res.Decode(t, &out)
	if out.ID != id || !out.Deleted || !strings.Contains(res.Text, "cannot be recovered") {
		t.Errorf("delete = %+v %q", out, res.Text)
	}
	again := h.Call(t, "gmail_delete_message", map[string]any{"message_id": id})
	if !again.IsError || !strings.Contains(again.Text, "nothing was deleted") {
		t.Errorf("second delete = %q (isError %v)", again.Text, again.IsError)
	}
	var search gmail.SearchOutput
	h.MustSucceed(t, "gmail_search_messages", map[string]any{"query": "subject:invoice in:anywhere"}).
		Decode(t, &search)
	if len(search.Messages) != 0 {
		t.Errorf("a deleted message is still found: %+v", search.Messages)
	}
}
