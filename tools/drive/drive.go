// Package drive implements scopegate's Google Drive tools on the Drive API v3. Each tool
// is an input struct, a requirement that agrees with Google's discovery document for
// every method it calls, and a handler. The requirements weigh what each Drive scope
// reaches, not only what Google accepts: drive.file is accepted almost everywhere but
// reaches only the files scopegate created, so it serves the tools that create and share
// such files and is left out of those that promise the user's whole Drive.
package drive

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// apiBase is the real origin of the Drive API and of its upload endpoint.
const apiBase = "https://www.googleapis.com"

// Google's MIME types for folders and Docs Editors files.
const (
	mimeFolder       = "application/vnd.google-apps.folder"
	mimeDocument     = "application/vnd.google-apps.document"
	mimeSpreadsheet  = "application/vnd.google-apps.spreadsheet"
	mimePresentation = "application/vnd.google-apps.presentation"
	mimeGooglePrefix = "application/vnd.google-apps."
)

// fileFields selects the File members the tools show; without it Drive sends only the
// id, name and MIME type.
const fileFields = "id,name,mimeType,modifiedTime,size,webViewLink," +
	"owners(displayName,emailAddress),parents,trashed,description"

// Tools returns the Drive tools in the order they are listed: reads, then writes.
func Tools() []registry.Tool {
	return []registry.Tool{
		searchFiles(),
		getFile(),
		readFile(),
		uploadFile(),
		shareFile(),
	}
}

// File is the Drive API's File resource, with the members fileFields selects.
type File struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	MimeType     string   `json:"mimeType"`
	Description  string   `json:"description"`
	ModifiedTime string   `json:"modifiedTime"`
	Size         string   `json:"size"` // int64 as a decimal string
	WebViewLink  string   `json:"webViewLink"`
	Owners       []User   `json:"owners"`
	Parents      []string `json:"parents"`
	Trashed      bool     `json:"trashed"`
}

// User is the Drive API's User resource.
type User struct {
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
}

// FileList is the answer of files.list.
type FileList struct {
	Files            []File `json:"files"`
	NextPageToken    string `json:"nextPageToken"`
	IncompleteSearch bool   `json:"incompleteSearch"`
}

// FileInfo is a file as the tools report it.
type FileInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Kind is "folder", "google_doc", "google_sheet", "google_slides", "google_other" or
	// "file" (a file with content of its own, such as a PDF or a text file).
	Kind         string   `json:"kind"`
	MimeType     string   `json:"mime_type"`
	Description  string   `json:"description,omitempty"`
	ModifiedTime string   `json:"modified_time,omitempty"`
	Size         int64    `json:"size,omitempty"`
	Owners       []string `json:"owners,omitempty"`
	WebViewLink  string   `json:"web_view_link,omitempty"`
	ParentID     string   `json:"parent_id,omitempty"`
	Trashed      bool     `json:"trashed,omitempty"`
}

// info shapes a File for the model.
func (f *File) info() FileInfo {
	out := FileInfo{
		ID: f.ID, Name: f.Name, Kind: kindOf(f.MimeType), MimeType: f.MimeType,
		Description: f.Description, ModifiedTime: f.ModifiedTime, WebViewLink: f.WebViewLink,
		Trashed: f.Trashed,
	}
	out.Size, _ = strconv.ParseInt(f.Size, 10, 64)
	for _, o := range f.Owners {
		switch {
		case o.DisplayName != "" && o.EmailAddress != "":
			out.Owners = append(out.Owners, fmt.Sprintf("%s <%s>", o.DisplayName, o.EmailAddress))
		default:
			out.Owners = append(out.Owners, o.DisplayName+o.EmailAddress)
		}
	}
	if len(f.Parents) > 0 {
		out.ParentID = f.Parents[0]
	}
	return out
}

func kindOf(mimeType string) string {
	switch mimeType {
	case mimeFolder:
		return "folder"
	case mimeDocument:
		return "google_doc"
	case mimeSpreadsheet:
		return "google_sheet"
	case mimePresentation:
		return "google_slides"
	}
	if strings.HasPrefix(mimeType, mimeGooglePrefix) {
		return "google_other"
	}
	return "file"
}

// line is a one-line summary of a file for the text result.
func (fi FileInfo) line() string {
	var details []string
	details = append(details, strings.ReplaceAll(fi.Kind, "_", " "))
	if fi.ModifiedTime != "" {
		details = append(details, "modified "+fi.ModifiedTime)
	}
	if fi.Size > 0 && fi.Kind == "file" {
		details = append(details, humanSize(fi.Size))
	}
	if fi.Trashed {
		details = append(details, "in the trash")
	}
	return fmt.Sprintf("%s [id %s] (%s)", fi.Name, fi.ID, strings.Join(details, ", "))
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// filesURL returns the URL of the files collection, followed by the given path elements,
// each escaped, and the query.
func filesURL(call *registry.Call, q url.Values, elems ...string) string {
	p := "/drive/v3/files"
	for _, e := range elems {
		p += "/" + url.PathEscape(e)
	}
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return call.URL(apiBase, p)
}

// searchAgain is the advice for an id Drive does not know.
const searchAgain = "Search again with drive_search_files to get a current id."

// notFound turns Drive's 404 into advice; other errors pass through.
func notFound(err error, id, advice string) error {
	if googleapi.IsToolError(err, 404) {
		return registry.Errorf("Drive has no file with id %q that scopegate can see. %s",
			id, advice)
	}
	return err
}

// checkID refuses an empty or malformed file id before anything is sent.
func checkID(field, id string) error {
	id = strings.TrimSpace(id)
	if id == "" {
		return registry.Errorf("%s must not be empty", field)
	}
	if strings.ContainsAny(id, "/?# ") {
		return registry.Errorf("%s %q is not a Drive file id; ids look like "+
			"1AbCdEfGhIjKlMnOpQrStUvWxYz and come from drive_search_files", field, id)
	}
	return nil
}

// getMetadata fetches a file's File resource.
func getMetadata(ctx context.Context, call *registry.Call, id string) (*File, error) {
	var f File
	q := url.Values{"fields": {fileFields}}
	if err := googleapi.Do(ctx, call, "GET", filesURL(call, q, id), nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}
