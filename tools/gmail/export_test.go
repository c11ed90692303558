package gmail

import (
	"encoding/base64"
	"testing"
	"time"
)

// EncodeForTest renders in the way gmail_send_email sends it.
func EncodeForTest(t *testing.T, in SendInput) string {
	t.Helper()
	d, err := in.draft(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return base64.URLEncoding.EncodeToString(d.rfc5322())
}
