package onedrive

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/tools/graphapi"
)

func TestGoldenDriveChildren(t *testing.T) {
	b, err := os.ReadFile("../../testdata/microsoft/drive-root-children.json")
	if err != nil {
		t.Fatal(err)
	}
	var page graphapi.Collection[DriveItem]
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Value) != 2 || graphapi.PageToken(page.NextLink) == "" {
		t.Fatalf("page = %+v", page)
	}
	want := []FileInfo{
		{ID: "01KQ5XWJT2FMHXZHYKDBEYZP5N6ZDQXHBQ", Name: "Documents", Path: "Documents", Kind: "folder",
			Size: 57, ChildCount: 1, Modified: "2026-02-12T09:31:44Z",
			WebURL: "https://contoso-my.sharepoint.com/personal/demo_user_contoso_example/Documents/Documents"},
		{ID: "01KQ5XWJXGV3ZBMSZKGVF2KQJ4YH7RLNWD", Name: "Notes.txt", Path: "Notes.txt", Kind: "file",
			MimeType: "text/plain", Size: 58, Modified: "2026-03-04T08:00:12Z",
			WebURL: "https://contoso-my.sharepoint.com/personal/demo_user_contoso_example/Documents/Notes.txt"},
	}
	got := []FileInfo{info(page.Value[0]), info(page.Value[1])}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("info (-want +got):\n%s", diff)
	}
}
