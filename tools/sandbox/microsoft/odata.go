package microsoft

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// entity is one Graph resource as JSON members. Maps keep the sandbox's resources open
// to $select without a struct per projection.
type entity = map[string]any

// window is the slice of a collection one page shows.
type window struct {
	top, skip int
	// token is true when the collection pages with $skiptoken (OneDrive) rather than
	// $skip (Outlook).
	token bool
}

// pageWindow reads $top and $skip or $skiptoken. def is the page size without $top and
// max the largest the workload allows. A bad value is a 400 message.
func (r *graphRequest) pageWindow(def, max int, token bool) (window, string) {
	q := r.URL.Query()
	win := window{top: def, token: token}
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return win, fmt.Sprintf("Invalid value '%s' for $top query option.", v)
		}
		win.top = min(n, max)
	}
	if v := q.Get("$skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return win, fmt.Sprintf("Invalid value '%s' for $skip query option.", v)
		}
		win.skip = n
	}
	if v := q.Get("$skiptoken"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || convErr != nil || n < 0 {
			return win, "Invalid $skiptoken."
		}
		win.skip = n
	}
	return win, ""
}

// collection is an OData collection answer.
type collection struct {
	Context  string   `json:"@odata.context"`
	NextLink string   `json:"@odata.nextLink,omitempty"`
	Value    []entity `json:"value"`
}

// writeCollection writes the page win of items, with an @odata.nextLink when more follow.
// The link is absolute and keeps the request's other query options, like Graph's.
func (s *Server) writeCollection(w http.ResponseWriter, r *graphRequest, context string,
	items []entity, win window) {
	start := min(win.skip, len(items))
	end := min(start+win.top, len(items))
	out := collection{Context: context, Value: items[start:end]}
	if out.Value == nil {
		out.Value = []entity{}
	}
	if end < len(items) {
		out.NextLink = nextLink(r.Request, end, win.token)
	}
	writeGraph(w, r.Request, http.StatusOK, out)
}

// nextLink returns the URL of the page that starts at offset.
func nextLink(r *http.Request, offset int, token bool) string {
	q := r.URL.Query()
	q.Del("$skip")
	q.Del("$skiptoken")
	if token {
		q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte("offset:"+strconv.Itoa(offset))))
	} else {
		q.Set("$skip", strconv.Itoa(offset))
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: mountPrefix(r) + r.URL.Path,
		RawQuery: q.Encode()}
	return u.String()
}

// mountPrefix recovers the prefix the sandbox is mounted under (removed by
// http.StripPrefix) by comparing the original request URI with the path it serves.
func mountPrefix(r *http.Request) string {
	orig, _, _ := strings.Cut(r.RequestURI, "?")
	prefix, ok := strings.CutSuffix(orig, r.URL.EscapedPath())
	if !ok || strings.Contains(prefix, "://") {
		return ""
	}
	return prefix
}

// selection returns the properties $select asks for, in canonical spelling, or nil for
// all. The type's properties are those of full and optional, the ones only some
// resources carry. A property the type lacks is a 400 message naming it, as Graph's.
func (r *graphRequest) selection(typeName string, full entity, optional ...string) ([]string, string) {
	v := r.URL.Query().Get("$select")
	if v == "" {
		return nil, ""
	}
	var out []string
	for _, name := range strings.Split(v, ",") {
		name = strings.TrimSpace(name)
		canonical := ""
		for k := range full {
			if strings.EqualFold(k, name) {
				canonical = k
			}
		}
		for _, k := range optional {
			if strings.EqualFold(k, name) {
				canonical = k
			}
		}
		if canonical == "" {
			return nil, fmt.Sprintf("Could not find a property named '%s' on type "+
				"'microsoft.graph.%s'.", name, typeName)
		}
		out = append(out, canonical)
	}
	return out, ""
}

// project keeps the selected properties of e, plus the id and etag Graph always sends.
func project(e entity, fields []string) entity {
	if fields == nil {
		return e
	}
	out := entity{}
	for _, k := range append([]string{"id", "@odata.etag"}, fields...) {
		if v, ok := e[k]; ok {
			out[k] = v
		}
	}
	return out
}

// jsonBody encodes v without escaping HTML, as Graph does.
func jsonBody(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// decodeBody reads a JSON request body into v; a bad body is a 400 message.
func decodeBody(r *http.Request, v any) string {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 4<<20))
	if err := dec.Decode(v); err != nil {
		return "Empty Payload. JSON content expected."
	}
	return ""
}

// onlyBasic reports whether the token reaches a kind of data ("Mail", "Calendars") only
// through its ReadBasic permission, which leaves out bodies and previews.
func (r *graphRequest) onlyBasic(kind string) bool {
	has := func(p string) bool {
		for _, sc := range r.token.scopes {
			if strings.EqualFold(sc, p) {
				return true
			}
		}
		return false
	}
	return has(kind+".ReadBasic") && !has(kind+".Read") && !has(kind+".ReadWrite")
}
