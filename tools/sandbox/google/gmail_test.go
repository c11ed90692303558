package google

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const profilePath = "/gmail/v1/users/me/profile"

func TestGmailUnauthenticated(t *testing.T) {
	hint := "Expected OAuth 2 access token, login cookie or other valid authentication " +
		"credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	tests := []struct {
		name       string
		token      string
		wantHeader string
		want       apiError
	}{
		{"missing", "", `Bearer realm="https://accounts.google.com/"`, apiError{apiErrorBody{
			Code:    401,
			Message: "Request is missing required authentication credential. " + hint,
			Errors: []apiErrorItem{{Message: "Login Required.", Domain: "global",
				Reason: "required", Location: "Authorization", LocationType: "header"}},
			Status: "UNAUTHENTICATED",
			Details: []errorInfo{{Type: "type.googleapis.com/google.rpc.ErrorInfo",
				Reason: "CREDENTIALS_MISSING", Domain: "googleapis.com",
				Metadata: map[string]string{"service": "gmail.googleapis.com",
					"method": "caribou.api.proto.MailboxService.GetProfile"}}},
		}}},
		{"invalid", "ya29.not-a-token",
			`Bearer realm="https://accounts.google.com/", error="invalid_token"`,
			apiError{apiErrorBody{
				Code:    401,
				Message: "Request had invalid authentication credentials. " + hint,
				Errors: []apiErrorItem{{Message: "Invalid Credentials", Domain: "global",
					Reason: "authError", Location: "Authorization", LocationType: "header"}},
				Status: "UNAUTHENTICATED",
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var got apiError
			resp := e.api(t, tt.token, "GET", profilePath, nil, &got)
			if resp.StatusCode != 401 {
				t.Errorf("GET %s = %d, want 401", profilePath, resp.StatusCode)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tt.wantHeader {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantHeader)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("401 body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGmailInsufficientScope(t *testing.T) {
	tests := []struct {
		name    string
		granted string
		method  string
		path    string
		rpc     string
		op      string
	}{
		{"list with send only", sendScope, "GET", "/gmail/v1/users/me/messages",
			"ListMessages", "gmail.users.messages.list"},
		{"delete with modify", modifyScope, "DELETE", "/gmail/v1/users/me/messages/1",
			"DeleteMessage", "gmail.users.messages.delete"},
		{"draft with send only", sendScope, "POST", "/gmail/v1/users/me/drafts",
			"CreateDraft", "gmail.users.drafts.create"},
		{"profile with send only", sendScope, "GET", profilePath,
			"GetProfile", "gmail.users.getProfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var got apiError
			resp := e.api(t, e.tokenFor(t, tt.granted), tt.method, tt.path, nil, &got)
			if resp.StatusCode != 403 {
				t.Errorf("%s %s = %d, want 403", tt.method, tt.path, resp.StatusCode)
			}
			want := apiError{apiErrorBody{
				Code:    403,
				Message: "Request had insufficient authentication scopes.",
				Errors: []apiErrorItem{{Message: "Insufficient Permission", Domain: "global",
					Reason: "insufficientPermissions"}},
				Status: "PERMISSION_DENIED",
				Details: []errorInfo{{Type: "type.googleapis.com/google.rpc.ErrorInfo",
					Reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT", Domain: "googleapis.com",
					Metadata: map[string]string{"service": "gmail.googleapis.com",
						"method": "caribou.api.proto.MailboxService." + tt.rpc}}},
			}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("403 body mismatch (-want +got):\n%s", diff)
			}
			wantHeader := `Bearer realm="https://accounts.google.com/", ` +
				`error="insufficient_scope", scope="` +
				strings.Join(e.srv.facts.Operations[tt.op].AcceptedScopes, " ") + `"`
			if got := resp.Header.Get("WWW-Authenticate"); got != wantHeader {
				t.Errorf("WWW-Authenticate = %q, want %q", got, wantHeader)
			}
		})
	}
}

func TestMetadataScopeRestrictions(t *testing.T) {
	firstID := func(e *env, token string) string {
		var list struct{ Messages []messageRef }
		e.api(t, token, "GET", "/gmail/v1/users/me/messages", nil, &list)
		return list.Messages[0].ID
	}
	tests := []struct {
		name       string
		granted    []string
		query      string // for messages.list
		format     string // for messages.get, when query is empty
		wantStatus int
		wantMsg    string
	}{
		{"q with metadata", []string{scopeMetadata}, "q=is:unread", "", 403,
			"Metadata scope does not support 'q' parameter"},
		{"empty q with metadata", []string{scopeMetadata}, "q=", "", 403,
			"Metadata scope does not support 'q' parameter"},
		{"q with metadata and readonly", []string{scopeMetadata, readonlyScope},
			"q=is:unread", "", 403, "Metadata scope does not support 'q' parameter"},
		{"q with readonly", []string{readonlyScope}, "q=is:unread", "", 200, ""},
		{"list without q with metadata", []string{scopeMetadata}, "maxResults=2", "", 200, ""},
		{"full with metadata", []string{scopeMetadata}, "", "full", 403,
			"Metadata scope doesn't allow format FULL"},
		{"default format with metadata", []string{scopeMetadata}, "", "", 403,
			"Metadata scope doesn't allow format FULL"},
		{"raw with metadata and readonly", []string{scopeMetadata, readonlyScope}, "", "raw",
			403, "Metadata scope doesn't allow format RAW"},
		{"metadata format with metadata", []string{scopeMetadata}, "", "metadata", 200, ""},
		{"minimal with metadata", []string{scopeMetadata}, "", "minimal", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			token := e.tokenFor(t, tt.granted...)
			path := "/gmail/v1/users/me/messages?" + tt.query
			if tt.query == "" {
				path = "/gmail/v1/users/me/messages/" + firstID(e, token)
				if tt.format != "" {
					path += "?format=" + tt.format
				}
			}
			var got apiError
			resp := e.api(t, token, "GET", path, nil, &got)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 200 {
				return
			}
			want := apiError{apiErrorBody{
				Code: 403, Message: tt.wantMsg, Status: "PERMISSION_DENIED",
				Errors: []apiErrorItem{{Message: tt.wantMsg, Domain: "global",
					Reason: "forbidden"}},
			}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GET %s body mismatch (-want +got):\n%s", path, diff)
			}
		})
	}
}

// listIDs pages through messages.list with query and returns every ID in order.
func listIDs(t *testing.T, e *env, token, query string, pageSize int) []string {
	t.Helper()
	var ids []string
	token1 := ""
	for range 100 {
		v := url.Values{"maxResults": {fmt.Sprint(pageSize)}}
		if query != "" {
			v.Set("q", query)
		}
		if token1 != "" {
			v.Set("pageToken", token1)
		}
		var page struct {
			Messages           []messageRef
			NextPageToken      string
			ResultSizeEstimate int
		}
		resp := e.api(t, token, "GET", "/gmail/v1/users/me/messages?"+v.Encode(), nil, &page)
		if resp.StatusCode != 200 {
			t.Fatalf("messages.list(%v) = %d", v, resp.StatusCode)
		}
		for _, m := range page.Messages {
			ids = append(ids, m.ID)
		}
		if page.NextPageToken == "" {
			return ids
		}
		token1 = page.NextPageToken
	}
	t.Fatal("paging did not end")
	return nil
}

func TestListPaging(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, fullScope)
	all := listIDs(t, e, token, "", 500)
	if len(all) < 5 {
		t.Fatalf("mailbox lists %d messages, want at least 5", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("messages.list order = %v, want newest (highest ID) first", all)
	}
	for _, size := range []int{1, 2, 3} {
		if got := listIDs(t, e, token, "", size); !cmp.Equal(got, all) {
			t.Errorf("pages of %d = %v, want %v", size, got, all)
		}
	}

	var empty map[string]any
	e.api(t, token, "GET", "/gmail/v1/users/me/messages?q=zzzunfindable", nil, &empty)
	if diff := cmp.Diff(map[string]any{"resultSizeEstimate": 0.0}, empty); diff != "" {
		t.Errorf("empty list mismatch (-want +got):\n%s", diff)
	}
	var bad apiError
	resp := e.api(t, token, "GET", "/gmail/v1/users/me/messages?maxResults=many", nil, &bad)
	if resp.StatusCode != 400 || bad.Error.Status != "INVALID_ARGUMENT" {
		t.Errorf("maxResults=many = %d %+v, want 400 INVALID_ARGUMENT", resp.StatusCode, bad)
	}
}

func TestSendThenSearch(t *testing.T) {
	tests := []struct {
		name       string
		to         string
		query      string
		wantLabels []string
	}{
		{"to someone else", "Ana <ana@example.com>", `subject:"sandbox status report"`,
			[]string{"SENT"}},
		{"to the account", "Me <" + DefaultAccount + ">", "in:inbox is:unread status report",
			[]string{"UNREAD", "SENT", "INBOX"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			send := e.tokenFor(t, sendScope)
			read := e.tokenFor(t, readonlyScope)
			raw := rawMessage("To: " + tt.to + "\nSubject: Sandbox status report\n\n" +
				"All green today.\n")
			var sent messageRef
			resp := e.api(t, send, "POST", "/gmail/v1/users/me/messages/send",
				map[string]string{"raw": raw}, &sent)
			if resp.StatusCode != 200 {
				t.Fatalf("messages.send = %d", resp.StatusCode)
			}
			if diff := cmp.Diff(tt.wantLabels, sent.LabelIDs); diff != "" {
				t.Errorf("sent labelIds mismatch (-want +got):\n%s", diff)
			}
			if sent.ThreadID != sent.ID {
				t.Errorf("new message threadId = %s, want its own id %s", sent.ThreadID, sent.ID)
			}
			if got := listIDs(t, e, read, tt.query, 10); !cmp.Equal(got, []string{sent.ID}) {
				t.Errorf("search %q = %v, want [%s]", tt.query, got, sent.ID)
			}

			var msg messageJSON
			e.api(t, read, "GET", "/gmail/v1/users/me/messages/"+sent.ID, nil, &msg)
			headers := map[string]string{}
			for _, h := range msg.Payload.Headers {
				headers[h.Name] = h.Value
			}
			if got, want := headers["From"], `"Demo User" <`+DefaultAccount+`>`; got != want {
				t.Errorf("sent From = %q, want %q", got, want)
			}
			if headers["Date"] == "" || headers["Message-ID"] == "" {
				t.Errorf("sent headers %v lack Date or Message-ID", headers)
			}
			if got, want := msg.Snippet, "All green today."; got != want {
				t.Errorf("snippet = %q, want %q", got, want)
			}
		})
	}
}

func TestSendRefusals(t *testing.T) {
	tests := []struct {
		name    string
		body    map[string]string
		wantMsg string
	}{
		{"no raw", map[string]string{}, rawRequired},
		{"bad To", map[string]string{"raw": rawMessage("To: not an address <\nSubject: x\n\nhi")},
			"Invalid To header"},
		{"bad Cc", map[string]string{"raw": rawMessage("To: a@example.com\nCc: @@\n\nhi")},
			"Invalid Cc header"},
		{"no recipient", map[string]string{"raw": rawMessage("Subject: lonely\n\nhi")},
			"Recipient address required"},
		{"not base64", map[string]string{"raw": "%%%"},
			"Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var got apiError
			resp := e.api(t, e.tokenFor(t, sendScope), "POST", "/gmail/v1/users/me/messages/send",
				tt.body, &got)
			if resp.StatusCode != 400 {
				t.Errorf("messages.send = %d, want 400", resp.StatusCode)
			}
			if got.Error.Message != tt.wantMsg || got.Error.Status != "INVALID_ARGUMENT" {
				t.Errorf("messages.send error = %q %s, want %q INVALID_ARGUMENT",
					got.Error.Message, got.Error.Status, tt.wantMsg)
			}
		})
	}
}

func TestSendIntoThread(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, fullScope)
	first := listIDs(t, e, token, `subject:"Q3 planning doc"`, 10)
	if len(first) != 1 {
		t.Fatalf("seed search found %v, want one message", first)
	}
	tests := []struct {
		name      string
		subject   string
		threadID  string
		wantSame  bool
		wantError int
	}{
		{"matching subject", "Re: Q3 planning doc: comments by Friday?", first[0], true, 0},
		{"other subject", "Something else", first[0], false, 0},
		{"unknown thread", "Re: x", "0000000000000001", false, 404},
		{"malformed thread", "Re: x", "not-an-id", false, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := rawMessage("To: priya.raman@example.org\nSubject: " + tt.subject + "\n\nok")
			var sent messageRef
			resp := e.api(t, token, "POST", "/gmail/v1/users/me/messages/send",
				map[string]string{"raw": raw, "threadId": tt.threadID}, &sent)
			if tt.wantError != 0 {
				if resp.StatusCode != tt.wantError {
					t.Errorf("messages.send = %d, want %d", resp.StatusCode, tt.wantError)
				}
				return
			}
			if got := sent.ThreadID == tt.threadID; got != tt.wantSame {
				t.Errorf("sent into thread %s: threadId = %s, same = %v, want %v",
					tt.threadID, sent.ThreadID, got, tt.wantSame)
			}
		})
	}
}

func TestGetMessageFormats(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, readonlyScope)
	ids := listIDs(t, e, token, "has:attachment", 10)
	if len(ids) != 1 {
		t.Fatalf("has:attachment found %v, want one message", ids)
	}
	base := "/gmail/v1/users/me/messages/" + ids[0]

	var full messageJSON
	e.api(t, token, "GET", base, nil, &full)
	if full.Payload == nil || full.Payload.MimeType != "multipart/mixed" ||
		len(full.Payload.Parts) != 2 {
		t.Fatalf("full payload = %+v, want multipart/mixed with two parts", full.Payload)
	}
	text, att := full.Payload.Parts[0], full.Payload.Parts[1]
	data, err := base64.URLEncoding.DecodeString(text.Body.Data)
	if err != nil || !strings.Contains(string(data), "INV-2024-0317") {
		t.Errorf("text part body = %q (%v), want the invoice text", data, err)
	}
	wantAtt := partJSON{PartID: "1", MimeType: "application/pdf",
		Filename: "invoice-INV-2024-0317.pdf"}
	gotAtt := partJSON{PartID: att.PartID, MimeType: att.MimeType, Filename: att.Filename}
	if diff := cmp.Diff(wantAtt, gotAtt); diff != "" || att.Body.AttachmentID == "" {
		t.Errorf("attachment part mismatch (-want +got):\n%s, attachmentId %q", diff,
			att.Body.AttachmentID)
	}
	var body bodyJSON
	e.api(t, token, "GET", base+"/attachments/"+att.Body.AttachmentID, nil, &body)
	if pdf, _ := base64.URLEncoding.DecodeString(body.Data); !strings.HasPrefix(string(pdf),
		"%PDF") || body.Size != len(pdf) {
		t.Errorf("attachments.get = %d bytes %q, want the PDF", body.Size, pdf)
	}

	var meta messageJSON
	e.api(t, token, "GET", base+"?format=metadata&metadataHeaders=subject&metadataHeaders=From",
		nil, &meta)
	wantHeaders := []header{{"From", "Atlas Cloud Billing <billing@atlascloud.example>"},
		{"Subject", "Your invoice for March is ready"}}
	diff := cmp.Diff(wantHeaders, meta.Payload.Headers)
	if diff != "" || meta.Payload.Parts != nil {
		t.Errorf("metadata headers mismatch (-want +got):\n%s", diff)
	}

	var minimal, raw messageJSON
	e.api(t, token, "GET", base+"?format=minimal", nil, &minimal)
	if minimal.Payload != nil || minimal.Raw != "" || minimal.Snippet == "" ||
		minimal.InternalDate == "" {
		t.Errorf("minimal = %+v, want no payload or raw, with snippet and internalDate", minimal)
	}
	e.api(t, token, "GET", base+"?format=raw", nil, &raw)
	if b, err := base64.URLEncoding.DecodeString(raw.Raw); err != nil ||
		!strings.HasPrefix(string(b), "From: Atlas Cloud Billing") {
		t.Errorf("raw = %.40q (%v), want the RFC 5322 message", b, err)
	}
}

func TestMessageNotFound(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want apiError
	}{
		{"unknown", "18e9a1b2c3d4e5f6", apiError{apiErrorBody{Code: 404,
			Message: "Requested entity was not found.", Status: "NOT_FOUND",
			Errors: []apiErrorItem{{Message: "Requested entity was not found.", Domain: "global",
				Reason: "notFound"}}}}},
		{"malformed", "no-such-id", apiError{apiErrorBody{Code: 400,
			Message: "Invalid id value", Status: "INVALID_ARGUMENT",
			Errors: []apiErrorItem{{Message: "Invalid id value", Domain: "global",
				Reason: "invalidArgument"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var got apiError
			resp := e.api(t, e.tokenFor(t, fullScope), "GET", "/gmail/v1/users/me/messages/"+tt.id,
				nil, &got)
			if resp.StatusCode != tt.want.Error.Code {
				t.Errorf("messages.get(%s) = %d, want %d", tt.id, resp.StatusCode,
					tt.want.Error.Code)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("messages.get(%s) body mismatch (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}

func TestModifyTrashDelete(t *testing.T) {
	e := newEnv(t)
	modify, full := e.tokenFor(t, modifyScope), e.tokenFor(t, fullScope)
	id := listIDs(t, e, modify, "from:marco", 10)[0]
	path := "/gmail/v1/users/me/messages/" + id

	var ref messageRef
	e.api(t, modify, "POST", path+"/modify", map[string][]string{
		"addLabelIds": {"Label_1", "UNREAD"}, "removeLabelIds": {"STARRED"}}, &ref)
	want := []string{"INBOX", "CATEGORY_PERSONAL", "Label_1", "UNREAD"}
	if diff := cmp.Diff(want, ref.LabelIDs); diff != "" {
		t.Errorf("modify labelIds mismatch (-want +got):\n%s", diff)
	}
	var bad apiError
	resp := e.api(t, modify, "POST", path+"/modify",
		map[string][]string{"addLabelIds": {"Label_99"}}, &bad)
	if resp.StatusCode != 400 || bad.Error.Message != "Invalid label: Label_99" {
		t.Errorf("modify with an unknown label = %d %q", resp.StatusCode, bad.Error.Message)
	}

	e.api(t, modify, "POST", path+"/trash", nil, &ref)
	if !slices.Contains(ref.LabelIDs, "TRASH") {
		t.Errorf("trash labelIds = %v, want TRASH among them", ref.LabelIDs)
	}
	if slices.Contains(listIDs(t, e, modify, "", 500), id) {
		t.Errorf("trashed message still listed by default")
	}
	if got := listIDs(t, e, modify, "in:trash from:marco", 10); !slices.Contains(got, id) {
		t.Errorf("in:trash from:marco = %v, want %s among them", got, id)
	}
	e.api(t, modify, "POST", path+"/untrash", nil, &ref)
	if slices.Contains(ref.LabelIDs, "TRASH") {
		t.Errorf("untrash labelIds = %v, want no TRASH", ref.LabelIDs)
	}

	if resp := e.api(t, modify, "DELETE", path, nil, nil); resp.StatusCode != 403 {
		t.Errorf("delete with gmail.modify = %d, want 403", resp.StatusCode)
	}
	if resp := e.api(t, full, "DELETE", path, nil, nil); resp.StatusCode != 204 {
		t.Errorf("delete with full access = %d, want 204", resp.StatusCode)
	}
	if resp := e.api(t, full, "GET", path, nil, nil); resp.StatusCode != 404 {
		t.Errorf("get after delete = %d, want 404", resp.StatusCode)
	}
}

func TestCreateDraft(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, composeScope)
	var draft struct {
		ID      string
		Message messageRef
	}
	raw := rawMessage("To: ana@example.com\nSubject: Draft plan\n\nTo be continued")
	resp := e.api(t, token, "POST", "/gmail/v1/users/me/drafts",
		map[string]any{"message": map[string]string{"raw": raw}}, &draft)
	if resp.StatusCode != 200 || !strings.HasPrefix(draft.ID, "r") {
		t.Fatalf("drafts.create = %d, id %q", resp.StatusCode, draft.ID)
	}
	if diff := cmp.Diff([]string{"DRAFT"}, draft.Message.LabelIDs); diff != "" {
		t.Errorf("draft labelIds mismatch (-want +got):\n%s", diff)
	}
	read := e.tokenFor(t, readonlyScope)
	if got := listIDs(t, e, read, "in:drafts", 10); !cmp.Equal(got, []string{draft.Message.ID}) {
		t.Errorf("in:drafts = %v, want [%s]", got, draft.Message.ID)
	}
}

func TestProfileLabelsAndDelegation(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, readonlyScope)
	var profile map[string]any
	e.api(t, token, "GET", "/gmail/v1/users/"+DefaultAccount+"/profile", nil, &profile)
	if profile["emailAddress"] != DefaultAccount || profile["messagesTotal"] != 9.0 ||
		profile["threadsTotal"] != 8.0 {
		t.Errorf("profile = %v, want the account with 9 messages in 8 threads", profile)
	}

	var labels struct{ Labels []label }
	e.api(t, token, "GET", "/gmail/v1/users/me/labels", nil, &labels)
	var ids []string
	for _, l := range labels.Labels {
		ids = append(ids, l.ID)
	}
	for _, want := range []string{"INBOX", "SENT", "TRASH", "UNREAD", "Label_1", "Label_2"} {
		if !slices.Contains(ids, want) {
			t.Errorf("labels.list = %v, want %s among them", ids, want)
		}
	}

	var denied apiError
	resp := e.api(t, token, "GET", "/gmail/v1/users/someone@example.com/profile", nil, &denied)
	wantDenied := "Delegation denied for someone@example.com"
	if resp.StatusCode != 403 || denied.Error.Message != wantDenied {
		t.Errorf("other user's profile = %d %q, want 403 delegation denied", resp.StatusCode,
			denied.Error.Message)
	}
	var unimplemented apiError
	resp = e.api(t, token, "GET", "/gmail/v1/users/me/threads", nil, &unimplemented)
	if resp.StatusCode != 501 || unimplemented.Error.Status != "UNIMPLEMENTED" {
		t.Errorf("threads.list = %d %+v, want 501 UNIMPLEMENTED", resp.StatusCode, unimplemented)
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	token := e.tokenFor(t, fullScope)
	call := func(method, path, body string) error {
		req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := e.client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s %s = %d, want 200", method, path, resp.StatusCode)
		}
		return nil
	}

	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			raw := rawMessage(fmt.Sprintf("To: %s\nSubject: parallel %d\n\nhello",
				DefaultAccount, i))
			errs <- call("POST", "/gmail/v1/users/me/messages/send", `{"raw":"`+raw+`"}`)
			errs <- call("GET", "/gmail/v1/users/me/messages?q=parallel", "")
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := listIDs(t, e, token, "subject:parallel", 3); len(got) != 8 {
		t.Errorf("subject:parallel found %d messages, want 8", len(got))
	}
}
