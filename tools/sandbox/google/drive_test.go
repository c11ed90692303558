package google

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	driveScope         = "https://www.googleapis.com/auth/drive"
	driveFileScope     = "https://www.googleapis.com/auth/drive.file"
	driveReadonlyScope = "https://www.googleapis.com/auth/drive.readonly"
	driveMetaScope     = "https://www.googleapis.com/auth/drive.metadata.readonly"
)

// fetch sends a request with a raw body and returns the answer and its body.
func (e *env) fetch(t *testing.T, token, method, path, ctype string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// listNames lists files for q and returns their names in Drive's order.
func (e *env) listNames(t *testing.T, token, q string) []string {
	t.Helper()
	var list struct {
		Files []struct {
			Name string `json:"name"`
		} `json:"files"`
	}
	path := "/drive/v3/files?" + url.Values{"q": {q}, "pageSize": {"50"}}.Encode()
	if resp := e.api(t, token, "GET", path, nil, &list); resp.StatusCode != 200 {
		t.Fatalf("list %q = %d", q, resp.StatusCode)
	}
	var names []string
	for _, f := range list.Files {
		names = append(names, f.Name)
	}
	return names
}

func TestDriveListQueries(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveMetaScope)
	tests := []struct {
		q    string
		want []string
	}{
		{"name contains 'atlas'", []string{"Atlas budget", "Atlas kickoff notes"}},
		{"name contains 'budget' or name contains 'todo'", []string{"todo.txt", "Atlas budget"}},
		{"name contains 'kick'", []string{"Atlas kickoff notes"}},
		{"name contains 'off'", nil}, // Drive matches the start of words only
		{"mimeType = 'application/vnd.google-apps.folder'", []string{"Projects"}},
		{"'" + seedFolderID + "' in parents and not name contains 'meeting'",
			[]string{"Atlas budget", "Atlas kickoff notes"}},
		{"'root' in parents and trashed = false and mimeType != 'application/pdf'",
			[]string{"todo.txt", "Quarterly review", "Projects"}},
		{"trashed = true", []string{"old draft.txt"}},
		{"fullText contains 'billing service'", []string{"Atlas kickoff notes"}},
		{"fullText contains 'Cloud hosting'", []string{"Atlas budget"}},
		{"modifiedTime > '2024-03-28T09:30:00' and mimeType contains 'vnd.google-apps'",
			[]string{"Atlas budget"}},
		{"'demo.user@example.com' in owners and name = 'todo.txt'", []string{"todo.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, e.listNames(t, tok, tt.q)); diff != "" {
				t.Errorf("q=%s mismatch (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

func TestDriveListRefusals(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveMetaScope)
	invalid := func(location string) driveError {
		return driveError{driveErrorBody{Code: 400, Message: "Invalid Value", Errors: []apiErrorItem{{
			Message: "Invalid Value", Domain: "global", Reason: "invalid",
			Location: location, LocationType: "parameter"}}}}
	}
	tests := []struct {
		name  string
		query url.Values
		want  driveError
	}{
		{"unknown field", url.Values{"q": {"title contains 'x'"}}, invalid("q")},
		{"unquoted value", url.Values{"q": {"name contains x"}}, invalid("q")},
		{"bad page token", url.Values{"pageToken": {"nope"}}, invalid("pageToken")},
		{"sorted full text", url.Values{"q": {"fullText contains 'x'"}, "orderBy": {"name"}},
			driveError{driveErrorBody{Code: 400, Message: "Sorting is not supported for queries " +
				"with fullText terms. Results are always in descending relevance order.",
				Errors: []apiErrorItem{{Message: "Sorting is not supported for queries with " +
					"fullText terms. Results are always in descending relevance order.",
					Domain: "global", Reason: "invalid", Location: "orderBy",
					LocationType: "parameter"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got driveError
			resp := e.api(t, tok, "GET", "/drive/v3/files?"+tt.query.Encode(), nil, &got)
			if resp.StatusCode != 400 {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDriveFieldsAndPages(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveReadonlyScope)

	var plain map[string]any
	e.api(t, tok, "GET", "/drive/v3/files?pageSize=1", nil, &plain)
	first := plain["files"].([]any)[0].(map[string]any)
	if len(first) != 4 || first["kind"] != "drive#file" || plain["kind"] != "drive#fileList" ||
		plain["nextPageToken"] == nil {
		t.Errorf("default partial response = %v, want kind, id, name and mimeType per file", plain)
	}

	var sel map[string]any
	e.api(t, tok, "GET", "/drive/v3/files/"+seedTextID+"?fields=id,owners(emailAddress),size", nil, &sel)
	want := map[string]any{"id": seedTextID, "size": "65",
		"owners": []any{map[string]any{"emailAddress": DefaultAccount}}}
	if diff := cmp.Diff(want, sel); diff != "" {
		t.Errorf("fields selection mismatch (-want +got):\n%s", diff)
	}

	var seen []string
	tokenParam := ""
	for page := 0; page < 10; page++ {
		var list struct {
			Files []struct {
				ID string `json:"id"`
			} `json:"files"`
			NextPageToken string `json:"nextPageToken"`
		}
		e.api(t, tok, "GET", "/drive/v3/files?pageSize=3"+tokenParam, nil, &list)
		for _, f := range list.Files {
			seen = append(seen, f.ID)
		}
		if list.NextPageToken == "" {
			break
		}
		tokenParam = "&pageToken=" + url.QueryEscape(list.NextPageToken)
	}
	slices.Sort(seen)
	if len(seen) != len(seedFiles) || len(slices.Compact(seen)) != len(seedFiles) {
		t.Errorf("paging through everything gives %d distinct ids, want %d", len(seen), len(seedFiles))
	}
}

func TestDriveDownloadAndExport(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveReadonlyScope)
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"text file", "/drive/v3/files/" + seedTextID + "?alt=media", 200, "- send the Atlas budget"},
		{"doc as text", "/drive/v3/files/" + seedDocID + "/export?mimeType=text/plain", 200,
			"\ufeffAtlas kickoff\r\n\r\nAttendees"},
		{"sheet as csv", "/drive/v3/files/" + seedSheetID + "/export?mimeType=text/csv", 200,
			"Item,Owner,Cost\nCloud hosting,Tomas,1200\n"},
		{"doc download refused", "/drive/v3/files/" + seedDocID + "?alt=media", 403, `"fileNotDownloadable"`},
		{"pdf export refused", "/drive/v3/files/" + seedPDFID + "/export?mimeType=text/plain", 403,
			`"fileNotExportable"`},
		{"export too large", "/drive/v3/files/" + seedBigDocID + "/export?mimeType=text/plain", 403,
			`"reason": "exportSizeLimitExceeded"`},
		{"unsupported conversion", "/drive/v3/files/" + seedDocID + "/export?mimeType=image/png", 400,
			"The requested conversion is not supported."},
		{"export without type", "/drive/v3/files/" + seedDocID + "/export", 400, "Required parameter: mimeType"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.fetch(t, tok, "GET", tt.path, "", nil)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
				t.Errorf("GET %s = %d %q, want %d with %q", tt.path, resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}

	// Metadata scopes authorize files.get, but never a download.
	meta := e.tokenFor(t, driveMetaScope)
	resp, body := e.fetch(t, meta, "GET", "/drive/v3/files/"+seedTextID+"?alt=media", "", nil)
	if resp.StatusCode != 403 || !strings.Contains(string(body), "ACCESS_TOKEN_SCOPE_INSUFFICIENT") ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), driveReadonlyScope) {
		t.Errorf("download under drive.metadata.readonly = %d %s %q", resp.StatusCode,
			resp.Header.Get("WWW-Authenticate"), body)
	}
}

// multipartUpload encodes a files.create multipart body.
func multipartUpload(t *testing.T, meta, ctype, content string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range [][2]string{{"application/json; charset=UTF-8", meta}, {ctype, content}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {p[0]}})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(p[1]))
	}
	_ = mw.Close()
	return "multipart/related; boundary=" + mw.Boundary(), b.Bytes()
}

func TestDriveUploadAndDriveFileReach(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveFileScope)
	if names := e.listNames(t, tok, ""); len(names) != 0 {
		t.Errorf("drive.file lists %v before scopegate created anything, want nothing", names)
	}
	var notFound driveError
	e.api(t, tok, "GET", "/drive/v3/files/"+seedDocID, nil, &notFound)
	want := driveError{driveErrorBody{Code: 404, Message: "File not found: " + seedDocID + ".",
		Errors: []apiErrorItem{{Message: "File not found: " + seedDocID + ".", Domain: "global",
			Reason: "notFound", Location: "fileId", LocationType: "parameter"}}}}
	if diff := cmp.Diff(want, notFound); diff != "" {
		t.Errorf("seeded file under drive.file mismatch (-want +got):\n%s", diff)
	}

	ctype, body := multipartUpload(t, `{"name":"plan.md","mimeType":"text/markdown"}`,
		"text/markdown; charset=UTF-8", "# Plan\n")
	resp, out := e.fetch(t, tok, "POST", DriveUploadPath+"?uploadType=multipart&fields=id,name,size", ctype, body)
	if resp.StatusCode != 200 {
		t.Fatalf("upload = %d %s", resp.StatusCode, out)
	}
	id := between(string(out), `"id": "`, `"`)
	if !strings.Contains(string(out), `"size": "7"`) || id == "" {
		t.Errorf("upload answer = %s", out)
	}
	if names := e.listNames(t, tok, ""); !slices.Equal(names, []string{"plan.md"}) {
		t.Errorf("drive.file lists %v after the upload, want the uploaded file only", names)
	}
	if _, got := e.fetch(t, tok, "GET", "/drive/v3/files/"+id+"?alt=media", "", nil); string(got) != "# Plan\n" {
		t.Errorf("download of the upload = %q", got)
	}

	tests := []struct {
		name, meta string
		status     int
		want       string
	}{
		{"parent not reached", `{"name":"a","parents":["` + seedFolderID + `"]}`, 404,
			"File not found: " + seedFolderID},
		{"two parents", `{"name":"a","parents":["root","` + id + `"]}`, 403, "cannotAddParent"},
		{"bad metadata", `{"name":`, 400, "Parse Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctype, body := multipartUpload(t, tt.meta, "text/plain", "x")
			resp, got := e.fetch(t, tok, "POST", DriveUploadPath+"?uploadType=multipart", ctype, body)
			if resp.StatusCode != tt.status || !strings.Contains(string(got), tt.want) {
				t.Errorf("upload = %d %s, want %d with %q", resp.StatusCode, got, tt.status, tt.want)
			}
		})
	}
	resp, got := e.fetch(t, tok, "POST", DriveUploadPath+"?uploadType=multipart", "text/plain", []byte("x"))
	if resp.StatusCode != 400 || !strings.Contains(string(got), "Invalid multipart request with 0 mime parts.") {
		t.Errorf("upload without multipart = %d %s", resp.StatusCode, got)
	}

	// The upload path is gated like files.create, which drive.readonly does not authorize.
	ro := e.tokenFor(t, driveReadonlyScope)
	resp, got = e.fetch(t, ro, "POST", DriveUploadPath+"?uploadType=multipart", ctype, body)
	if resp.StatusCode != 403 || !strings.Contains(string(got), "DriveFiles.Create") {
		t.Errorf("upload under drive.readonly = %d %s", resp.StatusCode, got)
	}
}

func TestDriveUploadConversion(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveScope)
	ctype, body := multipartUpload(t, `{"name":"Costs","mimeType":"`+mimeSpreadsheet+`"}`,
		"text/csv", "Item,Cost\nTrain,120\n")
	resp, out := e.fetch(t, tok, "POST", DriveUploadPath+"?uploadType=multipart", ctype, body)
	id := between(string(out), `"id": "`, `"`)
	if resp.StatusCode != 200 || id == "" {
		t.Fatalf("upload as spreadsheet = %d %s", resp.StatusCode, out)
	}
	var vr valueRangeJSON
	e.api(t, tok, "GET", "/v4/spreadsheets/"+id+"/values/A1:B2?valueRenderOption=UNFORMATTED_VALUE", nil, &vr)
	if diff := cmp.Diff([][]any{{"Item", "Cost"}, {"Train", 120.0}}, vr.Values); diff != "" {
		t.Errorf("converted CSV mismatch (-want +got):\n%s", diff)
	}
}

func TestDrivePermissions(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveScope)
	path := "/drive/v3/files/" + seedDocID + "/permissions"
	var perm map[string]any
	resp := e.api(t, tok, "POST", path+"?sendNotificationEmail=false&fields=*",
		map[string]string{"type": "user", "role": "writer", "emailAddress": "ana.ruiz@example.com"}, &perm)
	want := map[string]any{"kind": "drive#permission", "id": permissionIDFor("ana.ruiz@example.com"),
		"type": "user", "role": "writer", "emailAddress": "ana.ruiz@example.com",
		"displayName": "Ana Ruiz", "deleted": false, "pendingOwner": false}
	if resp.StatusCode != 200 {
		t.Fatalf("permissions.create = %d %v", resp.StatusCode, perm)
	}
	if diff := cmp.Diff(want, perm); diff != "" {
		t.Errorf("permission mismatch (-want +got):\n%s", diff)
	}
	var meta map[string]any
	e.api(t, tok, "GET", "/drive/v3/files/"+seedDocID+"?fields=shared,permissionIds", nil, &meta)
	if meta["shared"] != true || len(meta["permissionIds"].([]any)) != 2 {
		t.Errorf("file after sharing = %v", meta)
	}

	tests := []struct {
		name   string
		token  string
		body   map[string]string
		status int
		want   string
	}{
		{"owner without transfer", tok, map[string]string{"type": "user", "role": "owner",
			"emailAddress": "ana.ruiz@example.com"}, 403, "transferOwnership"},
		{"bad address", tok, map[string]string{"type": "user", "role": "reader",
			"emailAddress": "ana"}, 400, "The specified emailAddress is invalid"},
		{"no role", tok, map[string]string{"type": "user", "emailAddress": "ana.ruiz@example.com"},
			400, "The permission role field is required."},
		{"drive.file on a file it did not create", e.tokenFor(t, driveFileScope),
			map[string]string{"type": "user", "role": "reader", "emailAddress": "ana.ruiz@example.com"},
			404, "File not found: " + seedDocID},
		{"read-only scope", e.tokenFor(t, driveReadonlyScope),
			map[string]string{"type": "user", "role": "reader", "emailAddress": "ana.ruiz@example.com"},
			403, "ACCESS_TOKEN_SCOPE_INSUFFICIENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			resp := e.api(t, tt.token, "POST", path, tt.body, &got)
			if resp.StatusCode != tt.status || !strings.Contains(toJSON(t, got), tt.want) {
				t.Errorf("permissions.create = %d %v, want %d with %q", resp.StatusCode, got, tt.status, tt.want)
			}
		})
	}
}

// TestWorkspaceRoutes checks that every Drive and Sheets method in the facts is served,
// the custom-verb ones and the upload path included: a call without a token must reach
// the gate and get Google's 401, not the mux's 404 or 405.
func TestWorkspaceRoutes(t *testing.T) {
	e := newEnv(t)
	if resp, _ := e.fetch(t, "", "POST", DriveUploadPath, "", nil); resp.StatusCode == 404 {
		t.Fatal("the Drive upload path is not routed: New must call s.routeWorkspaceExtras() " +
			"after routing driveOperations and sheetsOperations")
	}
	paths := map[string]bool{"POST " + DriveUploadPath: true}
	for id, op := range e.srv.facts.Operations {
		if strings.HasPrefix(id, "drive.") || strings.HasPrefix(id, "sheets.") {
			paths[op.HTTP] = true
		}
	}
	for p := range paths {
		method, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{fileId}", "1x", "{spreadsheetId}", "1x", "{range}", "A1").Replace(path)
		resp, body := e.fetch(t, "", method, path, "", nil)
		if resp.StatusCode != 401 {
			t.Errorf("%s %s without a token = %d %s, want Google's 401", method, path, resp.StatusCode, body)
		}
	}
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
