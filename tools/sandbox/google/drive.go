package google

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// driveService is the service name in Drive's ErrorInfo details.
const driveService = "drive.googleapis.com"

// driveOp describes a Drive method by its resource and RPC name, such as "DriveFiles" and
// "List".
func driveOp(id, rpc string, handle func(*Server, http.ResponseWriter, *http.Request, accessToken)) operation {
	return operation{id: id, service: driveService, rpc: "google.apps.drive.v3." + rpc, handle: handle}
}

// Discovery ids of the Drive methods the sandbox serves; handlers use them to decide
// what a token reaches.
const (
	idFilesList         = "drive.files.list"
	idFilesGet          = "drive.files.get"
	idFilesExport       = "drive.files.export"
	idFilesCreate       = "drive.files.create"
	idPermissionsCreate = "drive.permissions.create"
)

// driveOperations lists every Drive method in the facts. All are gated on scopes; the ones
// without a handler then answer 501. The media upload path of drive.files.create is not in
// the facts; routeWorkspaceExtras serves it as driveUploadOperation.
var driveOperations = []operation{
	driveOp(idFilesList, "DriveFiles.List", (*Server).listFiles),
	driveOp(idFilesGet, "DriveFiles.Get", (*Server).getFile),
	driveOp(idFilesExport, "DriveFiles.Export", (*Server).exportFile),
	driveOp(idFilesCreate, "DriveFiles.Create", (*Server).createFile),
	driveOp("drive.files.copy", "DriveFiles.Copy", nil),
	driveOp("drive.files.update", "DriveFiles.Update", nil),
	driveOp("drive.files.delete", "DriveFiles.Delete", nil),
	driveOp("drive.files.download", "DriveFiles.Download", nil),
	driveOp(idPermissionsCreate, "DrivePermissions.Create", (*Server).createPermission),
	driveOp("drive.permissions.list", "DrivePermissions.List", nil),
}

// driveUploadOperation is drive.files.create at its media upload path.
var driveUploadOperation = driveOp(idFilesCreate, "DriveFiles.Create", (*Server).uploadFile)

// Scopes whose reach depends on the file, not only on the operation.
const (
	scopeDriveFile = "https://www.googleapis.com/auth/drive.file"
	// contentOperation names the facts entry whose accepted scopes may read a file's
	// content. files.get accepts metadata scopes too, but not with alt=media.
	contentOperation = "drive.files.download"
)

// wideScopes reach every file of the user (every spreadsheet, for the Sheets scopes).
// drive.file reaches only the files its client created or opened, and the remaining Drive
// scopes (appdata, photos, Meet) reach spaces the sandbox does not hold.
var wideScopes = []string{
	"https://www.googleapis.com/auth/drive",
	"https://www.googleapis.com/auth/drive.readonly",
	"https://www.googleapis.com/auth/drive.metadata",
	"https://www.googleapis.com/auth/drive.metadata.readonly",
	"https://www.googleapis.com/auth/spreadsheets",
	"https://www.googleapis.com/auth/spreadsheets.readonly",
}

// reaches reports whether a token may see f through an operation: by a wide scope that the
// operation accepts, or by drive.file when the token's client created f. Google answers
// "not found" for any other file, as if it did not exist.
func (s *Server) reaches(opID string, t accessToken, f *driveFile) bool {
	if f.id == rootFolderID {
		return true
	}
	accepted := s.facts.Operations[opID].AcceptedScopes
	for _, sc := range t.scopes {
		if slices.Contains(wideScopes, sc) && slices.Contains(accepted, sc) {
			return true
		}
	}
	return slices.Contains(t.scopes, scopeDriveFile) && f.apps[t.clientID]
}

// driveError is the error body of the Drive API: Google's older envelope, with the
// errors list and without a status.
type driveError struct {
	Error driveErrorBody `json:"error"`
}

type driveErrorBody struct {
	Code    int            `json:"code"`
	Message string         `json:"message"`
	Errors  []apiErrorItem `json:"errors"`
}

// writeDriveError writes a Drive error; location names the parameter at fault, if any.
func writeDriveError(w http.ResponseWriter, code int, reason, msg, location string) {
	item := apiErrorItem{Message: msg, Domain: "global", Reason: reason}
	if location != "" {
		item.Location, item.LocationType = location, "parameter"
	}
	writeJSON(w, code, driveError{driveErrorBody{Code: code, Message: msg,
		Errors: []apiErrorItem{item}}})
}

// writeFileNotFound is Drive's answer for a file that does not exist or that the token
// may not see.
func writeFileNotFound(w http.ResponseWriter, id string) {
	writeDriveError(w, 404, "notFound", "File not found: "+id+".", "fileId")
}

// writeInvalidValue is Drive's answer for a query parameter it cannot use.
func writeInvalidValue(w http.ResponseWriter, param string) {
	writeDriveError(w, 400, "invalid", "Invalid Value", param)
}

// driveTime formats a time as Drive does: RFC 3339 in UTC with milliseconds.
func driveTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// fileResource renders f as Drive's File resource, for a token of clientID.
func (ws *workspace) fileResource(f *driveFile, clientID string) map[string]any {
	owner := ws.ownerPermission()
	me := map[string]any{"kind": "drive#user", "displayName": owner.displayName, "me": true,
		"permissionId": owner.id, "emailAddress": owner.email}
	permIDs := make([]any, len(f.permissions))
	for i, p := range f.permissions {
		permIDs[i] = p.id
	}
	r := map[string]any{
		"kind": "drive#file", "id": f.id, "name": f.name, "mimeType": f.mimeType,
		"starred": false, "trashed": f.trashed, "explicitlyTrashed": f.trashed,
		"spaces": []any{"drive"}, "version": strconv.FormatInt(f.version, 10),
		"webViewLink": webViewLink(f), "viewedByMe": true, "hasThumbnail": false,
		"iconLink":     "https://drive-thirdparty.googleusercontent.com/16/type/" + f.mimeType,
		"createdTime":  driveTime(f.created),
		"modifiedTime": driveTime(f.modified), "modifiedByMe": true,
		"modifiedByMeTime": driveTime(f.modified), "owners": []any{me},
		"lastModifyingUser": me, "ownedByMe": true, "shared": len(f.permissions) > 1,
		"permissionIds": permIDs, "isAppAuthorized": f.apps[clientID],
		"writersCanShare": true, "viewersCanCopyContent": true,
		"capabilities": map[string]any{"canEdit": true, "canShare": true,
			"canDownload": true, "canCopy": f.mimeType != mimeFolder, "canTrash": true},
	}
	if f.description != "" {
		r["description"] = f.description
	}
	if f.parent != "" {
		r["parents"] = []any{f.parent}
	}
	if f.mimeType != mimeFolder {
		size := strconv.FormatInt(f.size(), 10)
		r["size"], r["quotaBytesUsed"] = size, size
	}
	if !f.isGoogleType() {
		ext := ""
		if i := strings.LastIndexByte(f.name, '.'); i > 0 {
			ext = f.name[i+1:]
		}
		r["originalFilename"], r["fullFileExtension"], r["fileExtension"] = f.name, ext, ext
		r["md5Checksum"] = md5Hex(f.content)
		r["headRevisionId"] = "0B" + f.id[1:min(len(f.id), 20)]
		r["webContentLink"] = "https://drive.google.com/uc?id=" + f.id + "&export=download"
	}
	if links := exportLinks(f); len(links) > 0 {
		r["exportLinks"] = links
	}
	return r
}

// webViewLink is the address of the file in Drive's or the editors' web interface.
func webViewLink(f *driveFile) string {
	switch f.mimeType {
	case mimeFolder:
		return "https://drive.google.com/drive/folders/" + f.id
	case mimeDocument:
		return "https://docs.google.com/document/d/" + f.id + "/edit?usp=drivesdk"
	case mimeSpreadsheet:
		return "https://docs.google.com/spreadsheets/d/" + f.id + "/edit?usp=drivesdk"
	case mimePresentation:
		return "https://docs.google.com/presentation/d/" + f.id + "/edit?usp=drivesdk"
	}
	return "https://drive.google.com/file/d/" + f.id + "/view?usp=drivesdk"
}

// exportFormats lists, for each Docs Editors type, the export MIME types the sandbox
// produces and the exportFormat Google's export links name them by. Google offers more
// formats (PDF, Office, ODF); the sandbox serves the textual ones only.
var exportFormats = map[string]map[string]string{
	mimeDocument:     {"text/plain": "txt", "text/markdown": "md"},
	mimeSpreadsheet:  {"text/csv": "csv", "text/tab-separated-values": "tsv"},
	mimePresentation: {"text/plain": "txt"},
}

func exportLinks(f *driveFile) map[string]any {
	kind := map[string]string{mimeDocument: "documents", mimeSpreadsheet: "spreadsheets",
		mimePresentation: "presentations"}[f.mimeType]
	out := map[string]any{}
	for mime, format := range exportFormats[f.mimeType] {
		out[mime] = "https://docs.google.com/feeds/download/" + kind + "/Export?id=" + f.id +
			"&exportFormat=" + format
	}
	return out
}
