package drive_test

import (
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/drive"
)

// search runs drive_search_files and returns the files found.
func search(t *testing.T, h *scopechecktest.Harness, args map[string]any) drive.SearchOutput {
	t.Helper()
	var out drive.SearchOutput
	h.MustSucceed(t, "drive_search_files", args).Decode(t, &out)
	return out
}

// idOf finds a file by exact name among search results.
func idOf(t *testing.T, out drive.SearchOutput, name string) string {
	t.Helper()
	for _, f := range out.Files {
		if f.Name == name {
			return f.ID
		}
	}
	t.Fatalf("no file named %q in %+v", name, out.Files)
	return ""
}

func names(out drive.SearchOutput) []string {
	var list []string
	for _, f := range out.Files {
		list = append(list, f.Name)
	}
	return list
}

func TestSearchAndRead(t *testing.T) {
	h := scopechecktest.New(t, drive.Tools())
	h.Grant(t, registry.DriveReadonly)

	atlas := search(t, h, map[string]any{"query": "name contains 'atlas'"})
	if got := strings.Join(names(atlas), ", "); got != "Atlas budget, Atlas kickoff notes" {
		t.Errorf("name contains 'atlas' finds %s, want the budget and the notes, newest first", got)
	}
	all := search(t, h, map[string]any{})
	doc, sheet := idOf(t, all, "Atlas kickoff notes"), idOf(t, all, "Atlas budget")
	for _, f := range all.Files {
		if f.Trashed {
			t.Errorf("an empty query found the trashed file %s", f.Name)
		}
	}

	tests := []struct {
		name, id, want, format string
	}{
		{"google doc exported as text", doc, "Scope: migrate the billing service", "text/plain"},
		{"google sheet exported as csv", sheet, "Cloud hosting,Tomas,1200\n", "text/csv"},
		{"text file downloaded", idOf(t, all, "todo.txt"), "- book the design review room", "text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out drive.ReadOutput
			h.MustSucceed(t, "drive_read_file", map[string]any{"file_id": tt.id}).Decode(t, &out)
			if !strings.Contains(out.Content, tt.want) || out.Format != tt.format {
				t.Errorf("content (%s) = %q, want %q in %s", out.Format, out.Content, tt.want, tt.format)
			}
			if strings.ContainsAny(out.Content, "\r\ufeff") {
				t.Errorf("content keeps a byte order mark or CRLF: %q", out.Content)
			}
		})
	}

	var cut drive.ReadOutput
	h.MustSucceed(t, "drive_read_file", map[string]any{"file_id": doc, "max_chars": 10}).Decode(t, &cut)
	if !cut.Truncated || cut.Content != "Atlas kick" {
		t.Errorf("max_chars 10 gives %q (truncated %v), want the first 10 characters marked",
			cut.Content, cut.Truncated)
	}

	var info drive.FileInfo
	pdf := idOf(t, all, "Invoice 2024-03.pdf")
	h.MustSucceed(t, "drive_get_file", map[string]any{"file_id": pdf}).Decode(t, &info)
	if info.Kind != "file" || info.MimeType != "application/pdf" || info.Size == 0 ||
		len(info.Owners) != 1 || !strings.Contains(info.Owners[0], "demo.user@example.com") {
		t.Errorf("get_file on the PDF = %+v", info)
	}
}

func TestSearchQueriesAndPages(t *testing.T) {
	h := scopechecktest.New(t, drive.Tools())
	h.Grant(t, registry.DriveMetadataReadonly)

	full := search(t, h, map[string]any{"query": "fullText contains 'migration'"})
	if got := names(full); len(got) != 1 || got[0] != "Atlas kickoff notes" {
		t.Errorf("fullText contains 'migration' finds %v, want the kickoff notes", got)
	}
	trash := search(t, h, map[string]any{"query": "trashed = true"})
	if got := names(trash); len(got) != 1 || got[0] != "old draft.txt" {
		t.Errorf("trashed = true finds %v, want the trashed draft", got)
	}

	first := search(t, h, map[string]any{"max_results": 3})
	if len(first.Files) != 3 || first.NextPageToken == "" {
		t.Fatalf("first page = %d files, token %q; want 3 and a token", len(first.Files), first.NextPageToken)
	}
	second := search(t, h, map[string]any{"max_results": 3, "page_token": first.NextPageToken})
	for _, f := range second.Files {
		for _, g := range first.Files {
			if f.ID == g.ID {
				t.Errorf("%s is on both pages", f.Name)
			}
		}
	}
}

func TestUploadAndShareWithDriveFile(t *testing.T) {
	h := scopechecktest.New(t, drive.Tools())
	h.Grant(t, registry.DriveFile)

	var up drive.FileInfo
	h.MustSucceed(t, "drive_upload_file", map[string]any{
		"name": "plan.md", "content": "# Plan\n\nShip it.\n", "mime_type": "text/markdown",
		"description": "the plan",
	}).Decode(t, &up)
	if up.ID == "" || up.Name != "plan.md" || up.MimeType != "text/markdown" || up.Size != 17 {
		t.Fatalf("upload = %+v", up)
	}

	var shared drive.ShareOutput
	h.MustSucceed(t, "drive_share_file", map[string]any{
		"file_id": up.ID, "email": "ana@example.com", "role": "commenter", "notify": false,
	}).Decode(t, &shared)
	if shared.Role != "commenter" || shared.Email != "ana@example.com" ||
		shared.PermissionID == "" || shared.Notified {
		t.Errorf("share = %+v", shared)
	}

	// drive.file reaches only what scopegate created: the seeded files stay invisible.
	r := h.Call(t, "drive_share_file", map[string]any{
		"file_id": "1AtlasKickoffNotesDocSandbox0000000000000000", "email": "ana@example.com", "role": "reader",
	})
	if !r.IsError || !strings.Contains(r.Text, "only to the files it created") {
		t.Errorf("sharing a file scopegate did not create = %q (isError %v)", r.Text, r.IsError)
	}
	r = h.Call(t, "drive_upload_file", map[string]any{
		"name": "x.txt", "content": "x", "folder_id": "1Pr0jectsF0lderSandb0x00000000000",
	})
	if !r.IsError || !strings.Contains(r.Text, "folders made elsewhere stay invisible") {
		t.Errorf("uploading into a folder scopegate did not create = %q (isError %v)", r.Text, r.IsError)
	}
}

func TestNarrowGrantAsksForLeastPrivileged(t *testing.T) {
	h := scopechecktest.New(t, drive.Tools())
	h.Grant(t, registry.GmailSend)
	tests := []struct {
		tool string
		args map[string]any
		want registry.Scope
	}{
		{"drive_search_files", map[string]any{"query": "name contains 'x'"}, registry.DriveMetadataReadonly},
		{"drive_get_file", map[string]any{"file_id": "1x"}, registry.DriveMetadataReadonly},
		{"drive_read_file", map[string]any{"file_id": "1x"}, registry.DriveReadonly},
		{"drive_upload_file", map[string]any{"name": "a.txt", "content": "a"}, registry.DriveFile},
		{"drive_share_file", map[string]any{"file_id": "1x", "email": "a@example.com",
			"role": "reader"}, registry.DriveFile},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			ar := h.Call(t, tt.tool, tt.args).AuthorizationRequired(t)
			if ar.Reason != "missing_scopes" || len(ar.MissingScopes) != 1 ||
				ar.MissingScopes[0].Scope != string(tt.want) {
				t.Errorf("%s asks for %+v (%s), want only %s", tt.tool, ar.MissingScopes, ar.Reason, tt.want)
			}
		})
	}
}

// TestNarrowDriveScopesDoNotStretch shows the requirements' reasoning: drive.file does not
// search or read the user's Drive, and the metadata scope does not read content.
func TestNarrowDriveScopesDoNotStretch(t *testing.T) {
	h := scopechecktest.New(t, drive.Tools())
	h.Grant(t, registry.DriveFile)
	ar := h.Call(t, "drive_search_files", map[string]any{}).AuthorizationRequired(t)
	if ar.MissingScopes[0].Scope != string(registry.DriveMetadataReadonly) {
		t.Errorf("search under drive.file asks for %s, want drive.metadata.readonly", ar.MissingScopes[0].Scope)
	}
	h.Grant(t, registry.DriveMetadataReadonly)
	ar = h.Call(t, "drive_read_file", map[string]any{"file_id": "1x"}).AuthorizationRequired(t)
	if ar.MissingScopes[0].Scope != string(registry.DriveReadonly) {
		t.Errorf("read under metadata scopes asks for %s, want drive.readonly", ar.MissingScopes[0].Scope)
	}
}

func TestProviderErrorsReadForTheModel(t *testing.T) {
	h := scopechecktest.New(t, drive.Tools())
	h.Grant(t, registry.DriveFull)
	tests := []struct {
		name string
		tool string
		args map[string]any
		want string
	}{
		{"unknown id", "drive_get_file", map[string]any{"file_id": "1nope"},
			`Drive has no file with id "1nope"`},
		{"bad query", "drive_search_files", map[string]any{"query": "name contans 'x'"},
			"Drive did not accept the search: Google answered 400: Invalid Value."},
		{"bad page token", "drive_search_files", map[string]any{"page_token": "garbage"},
			"a page_token works only with the query it came from"},
		{"binary file", "drive_read_file", map[string]any{"file_id": "1InvoicePdfSandbox000000000"},
			"is a application/pdf file, not text"},
		{"export too large", "drive_read_file",
			map[string]any{"file_id": "1TranscriptArchiveDocSandbox000000000000000"},
			"only up to 10 MB"},
		{"folder", "drive_read_file", map[string]any{"file_id": "1Pr0jectsF0lderSandb0x00000000000"},
			"is a folder"},
		{"share unknown", "drive_share_file",
			map[string]any{"file_id": "1nope", "email": "a@example.com", "role": "reader"},
			"nothing was shared"},
		{"upload to unknown folder", "drive_upload_file",
			map[string]any{"name": "a", "content": "a", "folder_id": "1nope"},
			"nothing was uploaded"},
		{"bad email", "drive_share_file",
			map[string]any{"file_id": "1x", "email": "not an address", "role": "reader"},
			"not a plain email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.Call(t, tt.tool, tt.args)
			if !r.IsError || !strings.Contains(r.Text, tt.want) {
				t.Errorf("%s = %q (isError %v), want %q", tt.tool, r.Text, r.IsError, tt.want)
			}
		})
	}
}
