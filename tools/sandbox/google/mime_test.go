package google

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// partSummary flattens a MIME tree to "partId mimeType filename: text" lines.
func partSummary(p *part) []string {
	var out []string
	walkParts(p, func(pt *part) {
		line := pt.partID + " " + pt.mimeType
		if pt.filename != "" {
			line += " " + pt.filename
		}
		if len(pt.parts) == 0 {
			line += ": " + strings.TrimSpace(string(pt.data))
		}
		out = append(out, line)
	})
	return out
}

func TestParseMessage(t *testing.T) {
	nested := `From: a@example.com
To: b@example.com
Subject: =?UTF-8?B?w4lsw6hyZSBub3Rl?=
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 at noon
--inner
Content-Type: text/html

<p>Caf&eacute; at noon</p>
--inner--
--outer
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"
Content-Transfer-Encoding: base64

bm90ZXM=
--outer--
`
	tests := []struct {
		name        string
		raw         string
		wantParts   []string
		wantText    string
		wantSubject string
	}{
		{"plain", "Subject: Hi\nTo: b@example.com\n\nHello\n", []string{" text/plain: Hello"},
			"Hello\n", "Hi"},
		{"folded header", "Subject: Hello\n  world\n\nbody", []string{" text/plain: body"},
			"body", "Hello world"},
		{"nested multipart", nested, []string{
			" multipart/mixed",
			"0 multipart/alternative",
			"0.0 text/plain: Café at noon",
			"0.1 text/html: <p>Caf&eacute; at noon</p>",
			"1 text/plain notes.txt: notes",
		}, "Café at noon", "Élère note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.ReplaceAll(tt.raw, "\n", "\r\n")
			p, err := parseMessage([]byte(raw))
			if err != nil {
				t.Fatalf("parseMessage() error: %v", err)
			}
			if diff := cmp.Diff(tt.wantParts, partSummary(p.root)); diff != "" {
				t.Errorf("parts mismatch (-want +got):\n%s", diff)
			}
			if got := strings.ReplaceAll(p.text, "\r\n", "\n"); got != tt.wantText {
				t.Errorf("text = %q, want %q", got, tt.wantText)
			}
			if got := decodeWords(p.headers.Get("Subject")); got != tt.wantSubject {
				t.Errorf("subject = %q, want %q", got, tt.wantSubject)
			}
		})
	}
}

func TestParseMessageRefusesGarbage(t *testing.T) {
	for _, raw := range []string{"", "\r\nbody only", " continuation first\r\n\r\n",
		"no colon here\r\n\r\n"} {
		if _, err := parseMessage([]byte(raw)); err == nil {
			t.Errorf("parseMessage(%q) succeeded, want an error", raw)
		}
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("word ", 60)
	tests := []struct {
		name, text, want string
	}{
		{"collapses space", "Hi,\r\n\r\n  see   you", "Hi, see you"},
		{"escapes", `Tom & "Jerry" <3 it's`, "Tom &amp; &#34;Jerry&#34; &lt;3 it&#39;s"},
		{"truncates", long, strings.TrimSpace(long[:200])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := snippetOf(tt.text); got != tt.want {
				t.Errorf("snippetOf(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
