package onedrive

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// UploadInput is the input of onedrive_upload_file.
type UploadInput struct {
	Path     string `json:"path" jsonschema:"description=Path from the OneDrive's top\\, e.g. 'Notes/todo.txt' (missing folders are created); with folder_id\\, the file name.,minLength=1"`
	Content  string `json:"content"`
	FolderID string `json:"folder_id,omitempty"`
	Conflict string `json:"conflict,omitempty" jsonschema:"description=If the name is taken: fail (default)\\, replace the file\\, or rename the new one.,enum=fail,enum=replace,enum=rename"`
}

// UploadOutput is the structured result of onedrive_upload_file.
type UploadOutput struct {
	File     FileInfo `json:"file"`
	Replaced bool     `json:"replaced"`
}

// maxUpload bounds the text one call uploads; Graph's simple upload is meant for small
// files.
const maxUpload = 4 << 20

func uploadFile() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "onedrive_upload_file",
		Title: "Save a text file to OneDrive",
		Description: "Save text as a OneDrive file (up to 4 MB); a taken name fails unless " +
			"conflict says otherwise.",
		Provider: "microsoft",
		// Writing needs a ReadWrite permission; Files.ReadWrite reaches only the user's own
		// files.
		Requirement: registry.AnyOf(registry.GraphFilesReadWrite, registry.GraphFilesReadWriteAll,
			registry.GraphSitesReadWriteAll),
		Operations: []string{"PUT /me/drive/root:/{path}:/content",
			"PUT /me/drive/items/{parent-id}:/{filename}:/content"},
		// Destructive: with conflict=replace it overwrites a file.
		Annotations: registry.Annotations{Destructive: true, OpenWorld: true},
	}, runUpload)
}

// Check validates the path, the folder id, the size and the conflict behavior.
func (in *UploadInput) Check() error {
	if err := checkPath("path", in.Path); err != nil {
		return err
	}
	if in.FolderID != "" && (strings.Contains(strings.Trim(in.Path, "/"), "/") ||
		strings.ContainsAny(in.FolderID, "/?#:")) {
		return registry.Errorf("with folder_id, path must be a file name, and folder_id a OneDrive item id")
	}
	if len(in.Content) > maxUpload {
		return registry.Errorf("content is %d bytes; onedrive_upload_file saves up to %d",
			len(in.Content), maxUpload)
	}
	switch in.Conflict {
	case "", "fail", "replace", "rename":
		return nil
	}
	return registry.Errorf("conflict must be fail, replace or rename, got %q", in.Conflict)
}

func runUpload(ctx context.Context, call *registry.Call, in UploadInput) (registry.Result, error) {
	conflict := in.Conflict
	if conflict == "" {
		conflict = "fail"
	}
	p := "/me/drive/root:/" + itemPath(in.Path) + ":/content"
	if in.FolderID != "" {
		p = "/me/drive/items/" + url.PathEscape(in.FolderID) + ":/" + itemPath(in.Path) + ":/content"
	}
	q := url.Values{"@microsoft.graph.conflictBehavior": {conflict}}

	var item DriveItem
	status := 0
	err := graphapi.Do(ctx, call, graphapi.Request{Method: "PUT", URL: graphapi.URL(call, p, q),
		Raw: []byte(in.Content), ContentType: "text/plain; charset=utf-8", Status: &status}, &item)
	switch {
	case graphapi.IsStatus(err, http.StatusConflict):
		return registry.Result{}, registry.Errorf("A file named %q already exists there; nothing "+
			"was saved. Call again with conflict replace or rename.", in.Path)
	case graphapi.IsStatus(err, 404) && in.FolderID != "":
		return registry.Result{}, registry.Errorf("No OneDrive folder has id %q; nothing was saved.",
			in.FolderID)
	case err != nil:
		return registry.Result{}, err
	}

	out := UploadOutput{File: info(item), Replaced: status == http.StatusOK}
	verb := "Saved"
	if out.Replaced {
		verb = "Replaced"
	}
	text := fmt.Sprintf("%s %s (%d bytes, id %s).", verb, out.File.Path, out.File.Size, out.File.ID)
	return registry.Result{Text: text, Structured: out}, nil
}
