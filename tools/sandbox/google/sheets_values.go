package google

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// valueRangeJSON is the ValueRange resource.
type valueRangeJSON struct {
	Range          string  `json:"range,omitempty"`
	MajorDimension string  `json:"majorDimension,omitempty"`
	Values         [][]any `json:"values,omitempty"`
}

// updateValuesJSON is the UpdateValuesResponse resource.
type updateValuesJSON struct {
	SpreadsheetID  string          `json:"spreadsheetId"`
	UpdatedRange   string          `json:"updatedRange,omitempty"`
	UpdatedRows    int             `json:"updatedRows,omitempty"`
	UpdatedColumns int             `json:"updatedColumns,omitempty"`
	UpdatedCells   int             `json:"updatedCells,omitempty"`
	UpdatedData    *valueRangeJSON `json:"updatedData,omitempty"`
}

// appendValuesJSON is the AppendValuesResponse resource.
type appendValuesJSON struct {
	SpreadsheetID string           `json:"spreadsheetId"`
	TableRange    string           `json:"tableRange,omitempty"`
	Updates       updateValuesJSON `json:"updates"`
}

// enumParam reads an enum query parameter, answering the API's refusal of an unknown
// value. field is the parameter's proto name and enum its proto type.
func enumParam(w http.ResponseWriter, r *http.Request, name, field, enum string,
	allowed []string, def string) (string, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	if !slices.Contains(allowed, v) {
		writeSheetsInvalid(w, fmt.Sprintf(
			"Invalid value at '%s' (type.googleapis.com/google.apps.sheets.v4.%s), %q",
			field, enum, v))
		return "", false
	}
	return v, true
}

// getValues serves spreadsheets.values.get.
func (s *Server) getValues(w http.ResponseWriter, r *http.Request, t accessToken) {
	render, ok1 := enumParam(w, r, "valueRenderOption", "value_render_option",
		"ValueRenderOption", []string{"FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"},
		"FORMATTED_VALUE")
	if !ok1 {
		return
	}
	dim, ok2 := enumParam(w, r, "majorDimension", "major_dimension", "Dimension",
		[]string{"DIMENSION_UNSPECIFIED", "ROWS", "COLUMNS"}, "ROWS")
	if !ok2 {
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	f, ok := s.spreadsheetFor(w, r, t, idValuesGet, ws)
	if !ok {
		return
	}
	g, ok := s.rangeOf(w, r, f)
	if !ok {
		return
	}
	if g, ok = g.clip(); !ok {
		writeSheetsInvalid(w, g.exceedsGrid())
		return
	}
	how := map[string]valueRender{"FORMATTED_VALUE": renderFormatted,
		"UNFORMATTED_VALUE": renderUnformatted, "FORMULA": renderFormula}[render]
	out := valueRangeJSON{Range: g.String(), MajorDimension: "ROWS",
		Values: f.sheet.values(g, how)}
	if dim == "COLUMNS" {
		out.MajorDimension, out.Values = dim, transpose(out.Values)
	}
	writeJSON(w, 200, out)
}

// rangeOf parses the request's range, answering Sheets' refusal when it cannot.
func (s *Server) rangeOf(w http.ResponseWriter, r *http.Request, f *driveFile) (gridRange, bool) {
	raw := r.PathValue("range")
	g, err := f.sheet.parseRange(raw, nil)
	if err != nil {
		writeSheetsInvalid(w, "Unable to parse range: "+raw)
		return gridRange{}, false
	}
	return g, true
}

// writeRequest is the checked input of an update or an append.
type writeRequest struct {
	cells         [][]*cell // nil cells are nulls, which leave a cell as it is
	rows, cols    int
	includeValues bool
}

// readWriteRequest reads valueInputOption and the ValueRange body of a write.
func readWriteRequest(w http.ResponseWriter, r *http.Request) (writeRequest, bool) {
	input := r.URL.Query().Get("valueInputOption")
	switch input {
	case "RAW", "USER_ENTERED":
	case "", "INPUT_VALUE_OPTION_UNSPECIFIED":
		writeSheetsInvalid(w, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
		return writeRequest{}, false
	default:
		writeSheetsInvalid(w, fmt.Sprintf("Invalid value at 'value_input_option' "+
			"(type.googleapis.com/google.apps.sheets.v4.ValueInputOption), %q", input))
		return writeRequest{}, false
	}
	var body valueRangeJSON
	if !decodeSheetsJSON(w, r, &body) {
		return writeRequest{}, false
	}
	values := body.Values
	if body.MajorDimension == "COLUMNS" {
		values = transpose(values)
	}
	req := writeRequest{includeValues: r.URL.Query().Get("includeValuesInResponse") == "true"}
	for i, row := range values {
		var cells []*cell
		for j, v := range row {
			c, ok := enteredCell(v, input == "USER_ENTERED")
			if !ok {
				writeSheetsInvalid(w, fmt.Sprintf("Invalid values[%d][%d]: %v", i, j, v))
				return writeRequest{}, false
			}
			cells = append(cells, c)
		}
		req.cells = append(req.cells, cells)
		req.cols = max(req.cols, len(cells))
	}
	req.rows = len(req.cells)
	return req, true
}

// enteredCell converts one JSON value. USER_ENTERED reads strings as a person typing them
// would be: numbers, TRUE and FALSE, and formulas starting with "="; a leading apostrophe
// keeps the rest as text. The sandbox does not recognise dates, currencies or
// percentages, which stay text. RAW stores strings as they are.
func enteredCell(v any, userEntered bool) (*cell, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case bool:
		c := boolCell(v)
		return &c, true
	case float64:
		c := numberCell(v)
		return &c, true
	case string:
		c := textCell(v)
		if userEntered {
			c = typedCell(v)
		} else if v == "" {
			c = cell{}
		}
		return &c, true
	}
	return nil, false
}

// typedCell reads a string as Sheets does under USER_ENTERED.
func typedCell(s string) cell {
	trimmed := strings.TrimSpace(s)
	switch {
	case s == "":
		return cell{}
	case strings.HasPrefix(s, "'"):
		return textCell(s[1:])
	case strings.HasPrefix(s, "=") && len(s) > 1:
		return formulaCell(s[1:])
	case strings.EqualFold(trimmed, "true") || strings.EqualFold(trimmed, "false"):
		return boolCell(strings.EqualFold(trimmed, "true"))
	}
	if n, err := strconv.ParseFloat(trimmed, 64); err == nil && !math.IsInf(n, 0) &&
		!math.IsNaN(n) && !strings.ContainsAny(trimmed, "xXpP_") {
		return numberCell(n)
	}
	return textCell(s)
}

// parseCSV reads CSV, as uploads converted to spreadsheets carry, into typed cells.
func parseCSV(data []byte) ([][]cell, bool) {
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		return nil, false
	}
	rows := make([][]cell, len(recs))
	for i, rec := range recs {
		for _, field := range rec {
			rows[i] = append(rows[i], typedCell(field))
		}
	}
	return rows, true
}

// write stores the request's cells with their top-left corner at (r, c) and describes
// the update as Sheets does.
func (req writeRequest) write(f *driveFile, sh *sheet, r, c int) updateValuesJSON {
	out := updateValuesJSON{SpreadsheetID: f.id}
	if req.rows == 0 {
		return out
	}
	rowsHit, colsHit := map[int]bool{}, map[int]bool{}
	for i, row := range req.cells {
		for j, v := range row {
			if v == nil {
				continue
			}
			sh.set(r+i, c+j, *v)
			rowsHit[i], colsHit[j] = true, true
			out.UpdatedCells++
		}
	}
	written := gridRange{sheet: sh, r1: r, c1: c, r2: r + req.rows - 1, c2: c + req.cols - 1}
	out.UpdatedRange = written.String()
	out.UpdatedRows, out.UpdatedColumns = len(rowsHit), len(colsHit)
	if req.includeValues {
		out.UpdatedData = &valueRangeJSON{Range: written.String(), MajorDimension: "ROWS",
			Values: f.sheet.values(written, renderFormatted)}
	}
	return out
}

// updateValues serves spreadsheets.values.update. A range of one cell anchors the values;
// a larger range must hold them.
func (s *Server) updateValues(w http.ResponseWriter, r *http.Request, t accessToken) {
	req, ok := readWriteRequest(w, r)
	if !ok {
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	f, ok := s.spreadsheetFor(w, r, t, idValuesUpdate, ws)
	if !ok {
		return
	}
	g, ok := s.rangeOf(w, r, f)
	if !ok {
		return
	}
	if g.r1 != g.r2 || g.c1 != g.c2 {
		switch {
		case req.rows > g.r2-g.r1+1:
			writeSheetsInvalid(w, fmt.Sprintf("Requested writing within range [%s], but "+
				"tried writing to row [%d]", g, g.r2+2))
			return
		case req.cols > g.c2-g.c1+1:
			writeSheetsInvalid(w, fmt.Sprintf("Requested writing within range [%s], but "+
				"tried writing to column [%s]", g, columnName(g.c2+1)))
			return
		}
	}
	end := gridRange{sheet: g.sheet, r1: g.r1, c1: g.c1,
		r2: g.r1 + max(req.rows, 1) - 1, c2: g.c1 + max(req.cols, 1) - 1}
	if end.r2 >= g.sheet.rows || end.c2 >= g.sheet.cols {
		writeSheetsInvalid(w, end.exceedsGrid())
		return
	}
	out := req.write(f, g.sheet, g.r1, g.c1)
	if req.rows == 0 {
		out.UpdatedRange = g.String()
	}
	f.modified = s.now()
	f.version++
	writeJSON(w, 200, out)
}

// appendValues serves spreadsheets.values.append: it finds the table the range holds (the
// first run of non-empty rows) and writes the values below it, from its first column.
// INSERT_ROWS inserts rows for them; OVERWRITE writes over whatever is below. The grid
// grows to fit.
func (s *Server) appendValues(w http.ResponseWriter, r *http.Request, t accessToken) {
	insert, ok := enumParam(w, r, "insertDataOption", "insert_data_option",
		"AppendValuesRequest.InsertDataOption", []string{"OVERWRITE", "INSERT_ROWS"},
		"OVERWRITE")
	if !ok {
		return
	}
	req, ok := readWriteRequest(w, r)
	if !ok {
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	f, ok := s.spreadsheetFor(w, r, t, idValuesAppend, ws)
	if !ok {
		return
	}
	g, ok := s.rangeOf(w, r, f)
	if !ok {
		return
	}
	if g.r1 == g.r2 && g.c1 == g.c2 {
		g.r2, g.c2 = g.sheet.rows-1, g.sheet.cols-1
	}
	if g, ok = g.clip(); !ok {
		writeSheetsInvalid(w, g.exceedsGrid())
		return
	}
	sh := g.sheet
	out := appendValuesJSON{SpreadsheetID: f.id}
	row, col := g.r1, g.c1
	if table, found := findTable(g); found {
		out.TableRange = table.String()
		row, col = table.r2+1, table.c1
	}
	if insert == "INSERT_ROWS" && req.rows > 0 {
		sh.insertRows(row, req.rows)
	}
	sh.rows = max(sh.rows, row+req.rows)
	sh.cols = max(sh.cols, col+req.cols)
	out.Updates = req.write(f, sh, row, col)
	f.modified = s.now()
	f.version++
	writeJSON(w, 200, out)
}

// findTable returns the first run of non-empty rows within g, narrowed to the columns that
// hold values.
func findTable(g gridRange) (gridRange, bool) {
	sh := g.sheet
	first := -1
	for r := g.r1; r <= min(g.r2, len(sh.cells)-1); r++ {
		if !sh.rowEmpty(r, g.c1, g.c2) {
			first = r
			break
		}
	}
	if first < 0 {
		return gridRange{}, false
	}
	t := gridRange{sheet: sh, r1: first, r2: first, c1: g.c2, c2: g.c1}
	for r := first; r <= g.r2 && !sh.rowEmpty(r, g.c1, g.c2); r++ {
		t.r2 = r
		for c := g.c1; c <= g.c2; c++ {
			if !sh.at(r, c).isEmpty() {
				t.c1, t.c2 = min(t.c1, c), max(t.c2, c)
			}
		}
	}
	return t, true
}

// transpose turns rows into columns, for majorDimension COLUMNS.
func transpose(rows [][]any) [][]any {
	var out [][]any
	for i, row := range rows {
		for j, v := range row {
			for len(out) <= j {
				out = append(out, nil)
			}
			for len(out[j]) < i {
				out[j] = append(out[j], "")
			}
			out[j] = append(out[j], v)
		}
	}
	return out
}
