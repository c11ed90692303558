// Package onedrive implements scopegate's OneDrive tools on Microsoft Graph v1.0
// (delegated access to the signed-in user's own drive). Each tool is an input struct, a
// requirement that agrees with Microsoft's permissions data for every operation it calls,
// and a handler. The Files.* permissions come first, narrowest first: the Sites.*
// permissions reach OneDrive too, but only for work and school accounts, and they reach
// every SharePoint site as well.
package onedrive

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/graphapi"
)

// Tools returns the OneDrive tools in the order they are listed: reads, then writes.
func Tools() []registry.Tool {
	return []registry.Tool{
		listFiles(),
		readFile(),
		uploadFile(),
	}
}

// readRequirement authorizes listing and downloading the user's own files.
var readRequirement = registry.AnyOf(
	registry.GraphFilesRead, registry.GraphFilesReadWrite,
	registry.GraphFilesReadAll, registry.GraphFilesReadWriteAll,
	registry.GraphSitesReadAll, registry.GraphSitesReadWriteAll,
)

// DriveItem is Graph's driveItem resource, with the members the tools select.
type DriveItem struct {
	ID                   string    `json:"id"`
	Name                 string    `json:"name"`
	Size                 int64     `json:"size"`
	LastModifiedDateTime time.Time `json:"lastModifiedDateTime"`
	WebURL               string    `json:"webUrl"`
	Folder               *struct {
		ChildCount int `json:"childCount"`
	} `json:"folder"`
	File *struct {
		MimeType string `json:"mimeType"`
	} `json:"file"`
	ParentReference struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	} `json:"parentReference"`
}

// FileInfo is one file or folder as the tools return it.
type FileInfo struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Path       string `json:"path"`
	Kind       string `json:"kind"` // "file" or "folder"
	MimeType   string `json:"mime_type,omitempty"`
	Size       int64  `json:"size"`
	ChildCount int    `json:"child_count,omitempty"`
	Modified   string `json:"modified"`
	WebURL     string `json:"web_url,omitempty"`
}

func info(it DriveItem) FileInfo {
	f := FileInfo{ID: it.ID, Name: it.Name, Kind: "file", Size: it.Size, WebURL: it.WebURL,
		Modified: it.LastModifiedDateTime.UTC().Format(time.RFC3339)}
	parent := strings.TrimPrefix(it.ParentReference.Path, "/drive/root:")
	f.Path = strings.TrimPrefix(parent+"/"+it.Name, "/")
	if it.Folder != nil {
		f.Kind, f.ChildCount = "folder", it.Folder.ChildCount
	}
	if it.File != nil {
		f.MimeType = it.File.MimeType
	}
	return f
}

// ListInput is the input of onedrive_list_files.
type ListInput struct {
	MaxResults int    `json:"max_results,omitempty" jsonschema:"description=Default 50.,minimum=1,maximum=200"`
	PageToken  string `json:"page_token,omitempty" jsonschema:"description=An earlier call's next_page_token."`
}

// ListOutput is the structured result of onedrive_list_files.
type ListOutput struct {
	Items         []FileInfo `json:"items"`
	NextPageToken string     `json:"next_page_token,omitempty"`
}

const itemSelect = "id,name,size,lastModifiedDateTime,webUrl,folder,file,parentReference"

func listFiles() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "onedrive_list_files",
		Title: "List OneDrive files",
		Description: "List the files and folders at the top of the user's OneDrive with ids, " +
			"sizes and dates.",
		Provider:    "microsoft",
		Requirement: readRequirement,
		Operations:  []string{"GET /me/drive/root/children"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runList)
}

// Check refuses a page size out of range.
func (in *ListInput) Check() error {
	if in.MaxResults < 0 || in.MaxResults > 200 {
		return registry.Errorf("max_results must be between 1 and 200, got %d", in.MaxResults)
	}
	return nil
}

func runList(ctx context.Context, call *registry.Call, in ListInput) (registry.Result, error) {
	const listing = "/me/drive/root/children"
	var u string
	if in.PageToken != "" {
		var err error
		if u, err = graphapi.PageURL(call, in.PageToken, listing); err != nil {
			return registry.Result{}, err
		}
	} else {
		top := in.MaxResults
		if top == 0 {
			top = 50
		}
		u = graphapi.URL(call, listing, url.Values{"$top": {strconv.Itoa(top)}, "$select": {itemSelect}})
	}
	var page graphapi.Collection[DriveItem]
	if err := graphapi.Do(ctx, call, graphapi.Request{Method: "GET", URL: u}, &page); err != nil {
		return registry.Result{}, err
	}

	out := ListOutput{Items: make([]FileInfo, 0, len(page.Value)),
		NextPageToken: graphapi.PageToken(page.NextLink)}
	for _, it := range page.Value {
		out.Items = append(out.Items, info(it))
	}
	var b strings.Builder
	if len(out.Items) == 0 {
		b.WriteString("The OneDrive is empty.")
	} else {
		fmt.Fprintf(&b, "%d items at the top of the OneDrive:\n", len(out.Items))
	}
	for _, f := range out.Items {
		if f.Kind == "folder" {
			fmt.Fprintf(&b, "- [%s] %s/ (folder, %d items)\n", f.ID, f.Name, f.ChildCount)
		} else {
			fmt.Fprintf(&b, "- [%s] %s (%s, %d bytes, modified %s)\n", f.ID, f.Name, f.MimeType,
				f.Size, f.Modified)
		}
	}
	if out.NextPageToken != "" {
		fmt.Fprintf(&b, "More items exist: call again with page_token %q.", out.NextPageToken)
	}
	return registry.Result{Text: strings.TrimRight(b.String(), "\n"), Structured: out}, nil
}

// itemPath returns the Graph path segment of a drive path such as "Documents/plan.txt",
// each name escaped.
func itemPath(p string) string {
	names := strings.Split(strings.Trim(p, "/"), "/")
	for i, n := range names {
		names[i] = url.PathEscape(n)
	}
	return strings.Join(names, "/")
}

// checkPath refuses a drive path OneDrive would not accept.
func checkPath(field, p string) error {
	p = strings.Trim(p, "/")
	if p == "" {
		return registry.Errorf("%s must not be empty", field)
	}
	for _, name := range strings.Split(p, "/") {
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `"*:<>?\|`) ||
			strings.TrimSpace(name) != name {
			return registry.Errorf("%s: %q is not a valid OneDrive file or folder name", field, name)
		}
	}
	return nil
}
