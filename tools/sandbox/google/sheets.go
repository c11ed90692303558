package google

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// sheetsService is the service name in Sheets' ErrorInfo details.
const sheetsService = "sheets.googleapis.com"

// sheetsOp describes a Sheets method by its RPC name.
func sheetsOp(id, rpc string, handle func(*Server, http.ResponseWriter, *http.Request, accessToken)) operation {
	return operation{id: id, service: sheetsService,
		rpc: "google.apps.sheets.v4.SpreadsheetsService." + rpc, handle: handle}
}

// Discovery ids of the Sheets methods the sandbox serves.
const (
	idValuesGet    = "sheets.spreadsheets.values.get"
	idValuesUpdate = "sheets.spreadsheets.values.update"
	idValuesAppend = "sheets.spreadsheets.values.append"
)

// sheetsOperations lists the Sheets methods in the facts whose paths ServeMux can route.
// All are gated on scopes; the ones without a handler then answer 501. The methods whose
// path ends in a custom verb are in sheetsValuesVerbs and sheetsSpreadsheetVerbs.
var sheetsOperations = []operation{
	sheetsOp("sheets.spreadsheets.create", "CreateSpreadsheet", (*Server).createSpreadsheet),
	sheetsOp("sheets.spreadsheets.get", "GetSpreadsheet", nil),
	sheetsOp(idValuesGet, "GetValues", (*Server).getValues),
	sheetsOp(idValuesUpdate, "UpdateValues", (*Server).updateValues),
	sheetsOp("sheets.spreadsheets.values.batchGet", "BatchGetValues", nil),
	sheetsOp("sheets.spreadsheets.values.batchUpdate", "BatchUpdateValues", nil),
}

// sheetsValuesVerbs are the methods at POST /v4/spreadsheets/{id}/values/{range}:verb.
var sheetsValuesVerbs = map[string]operation{
	"append": sheetsOp(idValuesAppend, "AppendValues", (*Server).appendValues),
	"clear":  sheetsOp("sheets.spreadsheets.values.clear", "ClearValues", nil),
}

// sheetsSpreadsheetVerbs are the methods at POST /v4/spreadsheets/{id}:verb.
var sheetsSpreadsheetVerbs = map[string]operation{
	"batchUpdate": sheetsOp("sheets.spreadsheets.batchUpdate", "BatchUpdateSpreadsheet", nil),
}

// routeSheetsVerbs registers the custom-verb methods: the handler takes the verb off the
// last path segment and gates the call as the verb's operation.
func (s *Server) routeSheetsVerbs() {
	s.mux.HandleFunc("POST /v4/spreadsheets/{spreadsheetId}/values/{range}",
		s.verbHandler("range", sheetsValuesVerbs))
	s.mux.HandleFunc("POST /v4/spreadsheets/{spreadsheetId}",
		s.verbHandler("spreadsheetId", sheetsSpreadsheetVerbs))
}

func (s *Server) verbHandler(param string, verbs map[string]operation) http.HandlerFunc {
	handlers := make(map[string]http.HandlerFunc, len(verbs))
	for verb, op := range verbs {
		if _, ok := s.facts.Operations[op.id]; !ok {
			panic("google sandbox: no facts for " + op.id)
		}
		handlers[verb] = s.apiHandler(op)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		value := r.PathValue(param)
		i := strings.LastIndexByte(value, ':')
		h, ok := handlers[value[i+1:]]
		if i < 0 || !ok {
			http.NotFound(w, r)
			return
		}
		r.SetPathValue(param, value[:i])
		h(w, r)
	}
}

// sheetsError is the error body of the Sheets API: Google's newer envelope with a code,
// a message and a canonical status, and no errors list.
type sheetsError struct {
	Error sheetsErrorBody `json:"error"`
}

type sheetsErrorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
}

func writeSheetsError(w http.ResponseWriter, code int, status, msg string) {
	writeJSON(w, code, sheetsError{sheetsErrorBody{Code: code, Message: msg, Status: status}})
}

func writeSheetsInvalid(w http.ResponseWriter, msg string) {
	writeSheetsError(w, 400, "INVALID_ARGUMENT", msg)
}

// spreadsheetFor finds the request's spreadsheet, answering Sheets' refusal when the token
// may not see it or the file is not a spreadsheet. The caller holds ws.mu.
func (s *Server) spreadsheetFor(w http.ResponseWriter, r *http.Request, t accessToken,
	opID string, ws *workspace) (*driveFile, bool) {
	f := ws.lookup(r.PathValue("spreadsheetId"))
	if f == nil || f.id == rootFolderID || !s.reaches(opID, t, f) {
		writeSheetsError(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return nil, false
	}
	if f.sheet == nil {
		writeSheetsError(w, 400, "FAILED_PRECONDITION",
			"This operation is not supported for this document")
		return nil, false
	}
	return f, true
}

// spreadsheetJSON is the Spreadsheet resource, with the members a new spreadsheet has.
type spreadsheetJSON struct {
	SpreadsheetID  string                `json:"spreadsheetId"`
	Properties     spreadsheetProperties `json:"properties"`
	Sheets         []sheetJSON           `json:"sheets"`
	SpreadsheetURL string                `json:"spreadsheetUrl"`
}

type spreadsheetProperties struct {
	Title      string `json:"title"`
	Locale     string `json:"locale,omitempty"`
	AutoRecalc string `json:"autoRecalc,omitempty"`
	TimeZone   string `json:"timeZone,omitempty"`
}

type sheetJSON struct {
	Properties sheetProperties `json:"properties"`
}

type sheetProperties struct {
	SheetID        int64          `json:"sheetId"`
	Title          string         `json:"title"`
	Index          int            `json:"index"`
	SheetType      string         `json:"sheetType,omitempty"`
	GridProperties gridProperties `json:"gridProperties"`
}

type gridProperties struct {
	RowCount    int `json:"rowCount"`
	ColumnCount int `json:"columnCount"`
}

// createSpreadsheet serves spreadsheets.create. The new spreadsheet is a file at the top
// of My Drive, created by the token's client.
func (s *Server) createSpreadsheet(w http.ResponseWriter, r *http.Request, t accessToken) {
	var req struct {
		Properties spreadsheetProperties `json:"properties"`
		Sheets     []sheetJSON           `json:"sheets"`
	}
	if !decodeSheetsJSON(w, r, &req) {
		return
	}
	var titles []string
	for i, sh := range req.Sheets {
		title := cmp.Or(sh.Properties.Title, "Sheet"+strconv.Itoa(i+1))
		for _, seen := range titles {
			if strings.EqualFold(seen, title) {
				writeSheetsInvalid(w, "A sheet with the name \""+title+
					"\" already exists. Please enter another name.")
				return
			}
		}
		titles = append(titles, title)
	}
	ss := newSpreadsheet(titles)
	for i, sh := range req.Sheets {
		if g := sh.Properties.GridProperties; g.RowCount > 0 || g.ColumnCount > 0 {
			ss.sheets[i].rows = cmp.Or(g.RowCount, defaultRows)
			ss.sheets[i].cols = cmp.Or(g.ColumnCount, defaultCols)
		}
	}
	f := &driveFile{id: newFileID(), mimeType: mimeSpreadsheet, parent: rootFolderID,
		name: cmp.Or(req.Properties.Title, "Untitled spreadsheet"), sheet: ss,
		created: s.now(), modified: s.now()}

	ws := s.workspace()
	ws.mu.Lock()
	ws.add(f, t.clientID)
	ws.mu.Unlock()
	s.log.Info("spreadsheet created", "client_id", t.clientID, "spreadsheet_id", f.id)
	writeJSON(w, 200, spreadsheetResource(f))
}

func spreadsheetResource(f *driveFile) spreadsheetJSON {
	out := spreadsheetJSON{
		SpreadsheetID: f.id,
		Properties: spreadsheetProperties{Title: f.name, Locale: "en_US",
			AutoRecalc: "ON_CHANGE", TimeZone: "Etc/GMT"},
		SpreadsheetURL: "https://docs.google.com/spreadsheets/d/" + f.id + "/edit",
	}
	for i, sh := range f.sheet.sheets {
		out.Sheets = append(out.Sheets, sheetJSON{sheetProperties{SheetID: sh.id,
			Title: sh.title, Index: i, SheetType: "GRID",
			GridProperties: gridProperties{RowCount: sh.rows, ColumnCount: sh.cols}}})
	}
	return out
}

// decodeSheetsJSON reads a JSON request body, answering Sheets' refusal when it cannot.
func decodeSheetsJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readLimited(w, r)
	if err != nil {
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeSheetsInvalid(w, "Invalid JSON payload received. "+err.Error())
		return false
	}
	return true
}
