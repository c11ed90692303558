package outlook

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// GetInput is the input of outlook_get_message.
type GetInput struct {
	MessageID string `json:"message_id" jsonschema:"description=Message id\\, from outlook_search_messages.,minLength=1"`
}

// AttachmentInfo describes one attachment of a message.
type AttachmentInfo struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Inline      bool   `json:"inline,omitempty"`
}

// MessageOutput is the structured result of outlook_get_message.
type MessageOutput struct {
	MessageSummary
	Cc                []string         `json:"cc,omitempty"`
	InternetMessageID string           `json:"internet_message_id,omitempty"`
	Importance        string           `json:"importance,omitempty"`
	Body              string           `json:"body"`
	BodyTruncated     bool             `json:"body_truncated,omitempty"`
	Attachments       []AttachmentInfo `json:"attachments,omitempty"`
	WebLink           string           `json:"web_link,omitempty"`
}

// maxBodyRunes bounds the body returned to the model.
const maxBodyRunes = 20000

// messageSelect is what reading a message asks Graph for.
const messageSelect = summarySelect + ",body,ccRecipients,internetMessageId,importance,webLink"

func getMessage() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "outlook_get_message",
		Title: "Read an Outlook message",
		Description: "Read an Outlook message: headers, body as plain text (long ones cut and " +
			"marked) and attachment list.",
		Provider: "microsoft",
		// Mail.ReadBasic is accepted but withholds the body and attachments, which are what
		// this tool is for. Microsoft's permissions data does not list Mail.ReadWrite for
		// this operation, so a grant of Mail.ReadWrite alone is asked for Mail.Read.
		Requirement: registry.AnyOf(registry.GraphMailRead),
		Operations:  []string{"GET /me/messages/{id}"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runGet)
}

// Check refuses an empty or impossible id.
func (in *GetInput) Check() error { return checkID("message_id", in.MessageID) }

func runGet(ctx context.Context, call *registry.Call, in GetInput) (registry.Result, error) {
	id := strings.TrimSpace(in.MessageID)
	q := url.Values{
		"$select": {messageSelect},
		"$expand": {"attachments($select=name,contentType,size,isInline)"},
	}
	var m Message
	err := graphapi.Do(ctx, call, graphapi.Request{
		Method: "GET", URL: graphapi.URL(call, messagePath(id), q),
		Prefer: []string{`outlook.body-content-type="text"`},
	}, &m)
	if graphapi.IsStatus(err, 404) {
		return registry.Result{}, registry.Errorf("No Outlook message has id %q. Search again "+
			"for a current id: moving a message gives it a new one.", id)
	}
	if err != nil {
		return registry.Result{}, err
	}

	out := MessageOutput{
		MessageSummary:    summarize(m),
		Cc:                joinRecipients(m.CcRecipients),
		InternetMessageID: m.InternetMessageID,
		Importance:        m.Importance,
		WebLink:           m.WebLink,
	}
	out.Preview = ""
	if m.Body != nil {
		out.Body = m.Body.Content
	}
	if r := []rune(out.Body); len(r) > maxBodyRunes {
		out.Body = string(r[:maxBodyRunes])
		out.BodyTruncated = true
	}
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, AttachmentInfo{Name: a.Name,
			ContentType: a.ContentType, Size: a.Size, Inline: a.IsInline})
	}
	return registry.Result{Text: messageText(out), Structured: out}, nil
}

func messageText(out MessageOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\nTo: %s\n", orNone(out.From), orNone(strings.Join(out.To, ", ")))
	if len(out.Cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\n", strings.Join(out.Cc, ", "))
	}
	fmt.Fprintf(&b, "Received: %s\nSubject: %s\nMessage id: %s\n\n%s", out.Received,
		orNone(out.Subject), out.ID, out.Body)
	if out.BodyTruncated {
		fmt.Fprintf(&b, "\n\n[The body was cut after %d characters.]", maxBodyRunes)
	}
	if len(out.Attachments) > 0 {
		b.WriteString("\n\nAttachments:")
		for _, a := range out.Attachments {
			fmt.Fprintf(&b, "\n- %s (%s, %d bytes)", a.Name, a.ContentType, a.Size)
		}
	}
	return b.String()
}
