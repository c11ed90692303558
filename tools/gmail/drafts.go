package gmail

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// DraftInput is the input of gmail_create_draft. Its fields are SendInput's, in the same
// order and of the same types, so that a DraftInput converts to a SendInput; only the
// recipients, subject and body are optional here.
type DraftInput struct {
	To        []string `json:"to,omitempty" jsonschema:"description=Recipients' addresses: 'ana@example.com' or 'Ana Ruiz <ana@example.com>'. May be left for later."`
	Cc        []string `json:"cc,omitempty"`
	Bcc       []string `json:"bcc,omitempty"`
	Subject   string   `json:"subject,omitempty" jsonschema:"description=For a reply: 'Re: ' and the original subject\\, so Gmail keeps the thread."`
	Body      string   `json:"body,omitempty"`
	HTML      bool     `json:"html,omitempty" jsonschema:"description=True when body is HTML."`
	ThreadID  string   `json:"thread_id,omitempty" jsonschema:"description=For a reply: the thread_id of the message answered."`
	InReplyTo string   `json:"in_reply_to,omitempty" jsonschema:"description=For a reply: the rfc822_message_id of the message answered (from gmail_get_message)."`
}

// DraftOutput is the structured result of gmail_create_draft.
type DraftOutput struct {
	DraftID   string   `json:"draft_id"`
	MessageID string   `json:"message_id"`
	ThreadID  string   `json:"thread_id"`
	To        []string `json:"to,omitempty"`
	Subject   string   `json:"subject"`
}

// draftResource is the Gmail API's Draft resource.
type draftResource struct {
	ID      string  `json:"id"`
	Message message `json:"message"`
}

func createDraft() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "gmail_create_draft",
		Title: "Write a Gmail draft",
		Description: "Save an email as a Gmail draft, optionally as a reply in a thread, for " +
			"the user to review and send.",
		Provider: "google",
		// gmail.send cannot create drafts. gmail.addons.current.action.compose is also
		// accepted, but Google grants it only to a Gmail add-on while it runs; an OAuth
		// client cannot ask for it.
		Requirement: registry.AnyOf(registry.GmailCompose, registry.GmailModify, registry.GmailFull),
		Operations:  []string{"gmail.users.drafts.create"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runCreateDraft)
}

// Check validates the recipients and headers before anything is saved.
func (in *DraftInput) Check() error {
	send := SendInput(*in)
	_, err := send.compose(time.Time{}, false)
	return err
}

func runCreateDraft(ctx context.Context, call *registry.Call,
	in DraftInput) (registry.Result, error) {
	send := SendInput(in)
	d, err := send.compose(time.Now(), false)
	if err != nil {
		return registry.Result{}, err
	}

	msg := map[string]string{"raw": base64.URLEncoding.EncodeToString(d.rfc5322())}
	if in.ThreadID != "" {
		msg["threadId"] = in.ThreadID
	}
	var saved draftResource
	endpoint := call.URL(apiBase, "/gmail/v1/users/me/drafts")
	body := map[string]any{"message": msg}
	if err := googleapi.Do(ctx, call, "POST", endpoint, body, &saved); err != nil {
		if googleapi.IsToolError(err, 404) {
			return registry.Result{}, registry.Errorf(
				"No Gmail thread has id %q; the draft was not saved. Leave thread_id out "+
					"to start a new conversation.", in.ThreadID)
		}
		return registry.Result{}, err
	}

	out := DraftOutput{
		DraftID:   saved.ID,
		MessageID: saved.Message.ID,
		ThreadID:  saved.Message.ThreadID,
		To:        in.To,
		Subject:   in.Subject,
	}
	to := "no recipients yet"
	if len(in.To) > 0 {
		to = "to " + strings.Join(in.To, ", ")
	}
	text := fmt.Sprintf("Saved a draft %q, %s (draft id %s, message id %s, thread %s). "+
		"It has not been sent; the user can review and send it from Gmail's Drafts.",
		in.Subject, to, saved.ID, saved.Message.ID, saved.Message.ThreadID)
	return registry.Result{Text: text, Structured: out}, nil
}
