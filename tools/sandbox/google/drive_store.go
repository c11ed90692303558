package google

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Google's MIME types for folders and Docs Editors files.
const (
	mimeFolder       = "application/vnd.google-apps.folder"
	mimeDocument     = "application/vnd.google-apps.document"
	mimeSpreadsheet  = "application/vnd.google-apps.spreadsheet"
	mimePresentation = "application/vnd.google-apps.presentation"
	mimeDrawing      = "application/vnd.google-apps.drawing"
)

// rootFolderID is the ID of the account's My Drive folder, which queries may also name
// "root".
const rootFolderID = "0AKsandboxMyDriveRootUk9PVA"

// driveFile is one item of the account's Drive: a folder, a Docs Editors file or a file
// with binary content.
type driveFile struct {
	id          string
	name        string
	mimeType    string
	description string
	parent      string // one parent folder, as Drive allows since 2020
	created     time.Time
	modified    time.Time
	version     int64
	trashed     bool

	// content is a blob's bytes, or the plain text of a Document or a Presentation.
	content []byte
	// exportSize, when larger than the content, is the size the file's export would
	// have; it lets the sandbox answer Google's 10 MB export limit without holding 10 MB.
	exportSize int64
	// sheet is the Sheets data of a spreadsheet; nil for every other type.
	sheet *spreadsheet

	// apps are the OAuth clients that created or opened the file. Under drive.file
	// alone, a client sees only these files.
	apps        map[string]bool
	permissions []*drivePermission
}

// drivePermission is one entry of a file's access list.
type drivePermission struct {
	id          string
	kind        string // user, group, domain or anyone
	role        string
	email       string
	displayName string
	domain      string
}

// isGoogleType reports whether f is a folder or a Docs Editors file, which has no
// downloadable content.
func (f *driveFile) isGoogleType() bool {
	return strings.HasPrefix(f.mimeType, "application/vnd.google-apps.")
}

// size is what Drive reports as the file's size in bytes.
func (f *driveFile) size() int64 {
	switch {
	case f.mimeType == mimeFolder:
		return 0
	case f.sheet != nil:
		return int64(len(f.sheet.csv(f.sheet.sheets[0])))
	}
	return max(int64(len(f.content)), f.exportSize)
}

// workspace is the account's Drive, whose spreadsheets the Sheets API also serves. Its
// own mutex guards it.
type workspace struct {
	mu      sync.Mutex
	account string
	files   map[string]*driveFile
}

// workspace returns the server's Drive.
func (s *Server) workspace() *workspace { return s.drive }

// newWorkspace returns a Drive holding the seed files, dated relative to now.
func newWorkspace(account string, now time.Time) *workspace {
	ws := &workspace{account: account, files: make(map[string]*driveFile)}
	ws.files[rootFolderID] = &driveFile{id: rootFolderID, name: "My Drive",
		mimeType: mimeFolder, created: now.Add(-400 * 24 * time.Hour),
		modified: now.Add(-2 * 24 * time.Hour), version: 1}
	for _, sd := range seedFiles {
		f := sd.file(now)
		f.permissions = []*drivePermission{ws.ownerPermission()}
		ws.files[f.id] = f
	}
	return ws
}

// add stores a new file owned by the account and created by clientID.
func (ws *workspace) add(f *driveFile, clientID string) {
	f.apps = map[string]bool{clientID: true}
	f.version = 1
	f.permissions = []*drivePermission{ws.ownerPermission()}
	ws.files[f.id] = f
}

func (ws *workspace) ownerPermission() *drivePermission {
	given, family := displayName(ws.account)
	return &drivePermission{id: permissionIDFor(ws.account), kind: "user", role: "owner",
		email: ws.account, displayName: strings.TrimSpace(given + " " + family)}
}

// lookup finds a file by ID, with "root" naming My Drive.
func (ws *workspace) lookup(id string) *driveFile {
	if id == "root" {
		id = rootFolderID
	}
	return ws.files[id]
}

// sorted returns every file except My Drive itself, in a stable order.
func (ws *workspace) sorted() []*driveFile {
	out := make([]*driveFile, 0, len(ws.files))
	for _, f := range ws.files {
		if f.id != rootFolderID {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b *driveFile) int { return strings.Compare(a.id, b.id) })
	return out
}

// newFileID returns an ID shaped like Drive's: 44 URL-safe characters starting with 1.
func newFileID() string {
	var b [33]byte
	_, _ = rand.Read(b[:])
	return "1" + base64.RawURLEncoding.EncodeToString(b[:])[:43]
}

// permissionIDFor derives the stable 20-digit permission ID Drive gives a user.
func permissionIDFor(email string) string {
	sum := sha256.Sum256([]byte("permission:" + strings.ToLower(email)))
	return fmt.Sprintf("%020d", binary.BigEndian.Uint64(sum[:8])%100_000_000_000_000_000)
}

// Seed file IDs, fixed so that tests and the demo can name them.
const (
	seedFolderID = "1Pr0jectsF0lderSandb0x00000000000"
	seedDocID    = "1AtlasKickoffNotesDocSandbox0000000000000000"
	seedSheetID  = "1AtlasBudgetSheetSandbox00000000000000000000"
	seedSlidesID = "1QuarterlyReviewSlidesSandbox000000000000000"
	seedTextID   = "1TodoTextFileSandbox0000000"
	seedPDFID    = "1InvoicePdfSandbox000000000"
	seedBigDocID = "1TranscriptArchiveDocSandbox000000000000000"
	seedTrashID  = "1OldDraftTextSandbox0000000"
)

// seedFile describes one file of the starting Drive.
type seedFile struct {
	id, name, mimeType, parent string
	age                        time.Duration
	content                    string
	exportSize                 int64
	trashed                    bool
	sheet                      func() *spreadsheet
}

func (sd seedFile) file(now time.Time) *driveFile {
	f := &driveFile{id: sd.id, name: sd.name, mimeType: sd.mimeType, parent: sd.parent,
		created: now.Add(-sd.age - 30*24*time.Hour), modified: now.Add(-sd.age),
		version: 7, trashed: sd.trashed, content: []byte(sd.content),
		exportSize: sd.exportSize}
	if sd.sheet != nil {
		f.sheet = sd.sheet()
	}
	return f
}

// samplePDF is a one-page PDF whose header carries the binary marker bytes PDF writers add.
const samplePDF = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" +
	"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n" +
	"trailer << /Root 1 0 R >>\n%%EOF\n"

// seedFiles is the starting Drive: a folder with a Doc, a spreadsheet and a presentation,
// a text file, a PDF, a Doc too large to export and a trashed file.
var seedFiles = []seedFile{
	{id: seedFolderID, name: "Projects", mimeType: mimeFolder, parent: rootFolderID,
		age: 20 * 24 * time.Hour},
	{id: seedDocID, name: "Atlas kickoff notes", mimeType: mimeDocument, parent: seedFolderID,
		age: 8 * 24 * time.Hour,
		content: "Atlas kickoff\n\nAttendees: Priya, Tomas, Demo\n\n" +
			"Scope: migrate the billing service to the new platform by June.\n" +
			"Milestones: design review in April, pilot in May.\n" +
			"Owner of the migration plan: Tomas.\n"},
	{id: seedSheetID, name: "Atlas budget", mimeType: mimeSpreadsheet, parent: seedFolderID,
		age: 3 * 24 * time.Hour, sheet: seedBudget},
	{id: seedSlidesID, name: "Quarterly review", mimeType: mimePresentation,
		parent: rootFolderID, age: 12 * 24 * time.Hour,
		content: "Quarterly review\n\nRevenue grew 12%\n\nNext quarter: launch Atlas pilot\n"},
	{id: seedTextID, name: "todo.txt", mimeType: "text/plain", parent: rootFolderID,
		age:     24 * time.Hour,
		content: "- send the Atlas budget to finance\n- book the design review room\n"},
	{id: seedPDFID, name: "Invoice 2024-03.pdf", mimeType: "application/pdf",
		parent: rootFolderID, age: 30 * 24 * time.Hour, content: samplePDF},
	{id: seedBigDocID, name: "Meeting transcript archive", mimeType: mimeDocument,
		parent: seedFolderID, age: 60 * 24 * time.Hour,
		content:    "Transcripts of every weekly meeting since 2019.\n",
		exportSize: 14 << 20},
	{id: seedTrashID, name: "old draft.txt", mimeType: "text/plain", parent: rootFolderID,
		age: 90 * 24 * time.Hour, content: "superseded", trashed: true},
}

// seedBudget is the spreadsheet behind "Atlas budget".
func seedBudget() *spreadsheet {
	ss := newSpreadsheet([]string{"Budget", "Notes"})
	ss.sheets[0].setRows(0, 0, [][]cell{
		{textCell("Item"), textCell("Owner"), textCell("Cost")},
		{textCell("Cloud hosting"), textCell("Tomas"), numberCell(1200)},
		{textCell("Design review"), textCell("Priya"), numberCell(300)},
		{textCell("Pilot support"), textCell("Demo"), numberCell(450.5)},
	})
	ss.sheets[1].setRows(0, 0, [][]cell{{textCell("Costs are in euros.")}})
	return ss
}
