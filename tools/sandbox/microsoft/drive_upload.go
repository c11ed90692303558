package microsoft

import (
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
)

// maxSimpleUpload bounds a simple upload's body; larger files need an upload session,
// which the sandbox does not offer.
const maxSimpleUpload = 250 << 20

// putContent serves the simple uploads, by path under the root and by parent id and file
// name. Missing folders on the path are created, as OneDrive does. The
// @microsoft.graph.conflictBehavior query option says what happens when the name is taken:
// replace (the default), fail or rename.
func (s *Server) putContent(w http.ResponseWriter, r *graphRequest) {
	behavior := strings.ToLower(r.URL.Query().Get("@microsoft.graph.conflictBehavior"))
	if behavior == "" {
		behavior = "replace"
	}
	if behavior != "replace" && behavior != "fail" && behavior != "rename" {
		s.writeError(w, r.Request, 400, "invalidRequest",
			fmt.Sprintf("Invalid value '%s' for @microsoft.graph.conflictBehavior.", behavior))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSimpleUpload+1))
	if err != nil || len(body) > maxSimpleUpload {
		s.writeError(w, r.Request, 413, "requestTooLarge",
			"The request is too large for a simple upload; use an upload session.")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	parent, name, code, msg := s.uploadTarget(r)
	if code != 0 {
		s.writeError(w, r.Request, code, errorCodeFor(code), msg)
		return
	}
	now := s.now()
	status := http.StatusCreated
	it := s.drive.child(parent, name)
	switch {
	case it != nil && behavior == "fail", it != nil && it.folder && behavior == "replace":
		s.writeError(w, r.Request, 409, "nameAlreadyExists",
			"The specified item name already exists. Name: "+name)
		return
	case it != nil && behavior == "rename":
		name, it = s.freeName(parent, name), nil
	case it != nil:
		it.content, it.modified, it.version = body, now, it.version+1
		status = http.StatusOK
	}
	if it == nil {
		it = &driveItem{id: newDriveItemID(), name: name, parentID: parent.id, content: body,
			mimeType: mimeFor(name), created: now, modified: now}
		s.drive.items[it.id] = it
	}
	e := s.drive.entity(s, it)
	e["@odata.context"] = s.context("drive/items/$entity")
	s.log.Info("file uploaded", "bytes", len(body), "replaced", status == http.StatusOK)
	writeGraph(w, r.Request, status, e)
}

// uploadTarget finds the folder and name an upload writes to, creating the missing
// folders of a path. A problem comes back as an HTTP status and message. The caller holds
// s.mu.
func (s *Server) uploadTarget(r *graphRequest) (*driveItem, string, int, string) {
	var parent *driveItem
	var rel string
	if r.op.id == "PUT /me/drive/root:/{path}:/content" {
		parent, rel = s.drive.root, strings.Trim(r.params[0], "/")
	} else {
		parent, rel = s.drive.items[r.params[0]], r.params[1]
		if parent == nil {
			return nil, "", 404, "The resource could not be found."
		}
	}
	dir, name := path.Split(rel)
	if !validName(name) {
		return nil, "", 400, fmt.Sprintf("The name '%s' is not valid for a file.", name)
	}
	for _, seg := range strings.Split(strings.Trim(dir, "/"), "/") {
		if seg == "" {
			continue
		}
		if !validName(seg) {
			return nil, "", 400, fmt.Sprintf("The name '%s' is not valid for a folder.", seg)
		}
		next := s.drive.child(parent, seg)
		if next == nil {
			now := s.now()
			next = &driveItem{id: newDriveItemID(), name: seg, parentID: parent.id, folder: true,
				created: now, modified: now}
			s.drive.items[next.id] = next
		}
		parent = next
	}
	if !parent.folder {
		return nil, "", 400, "The parent of the item is not a folder."
	}
	return parent, name, 0, ""
}

// validName reports whether OneDrive accepts name for a file or folder.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `"*:<>?/\|`) &&
		strings.TrimSpace(name) == name
}

// freeName returns name with " 1", " 2"... before its extension until no item of the
// folder has it, as OneDrive's rename behavior does.
func (s *Server) freeName(parent *driveItem, name string) string {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		candidate := fmt.Sprintf("%s %d%s", stem, i, ext)
		if s.drive.child(parent, candidate) == nil {
			return candidate
		}
	}
}

func errorCodeFor(status int) string {
	if status == 404 {
		return "itemNotFound"
	}
	return "invalidRequest"
}
