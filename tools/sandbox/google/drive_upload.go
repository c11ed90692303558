package google

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// DriveUploadPath is where Drive takes file content with its metadata: the simple and
// multipart media upload path of drive.files.create
// (https://www.googleapis.com/upload/drive/v3/files).
const DriveUploadPath = "/upload/drive/v3/files"

// routeWorkspaceExtras registers the Drive and Sheets paths that the facts cannot route:
// Drive's media upload path, gated like drive.files.create, and the Sheets methods whose
// path ends in a custom verb ("…/values/{range}:append"), which ServeMux patterns cannot
// express. New must call it after routing driveOperations and sheetsOperations.
func (s *Server) routeWorkspaceExtras() {
	s.mux.HandleFunc("POST "+DriveUploadPath, s.apiHandler(driveUploadOperation))
	s.routeSheetsVerbs()
}

// uploadFile serves files.create at the upload path, with uploadType=multipart (metadata
// and content in a multipart/related body) or uploadType=media (content alone).
// Resumable uploads are not emulated.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request, t accessToken) {
	var meta fileMetadata
	var media []byte
	var mediaType string
	switch r.URL.Query().Get("uploadType") {
	case "multipart":
		var ok bool
		if meta, media, mediaType, ok = readMultipart(w, r); !ok {
			return
		}
	case "media":
		body, err := readLimited(w, r)
		if err != nil {
			return
		}
		media, mediaType = body, r.Header.Get("Content-Type")
	case "resumable":
		writeAPIError(w, 501, "notImplemented",
			"The Google sandbox does not implement resumable uploads.")
		return
	default:
		writeInvalidValue(w, "uploadType")
		return
	}
	s.storeNewFile(w, r, t, meta, media, mediaType)
}

// readMultipart splits a multipart/related upload into its JSON metadata part and its
// media part, answering Drive's refusal when the body is not such a pair.
func readMultipart(w http.ResponseWriter, r *http.Request) (fileMetadata, []byte, string, bool) {
	var meta fileMetadata
	body, err := readLimited(w, r)
	if err != nil {
		return meta, nil, "", false
	}
	ctype, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(ctype, "multipart/") || params["boundary"] == "" {
		writeDriveError(w, 400, "badContent", "Invalid multipart request with 0 mime parts.", "")
		return meta, nil, "", false
	}
	type part struct {
		ctype string
		data  []byte
	}
	var parts []part
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeDriveError(w, 400, "badContent", "Invalid multipart request with "+
				fmt.Sprint(len(parts))+" mime parts.", "")
			return meta, nil, "", false
		}
		data, _ := io.ReadAll(p)
		parts = append(parts, part{p.Header.Get("Content-Type"), data})
	}
	if len(parts) != 2 {
		writeDriveError(w, 400, "badContent", "Invalid multipart request with "+
			fmt.Sprint(len(parts))+" mime parts.", "")
		return meta, nil, "", false
	}
	if baseMediaType(parts[0].ctype) != "application/json" ||
		json.Unmarshal(parts[0].data, &meta) != nil {
		writeDriveError(w, 400, "parseError", "Parse Error", "")
		return meta, nil, "", false
	}
	return meta, parts[1].data, parts[1].ctype, true
}

// readLimited reads a request body up to maxRequestBody, answering 413 beyond it.
func readLimited(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		writeDriveError(w, 413, "uploadTooLarge", "The request is too large for the sandbox.", "")
	}
	return body, err
}
