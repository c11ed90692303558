package atlassian

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scopegate/scopegate/registry"
)

func TestAccessibleResources(t *testing.T) {
	type resource struct {
		ID     string   `json:"id"`
		URL    string   `json:"url"`
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	tests := []struct {
		name   string
		opts   Options
		scopes []string
		want   []resource
	}{
		{"two sites", Options{}, []string{"read:jira-work", "offline_access"}, []resource{
			{acmeCloudID, "https://acme-demo.atlassian.net", "acme-demo", []string{"read:jira-work"}},
			{labsCloudID, "https://acme-labs.atlassian.net", "acme-labs", []string{"read:jira-work"}},
		}},
		{"one site", Options{OneSite: true}, []string{"read:jira-user"}, []resource{
			{acmeCloudID, "https://acme-demo.atlassian.net", "acme-demo", []string{"read:jira-user"}},
		}},
		{"no product scope", Options{}, []string{"offline_access"}, []resource{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts)
			var got []resource
			body := e.get(t, ResourcesPath, e.accessToken(t, tt.scopes...))
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("accessible resources mismatch (-want +got):\n%s", diff)
			}
		})
	}

	e := newEnv(t, Options{})
	status, body := e.do(t, http.MethodGet, ResourcesPath, "not-a-token", nil)
	if status != http.StatusUnauthorized || string(body) != `{"code":401,"message":"Unauthorized"}` {
		t.Errorf("accessible resources with a bad token = %d %s", status, body)
	}
}

// granular returns the granular set of an operation in the facts.
func granular(t *testing.T, op string) []string {
	t.Helper()
	f, ok := loadFacts().Operations[op]
	if !ok {
		t.Fatalf("no facts for %s", op)
	}
	return f.GranularSet
}

func TestScopeEnforcement(t *testing.T) {
	scopeRefused := `{"code":401,"message":"Unauthorized; scope does not match"}`
	myself := granular(t, "GET /rest/api/3/myself")
	search := granular(t, "GET /rest/api/3/search/jql")
	tests := []struct {
		name       string
		scopes     []string
		path       string
		wantStatus int
		wantBody   string // compared when not empty
	}{
		{"classic scope", []string{"read:jira-user"}, "/myself", 200, ""},
		{"whole granular set", myself, "/myself", 200, ""},
		{"granular set less one scope", myself[1:], "/myself", 401, scopeRefused},
		{"another classic scope", []string{"read:jira-work", "write:jira-work"}, "/myself", 401,
			scopeRefused},
		{"write does not read", []string{"write:jira-work"}, "/issue/DEMO-1", 401, scopeRefused},
		{"search with read:jira-work", []string{"read:jira-work"}, "/search/jql?jql=project%3DDEMO", 200, ""},
		{"search with its granular set", search, "/search/jql?jql=project%3DDEMO", 200, ""},
		{"search with another operation's set", myself, "/search/jql?jql=project%3DDEMO", 401, scopeRefused},
		{"removed search endpoint", []string{"read:jira-work"}, "/search?jql=project%3DDEMO", 410, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			status, body := e.do(t, http.MethodGet, JiraPath+acmeCloudID+"/rest/api/3"+tt.path,
				e.accessToken(t, tt.scopes...), nil)
			if status != tt.wantStatus || (tt.wantBody != "" && string(body) != tt.wantBody) {
				t.Errorf("GET %s with %v = %d %s, want %d %s", tt.path, tt.scopes, status, body,
					tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestGatewayRefusals(t *testing.T) {
	unauthorized := `{"code":401,"message":"Unauthorized"}`
	myself := func(cloudID string) string { return JiraPath + cloudID + "/rest/api/3/myself" }
	tests := []struct {
		name    string
		path    string
		noToken bool
		age     time.Duration // how long after issue the call is made
	}{
		{"unknown site", myself("00000000-0000-0000-0000-000000000000"), false, 0},
		{"site the account lacks", myself(labsCloudID), false, 0},
		{"no token", myself(acmeCloudID), true, 0},
		{"expired token", myself(acmeCloudID), false, accessLifetime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{OneSite: true})
			tok := e.accessToken(t, "read:jira-user")
			if status, _ := e.do(t, http.MethodGet, myself(acmeCloudID), tok, nil); status != 200 {
				t.Fatalf("GET myself with a fresh token = %d, want 200", status)
			}
			if tt.noToken {
				tok = ""
			}
			e.clock.Advance(tt.age)
			status, body := e.do(t, http.MethodGet, tt.path, tok, nil)
			if status != http.StatusUnauthorized || string(body) != unauthorized {
				t.Errorf("GET %s = %d %s, want 401 %s", tt.path, status, body, unauthorized)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.accessToken(t, "read:jira-user")
	e.srv.LimitRate(1, 30*time.Second)
	req, _ := http.NewRequest(http.MethodGet, e.base+JiraPath+acmeCloudID+"/rest/api/3/myself", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" ||
		resp.Header.Get("RateLimit-Reason") != "jira-burst-based" {
		t.Errorf("limited call = %d %v, want 429 with Retry-After 30", resp.StatusCode, resp.Header)
	}
	if status := e.api(t, "GET", "/myself", tok, nil, nil); status != 200 {
		t.Errorf("call after the limit = %d, want 200", status)
	}
}

func TestFactsAccept(t *testing.T) {
	f := loadFacts()
	set := granular(t, "GET /rest/api/3/issue/{issueIdOrKey}/transitions")
	tests := []struct {
		name    string
		op      string
		granted []string
		want    bool
	}{
		{"classic", "GET /rest/api/3/issue/{issueIdOrKey}/transitions", []string{"read:jira-work"}, true},
		{"granular set", "GET /rest/api/3/issue/{issueIdOrKey}/transitions", set, true},
		{"part of the set", "GET /rest/api/3/issue/{issueIdOrKey}/transitions", set[:2], false},
		{"myself needs read:jira-user", "GET /rest/api/3/myself", []string{"read:jira-work"}, false},
		{"project creation", "POST /rest/api/3/project", []string{"write:jira-work"}, false},
		{"unknown operation", "GET /rest/api/3/nothing", []string{"read:jira-work"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.accepts(tt.op, tt.granted); got != tt.want {
				t.Errorf("accepts(%q, %v) = %v, want %v", tt.op, tt.granted, got, tt.want)
			}
		})
	}
	if len(jiraOperations) != len(f.Operations) {
		t.Errorf("%d operations routed, want every one of the %d in the facts", len(jiraOperations),
			len(f.Operations))
	}
}

// TestEndpointsAtReachesTheSandbox checks that the API base of EndpointsAt, put in place of
// https://api.atlassian.com the way tools build URLs, reaches the sandbox when it is mounted
// under a prefix.
func TestEndpointsAtReachesTheSandbox(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.accessToken(t, "read:jira-user")
	mux := http.NewServeMux()
	mux.Handle("/sandbox/atlassian/", http.StripPrefix("/sandbox/atlassian", e.srv))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	ep := EndpointsAt(ts.URL + "/sandbox/atlassian/")
	call := &registry.Call{APIBaseURL: ep.APIBaseURL}
	for _, path := range []string{"/oauth/token/accessible-resources",
		"/ex/jira/" + acmeCloudID + "/rest/api/3/myself"} {
		req, _ := http.NewRequest(http.MethodGet, call.URL("https://api.atlassian.com", path), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", req.URL, resp.StatusCode)
		}
	}
	if ep.AuthURL != ts.URL+"/sandbox/atlassian/authorize" || ep.ResourcesURL != ep.APIBaseURL+ResourcesPath {
		t.Errorf("EndpointsAt = %+v", ep)
	}
}
