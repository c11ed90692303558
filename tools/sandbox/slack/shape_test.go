package slack

import (
	"encoding/json"
	"net/url"
	"os"
	"sort"
	"strconv"
	"testing"
)

// goldenDir holds Slack answers in Slack's own shape, which the tools' tests decode too.
const goldenDir = "../../../testdata/slack/"

// leftOut are fields of Slack's answers the sandbox does not send: edit times, rich text
// blocks and unread state.
var leftOut = map[string]bool{
	"updated": true, "blocks": true, "last_read": true, "latest": true, "unread_count": true,
	"unread_count_display": true, "priority": true,
}

// missingKeys lists the keys of want absent from got, looking into nested objects and the
// first element of arrays.
func missingKeys(want, got any, path string) []string {
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		for k, wv := range w {
			gv, ok := g[k]
			switch {
			case leftOut[k]:
			case !ok:
				out = append(out, path+k)
			default:
				out = append(out, missingKeys(wv, gv, path+k+".")...)
			}
		}
	case []any:
		g, _ := got.([]any)
		if len(w) > 0 && len(g) > 0 {
			out = append(out, missingKeys(w[0], g[0], path+"0.")...)
		}
	}
	sort.Strings(out)
	return out
}

// TestAnswersHaveSlacksShape compares the sandbox's answers with the golden ones: every
// field Slack sends, the sandbox sends too.
func TestAnswersHaveSlacksShape(t *testing.T) {
	e := newEnv(t)
	q := e.consent(t, installParams(
		"channels:read,chat:write,users:read,users:read.email,files:write,channels:manage",
		"channels:history,channels:write,files:read"), "approve", nil)
	access := e.exchange(t, q.Get("code"), nil)
	bot := access["access_token"].(string)
	user := access["authed_user"].(map[string]any)["access_token"].(string)

	parent := e.call(t, bot, "chat.postMessage",
		form("channel", "C07GENERAL", "text", "a"))["ts"].(string)
	reply := e.call(t, bot, "chat.postMessage",
		form("channel", "C07GENERAL", "text", "b", "thread_ts", parent))
	content := "abc"
	ticket := e.call(t, bot, "files.getUploadURLExternal", url.Values{"filename": {"a.md"},
		"length": {strconv.Itoa(len(content))}})
	upload(t, ticket["upload_url"].(string), []byte(content), false)

	answers := map[string]map[string]any{
		"oauth.v2.access":    access,
		"conversations.list": e.call(t, bot, "conversations.list", form("limit", "1")),
		"conversations.history": e.call(t, user, "conversations.history",
			form("channel", "C07ENGINRG", "limit", "1")),
		"conversations.replies": e.call(t, user, "conversations.replies",
			form("channel", "C07GENERAL", "ts", parent)),
		"conversations.join": e.call(t, user, "conversations.join",
			form("channel", "C07GENERAL")),
		"conversations.create": e.call(t, bot, "conversations.create",
			form("name", "shape-check")),
		"chat.postMessage": reply,
		"users.list":       e.call(t, bot, "users.list", form("limit", "1")),
		"users.lookupByEmail": e.call(t, bot, "users.lookupByEmail",
			form("email", "bo@example.com")),
		"files.list":                 e.call(t, user, "files.list", nil),
		"files.getUploadURLExternal": ticket,
		"files.completeUploadExternal": e.call(t, bot, "files.completeUploadExternal",
			form("files", `[{"id":"`+ticket["file_id"].(string)+`"}]`, "channel_id", "C07GENERAL")),
	}
	for method, got := range answers {
		t.Run(method, func(t *testing.T) {
			data, err := os.ReadFile(goldenDir + method + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if got["ok"] != true {
				t.Fatalf("%s = %v", method, got)
			}
			if missing := missingKeys(want, got, ""); len(missing) > 0 {
				t.Errorf("%s lacks Slack's fields %v\ngot %v", method, missing, got)
			}
		})
	}
}

func TestRefusalsHaveSlacksShape(t *testing.T) {
	e := newEnv(t)
	bot, _ := e.tokens(t, "channels:read,chat:write", "")
	for file, got := range map[string]map[string]any{
		"error.missing_scope.json": e.call(t, bot, "conversations.join",
			form("channel", "C07GENERAL")),
		"error.not_in_channel.json": e.call(t, bot, "chat.postMessage",
			form("channel", "C07RANDOM0", "text", "x")),
	} {
		data, _ := os.ReadFile(goldenDir + file)
		var want map[string]any
		json.Unmarshal(data, &want)
		if missing := missingKeys(want, got, ""); len(missing) > 0 || got["ok"] != false {
			t.Errorf("refusal like %s lacks %v: %v", file, missing, got)
		}
	}
}
