package scopecheck_test

import (
	"strings"
	"testing"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/gmail"
)

func TestStatusAndRequestTools(t *testing.T) {
	h := scopechecktest.New(t, gmail.Tools())

	var st scopecheck.StatusOutput
	h.MustSucceed(t, scopecheck.StatusToolName, map[string]any{}).Decode(t, &st)
	if len(st.Connections) != 1 || st.Connections[0].Status != "not_connected" || len(st.Connections[0].UsableTools) != 0 {
		t.Fatalf("status before any grant = %+v", st)
	}

	// Ask ahead for what sending and searching need: only the narrowest scopes.
	ar := h.Call(t, scopecheck.RequestToolName, map[string]any{
		"tools": []string{"gmail_send_email", "gmail_search_messages"}}).AuthorizationRequired(t)
	var got []string
	for _, m := range ar.MissingScopes {
		got = append(got, m.Scope)
	}
	want := registry.NewScopeSet(registry.GmailSend, registry.GmailReadonly).Strings()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("requested %v, want %v", got, want)
	}
	// The user grants only reading.
	scopechecktest.Approve(t, ar.AuthorizationURL, func(s string) bool { return s != string(registry.GmailSend) })

	h.MustSucceed(t, scopecheck.StatusToolName, map[string]any{}).Decode(t, &st)
	c := st.Connections[0]
	if c.Status != "active" || !contains(c.UsableTools, "gmail_search_messages") ||
		!contains(c.NeedsConsent, "gmail_send_email") || !contains(c.Declined, string(registry.GmailSend)) {
		t.Errorf("status after a partial grant = %+v", c)
	}

	r := h.Call(t, scopecheck.RequestToolName, map[string]any{"tools": []string{"gmail_search_messages"}})
	if r.IsError || !strings.Contains(r.Text, "Nothing is missing") {
		t.Errorf("asking for what is granted = %q", r.Text)
	}
	r = h.Call(t, scopecheck.RequestToolName, map[string]any{"tools": []string{"no_such_tool"}})
	if !r.IsError || !strings.Contains(r.Text, `no tool is named "no_such_tool"`) {
		t.Errorf("unknown tool = %q", r.Text)
	}
	ar = h.Call(t, scopecheck.RequestToolName, map[string]any{
		"connection": "gmail", "scopes": []string{"https://www.googleapis.com/auth/gmail.labels"}}).AuthorizationRequired(t)
	if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(registry.GmailLabels) {
		t.Errorf("scope request = %+v", ar.MissingScopes)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
