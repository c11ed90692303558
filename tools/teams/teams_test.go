package teams_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck"
	"github.com/scopegate/scopegate/scopecheck/scopechecktest"
	"github.com/scopegate/scopegate/tools/sandbox/microsoft"
	"github.com/scopegate/scopegate/tools/teams"
)

func newHarness(t *testing.T, opts microsoft.Options) (*scopechecktest.Harness, *microsoft.Server) {
	t.Helper()
	var srv *microsoft.Server
	h := scopechecktest.New(t, teams.Tools(), scopechecktest.MicrosoftSandboxWith(opts, &srv))
	return h, srv
}

func TestListTeamsChannelsAndPost(t *testing.T) {
	h, _ := newHarness(t, microsoft.Options{})
	h.Grant(t, registry.GraphTeamReadBasicAll, registry.GraphChannelReadBasicAll, registry.GraphChannelMessageSend)

	var joined teams.ListTeamsOutput
	h.MustSucceed(t, "teams_list_joined_teams", map[string]any{}).Decode(t, &joined)
	if len(joined.Teams) != 2 || joined.Teams[1].Name != "Engineering" {
		t.Fatalf("joined teams = %+v", joined.Teams)
	}

	var chans teams.ListChannelsOutput
	h.MustSucceed(t, "teams_list_channels", map[string]any{"team_id": joined.Teams[1].ID}).Decode(t, &chans)
	if len(chans.Channels) != 3 || chans.Channels[1].Name != "Releases" ||
		!strings.HasSuffix(chans.Channels[1].ID, "@thread.tacv2") {
		t.Fatalf("channels = %+v", chans.Channels)
	}

	var sent teams.SendOutput
	h.MustSucceed(t, "teams_send_channel_message", map[string]any{"team_id": joined.Teams[1].ID,
		"channel_id": chans.Channels[1].ID, "message": "2.4 ships <b>today</b>", "html": true,
		"subject": "Release"}).Decode(t, &sent)
	if sent.MessageID == "" || sent.ChannelID != chans.Channels[1].ID || sent.WebURL == "" {
		t.Errorf("sent = %+v", sent)
	}
}

func TestNarrowGrantAsksForTheLeastPrivilegedScope(t *testing.T) {
	h, _ := newHarness(t, microsoft.Options{})
	h.Grant(t, registry.GraphUserRead)
	tests := []struct {
		tool string
		args map[string]any
		want registry.Scope
	}{
		{"teams_list_joined_teams", map[string]any{}, registry.GraphTeamReadBasicAll},
		{"teams_list_channels", map[string]any{"team_id": "x"}, registry.GraphChannelReadBasicAll},
		{"teams_send_channel_message", map[string]any{"team_id": "x", "channel_id": "y", "message": "hi"},
			registry.GraphChannelMessageSend},
	}
	for _, tt := range tests {
		ar := h.Call(t, tt.tool, tt.args).AuthorizationRequired(t)
		if len(ar.MissingScopes) != 1 || ar.MissingScopes[0].Scope != string(tt.want) {
			t.Errorf("%s asks for %+v, want %s", tt.tool, ar.MissingScopes, tt.want)
		}
	}
}

func TestProviderErrors(t *testing.T) {
	h, srv := newHarness(t, microsoft.Options{})
	h.Grant(t, registry.GraphTeamReadBasicAll, registry.GraphChannelReadBasicAll, registry.GraphChannelMessageSend)
	var joined teams.ListTeamsOutput
	h.MustSucceed(t, "teams_list_joined_teams", map[string]any{}).Decode(t, &joined)

	unknownTeam := "00000000-0000-0000-0000-000000000000"
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"teams_list_channels", map[string]any{"team_id": unknownTeam}, `No team the user belongs to has id "` + unknownTeam},
		{"teams_send_channel_message", map[string]any{"team_id": joined.Teams[0].ID,
			"channel_id": "19:nope@thread.tacv2", "message": "hi"}, "nothing was posted"},
	}
	for _, tt := range tests {
		r := h.Call(t, tt.tool, tt.args)
		if !r.IsError || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%s(%v) = %q (isError %v), want %q", tt.tool, tt.args, r.Text, r.IsError, tt.want)
		}
	}

	srv.Throttle(microsoft.Throttling{Calls: 1, RetryAfter: 15 * time.Second})
	r := h.Call(t, "teams_send_channel_message", map[string]any{"team_id": joined.Teams[0].ID,
		"channel_id": "19:nope@thread.tacv2", "message": "hi"})
	if !r.IsError || !strings.Contains(r.Text, "429 (TooManyRequests)") || !strings.Contains(r.Text, "Wait 15 seconds") {
		t.Errorf("post under 429 = %q (isError %v)", r.Text, r.IsError)
	}
}

// TestPersonalAccountsHaveNoTeams shows a personal account, for which Graph grants no
// Teams permission: the refusal reaches the agent as an error, not as a request for a
// scope that could never help.
func TestPersonalAccountsHaveNoTeams(t *testing.T) {
	h, _ := newHarness(t, microsoft.Options{Personal: true})
	h.Grant(t, registry.GraphTeamReadBasicAll)
	r := h.Call(t, "teams_list_joined_teams", map[string]any{})
	if !r.IsError || !strings.Contains(r.Text, "personal Microsoft accounts") {
		t.Errorf("joined teams of a personal account = %q (isError %v)", r.Text, r.IsError)
	}
}

// TestProviderRefusalCorrectsTheGrant stores a grant that claims ChannelMessage.Send while
// the token lacks it: Teams' refusal names the permissions it requires, and the gate turns
// it into an authorization request and drops the claim.
func TestProviderRefusalCorrectsTheGrant(t *testing.T) {
	h, _ := newHarness(t, microsoft.Options{})
	h.Grant(t, registry.GraphTeamReadBasicAll)
	ctx := context.Background()
	acct, err := h.Store.Account(ctx, scopechecktest.Identifier, scopechecktest.MicrosoftConnection)
	if err != nil {
		t.Fatal(err)
	}
	acct.Granted = acct.Granted.Union(registry.ScopeSet{registry.GraphChannelMessageSend})
	if err := h.Store.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}

	ar := h.Call(t, "teams_send_channel_message", map[string]any{"team_id": "x", "channel_id": "y",
		"message": "hi"}).AuthorizationRequired(t)
	if ar.Reason != scopecheck.ReasonProviderRefused || ar.MissingScopes[0].Scope != string(registry.GraphChannelMessageSend) {
		t.Errorf("refusal = %s asking %+v", ar.Reason, ar.MissingScopes)
	}
	acct, _ = h.Store.Account(ctx, scopechecktest.Identifier, scopechecktest.MicrosoftConnection)
	if acct.Granted.Has(registry.GraphChannelMessageSend) {
		t.Errorf("the stored grant %v still claims ChannelMessage.Send", acct.Granted)
	}
}
