package sheets_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/drive"
	"github.com/scopegate/scopegate/tools/sheets"
)

// newHarness serves the Sheets tools and drive_search_files, which finds spreadsheets.
func newHarness(t *testing.T) *scopechecktest.Harness {
	t.Helper()
	return scopechecktest.New(t, append(drive.Tools()[:1], sheets.Tools()...))
}

// budgetID finds the sandbox's seeded "Atlas budget" spreadsheet through Drive search.
func budgetID(t *testing.T, h *scopechecktest.Harness) string {
	t.Helper()
	var out drive.SearchOutput
	h.MustSucceed(t, "drive_search_files", map[string]any{
		"query": "name = 'Atlas budget' and mimeType = 'application/vnd.google-apps.spreadsheet'",
	}).Decode(t, &out)
	if len(out.Files) != 1 {
		t.Fatalf("search for the budget finds %+v", out.Files)
	}
	return out.Files[0].ID
}

func TestReadRange(t *testing.T) {
	h := newHarness(t)
	h.Grant(t, registry.DriveMetadataReadonly, registry.SheetsReadonly)
	id := budgetID(t, h)

	tests := []struct {
		name, rng, render string
		wantRange         string
		want              [][]any
	}{
		{"formatted", "Budget!A1:C3", "", "Budget!A1:C3",
			[][]any{{"Item", "Owner", "Cost"}, {"Cloud hosting", "Tomas", "1200"},
				{"Design review", "Priya", "300"}}},
		{"unformatted numbers", "Budget!C2:C4", "UNFORMATTED_VALUE", "Budget!C2:C4",
			[][]any{{1200.0}, {300.0}, {450.5}}},
		{"whole sheet clipped to its grid", "Notes", "", "Notes!A1:Z1000",
			[][]any{{"Costs are in euros."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"spreadsheet_id": id, "range": tt.rng}
			if tt.render != "" {
				args["value_render_option"] = tt.render
			}
			var out sheets.ReadOutput
			r := h.MustSucceed(t, "sheets_read_range", args)
			r.Decode(t, &out)
			if out.Range != tt.wantRange {
				t.Errorf("range = %q, want %q", out.Range, tt.wantRange)
			}
			if diff := cmp.Diff(tt.want, out.Values); diff != "" {
				t.Errorf("values mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(r.Text, "1: ") && tt.name != "unformatted numbers" {
				t.Errorf("text does not number the rows from 1: %q", r.Text)
			}
		})
	}
}

func TestCreateWriteAppendRead(t *testing.T) {
	h := newHarness(t)
	h.Grant(t, registry.DriveFile)

	var created sheets.CreateOutput
	h.MustSucceed(t, "sheets_create_spreadsheet", map[string]any{
		"title": "Trip costs", "sheet_names": []string{"Costs", "Notes"},
	}).Decode(t, &created)
	if created.SpreadsheetID == "" || created.Title != "Trip costs" || len(created.Sheets) != 2 ||
		created.Sheets[0].Title != "Costs" || !strings.Contains(created.URL, created.SpreadsheetID) {
		t.Fatalf("create = %+v", created)
	}
	id := created.SpreadsheetID

	// Writing asks for spreadsheets, even for the spreadsheet scopegate created: the
	// edit tools serve any spreadsheet, which drive.file does not reach.
	ar := h.Call(t, "sheets_update_range", map[string]any{
		"spreadsheet_id": id, "range": "Costs!A1", "values": [][]any{{"x"}},
	}).AuthorizationRequired(t)
	if ar.MissingScopes[0].Scope != string(registry.SheetsFull) {
		t.Errorf("update under drive.file asks for %s, want spreadsheets", ar.MissingScopes[0].Scope)
	}
	h.Grant(t, registry.SheetsFull)

	var up sheets.UpdateOutput
	h.MustSucceed(t, "sheets_update_range", map[string]any{
		"spreadsheet_id": id, "range": "Costs!A1",
		"values": [][]any{{"Item", "Cost"}, {"Train", 120}, {"Hotel", "300"}},
	}).Decode(t, &up)
	if up.UpdatedRange != "Costs!A1:B3" || up.UpdatedCells != 6 || up.UpdatedRows != 3 {
		t.Errorf("update = %+v", up)
	}

	var app sheets.AppendOutput
	h.MustSucceed(t, "sheets_append_rows", map[string]any{
		"spreadsheet_id": id, "range": "Costs",
		"rows": [][]any{{"Food", 80.5}, {"Total", "=SUM(B2:B4)"}},
	}).Decode(t, &app)
	if app.TableRange != "Costs!A1:B3" || app.UpdatedRange != "Costs!A4:B5" || app.UpdatedRows != 2 {
		t.Errorf("append = %+v", app)
	}

	var read sheets.ReadOutput
	h.MustSucceed(t, "sheets_read_range",
		map[string]any{"spreadsheet_id": id, "range": "Costs!A4:B5"}).Decode(t, &read)
	want := [][]any{{"Food", "80.5"}, {"Total", "500.5"}}
	if diff := cmp.Diff(want, read.Values); diff != "" {
		t.Errorf("appended rows read back mismatch (-want +got):\n%s", diff)
	}

	var raw sheets.UpdateOutput
	h.MustSucceed(t, "sheets_update_range", map[string]any{
		"spreadsheet_id": id, "range": "Notes!A1", "values": [][]any{{"=1+1", "007"}},
		"value_input_option": "RAW",
	}).Decode(t, &raw)
	h.MustSucceed(t, "sheets_read_range",
		map[string]any{"spreadsheet_id": id, "range": "Notes!A1:B1"}).Decode(t, &read)
	if diff := cmp.Diff([][]any{{"=1+1", "007"}}, read.Values); diff != "" {
		t.Errorf("RAW values read back mismatch (-want +got):\n%s", diff)
	}
}

func TestNarrowGrantAsksForLeastPrivileged(t *testing.T) {
	h := newHarness(t)
	h.Grant(t, registry.GmailSend)
	tests := []struct {
		tool string
		args map[string]any
		want registry.Scope
	}{
		{"sheets_read_range", map[string]any{"spreadsheet_id": "1x", "range": "A1"}, registry.SheetsReadonly},
		{"sheets_update_range", map[string]any{"spreadsheet_id": "1x", "range": "A1",
			"values": [][]any{{1}}}, registry.SheetsFull},
		{"sheets_append_rows", map[string]any{"spreadsheet_id": "1x", "range": "A1",
			"rows": [][]any{{1}}}, registry.SheetsFull},
		{"sheets_create_spreadsheet", map[string]any{"title": "x"}, registry.DriveFile},
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

// TestDriveScopesServeSheets shows that a Drive grant made for the Drive tools also
// reads spreadsheets, as Google's facts say, so no second consent is asked.
func TestDriveScopesServeSheets(t *testing.T) {
	h := newHarness(t)
	h.Grant(t, registry.DriveReadonly)
	var out sheets.ReadOutput
	args := map[string]any{"spreadsheet_id": budgetID(t, h), "range": "Budget!A1"}
	h.MustSucceed(t, "sheets_read_range", args).Decode(t, &out)
	if diff := cmp.Diff([][]any{{"Item"}}, out.Values); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
}

func TestProviderErrorsReadForTheModel(t *testing.T) {
	h := newHarness(t)
	h.Grant(t, registry.SheetsFull, registry.DriveMetadataReadonly)
	id := budgetID(t, h)
	tests := []struct {
		name string
		tool string
		args map[string]any
		want string
	}{
		{"unknown spreadsheet", "sheets_read_range", map[string]any{"spreadsheet_id": "1nope", "range": "A1"},
			`Sheets has no spreadsheet with id "1nope"`},
		{"unknown sheet", "sheets_read_range", map[string]any{"spreadsheet_id": id, "range": "Missing!A1"},
			`could not use the range "Missing!A1"`},
		{"not a spreadsheet", "sheets_read_range",
			map[string]any{"spreadsheet_id": "1AtlasKickoffNotesDocSandbox0000000000000000", "range": "A1"},
			"is not a Google Sheets spreadsheet"},
		{"values overflow the range", "sheets_update_range",
			map[string]any{"spreadsheet_id": id, "range": "Budget!A1:B1", "values": [][]any{{1, 2, 3}}},
			"Requested writing within range [Budget!A1:B1], but tried writing to column [C]"},
		{"bad cell", "sheets_update_range",
			map[string]any{"spreadsheet_id": id, "range": "Budget!A1",
				"values": [][]any{{map[string]any{"a": 1}}}},
			"values[0][0] must be a string, a number, a boolean or null, not an object"},
		{"repeated sheet name", "sheets_create_spreadsheet",
			map[string]any{"title": "x", "sheet_names": []string{"A", "a"}},
			"sheet names must differ"},
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
