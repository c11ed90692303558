package google

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
)

// calendarDiscoveryPath is Google's Calendar discovery document, in the shared folder
// beside the repository.
const calendarDiscoveryPath = "../../../../shared/provider-specs/raw/calendar.v3.json"

// TestCalendarShapesFollowDiscovery checks every field of the sandbox's Calendar answers
// against the resource schemas of Google's discovery document: a field Google does not
// define is a mistake of the emulation.
func TestCalendarShapesFollowDiscovery(t *testing.T) {
	data, err := os.ReadFile(calendarDiscoveryPath)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("discovery document missing at %s", calendarDiscoveryPath)
		}
		t.Skipf("discovery document not found at %s; shapes left unchecked", calendarDiscoveryPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schemas map[string]map[string]any `json:"schemas"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}

	e := newEnv(t)
	token := e.tokenFor(t, calFullScope)
	var created any
	e.api(t, token, "POST", primaryEvents, map[string]any{"summary": "Shape check",
		"start":     map[string]string{"dateTime": "2024-04-05T15:00:00Z"},
		"end":       map[string]string{"dateTime": "2024-04-05T16:00:00Z"},
		"attendees": []map[string]string{{"email": "ana@example.com"}}}, &created)
	list := getEvents(t, e, token, primaryEvents+withParams(weekWindow, "singleEvents", "true"))
	instance := list.Items[0].ID
	e.api(t, token, "DELETE", primaryEvents+"/"+instance, nil, nil)

	answers := []struct {
		schema, method, path string
		body                 any
	}{
		{"Events", "GET", primaryEvents + withParams(weekWindow, "singleEvents", "true"), nil},
		{"Events", "GET", primaryEvents + withParams(weekWindow, "maxResults", "2"), nil},
		{"Events", "GET", primaryEvents + withParams(weekWindow), nil},
		{"Event", "GET", primaryEvents + "/" + instance, nil},
		{"CalendarList", "GET", calendarListPath, nil},
		{"CalendarListEntry", "GET", calendarListPath + "/primary", nil},
		{"FreeBusyResponse", "POST", freeBusyPath, map[string]any{
			"timeMin": "2024-04-02T00:00:00Z", "timeMax": "2024-04-09T00:00:00Z",
			"items": []map[string]string{{"id": "primary"}, {"id": "nobody@example.com"}}}},
	}
	conform(t, doc.Schemas, doc.Schemas["Event"], created, "insert")
	for _, a := range answers {
		var got any
		if resp := e.api(t, token, a.method, a.path, a.body, &got); resp.StatusCode != 200 {
			t.Fatalf("%s %s = %d", a.method, a.path, resp.StatusCode)
		}
		conform(t, doc.Schemas, doc.Schemas[a.schema], got, a.schema)
	}
}

// conform reports every field of v that schema, a discovery schema, does not define.
func conform(t *testing.T, schemas map[string]map[string]any, schema map[string]any, v any,
	path string) {
	t.Helper()
	if ref, ok := schema["$ref"].(string); ok {
		schema = schemas[ref]
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		more, _ := schema["additionalProperties"].(map[string]any)
		for k, sub := range val {
			if ps, ok := props[k].(map[string]any); ok {
				conform(t, schemas, ps, sub, path+"."+k)
			} else if more != nil {
				conform(t, schemas, more, sub, path+"["+k+"]")
			} else {
				t.Errorf("%s.%s is not a field of Google's schema", path, k)
			}
		}
	case []any:
		items, _ := schema["items"].(map[string]any)
		for i, sub := range val {
			conform(t, schemas, items, sub, fmt.Sprintf("%s[%d]", path, i))
		}
	}
}
