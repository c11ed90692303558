package slack

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/slackapi"
)

// maxUpload is the largest file slack_upload_file sends; tool arguments are not the place
// for bigger ones.
const maxUpload = 5 << 20

// file is the part of Slack's file object the tools read.
type file struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Title     string   `json:"title"`
	Mimetype  string   `json:"mimetype"`
	Filetype  string   `json:"filetype"`
	User      string   `json:"user"`
	Created   int64    `json:"created"`
	Size      int      `json:"size"`
	Permalink string   `json:"permalink"`
	Channels  []string `json:"channels"`
	Groups    []string `json:"groups"`
	IMs       []string `json:"ims"`
}

// File is a file in a tool's result; SharedIn lists the conversations it was shared in.
type File struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Title     string   `json:"title,omitempty"`
	Type      string   `json:"type,omitempty"`
	Mimetype  string   `json:"mimetype,omitempty"`
	Size      int      `json:"size"`
	User      string   `json:"user,omitempty"`
	Created   string   `json:"created,omitempty"`
	Permalink string   `json:"permalink,omitempty"`
	SharedIn  []string `json:"shared_in,omitempty"`
}

func (f file) summary() File {
	return File{ID: f.ID, Name: f.Name, Title: f.Title, Type: f.Filetype, Mimetype: f.Mimetype,
		Size: f.Size, User: f.User, Created: unixTime(f.Created), Permalink: f.Permalink,
		SharedIn: append(append(append([]string(nil), f.Channels...), f.Groups...), f.IMs...)}
}

func (f File) line() string {
	line := fmt.Sprintf("%s (%s, %s, %d bytes", f.Name, f.ID, orNone(f.Type), f.Size)
	if f.User != "" {
		line += ", by " + f.User
	}
	if f.Created != "" {
		line += ", " + f.Created
	}
	if len(f.SharedIn) > 0 {
		line += ", in " + strings.Join(f.SharedIn, " ")
	}
	return line + ")"
}

// ListFilesInput is the input of slack_list_files.
type ListFilesInput struct {
	ChannelID string `json:"channel_id,omitempty" jsonschema:"description=Only files shared in this conversation."`
	UserID    string `json:"user_id,omitempty" jsonschema:"description=Only files uploaded by this member."`
	Types     string `json:"types,omitempty" jsonschema:"description=Default: all.,enum=all,enum=images,enum=pdfs,enum=zips,enum=snippets,enum=spaces,enum=gdocs"`
	Count     int    `json:"count,omitempty" jsonschema:"description=Files per page (default 20).,minimum=1,maximum=100"`
	Page      int    `json:"page,omitempty" jsonschema:"description=Default 1.,minimum=1"`
}

// Check refuses malformed ids and page numbers.
func (in *ListFilesInput) Check() error {
	if err := checkChannelID("channel_id", in.ChannelID, true); err != nil {
		return err
	}
	if in.UserID != "" && !userID.MatchString(in.UserID) {
		return registry.Errorf("user_id must be a Slack user id such as U0123ABCD (got %q)",
			in.UserID)
	}
	if in.Page < 0 {
		return registry.Errorf("page must be 1 or more, got %d", in.Page)
	}
	return checkRange("count", in.Count, 1, 100)
}

// ListFilesOutput is the structured result of slack_list_files.
type ListFilesOutput struct {
	Files []File `json:"files"`
	Page  int    `json:"page"`
	Pages int    `json:"pages"`
	Total int    `json:"total"`
}

func listFiles() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_list_files",
		Title: "List Slack files",
		Description: "List the Slack files you can see, newest first: name, type, size, who " +
			"shared them and where.",
		Provider: "slack",
		// Files are found the way you find them: with your own token, files.list shows what
		// you can see, where the app's token would show only files in the app's channels.
		TokenType:   registry.UserToken,
		Requirement: registry.AnyOf(registry.SlackFilesRead),
		Operations:  []string{"files.list"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}
	hints := slackapi.Hints{"user_not_found": "slack_list_users shows people's ids."}
	return newTool(spec, hints, runListFiles)
}

func runListFiles(ctx context.Context, api *slackapi.Client,
	in ListFilesInput) (registry.Result, error) {
	args := url.Values{"count": {strconv.Itoa(orDefault(in.Count, 20))},
		"page": {strconv.Itoa(orDefault(in.Page, 1))}}
	filters := map[string]string{"channel": in.ChannelID, "user": in.UserID, "types": in.Types}
	for k, v := range filters {
		if v != "" {
			args.Set(k, v)
		}
	}
	var resp struct {
		Files  []file `json:"files"`
		Paging struct {
			Page  int `json:"page"`
			Pages int `json:"pages"`
			Total int `json:"total"`
		} `json:"paging"`
	}
	if err := api.Post(ctx, "files.list", args, &resp); err != nil {
		return registry.Result{}, err
	}
	out := ListFilesOutput{Files: make([]File, 0, len(resp.Files)), Page: resp.Paging.Page,
		Pages: resp.Paging.Pages, Total: resp.Paging.Total}
	var b strings.Builder
	fmt.Fprintf(&b, "%d files (page %d of %d, %d in all):", len(resp.Files), out.Page, out.Pages,
		out.Total)
	for _, f := range resp.Files {
		out.Files = append(out.Files, f.summary())
		b.WriteString("\n- " + out.Files[len(out.Files)-1].line())
	}
	if out.Page < out.Pages {
		fmt.Fprintf(&b, "\nMore are available: call again with page %d.", out.Page+1)
	}
	return registry.Result{Text: b.String(), Structured: out}, nil
}

// UploadInput is the input of slack_upload_file.
type UploadInput struct {
	Filename       string `json:"filename" jsonschema:"description=File name with extension\\, e.g. notes.md.,minLength=1"`
	Content        string `json:"content,omitempty" jsonschema:"description=The file's text. This or content_base64."`
	ContentBase64  string `json:"content_base64,omitempty" jsonschema:"description=The file's bytes in standard base64\\, for binary files. This or content."`
	Title          string `json:"title,omitempty" jsonschema:"description=Shown instead of the file name."`
	ChannelID      string `json:"channel_id,omitempty" jsonschema:"description=Conversation to share it in; the app must be in it. Without it\\, the file stays private."`
	ThreadTS       string `json:"thread_ts,omitempty" jsonschema:"description=With channel_id: share it in the thread of the message with this ts."`
	InitialComment string `json:"initial_comment,omitempty"`
}

// Check refuses missing or doubled content, oversized files and malformed ids.
func (in *UploadInput) Check() error {
	if err := checkChannelID("channel_id", in.ChannelID, true); err != nil {
		return err
	}
	if err := checkTS("thread_ts", in.ThreadTS); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(in.Filename) == "":
		return registry.Errorf("filename must not be empty")
	case (in.Content == "") == (in.ContentBase64 == ""):
		return registry.Errorf("give exactly one of content and content_base64, " +
			"with at least one byte")
	case in.ThreadTS != "" && in.ChannelID == "":
		return registry.Errorf("thread_ts needs channel_id")
	}
	data, err := in.bytes()
	if err != nil {
		return registry.Errorf("content_base64 is not valid base64: %v", err)
	}
	if len(data) == 0 || len(data) > maxUpload {
		return registry.Errorf("the file has %d bytes; this tool sends 1 to %d",
			len(data), maxUpload)
	}
	return nil
}

func (in *UploadInput) bytes() ([]byte, error) {
	if in.ContentBase64 != "" {
		return base64.StdEncoding.DecodeString(in.ContentBase64)
	}
	return []byte(in.Content), nil
}

// UploadOutput is the structured result of slack_upload_file.
type UploadOutput struct {
	File File `json:"file"`
}

func uploadFile() registry.Tool {
	spec := registry.Spec{
		Name:  "slack_upload_file",
		Title: "Upload a file to Slack",
		Description: "Upload a file as scopegate's Slack app and share it in a conversation the " +
			"app is in. Returns the file id.",
		Provider: "slack",
		// With the app's token the file and its message show as the app's, as with
		// slack_send_message.
		TokenType: registry.BotToken,
		// Slack's external upload: get an upload URL, send the bytes there, then complete
		// the upload; both methods take files:write. The deprecated files.upload is not used.
		Requirement: registry.AnyOf(registry.SlackFilesWrite),
		Operations:  []string{"files.getUploadURLExternal", "files.completeUploadExternal"},
		Annotations: registry.Annotations{OpenWorld: true},
	}
	hints := slackapi.Hints{
		"not_in_channel": "For a public channel call slack_join_channel with this channel_id, " +
			"then upload again; a private channel's members have to invite the app.",
		"channel_not_found": "Find public channel ids with slack_list_channels.",
	}
	return newTool(spec, hints, runUploadFile)
}

func runUploadFile(ctx context.Context, api *slackapi.Client,
	in UploadInput) (registry.Result, error) {
	data, _ := in.bytes()
	var ticket struct {
		UploadURL string `json:"upload_url"`
		FileID    string `json:"file_id"`
	}
	args := url.Values{"filename": {in.Filename}, "length": {strconv.Itoa(len(data))}}
	if err := api.Post(ctx, "files.getUploadURLExternal", args, &ticket); err != nil {
		return registry.Result{}, err
	}
	if err := api.Upload(ctx, ticket.UploadURL, data); err != nil {
		return registry.Result{}, err
	}

	item := map[string]string{"id": ticket.FileID}
	if in.Title != "" {
		item["title"] = in.Title
	}
	body := map[string]any{"files": []map[string]string{item}}
	for k, v := range map[string]string{"channel_id": in.ChannelID, "thread_ts": in.ThreadTS,
		"initial_comment": in.InitialComment} {
		if v != "" {
			body[k] = v
		}
	}
	var done struct {
		Files []file `json:"files"`
	}
	if err := api.PostJSON(ctx, "files.completeUploadExternal", body, &done); err != nil {
		return registry.Result{}, err
	}
	// Slack may answer with the file's id and title only, and shares the file after
	// answering, so what the call itself knows fills the gaps.
	f := file{ID: ticket.FileID}
	if len(done.Files) > 0 {
		f = done.Files[0]
	}
	f.Name = cmp.Or(f.Name, in.Filename)
	f.Title = cmp.Or(f.Title, in.Title)
	f.Size = cmp.Or(f.Size, len(data))
	out := UploadOutput{File: f.summary()}
	if len(out.File.SharedIn) == 0 && in.ChannelID != "" {
		out.File.SharedIn = []string{in.ChannelID}
	}
	text := "Uploaded " + out.File.line() + " as scopegate's Slack app"
	if in.ChannelID != "" {
		text += " and shared it in " + in.ChannelID
	}
	return registry.Result{Text: text + ".", Structured: out}, nil
}
