package gmail

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// SendInput is the input of gmail_send_email.
type SendInput struct {
	To        []string `json:"to" jsonschema:"description=Recipients' addresses: 'ana@example.com' or 'Ana Ruiz <ana@example.com>'.,minItems=1"`
	Cc        []string `json:"cc,omitempty"`
	Bcc       []string `json:"bcc,omitempty"`
	Subject   string   `json:"subject"`
	Body      string   `json:"body"`
	HTML      bool     `json:"html,omitempty" jsonschema:"description=True when body is HTML."`
	ThreadID  string   `json:"thread_id,omitempty" jsonschema:"description=For a reply: the thread_id of the message answered."`
	InReplyTo string   `json:"in_reply_to,omitempty" jsonschema:"description=For a reply: the rfc822_message_id of the message answered (from gmail_get_message)."`
}

// SendOutput is the structured result of gmail_send_email.
type SendOutput struct {
	ID       string   `json:"id"`
	ThreadID string   `json:"thread_id"`
	Labels   []string `json:"labels,omitempty"`
	To       []string `json:"to"`
	Subject  string   `json:"subject"`
}

func sendEmail() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "gmail_send_email",
		Title:       "Send an email",
		Description: "Send an email from the user's Gmail address, optionally as a reply in a thread.",
		Provider:    "google",
		Requirement: registry.AnyOf(registry.GmailSend, registry.GmailCompose, registry.GmailModify, registry.GmailFull),
		Operations:  []string{"gmail.users.messages.send"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runSend)
}

// Check validates the recipients and headers before anything is sent.
func (in *SendInput) Check() error {
	_, err := in.draft(time.Time{})
	return err
}

func (in *SendInput) draft(now time.Time) (*draft, error) { return in.compose(now, true) }

// compose checks the fields and builds the message. needTo is false for drafts, which may
// be saved before their recipients are known.
func (in *SendInput) compose(now time.Time, needTo bool) (*draft, error) {
	d := &draft{Subject: in.Subject, Body: in.Body, HTML: in.HTML, Date: now}
	var err error
	if d.To, err = parseAddresses("to", in.To); err != nil {
		return nil, err
	}
	if needTo && len(d.To) == 0 {
		return nil, registry.Errorf("to must name at least one recipient")
	}
	if d.Cc, err = parseAddresses("cc", in.Cc); err != nil {
		return nil, err
	}
	if d.Bcc, err = parseAddresses("bcc", in.Bcc); err != nil {
		return nil, err
	}
	if strings.ContainsAny(in.Subject, "\r\n") {
		return nil, registry.Errorf("subject must be a single line")
	}
	if in.InReplyTo != "" {
		if strings.ContainsAny(in.InReplyTo, "\r\n") || !strings.HasPrefix(in.InReplyTo, "<") {
			return nil, registry.Errorf("in_reply_to must be a message id such as <abc@mail.example.com>")
		}
		d.InReplyTo = in.InReplyTo
	}
	return d, nil
}

func runSend(ctx context.Context, call *registry.Call, in SendInput) (registry.Result, error) {
	d, err := in.draft(time.Now())
	if err != nil {
		return registry.Result{}, err
	}

	req := map[string]string{"raw": base64.URLEncoding.EncodeToString(d.rfc5322())}
	if in.ThreadID != "" {
		req["threadId"] = in.ThreadID
	}
	var sent message
	if err := googleapi.Do(ctx, call, "POST", messagesURL(call, "send"), req, &sent); err != nil {
		return registry.Result{}, err
	}

	out := SendOutput{
		ID:       sent.ID,
		ThreadID: sent.ThreadID,
		Labels:   sent.LabelIDs,
		To:       in.To,
		Subject:  in.Subject,
	}
	text := fmt.Sprintf("Sent %q to %s (message id %s, thread %s).",
		in.Subject, strings.Join(in.To, ", "), sent.ID, sent.ThreadID)
	return registry.Result{Text: text, Structured: out}, nil
}

func parseAddresses(field string, list []string) ([]*mail.Address, error) {
	var out []*mail.Address
	for _, s := range list {
		addrs, err := mail.ParseAddressList(s)
		if err != nil {
			return nil, registry.Errorf("%s: %q is not an email address (%v)", field, s, err)
		}
		out = append(out, addrs...)
	}
	return out, nil
}

// TrashInput is the input of gmail_trash_message.
type TrashInput struct {
	MessageID string `json:"message_id" jsonschema:"minLength=1"`
}

// TrashOutput is the structured result of gmail_trash_message.
type TrashOutput struct {
	ID     string   `json:"id"`
	Labels []string `json:"labels"`
}

func trashMessage() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "gmail_trash_message",
		Title: "Move a message to the trash",
		Description: "Move a Gmail message to the trash; it can be restored for 30 days, then " +
			"Gmail deletes it.",
		Provider:    "google",
		Requirement: registry.AnyOf(registry.GmailModify, registry.GmailFull),
		Operations:  []string{"gmail.users.messages.trash"},
		Annotations: registry.Annotations{Destructive: true, Idempotent: true, OpenWorld: true},
	}, runTrash)
}

// Check refuses an empty message id.
func (in *TrashInput) Check() error { return checkID(in.MessageID) }

func runTrash(ctx context.Context, call *registry.Call, in TrashInput) (registry.Result, error) {
	id := strings.TrimSpace(in.MessageID)
	var msg message
	if err := googleapi.Do(ctx, call, "POST", messagesURL(call, id, "trash"), nil, &msg); err != nil {
		if googleapi.IsToolError(err, 404) {
			return registry.Result{}, registry.Errorf("No Gmail message has id %q; nothing was moved.", id)
		}
		return registry.Result{}, err
	}
	out := TrashOutput{ID: msg.ID, Labels: msg.LabelIDs}
	return registry.Result{
		Text:       fmt.Sprintf("Moved message %s to the trash. It can be restored from Gmail's Trash for 30 days.", msg.ID),
		Structured: out,
	}, nil
}

// DeleteInput is the input of gmail_delete_message.
type DeleteInput struct {
	MessageID string `json:"message_id" jsonschema:"minLength=1"`
}

// DeleteOutput is the structured result of gmail_delete_message.
type DeleteOutput struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

func deleteMessage() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "gmail_delete_message",
		Title: "Delete a message permanently",
		Description: "Delete a Gmail message for good, skipping the trash. Use " +
			"gmail_trash_message unless the user asked for a permanent delete.",
		Provider: "google",
		// Gmail allows a permanent delete only with full mailbox access; gmail.modify can
		// merely move messages to the trash.
		Requirement: registry.AnyOf(registry.GmailFull),
		Operations:  []string{"gmail.users.messages.delete"},
		Annotations: registry.Annotations{Destructive: true, Idempotent: true, OpenWorld: true},
	}, runDelete)
}

// Check refuses an empty message id.
func (in *DeleteInput) Check() error { return checkID(in.MessageID) }

func runDelete(ctx context.Context, call *registry.Call, in DeleteInput) (registry.Result, error) {
	id := strings.TrimSpace(in.MessageID)
	if err := googleapi.Do(ctx, call, "DELETE", messagesURL(call, id), nil, nil); err != nil {
		if googleapi.IsToolError(err, 404) {
			return registry.Result{}, registry.Errorf(
				"No Gmail message has id %q; nothing was deleted. It may have been deleted already.", id)
		}
		return registry.Result{}, err
	}
	return registry.Result{
		Text:       fmt.Sprintf("Deleted message %s permanently. It cannot be recovered.", id),
		Structured: DeleteOutput{ID: id, Deleted: true},
	}, nil
}
