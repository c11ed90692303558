package gmail

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// SearchInput is the input of gmail_search_messages.
type SearchInput struct {
	Query      string `json:"query,omitempty" jsonschema:"description=Gmail search syntax\\, e.g. 'from:alice@example.com subject:invoice newer_than:7d'. Empty lists the newest."`
	MaxResults int    `json:"max_results,omitempty" jsonschema:"description=Default 10.,minimum=1,maximum=50"`
	PageToken  string `json:"page_token,omitempty" jsonschema:"description=An earlier call's next_page_token."`
}

// MessageSummary is one message in a search result.
type MessageSummary struct {
	ID       string   `json:"id"`
	ThreadID string   `json:"thread_id"`
	From     string   `json:"from,omitempty"`
	To       string   `json:"to,omitempty"`
	Subject  string   `json:"subject,omitempty"`
	Date     string   `json:"date,omitempty"`
	Snippet  string   `json:"snippet,omitempty"`
	Labels   []string `json:"labels,omitempty"`
}

// SearchOutput is the structured result of gmail_search_messages.
type SearchOutput struct {
	Messages         []MessageSummary `json:"messages"`
	NextPageToken    string           `json:"next_page_token,omitempty"`
	ResultSizeApprox int              `json:"result_size_estimate"`
}

// listResponse is users.messages.list's response body.
type listResponse struct {
	Messages []struct {
		ID       string `json:"id"`
		ThreadID string `json:"threadId"`
	} `json:"messages"`
	NextPageToken      string `json:"nextPageToken"`
	ResultSizeEstimate int    `json:"resultSizeEstimate"`
}

func searchMessages() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "gmail_search_messages",
		Title: "Search Gmail",
		Description: "Search Gmail; lists messages newest first with sender, subject, date and " +
			"snippet.",
		Provider: "google",
		// gmail.metadata is accepted by both methods but Gmail refuses the q
		// parameter under it, so it cannot serve a search.
		Requirement: registry.AnyOf(registry.GmailReadonly, registry.GmailModify, registry.GmailFull),
		Operations:  []string{"gmail.users.messages.list", "gmail.users.messages.get"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runSearch)
}

// Check refuses a page size out of range.
func (in *SearchInput) Check() error {
	if in.MaxResults < 0 || in.MaxResults > 50 {
		return registry.Errorf("max_results must be between 1 and 50, got %d", in.MaxResults)
	}
	return nil
}

func runSearch(ctx context.Context, call *registry.Call, in SearchInput) (registry.Result, error) {
	max := in.MaxResults
	if max == 0 {
		max = 10
	}

	q := url.Values{"maxResults": {strconv.Itoa(max)}}
	if s := strings.TrimSpace(in.Query); s != "" {
		q.Set("q", s)
	}
	if in.PageToken != "" {
		q.Set("pageToken", in.PageToken)
	}
	var list listResponse
	if err := googleapi.Do(ctx, call, "GET", messagesURL(call)+"?"+q.Encode(), nil, &list); err != nil {
		return registry.Result{}, err
	}

	out := SearchOutput{
		Messages:         make([]MessageSummary, 0, len(list.Messages)),
		NextPageToken:    list.NextPageToken,
		ResultSizeApprox: list.ResultSizeEstimate,
	}
	for _, m := range list.Messages {
		msg, err := fetchMessage(ctx, call, m.ID, "metadata")
		if err != nil {
			return registry.Result{}, err
		}
		out.Messages = append(out.Messages, msg.summary())
	}
	return registry.Result{Text: searchText(in.Query, out), Structured: out}, nil
}

func searchText(query string, out SearchOutput) string {
	var b strings.Builder
	what := "the mailbox"
	if strings.TrimSpace(query) != "" {
		what = fmt.Sprintf("query %q", query)
	}
	if len(out.Messages) == 0 {
		fmt.Fprintf(&b, "No messages match %s.", what)
		return b.String()
	}
	fmt.Fprintf(&b, "%d messages match %s:\n", len(out.Messages), what)
	for _, m := range out.Messages {
		fmt.Fprintf(&b, "- [%s] %s — from %s, %s\n", m.ID, orNone(m.Subject), orNone(m.From), m.Date)
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "More results exist: call again with page_token %q.", out.NextPageToken)
	}
	return strings.TrimRight(b.String(), "\n")
}

// GetInput is the input of gmail_get_message.
type GetInput struct {
	MessageID string `json:"message_id" jsonschema:"description=Message id\\, from gmail_search_messages.,minLength=1"`
}

// Attachment describes one attachment of a message.
type Attachment struct {
	Filename     string `json:"filename"`
	MimeType     string `json:"mime_type"`
	Size         int    `json:"size"`
	AttachmentID string `json:"attachment_id,omitempty"`
}

// MessageOutput is the structured result of gmail_get_message.
type MessageOutput struct {
	MessageSummary
	Cc            string       `json:"cc,omitempty"`
	MessageIDHdr  string       `json:"rfc822_message_id,omitempty"`
	Body          string       `json:"body"`
	BodyTruncated bool         `json:"body_truncated,omitempty"`
	BodyFormat    string       `json:"body_format"`
	Attachments   []Attachment `json:"attachments,omitempty"`
}

// maxBodyRunes bounds the body returned to the model.
const maxBodyRunes = 20000

func getMessage() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "gmail_get_message",
		Title: "Read a Gmail message",
		Description: "Read a Gmail message: headers, plain-text body (long ones cut and marked) " +
			"and attachment list.",
		Provider: "google",
		// format=full is refused under gmail.metadata, so it is left out.
		Requirement: registry.AnyOf(registry.GmailReadonly, registry.GmailModify, registry.GmailFull),
		Operations:  []string{"gmail.users.messages.get"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runGet)
}

// Check refuses an empty message id.
func (in *GetInput) Check() error { return checkID(in.MessageID) }

func checkID(id string) error {
	if strings.TrimSpace(id) == "" {
		return registry.Errorf("message_id must not be empty")
	}
	return nil
}

func runGet(ctx context.Context, call *registry.Call, in GetInput) (registry.Result, error) {
	id := strings.TrimSpace(in.MessageID)
	msg, err := fetchMessage(ctx, call, id, "full")
	if err != nil {
		return registry.Result{}, err
	}

	out := MessageOutput{
		MessageSummary: msg.summary(),
		Cc:             msg.header("Cc"),
		MessageIDHdr:   msg.header("Message-ID"),
	}
	out.Body, out.BodyFormat = msg.Payload.text()
	if r := []rune(out.Body); len(r) > maxBodyRunes {
		out.Body = string(r[:maxBodyRunes])
		out.BodyTruncated = true
	}
	out.Attachments = msg.Payload.attachments(nil)

	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\nTo: %s\n", orNone(out.From), orNone(out.To))
	if out.Cc != "" {
		fmt.Fprintf(&b, "Cc: %s\n", out.Cc)
	}
	fmt.Fprintf(&b, "Date: %s\nSubject: %s\nMessage id: %s (thread %s)\n\n%s",
		out.Date, orNone(out.Subject), out.ID, out.ThreadID, out.Body)
	if out.BodyTruncated {
		fmt.Fprintf(&b, "\n\n[The body was cut after %d characters.]", maxBodyRunes)
	}
	if len(out.Attachments) > 0 {
		b.WriteString("\n\nAttachments:")
		for _, a := range out.Attachments {
			fmt.Fprintf(&b, "\n- %s (%s, %d bytes)", a.Filename, a.MimeType, a.Size)
		}
	}
	return registry.Result{Text: b.String(), Structured: out}, nil
}

func fetchMessage(ctx context.Context, call *registry.Call, id, format string) (*message, error) {
	q := url.Values{"format": {format}}
	if format == "metadata" {
		q["metadataHeaders"] = []string{"From", "To", "Subject", "Date"}
	}
	var msg message
	if err := googleapi.Do(ctx, call, "GET", messagesURL(call, id)+"?"+q.Encode(), nil, &msg); err != nil {
		if googleapi.IsToolError(err, 404) {
			return nil, registry.Errorf("No Gmail message has id %q. Search again to get a current id.", id)
		}
		return nil, err
	}
	return &msg, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
