// Package sheets implements scopegate's Google Sheets tools on the Sheets API v4. Each
// tool is an input struct, a requirement that agrees with Google's discovery document for
// every method it calls, and a handler. The Sheets methods also accept the Drive scopes;
// the requirements list those that reach every spreadsheet of the user (drive.readonly,
// drive) and keep drive.file for creating, since it reaches only what scopegate created.
package sheets

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// apiBase is the Sheets API's real origin.
const apiBase = "https://sheets.googleapis.com"

// maxCells bounds the cells one call reads or writes.
const maxCells = 10000

// Tools returns the Sheets tools in the order they are listed: reads, then writes.
func Tools() []registry.Tool {
	return []registry.Tool{
		readRange(),
		updateRange(),
		appendRows(),
		createSpreadsheet(),
	}
}

// Cell is one cell's value as the Sheets API carries it: a string, a number, a boolean,
// or null, which leaves the cell as it is when writing.
type Cell struct {
	Value any
}

// UnmarshalJSON keeps any JSON value; Check refuses those that are not a cell's.
func (c *Cell) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &c.Value) }

// MarshalJSON writes the value as it is.
func (c Cell) MarshalJSON() ([]byte, error) { return json.Marshal(c.Value) }

// JSONSchema describes a cell to the model: a scalar or null.
func (Cell) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
		{Type: "string"}, {Type: "number"}, {Type: "boolean"}, {Type: "null"},
	}}
}

// checkGrid refuses an empty grid, a cell that is not a scalar, or too many cells.
func checkGrid(field string, rows [][]Cell) error {
	if len(rows) == 0 {
		return registry.Errorf("%s must hold at least one row", field)
	}
	n := 0
	for i, row := range rows {
		for j, c := range row {
			switch c.Value.(type) {
			case nil, string, float64, bool:
			case []any:
				return registry.Errorf("%s[%d][%d] must be a string, a number, a boolean or "+
					"null, not a list", field, i, j)
			default:
				return registry.Errorf("%s[%d][%d] must be a string, a number, a boolean or "+
					"null, not an object", field, i, j)
			}
		}
		n += len(row)
	}
	if n > maxCells {
		return registry.Errorf("%s holds %d cells; send at most %d per call", field, n, maxCells)
	}
	return nil
}

// plain returns the grid as the JSON the Sheets API takes.
func plain(rows [][]Cell) [][]any {
	out := make([][]any, len(rows))
	for i, row := range rows {
		out[i] = make([]any, len(row))
		for j, c := range row {
			out[i][j] = c.Value
		}
	}
	return out
}

// inputOption checks a value_input_option argument and applies the default.
func inputOption(v string) (string, error) {
	switch v {
	case "":
		return "USER_ENTERED", nil
	case "USER_ENTERED", "RAW":
		return v, nil
	}
	return "", registry.Errorf("value_input_option must be USER_ENTERED or RAW, got %q", v)
}

// checkTarget refuses an empty spreadsheet id or range.
func checkTarget(id, rng string) error {
	if strings.TrimSpace(id) == "" {
		return registry.Errorf("spreadsheet_id must not be empty")
	}
	if strings.ContainsAny(id, "/?# ") {
		return registry.Errorf("spreadsheet_id %q is not a spreadsheet id; take the id from "+
			"the spreadsheet's link (docs.google.com/spreadsheets/d/ID/edit) or from "+
			"drive_search_files", id)
	}
	if strings.TrimSpace(rng) == "" {
		return registry.Errorf("range must not be empty")
	}
	return nil
}

// valuesURL returns the URL of a range's values, with an optional custom verb such as
// ":append", and the query.
func valuesURL(call *registry.Call, id, rng, verb string, q url.Values) string {
	p := "/v4/spreadsheets/" + url.PathEscape(strings.TrimSpace(id)) + "/values/" +
		url.PathEscape(strings.TrimSpace(rng)) + verb
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return call.URL(apiBase, p)
}

// explain turns the Sheets API's refusals about a spreadsheet or a range into advice;
// other errors pass through.
func explain(err error, id, rng string) error {
	msg := err.Error()
	badRequest := googleapi.IsToolError(err, 400)
	switch {
	case googleapi.IsToolError(err, 404):
		return registry.Errorf("Sheets has no spreadsheet with id %q that scopegate can see. "+
			"Check the id (from the spreadsheet's link or drive_search_files).", id)
	case badRequest && strings.Contains(msg, "Unable to parse range"):
		return registry.Errorf("Sheets could not use the range %q: it is not A1 notation or "+
			"names a sheet the spreadsheet does not have. Write it like Sheet1!A1:C10, a sheet "+
			"name alone for the whole sheet, and quote names with spaces: 'My sheet'!A1.", rng)
	case badRequest && strings.Contains(msg, "not supported for this document"):
		return registry.Errorf("%q is not a Google Sheets spreadsheet (it may be an Excel file "+
			"or another kind of file). Read it with drive_read_file instead.", id)
	}
	return err
}

// rowsText renders rows for the model, one line per row, labelled with sheet row
// numbers counted from first.
func rowsText(rows [][]any, first int) string {
	var b strings.Builder
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, v := range row {
			cells[j] = fmt.Sprint(v)
		}
		fmt.Fprintf(&b, "%d: %s\n", first+i, strings.Join(cells, " | "))
	}
	return strings.TrimRight(b.String(), "\n")
}
