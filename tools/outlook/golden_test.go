package outlook

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

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

func TestGoldenMessages(t *testing.T) {
	var page graphapi.Collection[Message]
	decodeGolden(t, "messages-page.json", &page)
	if len(page.Value) != 2 || graphapi.PageToken(page.NextLink) == "" {
		t.Fatalf("page = %+v", page)
	}
	got := summarize(page.Value[0])
	want := MessageSummary{
		ID:             page.Value[0].ID,
		ConversationID: "AAQkAGU0ZTJhNzU2LTc1NGItNDM5Zi1iNzEyLWYxNGQ5MzE0ZmM2MgAQAIm1Yw2Zl0xJk3n3lO3c2Uc=",
		From:           "Ana Ruiz <ana@contoso.example>",
		To:             []string{"Demo User <demo.user@contoso.example>"},
		Subject:        "Quarterly budget review",
		Received:       "2026-03-04T08:02:41Z",
		Preview:        page.Value[0].BodyPreview,
		HasAttachments: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summarize (-want +got):\n%s", diff)
	}

	var m Message
	decodeGolden(t, "message.json", &m)
	if m.Body == nil || m.Body.ContentType != "text" || len(m.CcRecipients) != 1 || m.Importance != "high" ||
		len(m.Attachments) != 1 || m.Attachments[0].Name != "Q3-budget.xlsx" || m.Attachments[0].Size != 18432 {
		t.Errorf("message = %+v", m)
	}
}

func TestGoldenEvents(t *testing.T) {
	var page graphapi.Collection[Event]
	decodeGolden(t, "calendarview-page.json", &page)
	if len(page.Value) != 2 || graphapi.PageToken(page.NextLink) == "" {
		t.Fatalf("page = %+v", page)
	}
	got := summarizeEvent(page.Value[0])
	want := EventSummary{
		ID: page.Value[0].ID, Subject: "Design review",
		Start: "2026-03-04T15:00:00+01:00", End: "2026-03-04T16:00:00+01:00",
		Location: "Room 4.12", Organizer: "Ana Ruiz <ana@contoso.example>",
		Attendees: []string{"Demo User <demo.user@contoso.example>", "Bo Chen <bo.chen@contoso.example>"},
		Preview:   "Review of the onboarding flow mock-ups.", WebLink: page.Value[0].WebLink,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summarizeEvent (-want +got):\n%s", diff)
	}
	if !page.Value[1].IsAllDay {
		t.Error("the all-day event is not all day")
	}

	var created Event
	decodeGolden(t, "event-created.json", &created)
	if s := summarizeEvent(created); s.Start != "2030-01-15T10:00:00+01:00" || len(s.Attendees) != 1 || s.Location != "Room 2" {
		t.Errorf("created event = %+v", s)
	}
}
