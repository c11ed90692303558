package microsoft

import (
	"fmt"
	"net/http"
	"time"
)

// oauthError is the identity platform's error body.
type oauthError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

// aadDescription writes an error_description as Microsoft does: the AADSTS code and text,
// then trace, correlation and timestamp lines.
func aadDescription(code int, text string, now time.Time) string {
	return fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
		code, text, newGUID(), newGUID(), now.UTC().Format("2006-01-02 15:04:05Z"))
}

func errorURI(code int) string {
	return fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code)
}

func (s *Server) writeMissing(w http.ResponseWriter, param string) {
	e := missingParam(param)
	s.writeOAuthError(w, 400, e.name, e.code, e.desc)
}

func (s *Server) writeOAuthError(w http.ResponseWriter, status int, name string, code int, text string) {
	now := s.now().UTC()
	writeJSON(w, status, oauthError{
		Error: name, Description: aadDescription(code, text, now), ErrorCodes: []int{code},
		Timestamp: now.Format("2006-01-02 15:04:05Z"), TraceID: newGUID(),
		CorrelationID: newGUID(), ErrorURI: errorURI(code),
	})
}
