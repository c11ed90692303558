package sheets

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// editRequirement serves the tools that change cells of any of the user's spreadsheets.
// spreadsheets is the narrowest scope that does; drive also does. drive.file is accepted
// by Google but left out: it would reach only the spreadsheets scopegate created.
var editRequirement = registry.AnyOf(registry.SheetsFull, registry.DriveFull)

// UpdateValuesResponse is the Sheets API's UpdateValuesResponse resource.
type UpdateValuesResponse struct {
	SpreadsheetID  string `json:"spreadsheetId"`
	UpdatedRange   string `json:"updatedRange"`
	UpdatedRows    int    `json:"updatedRows"`
	UpdatedColumns int    `json:"updatedColumns"`
	UpdatedCells   int    `json:"updatedCells"`
}

// AppendValuesResponse is the Sheets API's AppendValuesResponse resource.
type AppendValuesResponse struct {
	SpreadsheetID string               `json:"spreadsheetId"`
	TableRange    string               `json:"tableRange"`
	Updates       UpdateValuesResponse `json:"updates"`
}

// UpdateInput is the input of sheets_update_range.
type UpdateInput struct {
	SpreadsheetID string   `json:"spreadsheet_id" jsonschema:"description=From the spreadsheet's link (after /d/) or drive_search_files.,minLength=1"`
	Range         string   `json:"range" jsonschema:"description=A1 notation: the top-left cell ('Sheet1!B2') or a rectangle ('Sheet1!A1:C3') holding all the values.,minLength=1"`
	Values        [][]Cell `json:"values" jsonschema:"description=Rows of cell values\\, e.g. [[\"Name\"\\,\"Cost\"]\\,[\"Hosting\"\\,1200]]. null keeps a cell; an empty string clears it.,minItems=1"`
	InputOption   string   `json:"value_input_option,omitempty" jsonschema:"description=USER_ENTERED (default) parses strings as if typed (numbers\\, dates\\, formulas such as '=SUM(C2:C4)'); RAW stores them as given.,enum=USER_ENTERED,enum=RAW"`
}

// UpdateOutput is the structured result of sheets_update_range.
type UpdateOutput struct {
	SpreadsheetID  string `json:"spreadsheet_id"`
	UpdatedRange   string `json:"updated_range"`
	UpdatedRows    int    `json:"updated_rows"`
	UpdatedColumns int    `json:"updated_columns"`
	UpdatedCells   int    `json:"updated_cells"`
}

func updateRange() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "sheets_update_range",
		Title: "Write spreadsheet cells",
		Description: "Write values into a Google Sheets range, replacing those cells. To add " +
			"rows below a table, use sheets_append_rows.",
		Provider:    "google",
		Requirement: editRequirement,
		Operations:  []string{"sheets.spreadsheets.values.update"},
		Annotations: registry.Annotations{Destructive: true, Idempotent: true, OpenWorld: true},
	}, runUpdate)
}

// Check refuses a missing target, bad values or an unknown input option.
func (in *UpdateInput) Check() error {
	if _, err := inputOption(in.InputOption); err != nil {
		return err
	}
	if err := checkTarget(in.SpreadsheetID, in.Range); err != nil {
		return err
	}
	return checkGrid("values", in.Values)
}

func runUpdate(ctx context.Context, call *registry.Call, in UpdateInput) (registry.Result, error) {
	opt, _ := inputOption(in.InputOption)
	q := url.Values{"valueInputOption": {opt}}
	body := map[string]any{"range": strings.TrimSpace(in.Range), "majorDimension": "ROWS",
		"values": plain(in.Values)}
	var resp UpdateValuesResponse
	u := valuesURL(call, in.SpreadsheetID, in.Range, "", q)
	if err := googleapi.Do(ctx, call, "PUT", u, body, &resp); err != nil {
		return registry.Result{}, explain(err, in.SpreadsheetID, in.Range)
	}

	out := UpdateOutput{SpreadsheetID: resp.SpreadsheetID, UpdatedRange: resp.UpdatedRange,
		UpdatedRows: resp.UpdatedRows, UpdatedColumns: resp.UpdatedColumns,
		UpdatedCells: resp.UpdatedCells}
	text := fmt.Sprintf("Updated %d cells in %s (%d rows, %d columns).",
		out.UpdatedCells, out.UpdatedRange, out.UpdatedRows, out.UpdatedColumns)
	return registry.Result{Text: text, Structured: out}, nil
}

// AppendInput is the input of sheets_append_rows.
type AppendInput struct {
	SpreadsheetID string   `json:"spreadsheet_id" jsonschema:"description=From the spreadsheet's link (after /d/) or drive_search_files.,minLength=1"`
	Range         string   `json:"range" jsonschema:"description=The table in A1 notation: a sheet ('Sheet1') or columns ('Sheet1!A:D'). Rows start at its first column.,minLength=1"`
	Rows          [][]Cell `json:"rows" jsonschema:"description=Rows of cell values\\, e.g. [[\"2024-05-01\"\\,\"Hosting\"\\,1200]].,minItems=1"`
	InputOption   string   `json:"value_input_option,omitempty" jsonschema:"description=USER_ENTERED (default) reads strings as if typed (numbers\\, dates\\, formulas); RAW stores them as given.,enum=USER_ENTERED,enum=RAW"`
}

// AppendOutput is the structured result of sheets_append_rows.
type AppendOutput struct {
	SpreadsheetID string `json:"spreadsheet_id"`
	// TableRange is the table the rows were added to, before they were; empty when the
	// range held no table and the rows start it.
	TableRange   string `json:"table_range,omitempty"`
	UpdatedRange string `json:"updated_range"`
	UpdatedRows  int    `json:"updated_rows"`
	UpdatedCells int    `json:"updated_cells"`
}

func appendRows() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "sheets_append_rows",
		Title: "Add rows to a spreadsheet",
		Description: "Add rows below a table in a Google Sheets spreadsheet, inserting them so " +
			"nothing below is overwritten.",
		Provider:    "google",
		Requirement: editRequirement,
		Operations:  []string{"sheets.spreadsheets.values.append"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runAppend)
}

// Check refuses a missing target, bad rows or an unknown input option.
func (in *AppendInput) Check() error {
	if _, err := inputOption(in.InputOption); err != nil {
		return err
	}
	if err := checkTarget(in.SpreadsheetID, in.Range); err != nil {
		return err
	}
	return checkGrid("rows", in.Rows)
}

func runAppend(ctx context.Context, call *registry.Call, in AppendInput) (registry.Result, error) {
	opt, _ := inputOption(in.InputOption)
	q := url.Values{"valueInputOption": {opt}, "insertDataOption": {"INSERT_ROWS"}}
	body := map[string]any{"majorDimension": "ROWS", "values": plain(in.Rows)}
	var resp AppendValuesResponse
	u := valuesURL(call, in.SpreadsheetID, in.Range, ":append", q)
	if err := googleapi.Do(ctx, call, "POST", u, body, &resp); err != nil {
		return registry.Result{}, explain(err, in.SpreadsheetID, in.Range)
	}

	out := AppendOutput{SpreadsheetID: resp.SpreadsheetID, TableRange: resp.TableRange,
		UpdatedRange: resp.Updates.UpdatedRange, UpdatedRows: resp.Updates.UpdatedRows,
		UpdatedCells: resp.Updates.UpdatedCells}
	text := fmt.Sprintf("Added %d rows at %s", out.UpdatedRows, out.UpdatedRange)
	if out.TableRange != "" {
		text += fmt.Sprintf(", below the table %s.", out.TableRange)
	} else {
		text += "; the range held no table, so they start one."
	}
	return registry.Result{Text: text, Structured: out}, nil
}

// CreateInput is the input of sheets_create_spreadsheet.
type CreateInput struct {
	Title      string   `json:"title" jsonschema:"description=Title\\, also the file name in Drive.,minLength=1"`
	SheetNames []string `json:"sheet_names,omitempty" jsonschema:"description=Sheet (tab) names in order\\, e.g. [\"Budget\"\\,\"Notes\"]. Default: one sheet\\, Sheet1."`
}

// CreateOutput is the structured result of sheets_create_spreadsheet.
type CreateOutput struct {
	SpreadsheetID string      `json:"spreadsheet_id"`
	Title         string      `json:"title"`
	URL           string      `json:"url"`
	Sheets        []SheetInfo `json:"sheets"`
}

// SheetInfo names one sheet of a spreadsheet.
type SheetInfo struct {
	SheetID int64  `json:"sheet_id"`
	Title   string `json:"title"`
}

// Spreadsheet is the Sheets API's Spreadsheet resource, with the members scopegate reads.
type Spreadsheet struct {
	SpreadsheetID string `json:"spreadsheetId"`
	Properties    struct {
		Title string `json:"title"`
	} `json:"properties"`
	Sheets []struct {
		Properties struct {
			SheetID int64  `json:"sheetId"`
			Title   string `json:"title"`
		} `json:"properties"`
	} `json:"sheets"`
	SpreadsheetURL string `json:"spreadsheetUrl"`
}

func createSpreadsheet() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "sheets_create_spreadsheet",
		Title: "Create a spreadsheet",
		Description: "Create an empty Google Sheets spreadsheet, optionally with named sheets; " +
			"returns its id and link.",
		Provider: "google",
		// A new spreadsheet is scopegate's own, which drive.file covers; the broader
		// scopes also serve.
		Requirement: registry.AnyOf(registry.DriveFile, registry.SheetsFull, registry.DriveFull),
		Operations:  []string{"sheets.spreadsheets.create"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runCreate)
}

// Check refuses an empty title and empty or repeated sheet names.
func (in *CreateInput) Check() error {
	if strings.TrimSpace(in.Title) == "" {
		return registry.Errorf("title must not be empty")
	}
	seen := map[string]bool{}
	for _, name := range in.SheetNames {
		key := strings.ToLower(strings.TrimSpace(name))
		switch {
		case key == "":
			return registry.Errorf("sheet_names must not hold an empty name")
		case seen[key]:
			return registry.Errorf("sheet_names holds %q twice; sheet names must differ", name)
		case len(name) > 100:
			return registry.Errorf("sheet name %q is longer than 100 characters", name)
		}
		seen[key] = true
	}
	return nil
}

func runCreate(ctx context.Context, call *registry.Call, in CreateInput) (registry.Result, error) {
	type sheetProps struct {
		Title string `json:"title"`
	}
	type sheet struct {
		Properties sheetProps `json:"properties"`
	}
	body := struct {
		Properties struct {
			Title string `json:"title"`
		} `json:"properties"`
		Sheets []sheet `json:"sheets,omitempty"`
	}{}
	body.Properties.Title = strings.TrimSpace(in.Title)
	for _, name := range in.SheetNames {
		body.Sheets = append(body.Sheets, sheet{sheetProps{strings.TrimSpace(name)}})
	}
	var ss Spreadsheet
	u := call.URL(apiBase, "/v4/spreadsheets")
	if err := googleapi.Do(ctx, call, "POST", u, body, &ss); err != nil {
		return registry.Result{}, err
	}

	out := CreateOutput{SpreadsheetID: ss.SpreadsheetID, Title: ss.Properties.Title,
		URL: ss.SpreadsheetURL, Sheets: []SheetInfo{}}
	names := make([]string, 0, len(ss.Sheets))
	for _, sh := range ss.Sheets {
		out.Sheets = append(out.Sheets, SheetInfo{SheetID: sh.Properties.SheetID,
			Title: sh.Properties.Title})
		names = append(names, sh.Properties.Title)
	}
	text := fmt.Sprintf("Created spreadsheet %q with sheets %s: id %s, %s.", out.Title,
		strings.Join(names, ", "), out.SpreadsheetID, out.URL)
	return registry.Result{Text: text, Structured: out}, nil
}
