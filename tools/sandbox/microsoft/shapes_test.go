package microsoft

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestShapesMatchGoldenBodies checks that the sandbox's resources carry every member of
// the Graph response bodies kept in testdata/microsoft, so that a client written against
// Graph's real answers reads the sandbox's the same way.
func TestShapesMatchGoldenBodies(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.tokenWith("Mail.Read", "Calendars.ReadWrite", "Files.Read", "Team.ReadBasic.All",
		"Channel.ReadBasic.All", "ChannelMessage.Send")
	msgID := list(t, e, "/me/messages?$top=1", tok)[0]["id"].(string)
	var teams struct{ Value []map[string]any }
	_, _, body := e.graph(t, "GET", "/me/joinedTeams", tok, nil)
	_ = json.Unmarshal([]byte(body), &teams)
	teamID := teams.Value[0]["id"].(string)
	var chans struct{ Value []map[string]any }
	_, _, body = e.graph(t, "GET", "/teams/"+teamID+"/channels", tok, nil)
	_ = json.Unmarshal([]byte(body), &chans)
	chanID := chans.Value[0]["id"].(string)

	tests := []struct {
		golden, method, path, body string
		collection                 bool
	}{
		{"messages-page.json", "GET", "/me/messages", "", true},
		{"message.json", "GET", "/me/messages/" + msgID + "?$expand=attachments", "", false},
		{"calendarview-page.json", "GET", "/me/calendarView?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-09T00:00:00Z", "", true},
		{"event-created.json", "POST", "/me/events", `{"subject":"x","start":{"dateTime":"2030-01-01T09:00:00",` +
			`"timeZone":"UTC"},"end":{"dateTime":"2030-01-01T10:00:00","timeZone":"UTC"}}`, false},
		{"drive-root-children.json", "GET", "/me/drive/root/children", "", true},
		{"joined-teams.json", "GET", "/me/joinedTeams", "", true},
		{"channels.json", "GET", "/teams/" + teamID + "/channels", "", true},
		{"channel-message-created.json", "POST", "/teams/" + teamID + "/channels/" + chanID + "/messages",
			`{"body":{"content":"hi"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			raw, err := os.ReadFile("../../../testdata/microsoft/" + tt.golden)
			if err != nil {
				t.Fatal(err)
			}
			_, _, body := e.graph(t, tt.method, tt.path, tok, strings.NewReader(tt.body))
			want, got := members(t, raw, tt.collection), members(t, []byte(body), tt.collection)
			for k := range want {
				if !got[k] {
					t.Errorf("the sandbox's %s %s lacks %q", tt.method, tt.path, k)
				}
			}
		})
	}
}

// members returns the member names of a resource, or of every item of a collection,
// leaving out OData annotations other than the etag.
func members(t *testing.T, raw []byte, collection bool) map[string]bool {
	t.Helper()
	var items []map[string]any
	if collection {
		var page struct{ Value []map[string]any }
		if err := json.Unmarshal(raw, &page); err != nil || len(page.Value) == 0 {
			t.Fatalf("not a collection: %v\n%s", err, raw)
		}
		items = page.Value
	} else {
		var one map[string]any
		if err := json.Unmarshal(raw, &one); err != nil {
			t.Fatal(err)
		}
		items = []map[string]any{one}
	}
	out := map[string]bool{}
	for _, it := range items {
		for k := range it {
			if !strings.Contains(k, "@odata.") || k == "@odata.etag" {
				out[k] = true
			}
		}
	}
	return out
}
