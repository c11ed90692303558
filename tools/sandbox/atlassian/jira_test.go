package atlassian

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// errorBody is Jira's error collection, for comparisons.
type errorBody struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

func TestSearchPagesAndFields(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.accessToken(t, "read:jira-work")
	type page struct {
		Issues []struct {
			Key    string         `json:"key"`
			Fields map[string]any `json:"fields"`
		} `json:"issues"`
		NextPageToken string `json:"nextPageToken"`
		IsLast        bool   `json:"isLast"`
	}
	q := url.Values{"jql": {"project = DEMO ORDER BY key ASC"}, "maxResults": {"3"},
		"fields": {"summary,status"}}
	var first page
	if status := e.api(t, "GET", "/search/jql?"+q.Encode(), tok, nil, &first); status != 200 {
		t.Fatalf("search = %d", status)
	}
	if len(first.Issues) != 3 || first.IsLast || first.NextPageToken == "" {
		t.Fatalf("first page = %+v, want 3 issues and a next page", first)
	}
	if f := first.Issues[0].Fields; len(f) != 2 || f["summary"] == nil || f["status"] == nil {
		t.Errorf("fields of %s = %v, want summary and status only", first.Issues[0].Key, f)
	}
	q.Set("nextPageToken", first.NextPageToken)
	var second page
	e.api(t, "GET", "/search/jql?"+q.Encode(), tok, nil, &second)
	var keys []string
	for _, is := range append(first.Issues, second.Issues...) {
		keys = append(keys, is.Key)
	}
	if diff := cmp.Diff([]string{"DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4", "DEMO-5"}, keys); diff != "" ||
		!second.IsLast || second.NextPageToken != "" {
		t.Errorf("paged keys mismatch (-want +got):\n%s\nlast page %+v", diff, second)
	}

	var errs errorBody
	status := e.api(t, "GET", "/search/jql?jql="+url.QueryEscape("ORDER BY key"), tok, nil, &errs)
	want := errorBody{ErrorMessages: []string{"Unbounded JQL queries are not allowed here. Please add " +
		"a search restriction to your query."}, Errors: map[string]string{}}
	if status != 400 || !cmp.Equal(errs, want) {
		t.Errorf("unbounded search = %d %+v, want 400 %+v", status, errs, want)
	}
}

func TestGetIssue(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.accessToken(t, "read:jira-work")
	var got struct {
		Key    string `json:"key"`
		Fields struct {
			Summary string `json:"summary"`
			Status  struct {
				Name string `json:"name"`
			} `json:"status"`
			Comment struct {
				Total int `json:"total"`
			} `json:"comment"`
		} `json:"fields"`
	}
	if status := e.api(t, "GET", "/issue/demo-2", tok, nil, &got); status != 200 {
		t.Fatalf("GET issue = %d", status)
	}
	if got.Key != "DEMO-2" || got.Fields.Status.Name != "To Do" || got.Fields.Comment.Total != 2 {
		t.Errorf("GET issue demo-2 = %+v", got)
	}

	var errs errorBody
	status := e.api(t, "GET", "/issue/DEMO-99", tok, nil, &errs)
	want := errorBody{Errors: map[string]string{}, ErrorMessages: []string{
		"Issue does not exist or you do not have permission to see it."}}
	if status != 404 || !cmp.Equal(errs, want) {
		t.Errorf("GET a missing issue = %d %+v, want 404 %+v", status, errs, want)
	}
}

func TestCreateIssue(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.accessToken(t, "write:jira-work", "read:jira-work")
	adf := map[string]any{"type": "doc", "version": 1, "content": []any{map[string]any{
		"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": "Details"}}}}}
	fields := func(kv ...any) map[string]any {
		f := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			f[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"fields": f}
	}
	var created struct{ ID, Key, Self string }
	status := e.api(t, "POST", "/issue", tok, fields("project", map[string]string{"key": "DEMO"},
		"issuetype", map[string]string{"name": "bug"}, "summary", "Broken link",
		"description", adf), &created)
	if status != 201 || created.Key != "DEMO-6" || created.ID == "" {
		t.Fatalf("create = %d %+v, want 201 DEMO-6", status, created)
	}

	tests := []struct {
		name       string
		body       any
		wantStatus int
		want       errorBody
	}{
		{"nothing", fields(), 400, errorBody{[]string{}, map[string]string{
			"project": "Specify a valid project ID or key", "issuetype": "Specify an issue type",
			"summary": "You must specify a summary of the issue."}}},
		{"unknown type and plain description", fields("project", map[string]string{"key": "DEMO"},
			"issuetype", map[string]string{"name": "Incident"}, "summary", "x", "description", "text"),
			400, errorBody{[]string{}, map[string]string{"issuetype": "Specify a valid issue type",
				"description": adfRequired}}},
		{"two-line summary", fields("project", map[string]string{"key": "DEMO"}, "issuetype",
			map[string]string{"id": "10001"}, "summary", "a\nb"), 400, errorBody{[]string{},
			map[string]string{"summary": "The summary is invalid because it contains newline characters."}}},
		{"no permission", fields("project", map[string]string{"key": "OPS"}, "issuetype",
			map[string]string{"name": "Task"}, "summary", "x"), 403, errorBody{[]string{
			"You do not have permission to create issues in this project."}, map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got errorBody
			status := e.api(t, "POST", "/issue", tok, tt.body, &got)
			if status != tt.wantStatus {
				t.Errorf("create = %d, want %d", status, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCommentsAndTransitions(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.accessToken(t, "write:jira-work", "read:jira-work")
	body := map[string]any{"body": json.RawMessage(doc(para("Done.")))}
	if status := e.api(t, "POST", "/issue/OPS-1/comment", tok, body, nil); status != 201 {
		t.Errorf("add comment = %d, want 201", status)
	}
	var comments struct{ Total int }
	if e.api(t, "GET", "/issue/OPS-1/comment", tok, nil, &comments); comments.Total != 1 {
		t.Errorf("comments after adding one = %d, want 1", comments.Total)
	}
	var errs errorBody
	empty := map[string]any{"body": map[string]any{"type": "doc", "version": 1, "content": []any{}}}
	if status := e.api(t, "POST", "/issue/OPS-1/comment", tok, empty, &errs); status != 400 ||
		errs.Errors["comment"] != "Comment body can not be empty!" {
		t.Errorf("empty comment = %d %+v", status, errs)
	}

	type list struct {
		Transitions []struct {
			ID, Name string
			To       struct{ Name string }
		}
	}
	var open list
	e.api(t, "GET", "/issue/OPS-1/transitions", tok, nil, &open)
	var names []string
	for _, tr := range open.Transitions {
		names = append(names, tr.ID+" "+tr.Name+" -> "+tr.To.Name)
	}
	want := []string{"4 Start Progress -> In Progress", "5 Resolve Issue -> Resolved",
		"2 Close Issue -> Closed"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("transitions of an open issue mismatch (-want +got):\n%s", diff)
	}
	if status := e.api(t, "POST", "/issue/OPS-1/transitions", tok,
		map[string]any{"transition": map[string]string{"id": "5"}}, nil); status != 204 {
		t.Errorf("resolve = %d, want 204", status)
	}
	errs = errorBody{}
	status := e.api(t, "POST", "/issue/OPS-1/transitions", tok,
		map[string]any{"transition": map[string]string{"id": "5"}}, &errs)
	invalid := []string{"Transition id '5' is not valid for this issue."}
	if status != 400 || !cmp.Equal(errs.ErrorMessages, invalid) {
		t.Errorf("resolving twice = %d %+v", status, errs)
	}
}

func TestMyselfAndProjects(t *testing.T) {
	e := newEnv(t, Options{Account: "ana.lopez@example.org"})
	tok := e.accessToken(t, "read:jira-user", "read:jira-work")
	var me struct {
		AccountID, DisplayName, EmailAddress string
	}
	e.api(t, "GET", "/myself", tok, nil, &me)
	if me.DisplayName != "Ana Lopez" || me.EmailAddress != "ana.lopez@example.org" || me.AccountID == "" {
		t.Errorf("myself = %+v", me)
	}

	var projects struct {
		Total   int
		IsLast  bool
		NextURL string `json:"nextPage"`
		Values  []struct {
			Key  string
			Lead *struct{ DisplayName string }
		}
	}
	e.api(t, "GET", "/project/search?maxResults=1&expand=lead", tok, nil, &projects)
	if projects.Total != 2 || projects.IsLast || projects.NextURL == "" || len(projects.Values) != 1 ||
		projects.Values[0].Key != "DEMO" || projects.Values[0].Lead == nil {
		t.Errorf("first project page = %+v", projects)
	}
	e.api(t, "GET", "/project/search?query=operat", tok, nil, &projects)
	if projects.Total != 1 || projects.Values[0].Key != "OPS" || !projects.IsLast {
		t.Errorf("project search for 'operat' = %+v", projects)
	}
}
