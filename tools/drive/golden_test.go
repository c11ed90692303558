package drive_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/drive"
)

// golden reads a Drive response body kept under testdata/google/drive. The bodies have
// the shapes Google's Drive API v3 sends, with made-up ids and people.
func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "google", "drive", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenBodiesDecode(t *testing.T) {
	var list drive.FileList
	if err := json.Unmarshal(golden(t, "files_list.json"), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Files) != 3 || list.NextPageToken == "" || list.Files[1].Size != "183204" ||
		list.Files[0].Owners[0].EmailAddress != "rosa.lindqvist@example.com" {
		t.Errorf("files_list.json decodes to %+v", list)
	}
	var f drive.File
	err := json.Unmarshal(golden(t, "file_get.json"), &f)
	if err != nil || f.MimeType != "text/plain" || f.Parents[0] == "" {
		t.Errorf("file_get.json decodes to %+v (%v)", f, err)
	}
	var p drive.Permission
	err = json.Unmarshal(golden(t, "permission_create.json"), &p)
	if err != nil || p.Role != "writer" || p.ID == "" {
		t.Errorf("permission_create.json decodes to %+v (%v)", p, err)
	}
}

// answer is what the fake Drive sends for one request path.
type answer struct {
	status int
	body   []byte
	ctype  string
}

// runTool calls a Drive tool's handler against a fake Drive that answers by path.
func runTool(t *testing.T, name string, args map[string]any, answers map[string]answer) (registry.Result, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.Query().Get("alt") == "media" {
			key += "?alt=media"
		}
		a, ok := answers[key]
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", cmp.Or(a.ctype, "application/json; charset=UTF-8"))
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}))
	defer srv.Close()

	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range drive.Tools() {
		if tool.Name == name {
			call := &registry.Call{HTTP: srv.Client(), APIBaseURL: srv.URL}
			return tool.Handler(context.Background(), call, raw)
		}
	}
	t.Fatalf("no tool %s", name)
	return registry.Result{}, nil
}

func TestToolsOnGoldenAnswers(t *testing.T) {
	const fileID = "1Hn3cV8bXz5mQ2wE7rT4yU9iO0pAsD6fGjK1lL"
	t.Run("search", func(t *testing.T) {
		res, err := runTool(t, "drive_search_files", map[string]any{"query": "name contains 'q'"},
			map[string]answer{"/drive/v3/files": {200, golden(t, "files_list.json"), ""}})
		if err != nil {
			t.Fatal(err)
		}
		out := res.Structured.(drive.SearchOutput)
		kinds := []string{out.Files[0].Kind, out.Files[1].Kind, out.Files[2].Kind}
		if strings.Join(kinds, ",") != "google_doc,file,folder" || out.Files[1].Size != 183204 ||
			out.Files[0].Owners[0] != "Rosa Lindqvist <rosa.lindqvist@example.com>" ||
			!strings.Contains(res.Text, "More results exist") {
			t.Errorf("search = %+v\n%s", out, res.Text)
		}
	})
	t.Run("read a text file", func(t *testing.T) {
		res, err := runTool(t, "drive_read_file", map[string]any{"file_id": fileID}, map[string]answer{
			"/drive/v3/files/" + fileID:                {200, golden(t, "file_get.json"), ""},
			"/drive/v3/files/" + fileID + "?alt=media": {200, []byte("blockers: none\r\n"), "text/plain"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if out := res.Structured.(drive.ReadOutput); out.Content != "blockers: none\n" || out.File.Size != 1337 {
			t.Errorf("read = %+v", out)
		}
	})
	t.Run("share", func(t *testing.T) {
		res, err := runTool(t, "drive_share_file",
			map[string]any{"file_id": fileID, "email": "tomas.berg@example.org", "role": "writer"},
			map[string]answer{"/drive/v3/files/" + fileID + "/permissions": {
				200, golden(t, "permission_create.json"), ""}})
		if err != nil {
			t.Fatal(err)
		}
		if out := res.Structured.(drive.ShareOutput); out.PermissionID != "04512388763208177623" || !out.Notified {
			t.Errorf("share = %+v", out)
		}
	})

	doc := []byte(`{"id":"1doc","name":"Handbook","mimeType":"application/vnd.google-apps.document",` +
		`"webViewLink":"https://docs.google.com/document/d/1doc/edit"}`)
	errorTests := []struct {
		name    string
		tool    string
		args    map[string]any
		answers map[string]answer
		want    string
	}{
		{"not found", "drive_get_file", map[string]any{"file_id": "1nOtThErE000000000000000000"},
			map[string]answer{"/drive/v3/files/1nOtThErE000000000000000000": {
				404, golden(t, "error_not_found.json"), ""}},
			`Drive has no file with id "1nOtThErE000000000000000000"`},
		{"invalid query", "drive_search_files", map[string]any{"query": "name is 'x'"},
			map[string]answer{"/drive/v3/files": {400, golden(t, "error_invalid_query.json"), ""}},
			"Drive did not accept the search: Google answered 400: Invalid Value."},
		{"export too large", "drive_read_file", map[string]any{"file_id": "1doc"},
			map[string]answer{"/drive/v3/files/1doc": {200, doc, ""},
				"/drive/v3/files/1doc/export": {403, golden(t, "error_export_size.json"), ""}},
			"Google exports Docs Editors files only up to 10 MB"},
	}
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runTool(t, tt.tool, tt.args, tt.answers)
			var te *registry.ToolError
			if !errors.As(err, &te) || !strings.Contains(te.Message, tt.want) {
				t.Errorf("%s error = %v, want a tool error with %q", tt.tool, err, tt.want)
			}
		})
	}

	t.Run("insufficient scope", func(t *testing.T) {
		_, err := runTool(t, "drive_upload_file", map[string]any{"name": "a.txt", "content": "a"},
			map[string]answer{"/upload/drive/v3/files": {403, golden(t, "error_insufficient_scope.json"), ""}})
		var se *registry.ScopeError
		if !errors.As(err, &se) {
			t.Errorf("upload error = %v, want a scope error for the gate", err)
		}
	})
}
