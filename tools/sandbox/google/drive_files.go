package google

import (
	"bytes"
	"cmp"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Drive's default partial responses, when a request names no fields.
const (
	defaultFileFields = "kind,id,name,mimeType"
	defaultListFields = "kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)"
)

// exportLimit is the largest export Drive produces: 10 MB.
const exportLimit = 10 << 20

// writeSelected answers 200 with the members of v that the request's fields parameter
// selects, or those of def when it names none.
func writeSelected(w http.ResponseWriter, r *http.Request, v map[string]any, def string) {
	sel := r.URL.Query().Get("fields")
	if sel == "" {
		sel = def
	}
	mask, err := parseFields(sel)
	if err != nil {
		writeDriveError(w, 400, "invalidParameter", "Invalid field selection "+sel, "fields")
		return
	}
	writeJSON(w, 200, mask.apply(v))
}

// listFiles serves files.list: the files the token reaches that match q, in orderBy's
// order (most recently modified first by default), paged by an opaque token.
func (s *Server) listFiles(w http.ResponseWriter, r *http.Request, t accessToken) {
	v := r.URL.Query()
	query, err := parseDriveQuery(v.Get("q"))
	if err != nil {
		writeInvalidValue(w, "q")
		return
	}
	size := 100
	if raw := v.Get("pageSize"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1000 {
			writeDriveError(w, 400, "invalid", "Invalid value '"+raw+
				"'. Values must be within the range: [1, 1000]", "pageSize")
			return
		}
		size = n
	}
	offset := 0
	if tok := v.Get("pageToken"); tok != "" {
		if offset, err = decodePageToken(tok); err != nil {
			writeInvalidValue(w, "pageToken")
			return
		}
	}
	order := v.Get("orderBy")
	if order != "" && query.fullText() {
		writeDriveError(w, 400, "invalid", "Sorting is not supported for queries with "+
			"fullText terms. Results are always in descending relevance order.", "orderBy")
		return
	}
	less, ok := fileOrder(order)
	if !ok {
		writeInvalidValue(w, "orderBy")
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	var hits []*driveFile
	for _, f := range ws.sorted() {
		if s.reaches(idFilesList, t, f) && query.matches(ws, f) {
			hits = append(hits, f)
		}
	}
	slices.SortStableFunc(hits, less)
	resp := map[string]any{"kind": "drive#fileList", "incompleteSearch": false}
	files := []any{}
	for _, f := range hits[min(offset, len(hits)):min(offset+size, len(hits))] {
		files = append(files, ws.fileResource(f, t.clientID))
	}
	ws.mu.Unlock()
	resp["files"] = files
	if offset+size < len(hits) {
		resp["nextPageToken"] = encodePageToken(offset + size)
	}
	writeSelected(w, r, resp, defaultListFields)
}

// fileOrder reads orderBy: comma-separated keys, each optionally followed by "desc".
func fileOrder(orderBy string) (func(a, b *driveFile) int, bool) {
	if strings.TrimSpace(orderBy) == "" {
		orderBy = "modifiedTime desc"
	}
	var keys []func(a, b *driveFile) int
	for _, part := range strings.Split(orderBy, ",") {
		fields := strings.Fields(part)
		if len(fields) == 0 || len(fields) > 2 || (len(fields) == 2 && fields[1] != "desc") {
			return nil, false
		}
		var key func(a, b *driveFile) int
		switch fields[0] {
		case "modifiedTime", "modifiedByMeTime", "recency", "viewedByMeTime":
			key = func(a, b *driveFile) int { return a.modified.Compare(b.modified) }
		case "createdTime":
			key = func(a, b *driveFile) int { return a.created.Compare(b.created) }
		case "name", "name_natural":
			key = func(a, b *driveFile) int {
				return cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
			}
		case "folder":
			key = func(a, b *driveFile) int {
				return cmp.Compare(b2i(a.mimeType == mimeFolder), b2i(b.mimeType == mimeFolder))
			}
		case "quotaBytesUsed":
			key = func(a, b *driveFile) int { return cmp.Compare(a.size(), b.size()) }
		case "starred", "sharedWithMeTime":
			key = func(a, b *driveFile) int { return 0 }
		default:
			return nil, false
		}
		if len(fields) == 2 {
			asc := key
			key = func(a, b *driveFile) int { return asc(b, a) }
		}
		keys = append(keys, key)
	}
	return func(a, b *driveFile) int {
		for _, k := range keys {
			if c := k(a, b); c != 0 {
				return c
			}
		}
		return 0
	}, true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Page tokens are opaque to clients; the sandbox's carry an offset.
func encodePageToken(offset int) string {
	return "~!!~" + base64.RawURLEncoding.EncodeToString([]byte("o="+strconv.Itoa(offset)))
}

func decodePageToken(tok string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, "~!!~"))
	if err != nil || !strings.HasPrefix(string(raw), "o=") {
		return 0, errBadQuery
	}
	n, err := strconv.Atoi(string(raw[2:]))
	if err != nil || n < 0 {
		return 0, errBadQuery
	}
	return n, nil
}

// getFile serves files.get: the File resource, or with alt=media the content of a file
// that has binary content.
func (s *Server) getFile(w http.ResponseWriter, r *http.Request, t accessToken) {
	alt := r.URL.Query().Get("alt")
	if alt != "" && alt != "json" && alt != "media" {
		writeInvalidValue(w, "alt")
		return
	}
	if alt == "media" && !s.facts.accepts(contentOperation, t.scopes) {
		// Metadata scopes authorize files.get but never a download.
		s.writeInsufficientScope(w, operation{id: contentOperation, service: driveService,
			rpc: "google.apps.drive.v3.DriveFiles.Get"})
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	id := r.PathValue("fileId")
	f := ws.lookup(id)
	if f == nil || !s.reaches(idFilesGet, t, f) {
		writeFileNotFound(w, id)
		return
	}
	if alt != "media" {
		writeSelected(w, r, ws.fileResource(f, t.clientID), defaultFileFields)
		return
	}
	if f.isGoogleType() {
		writeDriveError(w, 403, "fileNotDownloadable", "Only files with binary content can "+
			"be downloaded. Use Export with Docs Editors files.", "alt")
		return
	}
	w.Header().Set("Content-Type", f.mimeType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.content)))
	w.WriteHeader(200)
	_, _ = w.Write(f.content)
}

// exportFile serves files.export: a Docs Editors file converted to a textual format.
func (s *Server) exportFile(w http.ResponseWriter, r *http.Request, t accessToken) {
	target := r.URL.Query().Get("mimeType")
	if target == "" {
		writeDriveError(w, 400, "required", "Required parameter: mimeType", "mimeType")
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	id := r.PathValue("fileId")
	f := ws.lookup(id)
	if f == nil || !s.reaches(idFilesExport, t, f) {
		writeFileNotFound(w, id)
		return
	}
	formats, ok := exportFormats[f.mimeType]
	switch {
	case !f.isGoogleType() || f.mimeType == mimeFolder:
		writeDriveError(w, 403, "fileNotExportable",
			"Export only supports Docs Editors files.", "")
		return
	case !ok || formats[target] == "":
		writeDriveError(w, 400, "badRequest", "The requested conversion is not supported.",
			"convertTo")
		return
	case f.exportSize > exportLimit:
		writeDriveError(w, 403, "exportSizeLimitExceeded",
			"This file is too large to be exported.", "")
		return
	}
	body := exported(f, target)
	w.Header().Set("Content-Type", target)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(200)
	_, _ = w.Write(body)
}

// exported renders a Docs Editors file in a textual format. Text exports of Documents
// start with a byte order mark and end lines with CRLF, as Google's do.
func exported(f *driveFile, target string) []byte {
	switch target {
	case "text/csv":
		return f.sheet.csv(f.sheet.sheets[0])
	case "text/tab-separated-values":
		csv := f.sheet.csv(f.sheet.sheets[0])
		return bytes.ReplaceAll(csv, []byte(","), []byte("\t"))
	}
	text := strings.ReplaceAll(string(f.content), "\r\n", "\n")
	if f.mimeType == mimeDocument && target == "text/plain" {
		return []byte("\ufeff" + strings.ReplaceAll(text, "\n", "\r\n"))
	}
	return []byte(text)
}

// createFile serves files.create without media: a folder, an empty file, or an empty Docs
// Editors file (a spreadsheet gets one empty sheet).
func (s *Server) createFile(w http.ResponseWriter, r *http.Request, t accessToken) {
	var meta fileMetadata
	if !decodeDriveJSON(w, r, &meta) {
		return
	}
	s.storeNewFile(w, r, t, meta, nil, "")
}

// fileMetadata is the writable part of a File resource that files.create reads.
type fileMetadata struct {
	Name        string   `json:"name"`
	MimeType    string   `json:"mimeType"`
	Description string   `json:"description"`
	Parents     []string `json:"parents"`
}

// storeNewFile checks metadata and media and stores the new file for the token's client.
// media is nil for a metadata-only create; mediaType is the media's own Content-Type.
func (s *Server) storeNewFile(w http.ResponseWriter, r *http.Request, t accessToken,
	meta fileMetadata, media []byte, mediaType string) {
	if len(meta.Parents) > 1 {
		writeDriveError(w, 403, "cannotAddParent",
			"Increasing the number of parents is not allowed", "")
		return
	}
	f := &driveFile{id: newFileID(), name: meta.Name, mimeType: meta.MimeType,
		description: meta.Description, parent: rootFolderID, content: media}
	if f.name == "" {
		f.name = "Untitled"
	}
	if f.mimeType == "" {
		f.mimeType = cmp.Or(baseMediaType(mediaType), "application/octet-stream")
	}
	if !convert(f, media, baseMediaType(mediaType)) {
		writeDriveError(w, 400, "badRequest", "The requested conversion is not supported.",
			"convertTo")
		return
	}

	ws := s.workspace()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if len(meta.Parents) == 1 {
		p := ws.lookup(meta.Parents[0])
		if p == nil || !s.reaches(idFilesCreate, t, p) {
			writeFileNotFound(w, meta.Parents[0])
			return
		}
		if p.mimeType != mimeFolder {
			writeDriveError(w, 400, "invalid", "The specified parent is not a folder.", "")
			return
		}
		f.parent = p.id
	}
	f.created, f.modified = s.now(), s.now()
	ws.add(f, t.clientID)
	s.log.Info("drive file created", "client_id", t.clientID, "file_id", f.id)
	writeSelected(w, r, ws.fileResource(f, t.clientID), defaultFileFields)
}

// convert turns uploaded media into the Docs Editors type the metadata asks for: text into
// a Document or a Presentation, CSV into a spreadsheet. It reports false for a conversion
// Drive does not make.
func convert(f *driveFile, media []byte, mediaType string) bool {
	switch f.mimeType {
	case mimeFolder:
		return len(media) == 0
	case mimeDocument, mimePresentation:
		return len(media) == 0 || (strings.HasPrefix(mediaType, "text/") && utf8.Valid(media))
	case mimeSpreadsheet:
		f.content = nil
		f.sheet = newSpreadsheet(nil)
		if len(media) == 0 {
			return true
		}
		rows, ok := parseCSV(media)
		f.sheet.sheets[0].setRows(0, 0, rows)
		return ok && mediaType == "text/csv"
	}
	return !strings.HasPrefix(f.mimeType, "application/vnd.google-apps.")
}

func baseMediaType(ct string) string {
	base, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(base))
}

// decodeDriveJSON reads a JSON request body, answering Drive's parse error when it cannot.
func decodeDriveJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readLimited(w, r)
	if err != nil {
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeDriveError(w, 400, "parseError", "Parse Error", "")
		return false
	}
	return true
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
