package google

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
)

// Sheets' defaults for a new grid sheet.
const (
	defaultRows = 1000
	defaultCols = 26
)

// spreadsheet is the Sheets data of one Drive file. Its title is the file's name.
type spreadsheet struct {
	sheets []*sheet
}

// sheet is one grid sheet (a tab) of a spreadsheet.
type sheet struct {
	id         int64
	title      string
	rows, cols int      // the grid's size
	cells      [][]cell // row-major, ragged; missing cells are empty
}

// cellKind says what a cell holds.
type cellKind int

const (
	cellEmpty cellKind = iota
	cellText
	cellNumber
	cellBool
	cellFormula
)

// cell is one cell's entered value.
type cell struct {
	kind    cellKind
	text    string // cellText, or the formula of cellFormula without its "="
	num     float64
	boolean bool
}

func textCell(s string) cell     { return cell{kind: cellText, text: s} }
func numberCell(n float64) cell  { return cell{kind: cellNumber, num: n} }
func boolCell(b bool) cell       { return cell{kind: cellBool, boolean: b} }
func formulaCell(f string) cell  { return cell{kind: cellFormula, text: f} }
func (c cell) isEmpty() bool     { return c.kind == cellEmpty }
func (c cell) numeric() bool     { return c.kind == cellNumber }
func (c cell) formulaText() bool { return c.kind == cellFormula }

// newSpreadsheet returns a spreadsheet with one empty default-sized sheet per title. As in
// Sheets, the first sheet's ID is 0 and the others are random.
func newSpreadsheet(titles []string) *spreadsheet {
	if len(titles) == 0 {
		titles = []string{"Sheet1"}
	}
	ss := &spreadsheet{}
	for i, t := range titles {
		sh := &sheet{title: t, rows: defaultRows, cols: defaultCols}
		if i > 0 {
			var b [4]byte
			_, _ = rand.Read(b[:])
			sh.id = int64(binary.BigEndian.Uint32(b[:]) >> 1)
		}
		ss.sheets = append(ss.sheets, sh)
	}
	return ss
}

// sheetNamed finds a sheet by title, which Sheets compares without case.
func (ss *spreadsheet) sheetNamed(title string) *sheet {
	for _, sh := range ss.sheets {
		if strings.EqualFold(sh.title, title) {
			return sh
		}
	}
	return nil
}

// at returns the cell at a zero-based row and column.
func (sh *sheet) at(r, c int) cell {
	if r < 0 || r >= len(sh.cells) || c < 0 || c >= len(sh.cells[r]) {
		return cell{}
	}
	return sh.cells[r][c]
}

// set stores one cell, growing the ragged rows as needed.
func (sh *sheet) set(r, c int, v cell) {
	for len(sh.cells) <= r {
		sh.cells = append(sh.cells, nil)
	}
	for len(sh.cells[r]) <= c {
		sh.cells[r] = append(sh.cells[r], cell{})
	}
	sh.cells[r][c] = v
}

// setRows stores rows of cells with their top-left corner at (r, c).
func (sh *sheet) setRows(r, c int, rows [][]cell) {
	for i, row := range rows {
		for j, v := range row {
			sh.set(r+i, c+j, v)
		}
	}
}

// insertRows inserts n empty rows before row r, growing the grid.
func (sh *sheet) insertRows(r, n int) {
	if r < len(sh.cells) {
		tail := append(make([][]cell, n), sh.cells[r:]...)
		sh.cells = append(sh.cells[:r], tail...)
	}
	sh.rows += n
}

// rowEmpty reports whether row r has no value in columns c1 to c2.
func (sh *sheet) rowEmpty(r, c1, c2 int) bool {
	for c := c1; c <= c2; c++ {
		if !sh.at(r, c).isEmpty() {
			return false
		}
	}
	return true
}

// csv renders the sheet's formatted values as Sheets' CSV export does: up to the last row
// and column that hold a value.
func (ss *spreadsheet) csv(sh *sheet) []byte {
	g := gridRange{sheet: sh, r2: sh.rows - 1, c2: sh.cols - 1}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, row := range ss.values(g, renderFormatted) {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i], _ = v.(string)
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

// valueRender is a ValueRenderOption of the Sheets API.
type valueRender int

const (
	renderFormatted valueRender = iota
	renderUnformatted
	renderFormula
)

// values returns the rows of g as the Sheets API renders them, with trailing empty cells
// and rows left out, as Sheets does.
func (ss *spreadsheet) values(g gridRange, how valueRender) [][]any {
	var out [][]any
	last := -1
	for r := g.r1; r <= g.r2; r++ {
		var row []any
		end := -1
		for c := g.c1; c <= g.c2; c++ {
			if !g.sheet.at(r, c).isEmpty() {
				end = c
			}
		}
		for c := g.c1; c <= end; c++ {
			row = append(row, ss.render(g.sheet, g.sheet.at(r, c), how))
		}
		out = append(out, row)
		if len(row) > 0 {
			last = len(out) - 1
		}
	}
	out = out[:last+1]
	for i := range out {
		if out[i] == nil {
			out[i] = []any{}
		}
	}
	return out
}

// render shapes one cell for a ValueRenderOption.
func (ss *spreadsheet) render(sh *sheet, c cell, how valueRender) any {
	if c.formulaText() {
		if how == renderFormula {
			return "=" + c.text
		}
		c = ss.evaluate(sh, c.text, 0)
	}
	switch c.kind {
	case cellNumber:
		if how == renderFormatted {
			return formatNumber(c.num)
		}
		return c.num
	case cellBool:
		if how == renderFormatted {
			return strings.ToUpper(strconv.FormatBool(c.boolean))
		}
		return c.boolean
	}
	return c.text
}

// formatNumber renders a number in the "General" format of the en_US locale.
func formatNumber(n float64) string {
	if n == math.Trunc(n) && math.Abs(n) < 1e15 {
		return strconv.FormatFloat(n, 'f', 0, 64)
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// evaluate computes a formula. The sandbox knows a reference to one cell and SUM, AVERAGE,
// MIN, MAX and COUNT over one range; any other formula yields Sheets' #NAME? error, as an
// unknown function would.
func (ss *spreadsheet) evaluate(sh *sheet, formula string, depth int) cell {
	if depth > 20 {
		return textCell("#REF!")
	}
	f := strings.TrimSpace(formula)
	name, arg, ok := strings.Cut(f, "(")
	if !ok {
		g, err := ss.parseRange(f, sh)
		if err != nil || g.r1 != g.r2 || g.c1 != g.c2 {
			return textCell("#NAME?")
		}
		return ss.resolve(g.sheet, g.sheet.at(g.r1, g.c1), depth)
	}
	arg, ok = strings.CutSuffix(arg, ")")
	g, err := ss.parseRange(strings.TrimSpace(arg), sh)
	if !ok || err != nil {
		return textCell("#NAME?")
	}
	var nums []float64
	for r := g.r1; r <= min(g.r2, len(g.sheet.cells)-1); r++ {
		for c := g.c1; c <= g.c2; c++ {
			if v := ss.resolve(g.sheet, g.sheet.at(r, c), depth); v.numeric() {
				nums = append(nums, v.num)
			}
		}
	}
	return aggregate(strings.ToUpper(strings.TrimSpace(name)), nums)
}

func (ss *spreadsheet) resolve(sh *sheet, c cell, depth int) cell {
	if c.formulaText() {
		return ss.evaluate(sh, c.text, depth+1)
	}
	return c
}

func aggregate(fn string, nums []float64) cell {
	sum := 0.0
	for _, n := range nums {
		sum += n
	}
	switch fn {
	case "SUM":
		return numberCell(sum)
	case "COUNT":
		return numberCell(float64(len(nums)))
	case "AVERAGE":
		if len(nums) == 0 {
			return textCell("#DIV/0!")
		}
		return numberCell(sum / float64(len(nums)))
	case "MIN", "MAX":
		if len(nums) == 0 {
			return numberCell(0)
		}
		m := nums[0]
		for _, n := range nums[1:] {
			if (fn == "MIN") == (n < m) {
				m = n
			}
		}
		return numberCell(m)
	}
	return textCell("#NAME?")
}
