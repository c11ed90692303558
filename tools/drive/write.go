package drive

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"net/url"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// maxUpload is the largest content drive_upload_file sends: Google takes up to 5 MB in
// one multipart request.
const maxUpload = 5 << 20

// createdRequirement serves the tools that write only what scopegate itself creates or
// shares. drive.file covers exactly the files scopegate created, so it is the narrowest
// scope that does the job; drive is the broad fallback for a user who granted it anyway.
// drive.appdata is accepted by files.create too, but it writes to a hidden folder the
// user never sees.
var createdRequirement = registry.AnyOf(registry.DriveFile, registry.DriveFull)

// UploadInput is the input of drive_upload_file.
type UploadInput struct {
	Name        string `json:"name" jsonschema:"description=File name with extension\\, e.g. 'meeting-notes.md'.,minLength=1"`
	Content     string `json:"content" jsonschema:"description=Text content\\, at most 5 MB."`
	MimeType    string `json:"mime_type,omitempty" jsonschema:"description=MIME type\\, e.g. text/markdown\\, text/csv\\, text/html. Default: text/plain."`
	FolderID    string `json:"folder_id,omitempty" jsonschema:"description=Folder id; empty means the top of My Drive."`
	Description string `json:"description,omitempty" jsonschema:"description=Short description Drive shows with the file."`
}

func uploadFile() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "drive_upload_file",
		Title: "Upload a text file to Drive",
		Description: "Create a Google Drive file from text. Each call makes a new file, even if " +
			"the name is taken.",
		Provider:    "google",
		Requirement: createdRequirement,
		Operations:  []string{"drive.files.create"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runUpload)
}

// Check refuses what Drive would refuse or scopegate cannot send.
func (in *UploadInput) Check() error {
	if strings.TrimSpace(in.Name) == "" {
		return registry.Errorf("name must not be empty")
	}
	if len(in.Content) > maxUpload {
		return registry.Errorf("content is %d bytes; drive_upload_file sends at most 5 MB",
			len(in.Content))
	}
	if in.MimeType != "" {
		base, _, err := mime.ParseMediaType(in.MimeType)
		if err != nil || !strings.Contains(base, "/") {
			return registry.Errorf("mime_type %q is not a MIME type such as text/plain",
				in.MimeType)
		}
		if strings.HasPrefix(base, mimeGooglePrefix) {
			return registry.Errorf("mime_type must describe the text sent, not a Google type; " +
				"use sheets_create_spreadsheet for a spreadsheet")
		}
	}
	if in.FolderID != "" {
		return checkID("folder_id", in.FolderID)
	}
	return nil
}

func runUpload(ctx context.Context, call *registry.Call, in UploadInput) (registry.Result, error) {
	ctype := in.MimeType
	if ctype == "" {
		ctype = "text/plain"
	}
	if !strings.Contains(ctype, "charset") && strings.HasPrefix(ctype, "text/") {
		ctype += "; charset=UTF-8"
	}
	base, _, _ := mime.ParseMediaType(ctype)
	meta := struct {
		Name        string   `json:"name"`
		MimeType    string   `json:"mimeType"`
		Description string   `json:"description,omitempty"`
		Parents     []string `json:"parents,omitempty"`
	}{Name: strings.TrimSpace(in.Name), MimeType: base, Description: in.Description}
	if folder := strings.TrimSpace(in.FolderID); folder != "" {
		meta.Parents = []string{folder}
	}

	q := url.Values{"uploadType": {"multipart"}, "fields": {fileFields}}
	u := call.URL(apiBase, "/upload/drive/v3/files?"+q.Encode())
	var f File
	err := googleapi.UploadMultipart(ctx, call, u, meta, ctype, []byte(in.Content), &f)
	if err != nil {
		if googleapi.IsToolError(err, 404) && in.FolderID != "" {
			return registry.Result{}, registry.Errorf("Drive has no folder with id %q that "+
				"scopegate can use, so nothing was uploaded. Check the id; when scopegate may "+
				"only use files it created, folders made elsewhere stay invisible to it. Leave "+
				"folder_id empty to upload to the top of My Drive.", in.FolderID)
		}
		return registry.Result{}, err
	}

	info := f.info()
	text := fmt.Sprintf("Uploaded %q (%s, %d bytes) to Drive: id %s, %s.",
		info.Name, info.MimeType, len(in.Content), info.ID, info.WebViewLink)
	return registry.Result{Text: text, Structured: info}, nil
}

// ShareInput is the input of drive_share_file.
type ShareInput struct {
	FileID  string `json:"file_id" jsonschema:"minLength=1"`
	Email   string `json:"email" jsonschema:"minLength=3"`
	Role    string `json:"role" jsonschema:"description=reader (view)\\, commenter (view and comment) or writer (edit).,enum=reader,enum=commenter,enum=writer"`
	Notify  *bool  `json:"notify,omitempty" jsonschema:"description=Send Google's notification email.,default=true"`
	Message string `json:"message,omitempty" jsonschema:"description=Personal message for the notification email."`
}

// ShareOutput is the structured result of drive_share_file.
type ShareOutput struct {
	FileID       string `json:"file_id"`
	PermissionID string `json:"permission_id"`
	Email        string `json:"email"`
	Role         string `json:"role"`
	Notified     bool   `json:"notified"`
}

// Permission is the Drive API's Permission resource, with the members scopegate reads.
type Permission struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	Role         string `json:"role"`
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
}

func shareFile() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:        "drive_share_file",
		Title:       "Share a Drive file",
		Description: "Share a Google Drive file or folder with someone by email address.",
		Provider:    "google",
		Requirement: createdRequirement,
		Operations:  []string{"drive.permissions.create"},
		Annotations: registry.Annotations{OpenWorld: true},
	}, runShare)
}

// Check refuses a bad id, address or role before anything is shared.
func (in *ShareInput) Check() error {
	if err := checkID("file_id", in.FileID); err != nil {
		return err
	}
	a, err := mail.ParseAddress(in.Email)
	if err != nil || a.Address != strings.TrimSpace(in.Email) {
		return registry.Errorf("email %q is not a plain email address such as ana@example.com",
			in.Email)
	}
	switch in.Role {
	case "reader", "commenter", "writer":
	default:
		return registry.Errorf("role must be reader, commenter or writer, got %q", in.Role)
	}
	if in.Message != "" && in.Notify != nil && !*in.Notify {
		return registry.Errorf("message is sent in the notification email, so it needs notify true")
	}
	return nil
}

func runShare(ctx context.Context, call *registry.Call, in ShareInput) (registry.Result, error) {
	id := strings.TrimSpace(in.FileID)
	notify := in.Notify == nil || *in.Notify
	q := url.Values{
		"sendNotificationEmail": {fmt.Sprint(notify)},
		"fields":                {"id,type,role,emailAddress,displayName"},
	}
	if notify && in.Message != "" {
		q.Set("emailMessage", in.Message)
	}
	body := map[string]string{"type": "user", "role": in.Role,
		"emailAddress": strings.TrimSpace(in.Email)}
	var p Permission
	err := googleapi.Do(ctx, call, "POST", filesURL(call, q, id, "permissions"), body, &p)
	if err != nil {
		if googleapi.IsToolError(err, 404) {
			return registry.Result{}, registry.Errorf("Drive has no file with id %q that "+
				"scopegate may share, so nothing was shared. Check the id. When scopegate holds access only "+
				"to the files it created, other files stay invisible to it; sharing those needs "+
				"full Drive access.", id)
		}
		return registry.Result{}, err
	}

	out := ShareOutput{FileID: id, PermissionID: p.ID, Email: p.EmailAddress, Role: p.Role,
		Notified: notify}
	if out.Email == "" {
		out.Email = strings.TrimSpace(in.Email)
	}
	text := fmt.Sprintf("Shared file %s with %s as %s", id, out.Email, out.Role)
	if notify {
		text += "; Google emails them a notification."
	} else {
		text += "; no notification was sent."
	}
	return registry.Result{Text: text, Structured: out}, nil
}
