package onedrive_test

import (
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/onedrive"
	"github.com/scopegate/scopegate/tools/sandbox/microsoft"
)

func newHarness(t *testing.T) (*scopechecktest.Harness, *microsoft.Server) {
	t.Helper()
	var srv *microsoft.Server
	h := scopechecktest.New(t, onedrive.Tools(), scopechecktest.MicrosoftSandboxWith(microsoft.Options{}, &srv))
	return h, srv
}

func TestListReadUpload(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphFilesReadWrite)

	var list onedrive.ListOutput
	h.MustSucceed(t, "onedrive_list_files", map[string]any{}).Decode(t, &list)
	byName := map[string]onedrive.FileInfo{}
	for _, f := range list.Items {
		byName[f.Name] = f
	}
	if len(list.Items) != 6 || byName["Documents"].Kind != "folder" || byName["Notes.txt"].Kind != "file" {
		t.Fatalf("root items = %+v", list.Items)
	}

	var read onedrive.ReadOutput
	h.MustSucceed(t, "onedrive_read_file", map[string]any{"item_id": byName["Notes.txt"].ID}).Decode(t, &read)
	if !strings.Contains(read.Content, "Book flights.") || read.Truncated || read.Name != "Notes.txt" {
		t.Errorf("Notes.txt = %+v", read)
	}
	h.MustSucceed(t, "onedrive_read_file", map[string]any{"path": "documents/PLAN.txt"}).Decode(t, &read)
	if !strings.Contains(read.Content, "Ship 2.4") {
		t.Errorf("plan.txt by path, any case = %+v", read)
	}

	r := h.MustSucceed(t, "onedrive_read_file", map[string]any{"path": "server.log"})
	r.Decode(t, &read)
	if !read.Truncated || len([]rune(read.Content)) != 50000 || !strings.Contains(r.Text, "[Cut after 50000 characters") {
		t.Errorf("server.log: truncated %v, %d characters, text ends %q", read.Truncated,
			len([]rune(read.Content)), r.Text[max(0, len(r.Text)-80):])
	}

	var up onedrive.UploadOutput
	h.MustSucceed(t, "onedrive_upload_file", map[string]any{"path": "Drafts/todo.txt",
		"content": "buy milk\n"}).Decode(t, &up)
	if up.Replaced || up.File.Path != "Drafts/todo.txt" || up.File.Size != 9 {
		t.Errorf("upload = %+v", up)
	}
	r = h.Call(t, "onedrive_upload_file", map[string]any{"path": "Drafts/todo.txt", "content": "x"})
	if !r.IsError || !strings.Contains(r.Text, "already exists") {
		t.Errorf("second upload without conflict = %q (isError %v)", r.Text, r.IsError)
	}
	h.MustSucceed(t, "onedrive_upload_file", map[string]any{"path": "Drafts/todo.txt",
		"content": "buy oat milk\n", "conflict": "replace"}).Decode(t, &up)
	if !up.Replaced {
		t.Errorf("replace = %+v", up)
	}
	h.MustSucceed(t, "onedrive_read_file", map[string]any{"path": "Drafts/todo.txt"}).Decode(t, &read)
	if read.Content != "buy oat milk\n" {
		t.Errorf("content after replace = %q", read.Content)
	}
	h.MustSucceed(t, "onedrive_upload_file", map[string]any{"path": "Drafts/todo.txt",
		"content": "again", "conflict": "rename"}).Decode(t, &up)
	if up.File.Name != "todo 1.txt" {
		t.Errorf("renamed upload = %+v", up.File)
	}
	h.MustSucceed(t, "onedrive_upload_file", map[string]any{"path": "inside.txt", "content": "in",
		"folder_id": byName["Documents"].ID}).Decode(t, &up)
	if up.File.Path != "Documents/inside.txt" {
		t.Errorf("upload into a folder by id = %+v", up.File)
	}
}

func TestListPages(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphFilesRead)
	var first, second onedrive.ListOutput
	h.MustSucceed(t, "onedrive_list_files", map[string]any{"max_results": 4}).Decode(t, &first)
	if len(first.Items) != 4 || first.NextPageToken == "" {
		t.Fatalf("first page = %+v", first)
	}
	h.MustSucceed(t, "onedrive_list_files", map[string]any{"page_token": first.NextPageToken}).Decode(t, &second)
	if len(second.Items) != 2 || second.NextPageToken != "" {
		t.Errorf("second page = %+v", second)
	}
}

func TestNarrowGrantAsksForTheLeastPrivilegedScope(t *testing.T) {
	h, _ := newHarness(t)
	h.Grant(t, registry.GraphFilesRead)
	ar := h.Call(t, "onedrive_upload_file", map[string]any{"path": "a.txt", "content": "x"}).AuthorizationRequired(t)
	if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(registry.GraphFilesReadWrite) {
		t.Errorf("upload with Files.Read asks for %+v, want Files.ReadWrite", ar.MissingScopes)
	}

	h2, _ := newHarness(t)
	h2.Grant(t, registry.GraphUserRead)
	for tool, args := range map[string]map[string]any{
		"onedrive_list_files": {},
		"onedrive_read_file":  {"path": "Notes.txt"},
	} {
		ar := h2.Call(t, tool, args).AuthorizationRequired(t)
		if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(registry.GraphFilesRead) {
			t.Errorf("%s asks for %+v, want Files.Read", tool, ar.MissingScopes)
		}
	}
}

func TestProviderErrors(t *testing.T) {
	h, srv := newHarness(t)
	h.Grant(t, registry.GraphFilesReadWrite)
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"onedrive_read_file", map[string]any{"path": "nope.txt"}, `No OneDrive file has path "nope.txt"`},
		{"onedrive_read_file", map[string]any{"item_id": "01NOSUCHITEM"}, `No OneDrive file has id "01NOSUCHITEM"`},
		{"onedrive_read_file", map[string]any{"path": "Budget.xlsx"}, "Budget.xlsx is a binary file"},
		{"onedrive_read_file", map[string]any{"path": "Documents"}, "400 (invalidRequest)"},
		{"onedrive_upload_file", map[string]any{"path": "a.txt", "content": "x", "folder_id": "01NOSUCHFOLDER"},
			`No OneDrive folder has id "01NOSUCHFOLDER"`},
	}
	for _, tt := range tests {
		r := h.Call(t, tt.tool, tt.args)
		if !r.IsError || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s(%v) = %q (isError %v), want %q", tt.tool, tt.args, r.Text, r.IsError, tt.want)
		}
	}

	srv.Throttle(microsoft.Throttling{Calls: 5, RetryAfter: 20 * time.Second})
	r := h.Call(t, "onedrive_list_files", map[string]any{})
	if !r.IsError || !strings.Contains(r.Text, "429 (activityLimitReached)") || !strings.Contains(r.Text, "Wait 20 seconds") {
		t.Errorf("list under 429 = %q (isError %v)", r.Text, r.IsError)
	}
}
