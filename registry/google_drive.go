package registry

// Google Drive and Google Sheets scopes that scopegate's tools use or that
// cover them. The strings are Google's own.
const (
	DriveFile             Scope = "https://www.googleapis.com/auth/drive.file"
	DriveMetadataReadonly Scope = "https://www.googleapis.com/auth/drive.metadata.readonly"
	DriveMetadata         Scope = "https://www.googleapis.com/auth/drive.metadata"
	DriveReadonly         Scope = "https://www.googleapis.com/auth/drive.readonly"
	DriveFull             Scope = "https://www.googleapis.com/auth/drive"

	SheetsReadonly Scope = "https://www.googleapis.com/auth/spreadsheets.readonly"
	SheetsFull     Scope = "https://www.googleapis.com/auth/spreadsheets"
)

// driveScopes are the Google Drive scopes, narrowest first. Sensitivity
// follows Google's "Choose Google Drive API scopes" page: drive.file is
// non-sensitive, every scope that reaches all of a user's files is
// restricted.
var driveScopes = []ScopeInfo{
	{
		Scope: DriveFile,
		Title: "Drive files created with scopegate",
		Explanation: "Create files in your Google Drive and see, change and share only the files " +
			"scopegate created or that you opened with it. Your other files stay invisible to it.",
		Sensitivity: NotSensitive,
		CoveredBy:   []Scope{DriveFull},
	},
	{
		Scope: DriveMetadataReadonly,
		Title: "See Drive file names and details",
		Explanation: "Search your Google Drive and see file names, types, owners, sizes and " +
			"dates. It cannot open what is inside a file or change anything.",
		Sensitivity: Restricted,
		CoveredBy:   []Scope{DriveMetadata, DriveReadonly, DriveFull},
	},
	{
		Scope: DriveMetadata,
		Title: "See and edit Drive file details",
		Explanation: "See and change the names, descriptions and other details of your Google " +
			"Drive files. It cannot open what is inside a file.",
		Sensitivity: Restricted,
		CoveredBy:   []Scope{DriveFull},
	},
	{
		Scope: DriveReadonly,
		Title: "Read all of Google Drive",
		Explanation: "Search your Google Drive and read the content of any of your files, " +
			"including Docs, Sheets and Slides. It cannot change, share or delete anything.",
		Sensitivity: Restricted,
		CoveredBy:   []Scope{DriveFull},
	},
	{
		Scope: DriveFull,
		Title: "Full Google Drive access",
		Explanation: "See, edit, create, share and delete every file in your Google Drive, " +
			"including Docs and Sheets.",
		Sensitivity: Restricted,
	},
}

// sheetsScopes are the Google Sheets scopes, narrowest first. The Sheets API
// also accepts the Drive scopes: drive.readonly for reads, drive for
// everything, and drive.file for the spreadsheets scopegate created.
var sheetsScopes = []ScopeInfo{
	{
		Scope: SheetsReadonly,
		Title: "Read Google Sheets",
		Explanation: "Read the cells of any of your Google Sheets spreadsheets. It cannot " +
			"change them or see your other Drive files.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{SheetsFull, DriveReadonly, DriveFull},
	},
	{
		Scope: SheetsFull,
		Title: "Edit Google Sheets",
		Explanation: "Read, change and create your Google Sheets spreadsheets, and delete " +
			"them. It does not reach your other Drive files.",
		Sensitivity: Sensitive,
		CoveredBy:   []Scope{DriveFull},
	},
}
