package drive

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// Limits of drive_read_file, in characters.
const (
	defaultReadChars = 20000
	maxReadChars     = 100000
)

// ReadInput is the input of drive_read_file.
type ReadInput struct {
	FileID   string `json:"file_id" jsonschema:"description=File id\\, from drive_search_files.,minLength=1"`
	MaxChars int    `json:"max_chars,omitempty" jsonschema:"description=Most characters to return (default 20000).,minimum=1,maximum=100000"`
}

// ReadOutput is the structured result of drive_read_file.
type ReadOutput struct {
	File FileInfo `json:"file"`
	// Format is the MIME type of Content: the file's own for text files, or the format
	// a Google Doc, Sheet or Slides file was exported to.
	Format    string `json:"format"`
	Exported  bool   `json:"exported"`
	Content   string `json:"content"`
	Truncated bool   `json:"truncated,omitempty"`
	// Note says what the content leaves out, such as the other sheets of a spreadsheet.
	Note string `json:"note,omitempty"`
}

// exportAs is the text format each Docs Editors type is exported to.
var exportAs = map[string]string{
	mimeDocument:     "text/plain",
	mimeSpreadsheet:  "text/csv",
	mimePresentation: "text/plain",
}

func readFile() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "drive_read_file",
		Title: "Read a Drive file",
		Description: "Read a Google Drive file as text: Docs and Slides as plain text, Sheets " +
			"as CSV of the first sheet. Refuses binary files; cuts and marks long content.",
		Provider: "google",
		// Reading content needs drive.readonly or drive: the metadata scopes cannot
		// download. drive.file is left out although Google accepts it: it would read only
		// the files scopegate created and answer "not found" for every other file.
		Requirement: registry.AnyOf(registry.DriveReadonly, registry.DriveFull),
		Operations:  []string{"drive.files.get", "drive.files.export"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runRead)
}

// Check refuses a bad id or limit.
func (in *ReadInput) Check() error {
	if in.MaxChars < 0 || in.MaxChars > maxReadChars {
		return registry.Errorf("max_chars must be between 1 and %d, got %d",
			maxReadChars, in.MaxChars)
	}
	return checkID("file_id", in.FileID)
}

func runRead(ctx context.Context, call *registry.Call, in ReadInput) (registry.Result, error) {
	id := strings.TrimSpace(in.FileID)
	limit := in.MaxChars
	if limit == 0 {
		limit = defaultReadChars
	}
	f, err := getMetadata(ctx, call, id)
	if err != nil {
		return registry.Result{}, notFound(err, id, searchAgain)
	}
	out := ReadOutput{File: f.info()}

	// A UTF-8 character takes at most 4 bytes; a little more shows whether text goes on.
	byteLimit := int64(limit)*4 + 4
	var media *googleapi.Media
	switch target, native := exportAs[f.MimeType]; {
	case f.MimeType == mimeFolder:
		return registry.Result{}, registry.Errorf("%q is a folder, which has no content. "+
			"List what it holds with drive_search_files and the query \"'%s' in parents\".",
			f.Name, f.ID)
	case native:
		out.Format, out.Exported = target, true
		q := url.Values{"mimeType": {target}}
		media, err = googleapi.Download(ctx, call, filesURL(call, q, id, "export"), byteLimit)
		if f.MimeType == mimeSpreadsheet {
			out.Note = "Only the first sheet is exported; read other sheets with sheets_read_range."
		}
	case strings.HasPrefix(f.MimeType, mimeGooglePrefix):
		return registry.Result{}, registry.Errorf("%q is a %s file, which cannot be read as "+
			"text. Open it at %s.", f.Name, f.MimeType, f.WebViewLink)
	case !isTextual(f.MimeType):
		return registry.Result{}, refuseBinary(f)
	default:
		out.Format = f.MimeType
		q := url.Values{"alt": {"media"}}
		media, err = googleapi.Download(ctx, call, filesURL(call, q, id), byteLimit)
	}
	if err != nil {
		return registry.Result{}, readError(err, f)
	}

	text, ok := decodeText(media.Data, media.Truncated)
	if !ok {
		return registry.Result{}, refuseBinary(f)
	}
	if r := []rune(text); len(r) > limit || media.Truncated {
		out.Content, out.Truncated = string(r[:min(limit, len(r))]), true
	} else {
		out.Content = text
	}
	return registry.Result{Text: readText(out, limit), Structured: out}, nil
}

func readText(out ReadOutput, limit int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s", out.File.Name, out.Format)
	if out.Exported {
		b.WriteString(", exported")
	}
	fmt.Fprintf(&b, ", id %s)\n", out.File.ID)
	if out.Note != "" {
		fmt.Fprintf(&b, "%s\n", out.Note)
	}
	b.WriteString("\n" + out.Content)
	if out.Truncated {
		fmt.Fprintf(&b, "\n\n[The content was cut after %d characters; call again with a "+
			"larger max_chars to read more.]", limit)
	}
	return b.String()
}

// readError turns Drive's refusals of a download or an export into advice.
func readError(err error, f *File) error {
	switch googleapi.ReasonOf(err) {
	case "exportSizeLimitExceeded":
		return registry.Errorf("Google exports Docs Editors files only up to 10 MB, and %q is "+
			"larger. Open it at %s, or read a spreadsheet's cells with sheets_read_range.",
			f.Name, f.WebViewLink)
	case "fileNotDownloadable", "fileNotExportable", "cannotDownloadFile":
		return registry.Errorf("Google does not let scopegate download %q (%s). Open it at %s.",
			f.Name, f.MimeType, f.WebViewLink)
	}
	return notFound(err, f.ID, "It may have been deleted since it was found.")
}

func refuseBinary(f *File) error {
	return registry.Errorf("%q is a %s file, not text; drive_read_file reads only text files "+
		"and Google Docs, Sheets and Slides. Open it at %s.", f.Name, f.MimeType, f.WebViewLink)
}

// isTextual reports whether a MIME type names text that reads well as it is.
func isTextual(mimeType string) bool {
	base, _, _ := strings.Cut(strings.ToLower(mimeType), ";")
	switch {
	case strings.HasPrefix(base, "text/"),
		strings.HasSuffix(base, "+json"), strings.HasSuffix(base, "+xml"):
		return true
	}
	switch base {
	case "application/json", "application/xml", "application/javascript",
		"application/x-javascript", "application/x-yaml", "application/yaml",
		"application/x-sh", "application/sql", "application/x-tex", "application/csv",
		"application/x-ndjson", "application/toml":
		return true
	}
	return false
}

// decodeText checks that data is UTF-8 text and normalises it: no byte order mark, LF
// line ends. A cut may split the last character, which is then dropped.
func decodeText(data []byte, truncated bool) (string, bool) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if truncated {
		for i := 0; i < utf8.UTFMax && len(data) > 0 && !utf8.Valid(data); i++ {
			data = data[:len(data)-1]
		}
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return "", false
	}
	return strings.ReplaceAll(string(data), "\r\n", "\n"), true
}
