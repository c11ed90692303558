package googleapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"

	"github.com/scopegate/scopegate/registry"
)

// Media is content Google sent as is rather than as JSON: a download with alt=media or
// an export.
type Media struct {
	// Data holds at most the limit the caller asked for.
	Data []byte
	// ContentType is Google's Content-Type header.
	ContentType string
	// Truncated is true when Google sent more than Data holds.
	Truncated bool
}

// APIError is Google's refusal of a media request, classified as Classify does. Reason
// keeps the machine-readable reason of Google's first error item (such as
// "exportSizeLimitExceeded"), which a caller may turn into better advice; errors.As
// still finds the *registry.ToolError or *registry.ScopeError inside.
type APIError struct {
	Reason string
	Err    error
}

func (e *APIError) Error() string { return e.Err.Error() }

// Unwrap returns the classified error.
func (e *APIError) Unwrap() error { return e.Err }

// ReasonOf returns the reason Google gave for a media request's failure, or "".
func ReasonOf(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return ""
}

// Download sends a GET for raw content and returns at most limit bytes of it. Errors are
// classified as Do classifies them, wrapped in *APIError.
func Download(ctx context.Context, call *registry.Call, url string, limit int64) (*Media, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	resp, err := call.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 300 {
		return nil, refusal(resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading google's answer: %w", err)
	}
	m := &Media{Data: data, ContentType: resp.Header.Get("Content-Type")}
	if int64(len(data)) > limit {
		m.Data, m.Truncated = data[:limit], true
	}
	return m, nil
}

// UploadMultipart sends metadata and content in one multipart/related request, the way
// Google's upload endpoints take them with uploadType=multipart, and decodes the JSON
// answer into out. contentType is the content's own MIME type.
func UploadMultipart(ctx context.Context, call *registry.Call, url string, metadata any,
	contentType string, content []byte, out any) error {
	body, boundary, err := multipartRelated(metadata, contentType, content)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "multipart/related; boundary="+boundary)
	req.Header.Set("Accept", "application/json")
	resp, err := call.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 300 {
		return refusal(resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading google's answer: %w", err)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &registry.ToolError{
			Status: resp.StatusCode,
			Message: fmt.Sprintf("Google stored the upload but answered with a body scopegate "+
				"could not read (%v).", err),
		}
	}
	return nil
}

// multipartRelated encodes the JSON metadata part and the content part.
func multipartRelated(metadata any, contentType string, content []byte) ([]byte, string, error) {
	meta, err := json.Marshal(metadata)
	if err != nil {
		return nil, "", fmt.Errorf("encoding metadata: %w", err)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range []struct {
		ctype string
		data  []byte
	}{{"application/json; charset=UTF-8", meta}, {contentType, content}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ctype}})
		if err != nil {
			return nil, "", fmt.Errorf("encoding upload: %w", err)
		}
		if _, err := w.Write(p.data); err != nil {
			return nil, "", fmt.Errorf("encoding upload: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", fmt.Errorf("encoding upload: %w", err)
	}
	return b.Bytes(), mw.Boundary(), nil
}

// refusal reads an error answer and classifies it, keeping Google's reason.
func refusal(resp *http.Response) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("reading google's answer: %w", err)
	}
	var eb ErrorBody
	_ = json.Unmarshal(data, &eb)
	ae := &APIError{Err: Classify(resp.StatusCode, resp.Header, data)}
	if len(eb.Error.Errors) > 0 {
		ae.Reason = eb.Error.Errors[0].Reason
	}
	return ae
}
