package google

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name string
		q    string
		want query
	}{
		{"words", "Lunch ramen", query{{{value: "lunch"}}, {{value: "ramen"}}}},
		{"phrase", `"ramen place" x`, query{{{value: "ramen place"}}, {{value: "x"}}}},
		{"operators", `from:Priya subject:"Q3 plan"`,
			query{{{field: "from", value: "priya"}}, {{field: "subject", value: "q3 plan"}}}},
		{"negation", "-in:inbox", query{{{neg: true, field: "in", value: "inbox"}}}},
		{"or", "from:a OR from:b c",
			query{{{field: "from", value: "a"}, {field: "from", value: "b"}}, {{value: "c"}}}},
		{"unknown operator is a word", "foo:bar", query{{{value: "foo:bar"}}}},
		{"grouping dropped", "(is:unread)", query{{{field: "is", value: "unread"}}}},
		{"empty", "  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseQuery(tt.q)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(term{})); diff != "" {
				t.Errorf("parseQuery(%q) mismatch (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

func TestSearchSeedMailbox(t *testing.T) {
	const (
		q3      = "Q3 planning doc: comments by Friday?"
		invoice = "Your invoice for March is ready"
		reLunch = "Re: Lunch on Thursday?"
		lunch   = "Lunch on Thursday?"
		gopher  = "The Weekly Gopher: generics tips and a new release"
		release = "Release notes for v2.4"
		prize   = "You have won a prize!!!"
		oldNote = "Old meeting notes"
		atlas   = "Atlas kickoff agenda"
	)
	tests := []struct {
		q    string
		want []string
	}{
		{"", []string{q3, invoice, reLunch, lunch, gopher, release, atlas}},
		{"from:priya", []string{q3, atlas}},
		{"to:marco", []string{reLunch}},
		{"subject:lunch", []string{reLunch, lunch}},
		{"LUNCH", []string{reLunch, lunch}},
		{`"ramen place"`, []string{lunch}},
		{"generics", []string{gopher}},
		{"in:sent", []string{reLunch, release}},
		{"is:unread", []string{q3, gopher}},
		{"is:read in:inbox", []string{invoice, lunch, atlas}},
		{"is:starred", []string{lunch}},
		{"label:receipts", []string{invoice}},
		{"label:projects-atlas", []string{atlas}},
		{"label:Projects/Atlas", []string{atlas}},
		{"in:trash", []string{oldNote}},
		{"in:spam", []string{prize}},
		{"prize", nil},
		{"in:anywhere prize", []string{prize}},
		{"-in:inbox", []string{reLunch, release}},
		{"from:priya OR from:marco", []string{q3, lunch, atlas}},
		{"has:attachment", []string{invoice}},
		{"newer_than:2d", []string{q3, invoice, reLunch}},
		{"older_than:7d", []string{atlas}},
		{"after:2024/03/30", []string{q3, invoice, reLunch, lunch, gopher}},
		{"before:2024/03/29", []string{release, atlas}},
	}
	e := newEnv(t)
	token := e.tokenFor(t, readonlyScope)
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			var got []string
			for _, id := range listIDs(t, e, token, tt.q, 500) {
				var m messageJSON
				e.api(t, token, "GET", "/gmail/v1/users/me/messages/"+id+"?"+url.Values{
					"format": {"metadata"}, "metadataHeaders": {"Subject"}}.Encode(), nil, &m)
				got = append(got, m.Payload.Headers[0].Value)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("search %q mismatch (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}
