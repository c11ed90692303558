package onedrive

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// ReadInput is the input of onedrive_read_file.
type ReadInput struct {
	ItemID string `json:"item_id,omitempty" jsonschema:"description=File id\\, from onedrive_list_files. This or path."`
	Path   string `json:"path,omitempty" jsonschema:"description=Path from the OneDrive's top\\, e.g. 'Documents/plan.txt'. This or item_id."`
}

// ReadOutput is the structured result of onedrive_read_file.
type ReadOutput struct {
	ItemID    string `json:"item_id,omitempty"`
	Path      string `json:"path,omitempty"`
	Name      string `json:"name,omitempty"`
	MimeType  string `json:"mime_type,omitempty"`
	Size      int64  `json:"size"`
	Content   string `json:"content"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Read limits: how much is downloaded, and how much text goes back to the model.
const (
	maxDownload  = 256 << 10
	maxTextRunes = 50000
)

func readFile() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "onedrive_read_file",
		Title: "Read a OneDrive text file",
		Description: "Read a OneDrive text file by id or path; binary files are refused and " +
			"long ones cut and marked.",
		Provider:    "microsoft",
		Requirement: readRequirement,
		Operations:  []string{"GET /me/drive/items/{id}/content", "GET /me/drive/root:/{path}:/content"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runRead)
}

// Check wants exactly one of item_id and path, each well formed.
func (in *ReadInput) Check() error {
	switch {
	case (in.ItemID == "") == (in.Path == ""):
		return registry.Errorf("give exactly one of item_id and path")
	case in.ItemID != "" && strings.ContainsAny(in.ItemID, "/?#:"):
		return registry.Errorf("item_id %q is not a OneDrive item id", in.ItemID)
	case in.Path != "":
		return checkPath("path", in.Path)
	}
	return nil
}

func runRead(ctx context.Context, call *registry.Call, in ReadInput) (registry.Result, error) {
	what, p := fmt.Sprintf("id %q", in.ItemID), "/me/drive/items/"+url.PathEscape(in.ItemID)+"/content"
	if in.Path != "" {
		what, p = fmt.Sprintf("path %q", in.Path), "/me/drive/root:/"+itemPath(in.Path)+":/content"
	}
	c, err := graphapi.Download(ctx, call, graphapi.URL(call, p, nil), maxDownload)
	if graphapi.IsStatus(err, 404) {
		return registry.Result{}, registry.Errorf("No OneDrive file has %s. List the files to "+
			"find a current id or path.", what)
	}
	if err != nil {
		return registry.Result{}, err
	}

	out := ReadOutput{ItemID: in.ItemID, Path: in.Path, Name: c.Filename,
		MimeType: c.ContentType, Size: c.Size}
	name := c.Filename
	if name == "" {
		name = "The file with " + what
	}
	text, ok := asText(c)
	if !ok {
		return registry.Result{}, registry.Errorf("%s is a binary file (%s); onedrive_read_file "+
			"reads text only.", name, orUnknown(c.ContentType))
	}
	out.Truncated = c.Size < 0 && int64(len(c.Data)) == maxDownload || c.Size > int64(len(c.Data))
	if r := []rune(text); len(r) > maxTextRunes {
		text, out.Truncated = string(r[:maxTextRunes]), true
	}
	out.Content = text

	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %d bytes):\n\n%s", name, orUnknown(c.ContentType), c.Size, text)
	if out.Truncated {
		fmt.Fprintf(&b, "\n\n[Cut after %d characters of the file's %d bytes.]", len([]rune(text)), c.Size)
	}
	return registry.Result{Text: b.String(), Structured: out}, nil
}

// binaryTypes are media types that are never text, whatever their bytes look like.
var binaryTypes = []string{"image/", "audio/", "video/", "font/", "application/pdf",
	"application/zip", "application/vnd.", "application/msword", "application/x-7z",
	"application/gzip"}

// asText returns the downloaded bytes as text, or false when they are not text: a binary
// media type, a NUL byte or invalid UTF-8. A rune cut by the download limit is dropped.
func asText(c *graphapi.Content) (string, bool) {
	for _, t := range binaryTypes {
		if strings.HasPrefix(c.ContentType, t) {
			return "", false
		}
	}
	data := c.Data
	for i := 0; i < utf8.UTFMax && len(data) > 0 && !utf8.Valid(data); i++ {
		if int64(len(c.Data)) < maxDownload {
			break
		}
		data = data[:len(data)-1]
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return "", false
	}
	return string(data), true
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown type"
	}
	return s
}
