package slack

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// upload sends content to an upload URL, raw or as a multipart form, and returns the
// answer's status and text.
func upload(t *testing.T, uploadURL string, content []byte, multi bool) (int, string) {
	t.Helper()
	body, ct := io.Reader(bytes.NewReader(content)), "application/octet-stream"
	if multi {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("filename", "notes.txt")
		fw.Write(content)
		mw.Close()
		body, ct = &buf, mw.FormDataContentType()
	}
	resp, err := http.Post(uploadURL, ct, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(text)
}

func TestExternalUploadFlow(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run("multipart="+strconv.FormatBool(multi), func(t *testing.T) {
			e := newEnv(t)
			bot, user := e.tokens(t, "files:write,channels:history", "files:read")
			content := []byte("retro notes\n- ship it\n")

			got := e.call(t, bot, "files.getUploadURLExternal",
				form("filename", "retro.txt", "length", strconv.Itoa(len(content))))
			uploadURL, _ := got["upload_url"].(string)
			fileID, _ := got["file_id"].(string)
			onSandbox := strings.HasPrefix(uploadURL, e.ts.URL+testPrefix+UploadPath)
			if !onSandbox || !strings.HasPrefix(fileID, "F") {
				t.Fatalf("files.getUploadURLExternal = %v, want a URL on the mounted sandbox", got)
			}
			status, text := upload(t, uploadURL, content, multi)
			if status != 200 || text != "OK - 22" {
				t.Fatalf("upload = %d %q, want 200 \"OK - 22\"", status, text)
			}

			done := e.call(t, bot, "files.completeUploadExternal", url.Values{
				"files":      {`[{"id":"` + fileID + `","title":"Retro notes"}]`},
				"channel_id": {"C07GENERAL"}, "initial_comment": {"Notes from today"}})
			files, _ := done["files"].([]any)
			if len(files) != 1 {
				t.Fatalf("files.completeUploadExternal = %v", done)
			}
			f := files[0].(map[string]any)
			if f["id"] != fileID || f["title"] != "Retro notes" || f["size"] != 22.0 ||
				f["filetype"] != "text" || f["channels"].([]any)[0] != "C07GENERAL" {
				t.Errorf("completed file = %v", f)
			}

			history := e.call(t, bot, "conversations.history",
				form("channel", "C07GENERAL", "limit", "1"))
			top := history["messages"].([]any)[0].(map[string]any)
			if top["text"] != "Notes from today" || top["files"] == nil {
				t.Errorf("share message = %v, want the comment with the file", top)
			}
			listed := e.call(t, user, "files.list", form("channel", "C07GENERAL"))
			if first := listed["files"].([]any)[0].(map[string]any); first["id"] != fileID {
				t.Errorf("files.list for the installer = %v, want the new file first", listed)
			}
		})
	}
}

func TestUploadRefusals(t *testing.T) {
	e := newEnv(t)
	bot, _ := e.tokens(t, "files:write", "")
	if got := e.refusal(t, bot, "files.getUploadURLExternal",
		form("filename", "a.txt")); got != "missing_argument" {
		t.Errorf("no length: error = %q, want missing_argument", got)
	}
	ticket := func() (string, string) {
		got := e.call(t, bot, "files.getUploadURLExternal",
			form("filename", "a.txt", "length", "3"))
		return got["upload_url"].(string), got["file_id"].(string)
	}
	complete := func(id, channel string) string {
		return e.refusal(t, bot, "files.completeUploadExternal",
			url.Values{"files": {`[{"id":"` + id + `"}]`}, "channel_id": {channel}})
	}

	_, id := ticket()
	if got := complete(id, ""); got != "file_not_found" {
		t.Errorf("complete before the bytes arrived: error = %q, want file_not_found", got)
	}
	u, id := ticket()
	upload(t, u, []byte("abc"), false)
	if got := complete(id, "C07RANDOM0"); got != "not_in_channel" {
		t.Errorf("share where the bot is not a member: error = %q, want not_in_channel", got)
	}
	if got := complete(id, "C07LEADERS"); got != "channel_not_found" {
		t.Errorf("share in a private channel of others: error = %q, want channel_not_found", got)
	}
	if got := e.refusal(t, bot, "files.completeUploadExternal", nil); got != "invalid_arguments" {
		t.Errorf("no files: error = %q, want invalid_arguments", got)
	}
	if status, _ := upload(t, e.ep.APIURL+"upload/v1/unknown", []byte("x"), false); status != 404 {
		t.Errorf("unknown upload URL = %d, want 404", status)
	}
}

func TestFilesListVisibilityAndPaging(t *testing.T) {
	e := newEnv(t)
	bot, user := e.tokens(t, "files:read", "files:read")
	ids := func(token string, args url.Values) []string {
		body := e.call(t, token, "files.list", args)
		var out []string
		for _, f := range body["files"].([]any) {
			out = append(out, f.(map[string]any)["id"].(string))
		}
		return out
	}
	if got := ids(bot, nil); strings.Join(got, ",") != "F07DEPLOYL,F07ROADMAP" {
		t.Errorf("bot sees %v, want the files of its channels, newest first", got)
	}
	if got := ids(user, nil); len(got) != 5 {
		t.Errorf("installer sees %v, want all five seeded files", got)
	}
	body := e.call(t, user, "files.list", form("count", "2", "page", "3"))
	paging := body["paging"].(map[string]any)
	if paging["pages"] != 3.0 || paging["total"] != 5.0 || len(body["files"].([]any)) != 1 {
		t.Errorf("page 3 of 2 = %v, want the fifth file of three pages", body)
	}
	if got := ids(user, form("types", "pdfs")); strings.Join(got, ",") != "F07ROADMAP" {
		t.Errorf("pdfs = %v", got)
	}
	if got := e.refusal(t, user, "files.list",
		form("user", "U000NOBODY")); got != "user_not_found" {
		t.Errorf("unknown user: error = %q, want user_not_found", got)
	}
}
