package teams

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/scopegate/scopegate/tools/graphapi"
)

func decodeGolden(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("../../testdata/microsoft/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

func TestGoldenTeams(t *testing.T) {
	var joined graphapi.Collection[Team]
	decodeGolden(t, "joined-teams.json", &joined)
	if len(joined.Value) != 2 || joined.Value[1].DisplayName != "Engineering" || joined.Value[1].IsArchived {
		t.Errorf("joined teams = %+v", joined.Value)
	}

	var channels graphapi.Collection[Channel]
	decodeGolden(t, "channels.json", &channels)
	if len(channels.Value) != 2 || channels.Value[1].ID != "19:e1d7a3c9f0b24c6ea8d51b3f7c9e2d64@thread.tacv2" ||
		channels.Value[1].MembershipType != "standard" {
		t.Errorf("channels = %+v", channels.Value)
	}

	var msg ChatMessage
	decodeGolden(t, "channel-message-created.json", &msg)
	if msg.ID != "1772619153215" || msg.Subject == nil || *msg.Subject != "Release" || msg.Body.ContentType != "html" ||
		msg.ChannelIdentity.ChannelID != channels.Value[1].ID || msg.CreatedDateTime.IsZero() {
		t.Errorf("chat message = %+v", msg)
	}
}
