package sheets

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// ReadInput is the input of sheets_read_range.
type ReadInput struct {
	SpreadsheetID string `json:"spreadsheet_id" jsonschema:"description=From the spreadsheet's link (after /d/) or drive_search_files.,minLength=1"`
	Range         string `json:"range" jsonschema:"description=A1 notation\\, e.g. 'Sheet1!A1:D20'\\, 'Sheet1!A:C' or 'Sheet1'. Quote names with spaces: 'My sheet'!A1:B5. No sheet name means the first sheet.,minLength=1"`
	Render        string `json:"value_render_option,omitempty" jsonschema:"description=FORMATTED_VALUE (as shown; default)\\, UNFORMATTED_VALUE (numbers as numbers) or FORMULA (formulas as written).,enum=FORMATTED_VALUE,enum=UNFORMATTED_VALUE,enum=FORMULA"`
}

// ReadOutput is the structured result of sheets_read_range.
type ReadOutput struct {
	SpreadsheetID string `json:"spreadsheet_id"`
	// Range is the range read, as Sheets reports it: with its sheet and clipped to the grid.
	Range string `json:"range"`
	// Values holds the rows from the range's first row; trailing empty rows and cells
	// are left out, as Sheets leaves them out.
	Values    [][]any `json:"values"`
	Rows      int     `json:"rows"`
	Truncated bool    `json:"truncated,omitempty"`
}

// ValueRange is the Sheets API's ValueRange resource.
type ValueRange struct {
	Range          string  `json:"range"`
	MajorDimension string  `json:"majorDimension"`
	Values         [][]any `json:"values"`
}

func readRange() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "sheets_read_range",
		Title:       "Read spreadsheet cells",
		Description: "Read a range of cells from a Google Sheets spreadsheet, row by row.",
		Provider:    "google",
		// spreadsheets.readonly reads every spreadsheet and nothing else. drive.readonly
		// and the write scopes also serve. drive.file is accepted by Google but left out:
		// it would read only the spreadsheets scopegate created and answer "not found"
		// for the user's others.
		Requirement: registry.AnyOf(registry.SheetsReadonly, registry.SheetsFull,
			registry.DriveReadonly, registry.DriveFull),
		Operations:  []string{"sheets.spreadsheets.values.get"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runRead)
}

// Check refuses an empty id or range or an unknown render option.
func (in *ReadInput) Check() error {
	switch in.Render {
	case "", "FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA":
	default:
		return registry.Errorf("value_render_option must be FORMATTED_VALUE, UNFORMATTED_VALUE "+
			"or FORMULA, got %q", in.Render)
	}
	return checkTarget(in.SpreadsheetID, in.Range)
}

func runRead(ctx context.Context, call *registry.Call, in ReadInput) (registry.Result, error) {
	q := url.Values{"majorDimension": {"ROWS"}}
	if in.Render != "" {
		q.Set("valueRenderOption", in.Render)
	}
	var vr ValueRange
	u := valuesURL(call, in.SpreadsheetID, in.Range, "", q)
	if err := googleapi.Do(ctx, call, "GET", u, nil, &vr); err != nil {
		return registry.Result{}, explain(err, in.SpreadsheetID, in.Range)
	}

	out := ReadOutput{SpreadsheetID: strings.TrimSpace(in.SpreadsheetID), Range: vr.Range,
		Values: [][]any{}}
	cells := 0
	for _, row := range vr.Values {
		if cells+len(row) > maxCells {
			out.Truncated = true
			break
		}
		cells += len(row)
		out.Values = append(out.Values, row)
	}
	out.Rows = len(out.Values)

	var b strings.Builder
	if out.Rows == 0 {
		fmt.Fprintf(&b, "%s is empty.", out.Range)
	} else {
		fmt.Fprintf(&b, "%s, %d rows (row number: cells separated by |):\n%s",
			out.Range, out.Rows, rowsText(out.Values, firstRow(out.Range)))
	}
	if out.Truncated {
		fmt.Fprintf(&b, "\n\n[Only the first %d rows are shown (at most %d cells); read the "+
			"rest with a smaller range starting below them.]", out.Rows, maxCells)
	}
	return registry.Result{Text: b.String(), Structured: out}, nil
}

// firstRow returns the first row number of an A1 range such as "Sheet1!B3:D9", or 1.
func firstRow(a1 string) int {
	if i := strings.LastIndexByte(a1, '!'); i >= 0 {
		a1 = a1[i+1:]
	}
	start, _, _ := strings.Cut(a1, ":")
	digits := strings.TrimLeft(start, "$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	n, err := strconv.Atoi(strings.TrimPrefix(digits, "$"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}
