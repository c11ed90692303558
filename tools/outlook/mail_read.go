package outlook

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// SearchInput is the input of outlook_search_messages.
type SearchInput struct {
	Query          string `json:"query,omitempty" jsonschema:"description=Outlook search (KQL)\\, e.g. 'budget' or 'subject:invoice from:ana@example.com'. Empty lists the newest."`
	From           string `json:"from,omitempty" jsonschema:"description=Only from this email address."`
	UnreadOnly     bool   `json:"unread_only,omitempty"`
	ReceivedAfter  string `json:"received_after,omitempty" jsonschema:"description=Only received at or after this time: RFC 3339 or a date such as 2025-03-01."`
	ReceivedBefore string `json:"received_before,omitempty" jsonschema:"description=Only received before this time: RFC 3339\\, or a date (included)."`
	Folder         string `json:"folder,omitempty" jsonschema:"description=A well-known folder (inbox\\, sentitems\\, drafts\\, archive\\, deleteditems\\, junkemail) or an id. Empty: all."`
	MaxResults     int    `json:"max_results,omitempty" jsonschema:"description=Default 10.,minimum=1,maximum=50"`
	PageToken      string `json:"page_token,omitempty" jsonschema:"description=An earlier call's next_page_token. Keep the folder; the token carries the rest."`
}

// MessageSummary is one message in a search result.
type MessageSummary struct {
	ID             string   `json:"id"`
	ConversationID string   `json:"conversation_id,omitempty"`
	From           string   `json:"from,omitempty"`
	To             []string `json:"to,omitempty"`
	Subject        string   `json:"subject"`
	Received       string   `json:"received"`
	Preview        string   `json:"preview,omitempty"`
	IsRead         bool     `json:"is_read"`
	HasAttachments bool     `json:"has_attachments,omitempty"`
}

// SearchOutput is the structured result of outlook_search_messages.
type SearchOutput struct {
	Messages      []MessageSummary `json:"messages"`
	NextPageToken string           `json:"next_page_token,omitempty"`
}

// summarySelect is what a search asks Graph for.
const summarySelect = "id,subject,from,toRecipients,receivedDateTime,bodyPreview,isRead," +
	"hasAttachments,conversationId"

func searchMessages() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "outlook_search_messages",
		Title: "Search Outlook mail",
		Description: "Search Outlook mail, all or one folder; lists messages newest first with " +
			"sender, subject, date and preview.",
		Provider: "microsoft",
		// Graph accepts Mail.ReadBasic for both listings, but that permission withholds
		// previews and, as its description says, does not include searching; this tool
		// does both, so it starts at Mail.Read.
		Requirement: registry.AnyOf(registry.GraphMailRead, registry.GraphMailReadWrite),
		Operations:  []string{"GET /me/messages", "GET /me/mailFolders/{id}/messages"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runSearch)
}

// Check refuses a page size out of range, unreadable dates and a bad folder.
func (in *SearchInput) Check() error {
	if in.MaxResults < 0 || in.MaxResults > 50 {
		return registry.Errorf("max_results must be between 1 and 50, got %d", in.MaxResults)
	}
	for _, d := range []struct{ field, v string }{
		{"received_after", in.ReceivedAfter}, {"received_before", in.ReceivedBefore},
	} {
		if d.v != "" {
			if _, err := parseWhen(d.field, d.v); err != nil {
				return err
			}
		}
	}
	if in.Folder != "" {
		return checkID("folder", in.Folder)
	}
	return nil
}

func (in *SearchInput) listPath() string {
	if in.Folder == "" {
		return "/me/messages"
	}
	return "/me/mailFolders/" + url.PathEscape(in.Folder) + "/messages"
}

func runSearch(ctx context.Context, call *registry.Call, in SearchInput) (registry.Result, error) {
	u, err := in.requestURL(call)
	if err != nil {
		return registry.Result{}, err
	}
	var page graphapi.Collection[Message]
	if err := graphapi.Do(ctx, call, graphapi.Request{Method: "GET", URL: u}, &page); err != nil {
		if graphapi.IsStatus(err, 404) && in.Folder != "" {
			return registry.Result{}, registry.Errorf("No Outlook folder is named or has id %q.", in.Folder)
		}
		return registry.Result{}, err
	}

	out := SearchOutput{Messages: make([]MessageSummary, 0, len(page.Value)),
		NextPageToken: graphapi.PageToken(page.NextLink)}
	for _, m := range page.Value {
		out.Messages = append(out.Messages, summarize(m))
	}
	return registry.Result{Text: searchText(in, out), Structured: out}, nil
}

// requestURL builds the listing: $search when there are words to search for, with the
// other conditions written in the search syntax, since Graph refuses $filter beside
// $search; otherwise $filter and $orderby.
func (in *SearchInput) requestURL(call *registry.Call) (string, error) {
	if in.PageToken != "" {
		return graphapi.PageURL(call, in.PageToken, in.listPath())
	}
	top := in.MaxResults
	if top == 0 {
		top = 10
	}
	q := url.Values{"$top": {strconv.Itoa(top)}, "$select": {summarySelect}}
	after, before := in.window()
	if strings.TrimSpace(in.Query) != "" {
		terms := []string{strings.TrimSpace(in.Query)}
		if in.From != "" {
			terms = append(terms, "from:"+in.From)
		}
		if in.UnreadOnly {
			terms = append(terms, "isread:false")
		}
		if !after.IsZero() {
			terms = append(terms, "received>="+after.UTC().Format(time.DateOnly))
		}
		if !before.IsZero() {
			terms = append(terms, "received<"+before.UTC().Format(time.DateOnly))
		}
		kql := strings.ReplaceAll(strings.Join(terms, " "), `"`, `\"`)
		q.Set("$search", `"`+kql+`"`)
		return graphapi.URL(call, in.listPath(), q), nil
	}

	q.Set("$orderby", "receivedDateTime desc")
	if after.IsZero() && before.IsZero() && in.From == "" && !in.UnreadOnly {
		return graphapi.URL(call, in.listPath(), q), nil
	}
	// Exchange sorts only on a property the filter restricts first, so the filter always
	// opens with the received time.
	if after.IsZero() {
		after = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	clauses := []string{"receivedDateTime ge " + after.UTC().Format(time.RFC3339)}
	if !before.IsZero() {
		clauses = append(clauses, "receivedDateTime lt "+before.UTC().Format(time.RFC3339))
	}
	if in.From != "" {
		clauses = append(clauses, "from/emailAddress/address eq '"+strings.ReplaceAll(in.From, "'", "''")+"'")
	}
	if in.UnreadOnly {
		clauses = append(clauses, "isRead eq false")
	}
	q.Set("$filter", strings.Join(clauses, " and "))
	return graphapi.URL(call, in.listPath(), q), nil
}

// window returns the received-time bounds; a date-only before bound includes its day.
func (in *SearchInput) window() (after, before time.Time) {
	if in.ReceivedAfter != "" {
		after, _ = parseWhen("received_after", in.ReceivedAfter)
	}
	if in.ReceivedBefore != "" {
		before, _ = parseWhen("received_before", in.ReceivedBefore)
		if _, err := time.Parse(time.DateOnly, in.ReceivedBefore); err == nil {
			before = before.AddDate(0, 0, 1)
		}
	}
	return after, before
}

func summarize(m Message) MessageSummary {
	s := MessageSummary{
		ID: m.ID, ConversationID: m.ConversationID, Subject: m.Subject,
		Received: m.ReceivedDateTime.UTC().Format(time.RFC3339), Preview: m.BodyPreview,
		IsRead: m.IsRead, HasAttachments: m.HasAttachments, To: joinRecipients(m.ToRecipients),
	}
	if m.From != nil {
		s.From = m.From.String()
	}
	return s
}

func searchText(in SearchInput, out SearchOutput) string {
	var b strings.Builder
	if len(out.Messages) == 0 {
		b.WriteString("No messages match.")
	} else {
		fmt.Fprintf(&b, "%d messages:\n", len(out.Messages))
	}
	for _, m := range out.Messages {
		unread := ""
		if !m.IsRead {
			unread = " (unread)"
		}
		fmt.Fprintf(&b, "- [%s] %s%s — from %s, %s\n", m.ID, orNone(m.Subject), unread,
			orNone(m.From), m.Received)
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "More results exist: call again with page_token %q", out.NextPageToken)
		if in.Folder != "" {
			fmt.Fprintf(&b, " and folder %q", in.Folder)
		}
		b.WriteString(".")
	}
	return strings.TrimRight(b.String(), "\n")
}
