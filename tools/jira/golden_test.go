package jira

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/tools/jiraapi"
)

// decodeGolden decodes a body of testdata/jira into v, refusing nothing: Jira's bodies hold
// far more than the tools read.
func decodeGolden(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile("../../testdata/jira/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

func TestGoldenSearchPage(t *testing.T) {
	var page searchPage
	decodeGolden(t, "search-jql.json", &page)
	if len(page.Issues) != 2 || page.IsLast || page.NextPageToken == "" {
		t.Fatalf("search page = %+v", page)
	}
	f := page.Issues[0].Fields
	got := []string{page.Issues[0].Key, f.Summary, f.Status.name(), f.Status.StatusCategory.Key,
		f.Assignee.name(), f.Priority.name(), when(f.Updated)}
	want := []string{"NW-42", "Checkout times out for carts over 50 items", "In Progress",
		"indeterminate", "Priya Natarajan", "High", "2025-05-28T16:04:11+02:00"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first issue mismatch (-want +got):\n%s", diff)
	}
	if page.Issues[1].Fields.Assignee != nil || page.Issues[1].Fields.Assignee.name() != "" {
		t.Errorf("unassigned issue has assignee %+v", page.Issues[1].Fields.Assignee)
	}
}

func TestGoldenIssue(t *testing.T) {
	var is issueBean
	decodeGolden(t, "issue.json", &is)
	jc := &jiraapi.Client{Site: jiraapi.Site{ID: "9d3b2a71-5c4e-4f08-a6d1-3e7f0c2b8a94",
		Name: "northwind-eng", URL: "https://northwind-eng.atlassian.net"}}
	out := issueOutput(jc, is)
	want := IssueOutput{
		Site: "northwind-eng.atlassian.net", Key: "NW-42",
		URL:     "https://northwind-eng.atlassian.net/browse/NW-42",
		Summary: "Checkout times out for carts over 50 items", Type: "Bug", Project: "NW",
		Status: "In Progress", Priority: "High", Assignee: "Priya Natarajan", Reporter: "Tomás Ferreira",
		Labels: []string{"checkout", "performance"}, Created: "2025-05-19T11:20:03+02:00",
		Updated: "2025-05-28T16:04:11+02:00", Description: out.Description,
		Comments: []Comment{{ID: "10507", Author: "Priya Natarajan", Created: "2025-05-27T10:02:36+02:00",
			Body: "The tax service is called once per item.\n\n- batch the calls\n- cache rates per region"}},
		CommentsTotal: 1,
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("issue output mismatch (-want +got):\n%s", diff)
	}
	if out.Description == "" {
		t.Error("the description was lost")
	}
}

func TestGoldenWriteAnswers(t *testing.T) {
	var created createdIssue
	decodeGolden(t, "create-issue.json", &created)
	if created.Key != "NW-43" || created.ID != "10245" {
		t.Errorf("created issue = %+v", created)
	}

	var c commentBean
	decodeGolden(t, "comment.json", &c)
	body := "Batched the tax calls; checkout of 60 items now takes 2.1s.\nDeploying to staging."
	if c.ID != "10512" || c.Author.name() != "Priya Natarajan" || jiraapi.ToText(c.Body) != body {
		t.Errorf("comment = %+v, body %q", c, jiraapi.ToText(c.Body))
	}

	var tr transitionsPage
	decodeGolden(t, "transitions.json", &tr)
	got, err := pickTransition("NW-42", tr.Transitions, "in review")
	if err != nil || got.ID != "41" || got.Name != "Ready for review" {
		t.Errorf("pickTransition(in review) = %+v, %v, want id 41 by its target status", got, err)
	}
	if _, err := pickTransition("NW-42", tr.Transitions, "Closed"); err == nil {
		t.Error("pickTransition(Closed) found a transition that does not exist")
	}
}

func TestGoldenPeople(t *testing.T) {
	var me userBean
	decodeGolden(t, "myself.json", &me)
	want := userBean{AccountID: "712020:0b8e6c4a-2d1f-4e3b-9a57-c8d0e2f4a6b1", DisplayName: "Priya Natarajan",
		EmailAddress: "priya.natarajan@northwind.example", TimeZone: "Asia/Kolkata", Locale: "en_GB",
		Active: true, AccountType: "atlassian"}
	if diff := cmp.Diff(want, me); diff != "" {
		t.Errorf("myself mismatch (-want +got):\n%s", diff)
	}

	var page projectPage
	decodeGolden(t, "project-search.json", &page)
	if page.Total != 3 || page.IsLast || len(page.Values) != 2 {
		t.Fatalf("project page = %+v", page)
	}
	p := page.Values[0]
	if p.Key != "MOB" || p.Name != "Mobile" || p.Lead.name() != "Tomás Ferreira" ||
		p.Description != "The iOS and Android apps." || p.ProjectTypeKey != "software" {
		t.Errorf("first project = %+v", p)
	}
}

func TestGoldenSites(t *testing.T) {
	var sites []jiraapi.Site
	decodeGolden(t, "accessible-resources.json", &sites)
	if len(sites) != 3 || sites[0].ID != "9d3b2a71-5c4e-4f08-a6d1-3e7f0c2b8a94" ||
		sites[0].Host() != "northwind-eng.atlassian.net" || len(sites[0].Scopes) != 3 {
		t.Errorf("sites = %+v", sites)
	}
}
