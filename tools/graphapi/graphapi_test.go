package graphapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
)

func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/microsoft/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClassifyGoldenErrors(t *testing.T) {
	tests := []struct {
		file    string
		status  int
		header  http.Header
		scope   bool
		missing registry.ScopeSet
		want    string
	}{
		{"error-outlook-access-denied.json", 403, nil, true, nil, ""},
		{"error-teams-missing-scope.json", 403, nil, true,
			registry.ScopeSet{registry.GraphChannelMessageSend, registry.GraphGroupReadWriteAll}, ""},
		{"error-item-not-found.json", 404, nil, false, nil,
			"Microsoft Graph answered 404 (ErrorItemNotFound): The specified object was not found in the store. Check the id"},
		{"error-invalid-token.json", 401, nil, false, nil,
			"Microsoft Graph answered 401 (InvalidAuthenticationToken): Lifetime validation failed, the token is expired. Microsoft did not accept"},
		{"error-outlook-throttled.json", 429, http.Header{"Retry-After": {"30"}}, false, nil,
			"throttling requests for this account. Wait 30 seconds before calling again."},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			err := Classify(tt.status, tt.header, golden(t, tt.file))
			var se *registry.ScopeError
			var te *registry.ToolError
			switch {
			case tt.scope && errors.As(err, &se):
				if diff := cmp.Diff(tt.missing, se.Missing); diff != "" {
					t.Errorf("Missing (-want +got):\n%s", diff)
				}
			case !tt.scope && errors.As(err, &te):
				if te.Status != tt.status || !strings.Contains(te.Message, tt.want) {
					t.Errorf("Classify = %d %q, want %d containing %q", te.Status, te.Message, tt.status, tt.want)
				}
			default:
				t.Errorf("Classify(%d, %s) = %T %v", tt.status, tt.file, err, err)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	body := func(code, msg string) []byte {
		b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": msg}})
		return b
	}
	tests := []struct {
		name   string
		status int
		body   []byte
		header http.Header
		scope  bool
		want   string
	}{
		{"directory denial", 403, body("Authorization_RequestDenied", "Insufficient privileges to complete the operation."), nil, true, ""},
		{"onedrive denial", 403, body("accessDenied", "Access denied"), nil, true, ""},
		{"teams membership", 403, body("Forbidden", "The user is not a member of the team."), nil, false, "Microsoft refused the request"},
		{"bad request", 400, body("BadRequest", "Invalid filter clause"), nil, false, "(BadRequest): Invalid filter clause. Fix the arguments"},
		{"unavailable", 503, body("serviceNotAvailable", "The service is temporarily unavailable."),
			http.Header{"Retry-After": {"Wed, 04 Mar 2026 10:30:00 GMT"}}, false, "Wait until 10:30:00 UTC"},
		{"not json", 502, []byte("<html>Bad Gateway</html>"), nil, false, "Microsoft Graph answered 502: Bad Gateway. Microsoft Graph had a temporary problem"},
		{"throttled without retry-after", 429, nil, nil, false, "Wait a minute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Classify(tt.status, tt.header, tt.body)
			var se *registry.ScopeError
			if got := errors.As(err, &se); got != tt.scope {
				t.Fatalf("Classify = %T %v, scope error %v, want %v", err, err, got, tt.scope)
			}
			if !tt.scope && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Classify = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPageTokens(t *testing.T) {
	call := &registry.Call{APIBaseURL: "http://127.0.0.1:9/sandbox/microsoft"}
	var page Collection[json.RawMessage]
	if err := json.Unmarshal(golden(t, "messages-page.json"), &page); err != nil {
		t.Fatal(err)
	}
	tok := PageToken(page.NextLink)
	got, err := PageURL(call, tok, "/me/messages")
	want := "http://127.0.0.1:9/sandbox/microsoft/v1.0/me/messages?" + strings.SplitN(page.NextLink, "?", 2)[1]
	if err != nil || got != want {
		t.Errorf("PageURL(PageToken(golden)) = %q, %v, want %q", got, err, want)
	}
	if _, err := PageURL(call, tok, "/me/mailFolders/inbox/messages"); err == nil {
		t.Error("a token of /me/messages is accepted for another listing")
	}
	if got, err := PageURL(call, PageToken("https://graph.microsoft.com/v1.0/ME/Messages?$skip=5"), "/me/messages"); err != nil ||
		!strings.HasSuffix(got, "/v1.0/ME/Messages?$skip=5") {
		t.Errorf("a token differing in case = %q, %v", got, err)
	}
	if PageToken("") != "" || PageToken("https://evil.example/other") != "" {
		t.Error("PageToken of no link or a link outside Graph's version path is not empty")
	}

	forged := []string{
		"not base64 !",
		b64("//evil.example/v1.0/me/messages"),
		b64("https://evil.example/v1.0/me/messages"),
		b64("/v1.0/me/messages/../drive/root/children"),
		b64("/v1.0/me/messages/AAMk=/attachments"),
		b64("/v1.0/me/drive/root/children"),
		b64("/beta/me/messages"),
	}
	for _, f := range forged {
		if u, err := PageURL(call, f, "/me/messages"); err == nil {
			t.Errorf("forged token %q gives %q", f, u)
		}
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestURL(t *testing.T) {
	call := &registry.Call{}
	got := URL(call, "/me/messages", map[string][]string{"$top": {"5"}, "$search": {`"a b"`}})
	want := `https://graph.microsoft.com/v1.0/me/messages?$search=%22a+b%22&$top=5`
	if got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}
