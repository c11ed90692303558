package oauthsim

import (
	"html/template"
	"net/http"
)

// WritePage renders an interactive page, such as a consent form, with t and data. The page
// is never cached, so that a consent id is not shown twice.
func WritePage(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = t.Execute(w, data)
}

// WriteErrorPage renders an error page with t and data, with the HTTP status.
func WriteErrorPage(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}
