package slack

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	// uploadLifetime is how long an upload URL takes bytes and its file can be completed.
	uploadLifetime = 10 * time.Minute
	// maxUpload bounds the sandbox's files; Slack's limit is far higher.
	maxUpload = 10 << 20
)

// pendingUpload is a file between files.getUploadURLExternal and
// files.completeUploadExternal.
type pendingUpload struct {
	fileID, filename string
	length           int
	clientID, who    string
	data             []byte
	received         bool
	expires          time.Time
}

// fileTypes are the types argument's values files.list understands, and which files each
// selects.
var fileTypes = map[string]func(*file) bool{
	"all":      func(*file) bool { return true },
	"images":   func(f *file) bool { return strings.HasPrefix(f.Mimetype, "image/") },
	"pdfs":     func(f *file) bool { return f.Filetype == "pdf" },
	"zips":     func(f *file) bool { return f.Filetype == "zip" },
	"snippets": func(*file) bool { return false },
	"spaces":   func(*file) bool { return false },
	"gdocs":    func(*file) bool { return false },
}

// filesList serves files.list: the files the token's owner can see, newest first, paged by
// count and page.
func (s *Server) filesList(c *apiCall) {
	user := c.args.Get("user")
	if user != "" && s.ws.person(user) == nil {
		c.fail("user_not_found")
		return
	}
	var selectors []func(*file) bool
	for _, t := range strings.Split(cmp.Or(c.args.Get("types"), "all"), ",") {
		sel, ok := fileTypes[t]
		if !ok {
			c.fail("unknown_type")
			return
		}
		selectors = append(selectors, sel)
	}
	channel := c.args.Get("channel")
	var matched []*file
	for _, f := range slices.Backward(s.ws.files) {
		if !f.visibleTo(s.ws, c.who) || (user != "" && f.User != user) ||
			(channel != "" && !slices.Contains(f.Shares, channel)) ||
			!slices.ContainsFunc(selectors, func(sel func(*file) bool) bool { return sel(f) }) {
			continue
		}
		matched = append(matched, f)
	}
	slices.SortStableFunc(matched, func(a, b *file) int {
		return cmp.Compare(b.Created, a.Created)
	})

	count := positive(c.args.Get("count"), 100)
	page := positive(c.args.Get("page"), 1)
	pages := max(1, (len(matched)+count-1)/count)
	files := []fileJSON{}
	for i := (page - 1) * count; i < len(matched) && i < page*count; i++ {
		files = append(files, s.ws.fileJSON(matched[i]))
	}
	type paging struct {
		Count int `json:"count"`
		Total int `json:"total"`
		Page  int `json:"page"`
		Pages int `json:"pages"`
	}
	c.reply(struct {
		OK     bool       `json:"ok"`
		Files  []fileJSON `json:"files"`
		Paging paging     `json:"paging"`
	}{true, files, paging{count, len(matched), page, pages}})
}

// positive reads a positive integer argument, def when absent or unusable.
func positive(v string, def int) int {
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return n
	}
	return def
}

// filesGetUploadURL serves files.getUploadURLExternal: it reserves a file id and hands out
// a URL on the sandbox itself that takes the bytes.
func (s *Server) filesGetUploadURL(c *apiCall) {
	name := c.args.Get("filename")
	length, err := strconv.Atoi(c.args.Get("length"))
	switch {
	case name == "" || c.args.Get("length") == "":
		c.fail("missing_argument")
		return
	case err != nil || length < 1:
		c.fail("invalid_arguments")
		return
	case length > maxUpload:
		c.fail("file_upload_size_restricted")
		return
	}
	key := strings.ToLower(randomText())
	u := &pendingUpload{fileID: s.ws.newID("F"), filename: name, length: length,
		clientID: c.client, who: c.who, expires: s.now().Add(uploadLifetime)}
	s.uploads[key] = u
	c.reply(struct {
		OK        bool   `json:"ok"`
		UploadURL string `json:"upload_url"`
		FileID    string `json:"file_id"`
	}{true, mountedAt(c.r) + UploadPath + key, u.fileID})
}

// mountedAt returns the sandbox's own base URL as the request reached it, including any
// prefix it is mounted under.
func mountedAt(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		prefix, _ = strings.CutSuffix(u.Path, r.URL.Path)
	}
	return scheme + "://" + r.Host + prefix
}

// receiveUpload takes a file's bytes at its upload URL, raw or as a multipart form's file,
// and answers "OK - <length>" as Slack's upload host does.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	s.mu.Lock()
	u, ok := s.uploads[key]
	s.mu.Unlock()
	if !ok || s.now().After(u.expires) {
		http.Error(w, "upload url unknown or expired", http.StatusNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	body := io.Reader(r.Body)
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			http.Error(w, "reading multipart form: "+err.Error(), http.StatusBadRequest)
			return
		}
		for _, parts := range r.MultipartForm.File {
			f, err := parts[0].Open()
			if err != nil {
				http.Error(w, "reading file part", http.StatusBadRequest)
				return
			}
			defer f.Close()
			body = f
			break
		}
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, "reading upload: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	s.mu.Lock()
	u.data, u.received = data, true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(data))
}

// filesCompleteUpload serves files.completeUploadExternal: it turns uploaded bytes into
// files and shares them, with initial_comment as the message text, in channel_id or
// channels (in a thread with thread_ts). Without a channel the files stay private.
func (s *Server) filesCompleteUpload(c *apiCall) {
	var items []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(c.args.Get("files")), &items); err != nil || len(items) == 0 {
		c.fail("invalid_arguments")
		return
	}
	var uploads []*pendingUpload
	for _, it := range items {
		u := s.uploadByFileID(it.ID)
		switch {
		case u == nil || !u.received || u.clientID != c.client:
			c.fail("file_not_found")
			return
		case u.who != c.who:
			c.fail("access_denied")
			return
		}
		uploads = append(uploads, u)
	}
	targets, thread, ok := s.shareTargets(c)
	if !ok {
		return
	}

	out := []fileJSON{}
	var ids []string
	for i, u := range uploads {
		f := &file{ID: u.fileID, Name: u.filename, Title: cmp.Or(items[i].Title, u.filename),
			User: c.who, Created: s.now().Unix(), Size: len(u.data)}
		f.Mimetype, f.Filetype = typeOf(u.filename)
		for _, conv := range targets {
			f.Shares = append(f.Shares, conv.ID)
		}
		s.ws.files = append(s.ws.files, f)
		ids = append(ids, f.ID)
		s.deleteUpload(u)
	}
	for _, conv := range targets {
		m := &message{TS: s.ws.newTS(s.now()), User: c.who, Text: c.args.Get("initial_comment"),
			ThreadTS: thread, Files: ids}
		if c.kind == botKind {
			m.BotID, m.AppID = botID, appID
		}
		conv.post(m)
	}
	for _, id := range ids {
		out = append(out, s.ws.fileJSON(s.ws.file(id)))
	}
	s.log.Info("files uploaded", "count", len(out), "shared_in", len(targets))
	c.reply(struct {
		OK    bool       `json:"ok"`
		Files []fileJSON `json:"files"`
	}{true, out})
}

// shareTargets resolves channel_id or channels and thread_ts of a completed upload. The
// token's owner must be in each conversation.
func (s *Server) shareTargets(c *apiCall) ([]*conversation, string, bool) {
	refs := strings.FieldsFunc(c.args.Get("channels"), func(r rune) bool { return r == ',' })
	if id := c.args.Get("channel_id"); id != "" {
		refs = []string{id}
	}
	var targets []*conversation
	for _, ref := range refs {
		conv := s.ws.conversation(ref)
		switch {
		case conv == nil || !conv.visibleTo(c.who):
			c.fail("channel_not_found")
			return nil, "", false
		case !conv.member(c.who):
			c.fail("not_in_channel")
			return nil, "", false
		case conv.Archived:
			c.fail("posting_to_channel_denied")
			return nil, "", false
		}
		targets = append(targets, conv)
	}
	thread := c.args.Get("thread_ts")
	if thread == "" {
		return targets, "", true
	}
	if len(targets) != 1 || targets[0].message(thread) == nil {
		c.fail("invalid_arguments")
		return nil, "", false
	}
	return targets, thread, true
}

func (s *Server) uploadByFileID(id string) *pendingUpload {
	for _, u := range s.uploads {
		if u.fileID == id {
			return u
		}
	}
	return nil
}

func (s *Server) deleteUpload(u *pendingUpload) {
	for k, v := range s.uploads {
		if v == u {
			delete(s.uploads, k)
		}
	}
}

// typeOf guesses a file's mimetype and Slack filetype from its name.
func typeOf(name string) (mimetype, filetype string) {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	mimetype, _, _ = mime.ParseMediaType(mime.TypeByExtension("." + ext))
	switch ext {
	case "txt", "log":
		return "text/plain", "text"
	case "md":
		return "text/markdown", "markdown"
	case "jpeg":
		ext = "jpg"
	case "":
		ext = "binary"
	}
	if mimetype == "" {
		mimetype = "application/octet-stream"
	}
	return mimetype, ext
}
