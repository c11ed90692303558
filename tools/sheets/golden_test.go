package sheets_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/sheets"
)

// golden reads a Sheets response body kept under testdata/google/sheets. The bodies have
// the shapes Google's Sheets API v4 sends, with made-up ids and values.
func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "google", "sheets", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenBodiesDecode(t *testing.T) {
	var vr sheets.ValueRange
	err := json.Unmarshal(golden(t, "values_get.json"), &vr)
	if err != nil || len(vr.Values) != 4 || len(vr.Values[3]) != 3 {
		t.Errorf("values_get.json decodes to %+v (%v)", vr, err)
	}
	var up sheets.UpdateValuesResponse
	if err := json.Unmarshal(golden(t, "values_update.json"), &up); err != nil || up.UpdatedCells != 4 {
		t.Errorf("values_update.json decodes to %+v (%v)", up, err)
	}
	var app sheets.AppendValuesResponse
	err = json.Unmarshal(golden(t, "values_append.json"), &app)
	if err != nil || app.Updates.UpdatedRange != "Expenses!A5:D6" {
		t.Errorf("values_append.json decodes to %+v (%v)", app, err)
	}
	var ss sheets.Spreadsheet
	if err := json.Unmarshal(golden(t, "spreadsheet_create.json"), &ss); err != nil || len(ss.Sheets) != 2 ||
		ss.Sheets[1].Properties.SheetID != 1287453096 {
		t.Errorf("spreadsheet_create.json decodes to %+v (%v)", ss, err)
	}
}

// runTool calls a Sheets tool's handler against a fake Sheets API that answers every
// request with status and body.
func runTool(t *testing.T, name string, args map[string]any, status int, body []byte) (registry.Result, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range sheets.Tools() {
		if tool.Name == name {
			return tool.Handler(context.Background(), &registry.Call{HTTP: srv.Client(), APIBaseURL: srv.URL}, raw)
		}
	}
	t.Fatalf("no tool %s", name)
	return registry.Result{}, nil
}

func TestToolsOnGoldenAnswers(t *testing.T) {
	const id = "1mZ3xK8qL2vB7nW4pR9tY0cJ5dH6sF1gA8eU3oIiQw2E"
	read, err := runTool(t, "sheets_read_range", map[string]any{"spreadsheet_id": id, "range": "Expenses!A1:D4"},
		200, golden(t, "values_get.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := read.Structured.(sheets.ReadOutput)
	if out.Rows != 4 || !strings.Contains(read.Text, "4: 2024-06-07 | Travel | 95.10") {
		t.Errorf("read = %+v\n%s", out, read.Text)
	}

	up, err := runTool(t, "sheets_update_range", map[string]any{"spreadsheet_id": id, "range": "Expenses!B2",
		"values": [][]any{{"Hotel", 120}, {"Taxi", 18}}}, 200, golden(t, "values_update.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantUp := sheets.UpdateOutput{SpreadsheetID: id, UpdatedRange: "Expenses!B2:C3", UpdatedRows: 2,
		UpdatedColumns: 2, UpdatedCells: 4}
	if diff := cmp.Diff(wantUp, up.Structured); diff != "" {
		t.Errorf("update mismatch (-want +got):\n%s", diff)
	}

	app, err := runTool(t, "sheets_append_rows", map[string]any{"spreadsheet_id": id, "range": "Expenses",
		"rows": [][]any{{"2024-06-09", "Meals", 12, "Rosa"}, {"2024-06-10", "Meals", 9, "Rosa"}}},
		200, golden(t, "values_append.json"))
	if err != nil {
		t.Fatal(err)
	}
	wantApp := sheets.AppendOutput{SpreadsheetID: id, TableRange: "Expenses!A1:D4",
		UpdatedRange: "Expenses!A5:D6", UpdatedRows: 2, UpdatedCells: 8}
	if diff := cmp.Diff(wantApp, app.Structured); diff != "" {
		t.Errorf("append mismatch (-want +got):\n%s", diff)
	}

	created, err := runTool(t, "sheets_create_spreadsheet", map[string]any{"title": "Offsite budget",
		"sheet_names": []string{"Costs", "Attendees"}}, 200, golden(t, "spreadsheet_create.json"))
	if err != nil {
		t.Fatal(err)
	}
	if out := created.Structured.(sheets.CreateOutput); len(out.Sheets) != 2 ||
		out.Sheets[1].Title != "Attendees" ||
		!strings.HasSuffix(out.URL, "/edit") {
		t.Errorf("create = %+v", out)
	}

	errorTests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"not found", "error_not_found.json", 404, `Sheets has no spreadsheet with id "` + id + `"`},
		{"bad range", "error_parse_range.json", 400, `could not use the range "Expenses!A1:D4"`},
		{"permission denied", "error_permission_denied.json", 403,
			"Google answered 403: The caller does not have permission."},
	}
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]any{"spreadsheet_id": id, "range": "Expenses!A1:D4"}
			_, err := runTool(t, "sheets_read_range", args, tt.status, golden(t, tt.body))
			var te *registry.ToolError
			if !errors.As(err, &te) || !strings.Contains(te.Message, tt.want) {
				t.Errorf("error = %v, want a tool error with %q", err, tt.want)
			}
		})
	}
}
