package gmail_test

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/gmail"
)

func TestSendThenSearchThenReadThenTrash(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailSend, registry.GmailModify)

	subject := "Café menu — naïve résumé"
	sent := h.MustSucceed(t, "gmail_send_email", map[string]any{
		"to": []string{"Demo User <demo.user@example.com>"}, "cc": []string{"ana@example.com"},
		"subject": subject, "body": "Line one\nLine two with ünïcode",
	})
	var out gmail.SendOutput
	sent.Decode(t, &out)
	if out.ID == "" || out.ThreadID == "" {
		t.Fatalf("send output = %+v, want ids", out)
	}

	found := h.MustSucceed(t, "gmail_search_messages", map[string]any{"query": "subject:résumé"})
	var search gmail.SearchOutput
	found.Decode(t, &search)
	if len(search.Messages) != 1 || search.Messages[0].ID != out.ID || search.Messages[0].Subject != subject {
		t.Fatalf("search = %+v, want the sent message with its subject decoded", search.Messages)
	}

	read := h.MustSucceed(t, "gmail_get_message", map[string]any{"message_id": out.ID})
	var msg gmail.MessageOutput
	read.Decode(t, &msg)
	if msg.Subject != subject || !strings.Contains(msg.Body, "Line two with ünïcode") || !strings.Contains(msg.Cc, "ana@example.com") {
		t.Errorf("message = %+v", msg)
	}

	trashed := h.MustSucceed(t, "gmail_trash_message", map[string]any{"message_id": out.ID})
	var tr gmail.TrashOutput
	trashed.Decode(t, &tr)
	if !contains(tr.Labels, "TRASH") {
		t.Errorf("labels after trash = %v, want TRASH", tr.Labels)
	}
	found = h.MustSucceed(t, "gmail_search_messages", map[string]any{"query": "subject:résumé"})
	found.Decode(t, &search)
	if len(search.Messages) != 0 {
		t.Errorf("a trashed message is still found: %+v", search.Messages)
	}
}

func TestNarrowGrantAsksForTheNextScope(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailSend)
	tests := []struct {
		tool string
		args map[string]any
		want registry.Scope
	}{
		{"gmail_search_messages", map[string]any{"query": "x"}, registry.GmailReadonly},
		{"gmail_get_message", map[string]any{"message_id": "x"}, registry.GmailReadonly},
		{"gmail_trash_message", map[string]any{"message_id": "x"}, registry.GmailModify},
		{"gmail_list_labels", map[string]any{}, registry.GmailLabels},
		{"gmail_create_draft", map[string]any{"subject": "x"}, registry.GmailCompose},
		{"gmail_modify_labels", map[string]any{"message_id": "x", "actions": []string{"star"}},
			registry.GmailModify},
		{"gmail_delete_message", map[string]any{"message_id": "x"}, registry.GmailFull},
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

func TestProviderErrorsReadForTheModel(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailModify)
	for _, tool := range []string{"gmail_get_message", "gmail_trash_message"} {
		r := h.Call(t, tool, map[string]any{"message_id": "0000000000000000"})
		if !r.IsError || !strings.Contains(r.Text, `No Gmail message has id "0000000000000000"`) {
			t.Errorf("%s on a missing id = %q (isError %v)", tool, r.Text, r.IsError)
		}
	}
	r := h.Call(t, "gmail_search_messages", map[string]any{"page_token": "not-a-token"})
	if !r.IsError || !strings.Contains(r.Text, "Google answered 400") {
		t.Errorf("bad page token = %q (isError %v), want Google's 400 explained", r.Text, r.IsError)
	}
}

// TestMetadataScopeRefusedForSearch shows why gmail.metadata is not among
// the search tool's alternatives: with it, Gmail refuses the query.
func TestMetadataScopeIsNotEnoughForSearch(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())
	h.Grant(t, registry.GmailMetadata)
	ar := h.Call(t, "gmail_search_messages", map[string]any{"query": "x"}).AuthorizationRequired(t)
	if ar.MissingScopes[0].Scope != string(registry.GmailReadonly) {
		t.Errorf("asks for %s, want gmail.readonly", ar.MissingScopes[0].Scope)
	}
}

func TestRFC5322Message(t *testing.T) {
	raw := gmail.EncodeForTest(t, gmail.SendInput{
		To: []string{"Ana Ruiz <ana@example.com>", "bo@example.com"}, Bcc: []string{"x@example.com"},
		Subject: "Grüße", Body: "Hallo\nzweite Zeile", InReplyTo: "<abc@mail.example.com>",
	})
	data, err := base64.URLEncoding.DecodeString(raw)
	if err != nil {
		t.Fatalf("raw is not base64url: %v", err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v\n%s", err, data)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "Ana Ruiz" {
		t.Errorf("To = %v (%v)", to, err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Grüße" {
		t.Errorf("Subject = %q, want Grüße", subject)
	}
	if msg.Header.Get("In-Reply-To") != "<abc@mail.example.com>" || msg.Header.Get("Date") == "" {
		t.Errorf("headers = %v", msg.Header)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if string(body) != "Hallo\r\nzweite Zeile" {
		t.Errorf("body = %q", body)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
