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

// metadataRequirement serves the tools that read names and details only. Its narrowest
// scope, drive.metadata.readonly, sees every file's details and no content. drive.file
// is accepted by Google too but is left out on purpose: Drive would then quietly search
// only the files scopegate created, which is not the search of the user's Drive that
// these tools promise.
var metadataRequirement = registry.AnyOf(registry.DriveMetadataReadonly,
	registry.DriveReadonly, registry.DriveMetadata, registry.DriveFull)

// SearchInput is the input of drive_search_files.
type SearchInput struct {
	Query      string `json:"query,omitempty" jsonschema:"description=Drive query syntax\\, values in single quotes: name contains 'budget'\\, fullText contains 'kickoff'\\, mimeType = 'application/vnd.google-apps.spreadsheet'\\, 'FOLDER_ID' in parents\\, modifiedTime > '2024-05-01T00:00:00'; join with and\\, or\\, not. Empty lists recent files. Trashed files only if the query mentions trashed."`
	MaxResults int    `json:"max_results,omitempty" jsonschema:"description=Default 20.,minimum=1,maximum=100"`
	PageToken  string `json:"page_token,omitempty" jsonschema:"description=An earlier call's next_page_token. Keep the query."`
}

// SearchOutput is the structured result of drive_search_files.
type SearchOutput struct {
	Files         []FileInfo `json:"files"`
	NextPageToken string     `json:"next_page_token,omitempty"`
	// Query is the query sent to Drive, with the trash filter added.
	Query string `json:"query"`
}

func searchFiles() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "drive_search_files",
		Title: "Search Google Drive",
		Description: "Search Google Drive; lists files and folders with id, type, owner, " +
			"modified time and link.",
		Provider:    "google",
		Requirement: metadataRequirement,
		Operations:  []string{"drive.files.list"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runSearch)
}

// Check refuses a page size out of range.
func (in *SearchInput) Check() error {
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return registry.Errorf("max_results must be between 1 and 100, got %d", in.MaxResults)
	}
	return nil
}

// driveQuery adds Drive's trash filter unless the query already speaks of the trash, so
// that a search finds what the user sees in My Drive.
func driveQuery(query string) string {
	query = strings.TrimSpace(query)
	switch {
	case query == "":
		return "trashed = false"
	case strings.Contains(strings.ToLower(query), "trashed"):
		return query
	}
	return "(" + query + ") and trashed = false"
}

func runSearch(ctx context.Context, call *registry.Call, in SearchInput) (registry.Result, error) {
	size := in.MaxResults
	if size == 0 {
		size = 20
	}
	q := driveQuery(in.Query)
	params := url.Values{
		"q":        {q},
		"pageSize": {strconv.Itoa(size)},
		"fields":   {"nextPageToken,incompleteSearch,files(" + fileFields + ")"},
	}
	// Drive refuses to sort full-text searches; they come by relevance.
	if !strings.Contains(strings.ToLower(q), "fulltext") {
		params.Set("orderBy", "modifiedTime desc")
	}
	if in.PageToken != "" {
		params.Set("pageToken", in.PageToken)
	}

	var list FileList
	if err := googleapi.Do(ctx, call, "GET", filesURL(call, params), nil, &list); err != nil {
		if googleapi.IsToolError(err, 400) {
			return registry.Result{}, registry.Errorf("Drive did not accept the search: %s "+
				"Check the query syntax (a field, an operator and a value in single quotes, "+
				"such as name contains 'report'); a page_token works only with the query it "+
				"came from.", strings.TrimSuffix(err.Error(), " Fix the arguments and call again."))
		}
		return registry.Result{}, err
	}

	out := SearchOutput{Files: make([]FileInfo, 0, len(list.Files)),
		NextPageToken: list.NextPageToken, Query: q}
	for i := range list.Files {
		out.Files = append(out.Files, list.Files[i].info())
	}
	return registry.Result{Text: searchText(in.Query, out), Structured: out}, nil
}

func searchText(query string, out SearchOutput) string {
	what := "the Drive"
	if strings.TrimSpace(query) != "" {
		what = fmt.Sprintf("query %q", query)
	}
	if len(out.Files) == 0 {
		return fmt.Sprintf("No files match %s.", what)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d files match %s:\n", len(out.Files), what)
	for _, f := range out.Files {
		fmt.Fprintf(&b, "- %s\n", f.line())
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "More results exist: call again with page_token %q.", out.NextPageToken)
	}
	return strings.TrimRight(b.String(), "\n")
}

// GetInput is the input of drive_get_file.
type GetInput struct {
	FileID string `json:"file_id" jsonschema:"description=File id\\, from drive_search_files.,minLength=1"`
}

func getFile() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "drive_get_file",
		Title: "Get a Drive file's details",
		Description: "Get a Google Drive file's or folder's details (type, size, owner, " +
			"modified time, link), not its content.",
		Provider:    "google",
		Requirement: metadataRequirement,
		Operations:  []string{"drive.files.get"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runGet)
}

// Check refuses an empty or malformed file id.
func (in *GetInput) Check() error { return checkID("file_id", in.FileID) }

func runGet(ctx context.Context, call *registry.Call, in GetInput) (registry.Result, error) {
	id := strings.TrimSpace(in.FileID)
	f, err := getMetadata(ctx, call, id)
	if err != nil {
		return registry.Result{}, notFound(err, id, searchAgain)
	}
	info := f.info()

	var b strings.Builder
	fmt.Fprintf(&b, "%s\nType: %s (%s)\n", info.Name, strings.ReplaceAll(info.Kind, "_", " "),
		info.MimeType)
	if info.Size > 0 {
		fmt.Fprintf(&b, "Size: %s\n", humanSize(info.Size))
	}
	fmt.Fprintf(&b, "Modified: %s\n", info.ModifiedTime)
	if len(info.Owners) > 0 {
		fmt.Fprintf(&b, "Owner: %s\n", strings.Join(info.Owners, ", "))
	}
	if info.ParentID != "" {
		fmt.Fprintf(&b, "Folder id: %s\n", info.ParentID)
	}
	if info.Trashed {
		b.WriteString("It is in the trash.\n")
	}
	if info.Description != "" {
		fmt.Fprintf(&b, "Description: %s\n", info.Description)
	}
	fmt.Fprintf(&b, "Id: %s\nLink: %s", info.ID, info.WebViewLink)
	return registry.Result{Text: b.String(), Structured: info}, nil
}
