package outlook

import (
	"context"
	"fmt"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// SendInput is the input of outlook_send_mail.
type SendInput struct {
	To             []string `json:"to,omitempty" jsonschema:"description=Recipients' addresses: 'ana@example.com' or 'Ana Ruiz <ana@example.com>'. Required unless replying."`
	Cc             []string `json:"cc,omitempty"`
	Bcc            []string `json:"bcc,omitempty"`
	Subject        string   `json:"subject,omitempty" jsonschema:"description=For a reply\\, empty keeps 'RE:' and the original."`
	Body           string   `json:"body"`
	HTML           bool     `json:"html,omitempty" jsonschema:"description=True when body is HTML. Replies are plain text."`
	ReplyToMessage string   `json:"reply_to_message_id,omitempty" jsonschema:"description=Id of the message to reply to: the reply goes to its sender (and any recipients given)\\, quoting it."`
}

// SendOutput is the structured result of outlook_send_mail.
type SendOutput struct {
	Sent           bool     `json:"sent"`
	To             []string `json:"to,omitempty"`
	Subject        string   `json:"subject,omitempty"`
	ReplyToMessage string   `json:"reply_to_message_id,omitempty"`
}

// outgoing is the message of Graph's sendMail and reply actions.
type outgoing struct {
	Subject       string      `json:"subject,omitempty"`
	Body          *ItemBody   `json:"body,omitempty"`
	ToRecipients  []Recipient `json:"toRecipients,omitempty"`
	CcRecipients  []Recipient `json:"ccRecipients,omitempty"`
	BccRecipients []Recipient `json:"bccRecipients,omitempty"`
}

func sendMail() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "outlook_send_mail",
		Title: "Send an Outlook email",
		Description: "Send an email from the user's Outlook address, or reply to a message. A " +
			"copy goes to Sent Items.",
		Provider: "microsoft",
		// Both actions accept Mail.Send alone; it cannot read the mailbox.
		Requirement: registry.AnyOf(registry.GraphMailSend),
		Operations:  []string{"POST /me/sendMail", "POST /me/messages/{id}/reply"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runSend)
}

// Check validates the recipients and the subject before anything is sent.
func (in *SendInput) Check() error {
	_, err := in.message()
	if err == nil && in.ReplyToMessage != "" {
		err = checkID("reply_to_message_id", in.ReplyToMessage)
	}
	return err
}

func (in *SendInput) message() (*outgoing, error) {
	m := &outgoing{Subject: in.Subject}
	var err error
	if m.ToRecipients, err = recipientList("to", in.To); err != nil {
		return nil, err
	}
	if m.CcRecipients, err = recipientList("cc", in.Cc); err != nil {
		return nil, err
	}
	if m.BccRecipients, err = recipientList("bcc", in.Bcc); err != nil {
		return nil, err
	}
	if len(m.ToRecipients) == 0 && in.ReplyToMessage == "" {
		return nil, registry.Errorf("to must name at least one recipient")
	}
	if strings.ContainsAny(in.Subject, "\r\n") {
		return nil, registry.Errorf("subject must be a single line")
	}
	ct := "text"
	if in.HTML {
		ct = "html"
	}
	m.Body = &ItemBody{ContentType: ct, Content: in.Body}
	return m, nil
}

func runSend(ctx context.Context, call *registry.Call, in SendInput) (registry.Result, error) {
	m, err := in.message()
	if err != nil {
		return registry.Result{}, err
	}

	out := SendOutput{Sent: true, To: joinRecipients(m.ToRecipients), Subject: in.Subject}
	if in.ReplyToMessage != "" {
		id := strings.TrimSpace(in.ReplyToMessage)
		body := in.Body
		m.Body = nil
		req := map[string]any{"comment": body, "message": m}
		err = graphapi.Do(ctx, call, graphapi.Request{Method: "POST",
			URL: graphapi.URL(call, messagePath(id, "reply"), nil), JSON: req}, nil)
		if graphapi.IsStatus(err, 404) {
			return registry.Result{}, registry.Errorf("No Outlook message has id %q; nothing was "+
				"sent. Search again for a current id.", id)
		}
		if err != nil {
			return registry.Result{}, err
		}
		out.ReplyToMessage = id
		text := fmt.Sprintf("Replied to message %s", id)
		if len(out.To) > 0 {
			text += ", also to " + strings.Join(out.To, ", ")
		}
		return registry.Result{Text: text + ". A copy is in Sent Items.", Structured: out}, nil
	}

	req := map[string]any{"message": m, "saveToSentItems": true}
	err = graphapi.Do(ctx, call, graphapi.Request{Method: "POST",
		URL: graphapi.URL(call, "/me/sendMail", nil), JSON: req}, nil)
	if err != nil {
		return registry.Result{}, err
	}
	text := fmt.Sprintf("Sent %q to %s. A copy is in Sent Items.", in.Subject, strings.Join(out.To, ", "))
	return registry.Result{Text: text, Structured: out}, nil
}

// MoveInput is the input of outlook_move_message.
type MoveInput struct {
	MessageID   string `json:"message_id" jsonschema:"minLength=1"`
	Destination string `json:"destination" jsonschema:"description=A well-known folder (archive\\, deleteditems\\, inbox\\, junkemail\\, drafts\\, sentitems) or a folder id.,minLength=1"`
}

// MoveOutput is the structured result of outlook_move_message.
type MoveOutput struct {
	ID          string `json:"id"`
	PreviousID  string `json:"previous_id"`
	Destination string `json:"destination"`
	FolderID    string `json:"folder_id"`
}

func moveMessage() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "outlook_move_message",
		Title: "Move an Outlook message",
		Description: "Move an Outlook message to another folder, e.g. archive. The result gives " +
			"its new id.",
		Provider:    "microsoft",
		Requirement: registry.AnyOf(registry.GraphMailReadWrite),
		Operations:  []string{"POST /me/messages/{id}/move"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runMove)
}

// Check refuses empty or impossible ids.
func (in *MoveInput) Check() error {
	if err := checkID("message_id", in.MessageID); err != nil {
		return err
	}
	return checkID("destination", in.Destination)
}

func runMove(ctx context.Context, call *registry.Call, in MoveInput) (registry.Result, error) {
	id, dest := strings.TrimSpace(in.MessageID), strings.TrimSpace(in.Destination)
	var moved Message
	err := graphapi.Do(ctx, call, graphapi.Request{Method: "POST",
		URL:  graphapi.URL(call, messagePath(id, "move"), nil),
		JSON: map[string]string{"destinationId": dest}}, &moved)
	if graphapi.IsStatus(err, 404) {
		return registry.Result{}, registry.Errorf("Either no Outlook message has id %q or no "+
			"folder is named or has id %q; nothing was moved.", id, dest)
	}
	if err != nil {
		return registry.Result{}, err
	}
	out := MoveOutput{ID: moved.ID, PreviousID: id, Destination: dest, FolderID: moved.ParentFolderID}
	text := fmt.Sprintf("Moved message %s to %s. Its id is now %s.", id, dest, moved.ID)
	return registry.Result{Text: text, Structured: out}, nil
}

// DeleteInput is the input of outlook_delete_message.
type DeleteInput struct {
	MessageID string `json:"message_id" jsonschema:"minLength=1"`
}

// DeleteOutput is the structured result of outlook_delete_message.
type DeleteOutput struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

func deleteMessage() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "outlook_delete_message",
		Title: "Delete an Outlook message",
		Description: "Delete an Outlook message, skipping Deleted Items (Outlook's recovery may " +
			"restore it for a while). To keep it in Deleted Items, use outlook_move_message.",
		Provider:    "microsoft",
		Requirement: registry.AnyOf(registry.GraphMailReadWrite),
		Operations:  []string{"DELETE /me/messages/{id}"},
		Annotations: registry.Annotations{Destructive: true, Idempotent: true, OpenWorld: true},
	}, runDelete)
}

// Check refuses an empty or impossible id.
func (in *DeleteInput) Check() error { return checkID("message_id", in.MessageID) }

func runDelete(ctx context.Context, call *registry.Call, in DeleteInput) (registry.Result, error) {
	id := strings.TrimSpace(in.MessageID)
	err := graphapi.Do(ctx, call, graphapi.Request{Method: "DELETE",
		URL: graphapi.URL(call, messagePath(id), nil)}, nil)
	if graphapi.IsStatus(err, 404) {
		return registry.Result{}, registry.Errorf("No Outlook message has id %q; nothing was deleted.", id)
	}
	if err != nil {
		return registry.Result{}, err
	}
	return registry.Result{
		Text:       fmt.Sprintf("Deleted message %s.", id),
		Structured: DeleteOutput{ID: id, Deleted: true},
	}, nil
}
