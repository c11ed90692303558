package graphapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// Content is the beginning of a file downloaded from Graph.
type Content struct {
	// Data holds at most the limit asked for.
	Data []byte
	// ContentType is the download's media type, without parameters.
	ContentType string
	// Size is the file's whole size in bytes, or -1 when the answer did not say.
	Size int64
	// Filename is the name the download carried, if any.
	Filename string
}

// downloadClient fetches pre-authenticated download URLs. It sends no token: those URLs
// carry their own short-lived authorization, and the user's Graph token must not travel
// to the storage host.
var downloadClient = &http.Client{Timeout: 2 * time.Minute}

// Download fetches at most limit bytes of a Graph content URL such as
// /me/drive/items/{id}/content. Graph answers such requests with 302 Found and a
// pre-authenticated URL; the redirect is followed without the user's token. Errors are
// classified as Do's are.
func Download(ctx context.Context, call *registry.Call, u string, limit int64) (*Content, error) {
	noFollow := *call.HTTP
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := fetch(ctx, &noFollow, u, limit)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther ||
		resp.StatusCode == http.StatusTemporaryRedirect {
		loc, err := resp.Location()
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the download location: %w", err)
		}
		if loc.Scheme != "https" && loc.Scheme != "http" {
			return nil, fmt.Errorf("download location has scheme %q", loc.Scheme)
		}
		if resp, err = fetch(ctx, downloadClient, loc.String(), limit); err != nil {
			return nil, err
		}
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 300 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		logFailure(call, Request{Method: "GET", URL: u}, resp)
		return nil, Classify(resp.StatusCode, resp.Header, data)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("reading the download: %w", err)
	}
	c := &Content{Data: data, Size: totalSize(resp)}
	c.ContentType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		c.Filename = params["filename"]
	}
	return c, nil
}

// fetch sends a GET for the first limit bytes.
func fetch(ctx context.Context, c *http.Client, u string, limit int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Range", "bytes=0-"+strconv.FormatInt(limit-1, 10))
	resp, err := c.Do(req)
	if err != nil {
		// The URL may carry the download's own authorization; it stays out of errors.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("downloading: %w", ue.Err)
		}
		return nil, err
	}
	return resp, nil
}

// totalSize reads the whole size from Content-Range ("bytes 0-99/1234") or, for a full
// answer, Content-Length.
func totalSize(resp *http.Response) int64 {
	if cr := resp.Header.Get("Content-Range"); cr != "" {
		if i := strings.LastIndexByte(cr, '/'); i >= 0 {
			if n, err := strconv.ParseInt(cr[i+1:], 10, 64); err == nil {
				return n
			}
		}
		return -1
	}
	return resp.ContentLength
}
