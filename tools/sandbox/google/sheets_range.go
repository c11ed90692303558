package google

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// gridRange is a rectangle of one sheet, zero-based and inclusive.
type gridRange struct {
	sheet          *sheet
	r1, c1, r2, c2 int
}

// errBadRange means a range is not A1 notation or names no sheet of the spreadsheet.
var errBadRange = errors.New("unable to parse range")

// a1Cell matches one end of an A1 range: an optional column and an optional row, each
// optionally fixed with $.
var a1Cell = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\$?([A-Za-z]{0,3})\$?([0-9]*)$`)
})

// parseRange reads a range in A1 notation: "Sheet1!A1:C3", "'My sheet'!B:B", "A2:C" (open
// at the bottom), "2:4", or a sheet name alone for the whole sheet. Without a sheet name
// it refers to def, or to the first sheet when def is nil. Open ends reach the grid's
// edge. Named ranges and R1C1 notation are not supported.
func (ss *spreadsheet) parseRange(s string, def *sheet) (gridRange, error) {
	name, cells, hasName, err := splitSheetName(s)
	if err != nil {
		return gridRange{}, err
	}
	sh := def
	if sh == nil {
		sh = ss.sheets[0]
	}
	if !hasName {
		// A bare string is cells of the default sheet when it reads as A1, else a title.
		if g, ok := parseCells(cells, sh); ok {
			return g, nil
		}
		name, cells = cells, ""
	}
	if sh = ss.sheetNamed(name); sh == nil {
		return gridRange{}, errBadRange
	}
	if cells == "" {
		return gridRange{sheet: sh, r2: sh.rows - 1, c2: sh.cols - 1}, nil
	}
	g, ok := parseCells(cells, sh)
	if !ok {
		return gridRange{}, errBadRange
	}
	return g, nil
}

// splitSheetName separates "'It”s'!A1" or "Sheet1!A1" into a sheet title and cells.
func splitSheetName(s string) (name, cells string, hasName bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", false, errBadRange
	}
	if strings.HasPrefix(s, "'") {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch {
			case s[i] != '\'':
				b.WriteByte(s[i])
			case i+1 < len(s) && s[i+1] == '\'':
				b.WriteByte('\'')
				i++
			case i+1 == len(s):
				return b.String(), "", true, nil
			case s[i+1] == '!':
				return b.String(), s[i+2:], true, nil
			default:
				return "", "", false, errBadRange
			}
		}
		return "", "", false, errBadRange
	}
	if name, cells, ok := strings.Cut(s, "!"); ok {
		return name, cells, true, nil
	}
	return "", s, false, nil
}

// parseCells reads "A1", "A1:C3", "A:C", "2:4" or "A2:C" on sh.
func parseCells(s string, sh *sheet) (gridRange, bool) {
	from, to, isPair := strings.Cut(s, ":")
	c1, r1, ok1 := parseEnd(from)
	if !ok1 {
		return gridRange{}, false
	}
	if !isPair {
		if c1 < 0 || r1 < 0 {
			return gridRange{}, false
		}
		return gridRange{sheet: sh, r1: r1, c1: c1, r2: r1, c2: c1}, true
	}
	c2, r2, ok2 := parseEnd(to)
	if !ok2 || (c1 < 0 && r1 < 0) || (c2 < 0 && r2 < 0) {
		return gridRange{}, false
	}
	g := gridRange{sheet: sh, r1: max(r1, 0), c1: max(c1, 0), r2: r2, c2: c2}
	if r2 < 0 {
		g.r2 = sh.rows - 1
	}
	if c2 < 0 {
		g.c2 = sh.cols - 1
	}
	if g.r2 < g.r1 {
		g.r1, g.r2 = g.r2, g.r1
	}
	if g.c2 < g.c1 {
		g.c1, g.c2 = g.c2, g.c1
	}
	return g, true
}

// parseEnd reads one end of a range; -1 stands for a column or row left out.
func parseEnd(s string) (col, row int, ok bool) {
	m := a1Cell().FindStringSubmatch(s)
	if m == nil || (m[1] == "" && m[2] == "") {
		return 0, 0, false
	}
	col, row = -1, -1
	if m[1] != "" {
		col = 0
		for _, ch := range strings.ToUpper(m[1]) {
			col = col*26 + int(ch-'A'+1)
		}
		col--
	}
	if m[2] != "" {
		n, err := strconv.Atoi(m[2])
		if err != nil || n < 1 {
			return 0, 0, false
		}
		row = n - 1
	}
	return col, row, true
}

// columnName turns a zero-based column index into letters: 0 is A, 26 is AA.
func columnName(c int) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append([]byte{byte('A' + (c-1)%26)}, b...)
	}
	return string(b)
}

// plainTitle matches sheet titles Sheets writes without quotes.
var plainTitle = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
})

// quoteTitle writes a sheet title as A1 notation needs it.
func quoteTitle(title string) string {
	m := a1Cell().FindStringSubmatch(title)
	if plainTitle().MatchString(title) && (m == nil || m[1] == "" || m[2] == "") {
		return title
	}
	return "'" + strings.ReplaceAll(title, "'", "''") + "'"
}

// String writes the range in A1 notation with its sheet, as Sheets reports ranges.
func (g gridRange) String() string {
	s := fmt.Sprintf("%s!%s%d", quoteTitle(g.sheet.title), columnName(g.c1), g.r1+1)
	if g.r1 != g.r2 || g.c1 != g.c2 {
		s += fmt.Sprintf(":%s%d", columnName(g.c2), g.r2+1)
	}
	return s
}

// clip limits g to its sheet's grid. It fails when g starts outside the grid.
func (g gridRange) clip() (gridRange, bool) {
	if g.r1 >= g.sheet.rows || g.c1 >= g.sheet.cols {
		return g, false
	}
	g.r2 = min(g.r2, g.sheet.rows-1)
	g.c2 = min(g.c2, g.sheet.cols-1)
	return g, true
}

// exceedsGrid is Sheets' message for a range beyond the sheet's grid.
func (g gridRange) exceedsGrid() string {
	return fmt.Sprintf("Range (%s) exceeds grid limits. Max rows: %d, max columns: %d",
		g, g.sheet.rows, g.sheet.cols)
}
