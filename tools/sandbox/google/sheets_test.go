package google

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	sheetsScope         = "https://www.googleapis.com/auth/spreadsheets"
	sheetsReadonlyScope = "https://www.googleapis.com/auth/spreadsheets.readonly"
)

// valuesPath is the path of a range's values, with an optional verb and query.
func valuesPath(id, rng, verb string, q url.Values) string {
	p := "/v4/spreadsheets/" + id + "/values/" + url.PathEscape(rng) + verb
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

func TestSheetsGetValues(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, sheetsReadonlyScope)
	tests := []struct {
		name, rng string
		q         url.Values
		want      valueRangeJSON
	}{
		{"formatted", "Budget!A1:C2", nil, valueRangeJSON{Range: "Budget!A1:C2", MajorDimension: "ROWS",
			Values: [][]any{{"Item", "Owner", "Cost"}, {"Cloud hosting", "Tomas", "1200"}}}},
		{"unformatted", "Budget!C3:C4", url.Values{"valueRenderOption": {"UNFORMATTED_VALUE"}},
			valueRangeJSON{Range: "Budget!C3:C4", MajorDimension: "ROWS", Values: [][]any{{300.0}, {450.5}}}},
		{"columns", "Budget!A1:B2", url.Values{"majorDimension": {"COLUMNS"}},
			valueRangeJSON{Range: "Budget!A1:B2", MajorDimension: "COLUMNS",
				Values: [][]any{{"Item", "Cloud hosting"}, {"Owner", "Tomas"}}}},
		{"first sheet without a name", "B4", nil, valueRangeJSON{Range: "Budget!B4", MajorDimension: "ROWS",
			Values: [][]any{{"Demo"}}}},
		{"open rows, trailing empties dropped", "budget!A3:B", nil, valueRangeJSON{Range: "Budget!A3:B1000",
			MajorDimension: "ROWS", Values: [][]any{{"Design review", "Priya"}, {"Pilot support", "Demo"}}}},
		{"empty range", "Notes!D5:E9", nil, valueRangeJSON{Range: "Notes!D5:E9", MajorDimension: "ROWS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got valueRangeJSON
			resp := e.api(t, tok, "GET", valuesPath(seedSheetID, tt.rng, "", tt.q), nil, &got)
			if resp.StatusCode != 200 {
				t.Fatalf("values.get %s = %d %+v", tt.rng, resp.StatusCode, got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ValueRange mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSheetsErrors(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, sheetsScope)
	tests := []struct {
		name, method, path string
		body               any
		want               sheetsError
	}{
		{"unknown sheet", "GET", valuesPath(seedSheetID, "Nope!A1", "", nil), nil,
			sheetsError{sheetsErrorBody{400, "Unable to parse range: Nope!A1", "INVALID_ARGUMENT"}}},
		{"unknown spreadsheet", "GET", valuesPath("1missing", "A1", "", nil), nil,
			sheetsError{sheetsErrorBody{404, "Requested entity was not found.", "NOT_FOUND"}}},
		{"not a spreadsheet", "GET", valuesPath(seedDocID, "A1", "", nil), nil,
			sheetsError{sheetsErrorBody{400, "This operation is not supported for this document",
				"FAILED_PRECONDITION"}}},
		{"bad render option", "GET",
			valuesPath(seedSheetID, "A1", "", url.Values{"valueRenderOption": {"PRETTY"}}), nil,
			sheetsError{sheetsErrorBody{400, "Invalid value at 'value_render_option' " +
				`(type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), "PRETTY"`, "INVALID_ARGUMENT"}}},
		{"no input option", "PUT", valuesPath(seedSheetID, "Notes!A1", "", nil),
			map[string]any{"values": [][]any{{"x"}}},
			sheetsError{sheetsErrorBody{400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED",
				"INVALID_ARGUMENT"}}},
		{"values beyond the range", "PUT",
			valuesPath(seedSheetID, "Notes!A1:B2", "", url.Values{"valueInputOption": {"RAW"}}),
			map[string]any{"values": [][]any{{1}, {2}, {3}}},
			sheetsError{sheetsErrorBody{400, "Requested writing within range [Notes!A1:B2], but tried " +
				"writing to row [3]", "INVALID_ARGUMENT"}}},
		{"beyond the grid", "PUT",
			valuesPath(seedSheetID, "Notes!Z1000", "", url.Values{"valueInputOption": {"RAW"}}),
			map[string]any{"values": [][]any{{1, 2}}},
			sheetsError{sheetsErrorBody{400, "Range (Notes!Z1000:AA1000) exceeds grid limits. " +
				"Max rows: 1000, max columns: 26", "INVALID_ARGUMENT"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got sheetsError
			e.api(t, tok, tt.method, tt.path, tt.body, &got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSheetsWriteAndAppend(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, sheetsScope)
	entered := url.Values{"valueInputOption": {"USER_ENTERED"}, "includeValuesInResponse": {"true"}}

	var up updateValuesJSON
	e.api(t, tok, "PUT", valuesPath(seedSheetID, "Notes!A2", "", entered),
		map[string]any{"values": [][]any{{"7", "=SUM(Budget!C2:C4)", "true", "'42", nil}}}, &up)
	wantUp := updateValuesJSON{SpreadsheetID: seedSheetID, UpdatedRange: "Notes!A2:E2", UpdatedRows: 1,
		UpdatedColumns: 4, UpdatedCells: 4, UpdatedData: &valueRangeJSON{Range: "Notes!A2:E2",
			MajorDimension: "ROWS", Values: [][]any{{"7", "1950.5", "TRUE", "42"}}}}
	if diff := cmp.Diff(wantUp, up); diff != "" {
		t.Errorf("USER_ENTERED update mismatch (-want +got):\n%s", diff)
	}
	var formulas valueRangeJSON
	e.api(t, tok, "GET", valuesPath(seedSheetID, "Notes!A2:D2", "", url.Values{"valueRenderOption": {"FORMULA"}}),
		nil, &formulas)
	if diff := cmp.Diff([][]any{{7.0, "=SUM(Budget!C2:C4)", true, "42"}}, formulas.Values); diff != "" {
		t.Errorf("FORMULA render mismatch (-want +got):\n%s", diff)
	}

	var app appendValuesJSON
	e.api(t, tok, "POST", valuesPath(seedSheetID, "Budget", ":append",
		url.Values{"valueInputOption": {"RAW"}, "insertDataOption": {"INSERT_ROWS"}}),
		map[string]any{"values": [][]any{{"Travel", "Ana", 99}}}, &app)
	wantApp := appendValuesJSON{SpreadsheetID: seedSheetID, TableRange: "Budget!A1:C4",
		Updates: updateValuesJSON{SpreadsheetID: seedSheetID, UpdatedRange: "Budget!A5:C5",
			UpdatedRows: 1, UpdatedColumns: 3, UpdatedCells: 3}}
	if diff := cmp.Diff(wantApp, app); diff != "" {
		t.Errorf("append mismatch (-want +got):\n%s", diff)
	}
	var sum valueRangeJSON
	e.api(t, tok, "GET", valuesPath(seedSheetID, "Notes!B2", "", nil), nil, &sum)
	if diff := cmp.Diff([][]any{{"1950.5"}}, sum.Values); diff != "" {
		t.Errorf("a formula over rows above the insertion mismatch (-want +got):\n%s", diff)
	}

	var empty appendValuesJSON
	e.api(t, tok, "POST", valuesPath(seedSheetID, "Notes!D10:E12", ":append",
		url.Values{"valueInputOption": {"RAW"}}), map[string]any{"values": [][]any{{"a"}}}, &empty)
	if empty.TableRange != "" || empty.Updates.UpdatedRange != "Notes!D10" {
		t.Errorf("append to an empty range = %+v, want no table and the range's first cell", empty)
	}
}

func TestSheetsCreateAndDriveFileReach(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, driveFileScope)

	var none sheetsError
	e.api(t, tok, "GET", valuesPath(seedSheetID, "A1", "", nil), nil, &none)
	if none.Error.Code != 404 {
		t.Errorf("seeded spreadsheet under drive.file = %+v, want 404", none)
	}

	var ss spreadsheetJSON
	resp := e.api(t, tok, "POST", "/v4/spreadsheets", map[string]any{
		"properties": map[string]any{"title": "Trip"},
		"sheets":     []any{map[string]any{"properties": map[string]any{"title": "Costs"}}, map[string]any{}},
	}, &ss)
	if resp.StatusCode != 200 || ss.Properties.Title != "Trip" || len(ss.Sheets) != 2 ||
		ss.Sheets[0].Properties.SheetID != 0 || ss.Sheets[1].Properties.Title != "Sheet2" ||
		ss.Sheets[1].Properties.GridProperties.RowCount != 1000 ||
		ss.SpreadsheetURL != "https://docs.google.com/spreadsheets/d/"+ss.SpreadsheetID+"/edit" {
		t.Fatalf("spreadsheets.create = %d %+v", resp.StatusCode, ss)
	}
	var vr valueRangeJSON
	resp = e.api(t, tok, "GET", valuesPath(ss.SpreadsheetID, "Costs!A1", "", nil), nil, &vr)
	if resp.StatusCode != 200 {
		t.Errorf("reading the spreadsheet the client created = %d, want 200", resp.StatusCode)
	}
	if names := e.listNames(t, tok, "mimeType = '"+mimeSpreadsheet+"'"); len(names) != 1 || names[0] != "Trip" {
		t.Errorf("Drive lists %v to the client, want the new spreadsheet", names)
	}

	var dup sheetsError
	e.api(t, tok, "POST", "/v4/spreadsheets", map[string]any{"sheets": []any{
		map[string]any{"properties": map[string]any{"title": "A"}},
		map[string]any{"properties": map[string]any{"title": "a"}}}}, &dup)
	if dup.Error.Status != "INVALID_ARGUMENT" || !strings.Contains(dup.Error.Message, `name "a" already exists`) {
		t.Errorf("duplicate sheet names = %+v", dup)
	}
}

func TestParseRange(t *testing.T) {
	ss := newSpreadsheet([]string{"Sheet1", "My data", "It's"})
	tests := []struct {
		in   string
		want string
	}{
		{"A1", "Sheet1!A1"},
		{"Sheet1!B2:C3", "Sheet1!B2:C3"},
		{"C3:B2", "Sheet1!B2:C3"},
		{"'My data'!A:B", "'My data'!A1:B1000"},
		{"My data!2:3", "'My data'!A2:Z3"},
		{"'It''s'", "'It''s'!A1:Z1000"},
		{"sheet1!$A$1:$B$2", "Sheet1!A1:B2"},
		{"AA10", "Sheet1!AA10"},
	}
	for _, tt := range tests {
		g, err := ss.parseRange(tt.in, nil)
		if err != nil || g.String() != tt.want {
			t.Errorf("parseRange(%q) = %v, %v; want %s", tt.in, g, err, tt.want)
		}
	}
	for _, bad := range []string{"", "Nope!A1", "'unclosed!A1", "A0", "Sheet1!A1:", "Sheet1!1A"} {
		if g, err := ss.parseRange(bad, nil); err == nil {
			t.Errorf("parseRange(%q) = %v, want an error", bad, g)
		}
	}
}

func TestSheetsInsufficientScope(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenFor(t, sheetsReadonlyScope)
	resp := e.api(t, tok, "PUT", valuesPath(seedSheetID, "A1", "", url.Values{"valueInputOption": {"RAW"}}),
		map[string]any{"values": [][]any{{1}}}, nil)
	if resp.StatusCode != 403 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), sheetsScope) {
		t.Errorf("update under spreadsheets.readonly = %d %s, want 403 naming spreadsheets",
			resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}
