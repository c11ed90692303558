package scopecheck

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/scopecheck/store"
)

func TestAuditRecordsEveryDecision(t *testing.T) {
	f := newGateFixture(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	var buf bytes.Buffer
	f.gate.opts.Audit = slog.New(slog.NewJSONHandler(&buf, nil))

	ctx := WithIdentifier(context.Background(), "u")
	f.call(t, ctx, `{"word":"x"}`)
	f.put(t, &store.Account{Identifier: "u", Connection: "gmail", Status: store.StatusActive,
		Granted: registry.NewScopeSet(registry.GmailSend),
		Token:   store.Token{AccessToken: "secret-access-token", Expiry: testNow.Add(time.Hour)}})
	f.call(t, ctx, `{"word":"x"}`)
	f.call(t, context.Background(), `{"word":"x"}`)

	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("audit line is not JSON: %q", line)
		}
		recs = append(recs, rec)
	}
	want := []struct{ decision, reason string }{
		{"authorization_required", "not_connected"}, {"allowed", "granted"}, {"refused", "no_identifier"},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d audit records, want %d:\n%s", len(recs), len(want), buf.String())
	}
	for i, w := range want {
		r := recs[i]
		if r["msg"] != AuditDecision || r["decision"] != w.decision || r["reason"] != w.reason || r["tool"] != "test_echo" {
			t.Errorf("record %d = %v, want %s/%s", i, r, w.decision, w.reason)
		}
		for _, key := range []string{"identifier", "connection", "required", "granted", "missing"} {
			if _, ok := r[key]; !ok {
				t.Errorf("record %d lacks %q", i, key)
			}
		}
	}
	if strings.Contains(buf.String(), "secret-access-token") {
		t.Error("an audit record holds a token")
	}
}
