package jiraapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
)

var (
	eng     = Site{ID: "9d3b", Name: "northwind-eng", URL: "https://northwind-eng.atlassian.net"}
	support = Site{ID: "2f6a", Name: "northwind-support", URL: "https://northwind-support.atlassian.net"}
)

func TestChooseSite(t *testing.T) {
	tests := []struct {
		name              string
		sites             []Site
		configured, asked string
		want              string   // the chosen site's id, or "" for an error
		wantText          []string // parts of the error message
	}{
		{"one site", []Site{eng}, "", "", "9d3b", nil},
		{"several, none chosen", []Site{eng, support}, "", "", "", []string{"reaches 2 Jira sites",
			"northwind-eng (https://northwind-eng.atlassian.net)",
			"northwind-support (https://northwind-support.atlassian.net)", "with site set"}},
		{"asked by host", []Site{eng, support}, "", "northwind-support.atlassian.net", "2f6a", nil},
		{"asked by URL with slash", []Site{eng, support}, "", "https://Northwind-Eng.atlassian.net/",
			"9d3b", nil},
		{"asked by name", []Site{eng, support}, "", "northwind-support", "2f6a", nil},
		{"asked for an unknown site", []Site{eng, support}, "", "acme", "", []string{`No Jira site "acme"`,
			"northwind-eng (https://northwind-eng.atlassian.net)"}},
		{"asked for another site than the only one", []Site{eng}, "", "acme", "", []string{`"acme"`}},
		{"configured", []Site{eng, support}, "northwind-support.atlassian.net", "", "2f6a", nil},
		{"configured and asked alike", []Site{eng, support}, "northwind-support.atlassian.net",
			"northwind-support", "2f6a", nil},
		{"configured, asked otherwise", []Site{eng, support}, "northwind-support.atlassian.net",
			"northwind-eng", "", []string{"fixed to the site northwind-support.atlassian.net"}},
		{"configured site unreachable", []Site{eng}, "acme.atlassian.net", "", "",
			[]string{`configured for the site "acme.atlassian.net"`, "northwind-eng"}},
		{"no site", nil, "", "", "", []string{"reaches no Jira site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseSite(tt.sites, tt.configured, tt.asked)
			if tt.want != "" {
				if err != nil || got.ID != tt.want {
					t.Errorf("ChooseSite = %v, %v, want site %s", got, err, tt.want)
				}
				return
			}
			var te *registry.ToolError
			if !errors.As(err, &te) {
				t.Fatalf("ChooseSite = %v, %v, want a ToolError", got, err)
			}
			for _, part := range tt.wantText {
				if !strings.Contains(te.Message, part) {
					t.Errorf("message %q lacks %q", te.Message, part)
				}
			}
		})
	}
}

// gateway serves the golden accessible resources and records the paths asked for.
func gateway(t *testing.T, paths *[]string) *registry.Call {
	t.Helper()
	resources, err := os.ReadFile("../../testdata/jira/accessible-resources.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*paths = append(*paths, r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/oauth/token/accessible-resources":
			w.Write(resources)
		case strings.HasSuffix(r.URL.Path, "/issue/NW-404"):
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"errorMessages":["Issue does not exist or you do not have ` +
				`permission to see it."],"errors":{}}`))
		default:
			w.Write([]byte(`{"key":"NW-1"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return &registry.Call{HTTP: srv.Client(), APIBaseURL: srv.URL}
}

func TestOpenAndDo(t *testing.T) {
	var paths []string
	call := gateway(t, &paths)
	ctx := context.Background()

	sites, err := Sites(ctx, call)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 2 || sites[0].Name != "northwind-eng" || sites[1].Name != "northwind-support" {
		t.Errorf("Sites = %+v, want the two Jira sites without the Confluence one", sites)
	}

	if _, err := Open(ctx, call, ""); err == nil || !strings.Contains(err.Error(), "reaches 2 Jira sites") {
		t.Errorf("Open without a site = %v, want the list of sites", err)
	}
	c, err := Open(ctx, call, "northwind-support")
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Key string }
	req := Request{Method: "GET", Path: "/issue/NW-1", Subject: "issue NW-1"}
	if err := c.Do(ctx, req, &got); err != nil {
		t.Fatal(err)
	}
	wantPath := "/ex/jira/2f6a8c0e-1b3d-4e5f-9a7c-6d8e0f2a4b6c/rest/api/3/issue/NW-1"
	if got.Key != "NW-1" || paths[len(paths)-1] != wantPath {
		t.Errorf("Do reached %s and read %+v, want %s", paths[len(paths)-1], got, wantPath)
	}
	err = c.Do(ctx, Request{Method: "GET", Path: "/issue/NW-404", Subject: "issue NW-404"}, nil)
	if err == nil || !strings.Contains(err.Error(), "Jira found no issue NW-404") {
		t.Errorf("Do on a missing issue = %v, want a message naming it", err)
	}
	if got := c.BrowseURL("NW-1"); got != "https://northwind-support.atlassian.net/browse/NW-1" {
		t.Errorf("BrowseURL = %s", got)
	}
}
