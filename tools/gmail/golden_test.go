package gmail

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The golden files are response bodies in the shapes the Gmail API returns,
// as its reference documentation and discovery document describe them.

func decodeGolden(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "google", "gmail", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

func TestGoldenLabelsList(t *testing.T) {
	var resp labelsResponse
	decodeGolden(t, "labels.list.json", &resp)
	var got []string
	for _, l := range sortLabels(resp.Labels) {
		got = append(got, l.Type+":"+l.ID+":"+l.Name)
	}
	want := []string{
		"system:CHAT:CHAT", "system:SENT:SENT", "system:INBOX:INBOX",
		"system:IMPORTANT:IMPORTANT", "system:TRASH:TRASH", "system:DRAFT:DRAFT",
		"system:STARRED:STARRED", "system:UNREAD:UNREAD",
		"user:Label_1:Receipts", "user:Label_4:Travel/2024",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
	if sortLabels(nil) == nil {
		t.Error("sortLabels(nil) = nil, want an empty list for structuredContent")
	}
}

func TestGoldenDraftsCreate(t *testing.T) {
	var d draftResource
	decodeGolden(t, "drafts.create.json", &d)
	if d.ID != "r-4415823796214405312" || d.Message.ID != "18e9f3c2b7a4d1e6" ||
		d.Message.ThreadID != d.Message.ID || !cmp.Equal(d.Message.LabelIDs, []string{"DRAFT"}) {
		t.Errorf("draft = %+v", d)
	}
}

func TestGoldenMessagesModify(t *testing.T) {
	var m message
	decodeGolden(t, "messages.modify.json", &m)
	want := []string{"UNREAD", "CATEGORY_PERSONAL", "Label_1"}
	if m.ID != "18e8a1f0c93b27d4" || !cmp.Equal(m.LabelIDs, want) {
		t.Errorf("modified = %+v, want labels %v", m, want)
	}
}
