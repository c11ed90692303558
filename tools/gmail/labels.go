package gmail

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/googleapi"
)

// ListLabelsInput is the input of gmail_list_labels, which takes no arguments.
type ListLabelsInput struct{}

// Label is one Gmail label.
type Label struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is "system" for Gmail's own labels and "user" for the user's.
	Type string `json:"type"`
}

// ListLabelsOutput is the structured result of gmail_list_labels: system labels in Gmail's
// order, then the user's labels by name.
type ListLabelsOutput struct {
	Labels []Label `json:"labels"`
}

// labelsResponse is users.labels.list's response body.
type labelsResponse struct {
	Labels []Label `json:"labels"`
}

// maxListedLabels bounds how many of the user's labels the text names.
const maxListedLabels = 200

func listLabels() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "gmail_list_labels",
		Title: "List Gmail labels",
		Description: "List the user's Gmail labels, system (INBOX, STARRED, ...) and own, with " +
			"ids for gmail_modify_labels and label: searches.",
		Provider: "google",
		// gmail.labels reads labels without any access to messages, and is the one Gmail
		// scope Google does not classify as sensitive or restricted.
		Requirement: registry.AnyOf(registry.GmailLabels, registry.GmailMetadata,
			registry.GmailReadonly, registry.GmailModify, registry.GmailFull),
		Operations:  []string{"gmail.users.labels.list"},
		Annotations: registry.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true},
	}, runListLabels)
}

func runListLabels(ctx context.Context, call *registry.Call,
	_ ListLabelsInput) (registry.Result, error) {
	labels, err := fetchLabels(ctx, call)
	if err != nil {
		return registry.Result{}, err
	}
	out := ListLabelsOutput{Labels: labels}

	var system, own []Label
	for _, l := range labels {
		if l.Type == "user" {
			own = append(own, l)
		} else {
			system = append(system, l)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The mailbox has %d system labels and %d labels of the user's own.",
		len(system), len(own))
	if len(own) > 0 {
		b.WriteString("\nThe user's labels (name, id):")
		for _, l := range own[:min(len(own), maxListedLabels)] {
			fmt.Fprintf(&b, "\n- %s (%s)", l.Name, l.ID)
		}
		if len(own) > maxListedLabels {
			fmt.Fprintf(&b, "\n[%d more are in the structured result.]", len(own)-maxListedLabels)
		}
	}
	ids := make([]string, len(system))
	for i, l := range system {
		ids[i] = l.ID
	}
	fmt.Fprintf(&b, "\nSystem labels: %s.", strings.Join(ids, ", "))
	return registry.Result{Text: b.String(), Structured: out}, nil
}

// fetchLabels lists the mailbox's labels, system labels first in Gmail's order, then the
// user's by name.
func fetchLabels(ctx context.Context, call *registry.Call) ([]Label, error) {
	var resp labelsResponse
	url := call.URL(apiBase, "/gmail/v1/users/me/labels")
	if err := googleapi.Do(ctx, call, "GET", url, nil, &resp); err != nil {
		return nil, err
	}
	return sortLabels(resp.Labels), nil
}

// sortLabels orders labels as gmail_list_labels shows them: system labels
// first in Gmail's order, then the user's by name. It never returns nil.
func sortLabels(labels []Label) []Label {
	slices.SortStableFunc(labels, func(a, b Label) int {
		if (a.Type == "user") != (b.Type == "user") {
			if a.Type == "user" {
				return 1
			}
			return -1
		}
		if a.Type == "user" {
			return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		}
		return 0
	})
	if labels == nil {
		labels = []Label{}
	}
	return labels
}

// ModifyLabelsInput is the input of gmail_modify_labels.
type ModifyLabelsInput struct {
	MessageID    string   `json:"message_id" jsonschema:"description=Message id\\, from gmail_search_messages.,minLength=1"`
	Actions      []string `json:"actions,omitempty" jsonschema:"description=Changes by name; archive takes it out of the inbox.,enum=mark_read,enum=mark_unread,enum=archive,enum=move_to_inbox,enum=star,enum=unstar"`
	AddLabels    []string `json:"add_labels,omitempty" jsonschema:"description=Label ids ('Label_12'\\, 'IMPORTANT') or names of the user's labels ('Receipts')."`
	RemoveLabels []string `json:"remove_labels,omitempty" jsonschema:"description=Label ids or names."`
}

// ModifyLabelsOutput is the structured result of gmail_modify_labels.
type ModifyLabelsOutput struct {
	ID       string   `json:"id"`
	ThreadID string   `json:"thread_id"`
	Labels   []string `json:"labels"`
	Added    []string `json:"added,omitempty"`
	Removed  []string `json:"removed,omitempty"`
}

// labelActions are the named actions of gmail_modify_labels, as the label each adds or
// removes.
var labelActions = map[string]struct{ add, remove string }{
	"mark_read":     {remove: "UNREAD"},
	"mark_unread":   {add: "UNREAD"},
	"archive":       {remove: "INBOX"},
	"move_to_inbox": {add: "INBOX"},
	"star":          {add: "STARRED"},
	"unstar":        {remove: "STARRED"},
}

// systemLabels are the ids of the labels every mailbox has; Gmail also uses them as names.
var systemLabels = []string{"INBOX", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT",
	"SENT", "DRAFT", "CHAT", "CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS",
	"CATEGORY_UPDATES", "CATEGORY_FORUMS"}

// userLabelID matches the ids Gmail gives the user's labels.
var userLabelID = regexp.MustCompile(`^Label_[0-9]+$`)

func modifyLabels() registry.Tool {
	return registry.NewTool(registry.Spec{
		Name:  "gmail_modify_labels",
		Title: "Change a message's labels",
		Description: "Mark a Gmail message read or unread, archive or unarchive, star or unstar " +
			"it, or add and remove labels.",
		Provider: "google",
		// Only gmail.modify and full access may change labels on messages; gmail.labels
		// manages the labels themselves, not which messages carry them.
		Requirement: registry.AnyOf(registry.GmailModify, registry.GmailFull),
		Operations:  []string{"gmail.users.messages.modify", "gmail.users.labels.list"},
		// Nothing is deleted and the opposite call restores the message's labels, so the
		// tool is not marked destructive.
		Annotations: registry.Annotations{Idempotent: true, OpenWorld: true},
	}, runModifyLabels)
}

// Check refuses an empty message id, unknown actions and a call that changes nothing.
func (in *ModifyLabelsInput) Check() error {
	if err := checkID(in.MessageID); err != nil {
		return err
	}
	for _, a := range in.Actions {
		if _, ok := labelActions[a]; !ok {
			return registry.Errorf("actions: %q is not one of mark_read, mark_unread, archive, "+
				"move_to_inbox, star, unstar", a)
		}
	}
	if len(in.Actions)+len(in.AddLabels)+len(in.RemoveLabels) == 0 {
		return registry.Errorf("nothing to change: give actions, add_labels or remove_labels")
	}
	for _, l := range slices.Concat(in.AddLabels, in.RemoveLabels) {
		if strings.TrimSpace(l) == "" {
			return registry.Errorf("label ids and names must not be empty")
		}
	}
	return nil
}

func runModifyLabels(ctx context.Context, call *registry.Call,
	in ModifyLabelsInput) (registry.Result, error) {
	id := strings.TrimSpace(in.MessageID)
	add, remove := slices.Clone(in.AddLabels), slices.Clone(in.RemoveLabels)
	for _, a := range in.Actions {
		if act := labelActions[a]; act.add != "" {
			add = append(add, act.add)
		} else {
			remove = append(remove, act.remove)
		}
	}
	r := labelResolver{ctx: ctx, call: call}
	var err error
	if add, err = r.resolve(add); err != nil {
		return registry.Result{}, err
	}
	if remove, err = r.resolve(remove); err != nil {
		return registry.Result{}, err
	}
	for _, l := range add {
		if slices.Contains(remove, l) {
			return registry.Result{}, registry.Errorf(
				"label %s would be both added and removed; nothing was changed", l)
		}
	}

	req := map[string][]string{"addLabelIds": add, "removeLabelIds": remove}
	var msg message
	if err := googleapi.Do(ctx, call, "POST", messagesURL(call, id, "modify"), req, &msg); err != nil {
		switch {
		case googleapi.IsToolError(err, 404):
			return registry.Result{}, registry.Errorf(
				"No Gmail message has id %q; nothing was changed. Search again to get a current id.", id)
		case googleapi.IsToolError(err, 400):
			return registry.Result{}, registry.Errorf(
				"%v Nothing was changed; gmail_list_labels shows the label ids.", err)
		}
		return registry.Result{}, err
	}

	out := ModifyLabelsOutput{ID: msg.ID, ThreadID: msg.ThreadID, Labels: msg.LabelIDs,
		Added: add, Removed: remove}
	if out.Labels == nil {
		out.Labels = []string{}
	}
	var changes []string
	if len(add) > 0 {
		changes = append(changes, "added "+strings.Join(add, ", "))
	}
	if len(remove) > 0 {
		changes = append(changes, "removed "+strings.Join(remove, ", "))
	}
	text := fmt.Sprintf("Updated message %s: %s. Its labels are now: %s.", msg.ID,
		strings.Join(changes, "; "), orNone(strings.Join(out.Labels, ", ")))
	return registry.Result{Text: text, Structured: out}, nil
}

// labelResolver turns label names into ids, listing the mailbox's labels at most once.
type labelResolver struct {
	ctx    context.Context
	call   *registry.Call
	labels []Label
}

// resolve returns the ids of the given labels, de-duplicated. Ids pass unchanged; any other
// value is looked up as a label name, case-insensitively.
func (r *labelResolver) resolve(list []string) ([]string, error) {
	var out []string
	for _, v := range list {
		v = strings.TrimSpace(v)
		id, err := r.one(v)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

func (r *labelResolver) one(v string) (string, error) {
	for _, s := range systemLabels {
		if strings.EqualFold(s, v) {
			return s, nil
		}
	}
	if userLabelID.MatchString(v) {
		return v, nil
	}
	if r.labels == nil {
		labels, err := fetchLabels(r.ctx, r.call)
		if err != nil {
			return "", err
		}
		r.labels = labels
	}
	for _, l := range r.labels {
		if strings.EqualFold(l.Name, v) {
			return l.ID, nil
		}
	}
	return "", registry.Errorf("No Gmail label is named %q; nothing was changed. "+
		"gmail_list_labels shows the labels that exist.", v)
}
