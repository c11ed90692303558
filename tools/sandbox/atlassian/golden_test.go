package atlassian

import (
	"encoding/json"
	"net/url"
	"os"
	"slices"
	"sort"
	"testing"
)

// missingMembers returns the member paths of golden that got lacks: every object member,
// and through arrays their first elements. ADF documents (description, body) are not
// compared below their top, nor are the members skip names.
func missingMembers(golden, got any, path string, skip []string) []string {
	var out []string
	switch g := golden.(type) {
	case map[string]any:
		o, ok := got.(map[string]any)
		if !ok {
			return []string{path + " (not an object)"}
		}
		for k, gv := range g {
			p := path + "." + k
			if slices.Contains(skip, p) {
				continue
			}
			ov, ok := o[k]
			if !ok {
				out = append(out, p)
				continue
			}
			if k == "description" || k == "body" || gv == nil || ov == nil {
				continue
			}
			out = append(out, missingMembers(gv, ov, p, skip)...)
		}
	case []any:
		o, ok := got.([]any)
		if ok && len(g) > 0 && len(o) > 0 {
			out = append(out, missingMembers(g[0], o[0], path+"[0]", skip)...)
		}
	}
	sort.Strings(out)
	return out
}

// TestAnswersHaveJirasShape checks that the sandbox answers with every member of the bodies
// in testdata/jira, but those the sandbox does not keep.
func TestAnswersHaveJirasShape(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.accessToken(t, "read:jira-work", "write:jira-work", "read:jira-user")
	comment := map[string]any{"body": json.RawMessage(doc(para("Checked.")))}
	tests := []struct {
		golden string
		method string
		path   string
		body   any
		skip   []string
	}{
		{"search-jql.json", "GET", "/search/jql?" + url.Values{"jql": {"project = DEMO"},
			"fields": {"summary,status,assignee,priority,updated"}, "maxResults": {"2"}}.Encode(), nil, nil},
		{"issue.json", "GET", "/issue/DEMO-2", nil, []string{".fields.issuetype.avatarId"}},
		{"create-issue.json", "POST", "/issue", map[string]any{"fields": map[string]any{
			"project": map[string]string{"key": "DEMO"}, "issuetype": map[string]string{"name": "Task"},
			"summary": "Shape check"}}, nil},
		{"comment.json", "POST", "/issue/DEMO-2/comment", comment, nil},
		{"transitions.json", "GET", "/issue/DEMO-2/transitions", nil, nil},
		{"myself.json", "GET", "/myself", nil, nil},
		{"project-search.json", "GET", "/project/search?maxResults=1&expand=description,lead", nil,
			[]string{".values[0].entityId", ".values[0].uuid"}},
		{"error-404-issue.json", "GET", "/issue/DEMO-99", nil, nil},
		{"error-400-fields.json", "POST", "/issue", map[string]any{"fields": map[string]any{
			"project": map[string]string{"key": "DEMO"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			data, err := os.ReadFile("../../../testdata/jira/" + tt.golden)
			if err != nil {
				t.Fatal(err)
			}
			var golden, got any
			if err := json.Unmarshal(data, &golden); err != nil {
				t.Fatal(err)
			}
			e.api(t, tt.method, tt.path, tok, tt.body, &got)
			if missing := missingMembers(golden, got, "", tt.skip); len(missing) > 0 {
				t.Errorf("%s %s lacks members of %s: %v", tt.method, tt.path, tt.golden, missing)
			}
		})
	}

	var resources, golden any
	if err := json.Unmarshal([]byte(e.get(t, ResourcesPath, tok)), &resources); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile("../../../testdata/jira/accessible-resources.json")
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	if missing := missingMembers(golden, resources, "", nil); len(missing) > 0 {
		t.Errorf("accessible resources lack members: %v", missing)
	}
}
