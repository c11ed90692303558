package microsoft

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// driveItem is a file or folder of the account's OneDrive.
type driveItem struct {
	id, name, parentID string
	folder             bool
	content            []byte
	mimeType           string
	created, modified  time.Time
	version            int
}

// drive is the account's OneDrive: a root folder and everything under it.
type drive struct {
	id    string
	root  *driveItem
	items map[string]*driveItem
}

// download is a pre-authenticated download URL's target.
type download struct {
	itemID  string
	expires time.Time
}

// downloadLifetime is how long a download URL works; Microsoft's last about an hour.
const downloadLifetime = time.Hour

// newDriveItemID returns a OneDrive for Business item id: "01" and 32 base32 characters.
func newDriveItemID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return "01" + base32.StdEncoding.EncodeToString(b)[:32]
}

func newDrive(now time.Time) *drive {
	root := &driveItem{id: newDriveItemID(), name: "root", folder: true, created: now, modified: now}
	return &drive{id: randomToken("b!", 48), root: root, items: map[string]*driveItem{root.id: root}}
}

// children returns a folder's items by name, without case, as OneDrive lists them.
func (d *drive) children(parent *driveItem) []*driveItem {
	var out []*driveItem
	for _, it := range d.items {
		if it.parentID == parent.id {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b *driveItem) int {
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	})
	return out
}

// child finds an item of a folder by name, without case.
func (d *drive) child(parent *driveItem, name string) *driveItem {
	for _, it := range d.items {
		if it.parentID == parent.id && strings.EqualFold(it.name, name) {
			return it
		}
	}
	return nil
}

// byPath resolves a path relative to the root, such as "Documents/plan.txt".
func (d *drive) byPath(p string) *driveItem {
	it := d.root
	for _, name := range strings.Split(strings.Trim(p, "/"), "/") {
		if it = d.child(it, name); it == nil {
			return nil
		}
	}
	return it
}

// pathOf returns the item's parent reference path, such as "/drive/root:/Documents".
func (d *drive) pathOf(it *driveItem) string {
	var names []string
	for p := d.items[it.parentID]; p != nil && p != d.root; p = d.items[p.parentID] {
		names = append([]string{p.name}, names...)
	}
	return "/drive/root:" + strings.TrimSuffix("/"+strings.Join(names, "/"), "/")
}

// entity renders the item as Graph's driveItem resource.
func (d *drive) entity(s *Server, it *driveItem) entity {
	etag := fmt.Sprintf(`"{%s},%d"`, it.id, it.version+1)
	user := entity{"user": entity{"email": s.account, "displayName": s.ids.name}}
	e := entity{
		"@odata.etag":          etag,
		"id":                   it.id,
		"name":                 it.name,
		"eTag":                 etag,
		"cTag":                 fmt.Sprintf(`"c:{%s},%d"`, it.id, it.version+1),
		"createdDateTime":      graphTime(it.created),
		"lastModifiedDateTime": graphTime(it.modified),
		"size":                 len(it.content),
		"webUrl": "https://example-my.sharepoint.com/personal/" +
			strings.NewReplacer("@", "_", ".", "_").Replace(s.account) + "/Documents" +
			strings.TrimPrefix(d.pathOf(it), "/drive/root:") + "/" + url.PathEscape(it.name),
		"createdBy":      user,
		"lastModifiedBy": user,
		"fileSystemInfo": entity{"createdDateTime": graphTime(it.created),
			"lastModifiedDateTime": graphTime(it.modified)},
		"parentReference": entity{"driveType": "business", "driveId": d.id, "id": it.parentID,
			"path": d.pathOf(it)},
	}
	if it.folder {
		e["folder"] = entity{"childCount": len(d.children(it))}
		e["size"] = d.size(it)
		return e
	}
	sum := sha256.Sum256(it.content)
	e["file"] = entity{"mimeType": it.mimeType,
		"hashes": entity{"quickXorHash": base64.StdEncoding.EncodeToString(sum[:20])}}
	return e
}

// size is a folder's total size, as OneDrive reports it.
func (d *drive) size(it *driveItem) int {
	if !it.folder {
		return len(it.content)
	}
	n := 0
	for _, c := range d.children(it) {
		n += d.size(c)
	}
	return n
}

// listRootChildren serves GET /me/drive/root/children, paged with $skiptoken.
func (s *Server) listRootChildren(w http.ResponseWriter, r *graphRequest) {
	win, bad := r.pageWindow(200, 1000, true)
	if bad != "" {
		s.writeError(w, r.Request, 400, "invalidRequest", bad)
		return
	}
	s.mu.Lock()
	var items []entity
	var fields []string
	for i, it := range s.drive.children(s.drive.root) {
		e := s.drive.entity(s, it)
		if i == 0 {
			if fields, bad = r.selection("driveItem", e, "file", "folder"); bad != "" {
				break
			}
		}
		items = append(items, project(e, fields))
	}
	s.mu.Unlock()
	if bad != "" {
		s.writeError(w, r.Request, 400, "invalidRequest", bad)
		return
	}
	s.writeCollection(w, r, s.context("drive/root/children"), items, win)
}

// getContent serves the content downloads by id and by path: like OneDrive, it answers
// 302 Found with a short-lived pre-authenticated URL that needs no token.
func (s *Server) getContent(w http.ResponseWriter, r *graphRequest) {
	s.mu.Lock()
	var it *driveItem
	if r.op.id == "GET /me/drive/items/{id}/content" {
		it = s.drive.items[r.params[0]]
	} else {
		it = s.drive.byPath(r.params[0])
	}
	var key string
	if it != nil && !it.folder {
		key = randomToken("", 32)
		s.downloads[key] = &download{itemID: it.id, expires: s.now().Add(downloadLifetime)}
	}
	s.mu.Unlock()
	switch {
	case it == nil:
		s.writeError(w, r.Request, 404, "itemNotFound", "The resource could not be found.")
		return
	case it.folder:
		s.writeError(w, r.Request, 400, "invalidRequest", "The item is a folder and has no content.")
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	loc := url.URL{Scheme: scheme, Host: r.Host, Path: mountPrefix(r.Request) + DownloadPath + key}
	requestIDs(w, r.Request)
	w.Header().Set("Location", loc.String())
	w.WriteHeader(http.StatusFound)
}

// serveDownload serves a pre-authenticated download URL, with Range support.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.downloads[r.PathValue("key")]
	var it *driveItem
	if d != nil && s.now().Before(d.expires) {
		it = s.drive.items[d.itemID]
	}
	var content []byte
	if it != nil {
		content = slices.Clone(it.content)
	}
	s.mu.Unlock()
	if it == nil {
		http.Error(w, "401 UNAUTHORIZED: the download link expired.", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", it.mimeType)
	w.Header().Set("Content-Disposition",
		mime.FormatMediaType("attachment", map[string]string{"filename": it.name}))
	http.ServeContent(w, r, "", it.modified, bytes.NewReader(content))
}

// mimeFor guesses a file's type from its name, as OneDrive does on upload.
func mimeFor(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
