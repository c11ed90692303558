package atlassian

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// fieldKind says how a JQL field is compared.
type fieldKind int

const (
	kindProject fieldKind = iota
	kindKey
	kindStatus
	kindCategory
	kindUser
	kindPriority
	kindType
	kindLabels
	kindText
	kindDate
)

// jqlFields maps the field names and aliases the sandbox knows to their kind and their
// canonical name.
var jqlFields = map[string]struct {
	kind fieldKind
	name string
}{
	"project": {kindProject, "project"}, "key": {kindKey, "key"}, "issuekey": {kindKey, "key"},
	"id": {kindKey, "key"}, "status": {kindStatus, "status"},
	"statuscategory": {kindCategory, "statusCategory"}, "category": {kindCategory, "statusCategory"},
	"assignee": {kindUser, "assignee"}, "reporter": {kindUser, "reporter"},
	"priority": {kindPriority, "priority"}, "issuetype": {kindType, "issuetype"},
	"type": {kindType, "issuetype"}, "labels": {kindLabels, "labels"},
	"summary": {kindText, "summary"}, "description": {kindText, "description"},
	"comment": {kindText, "comment"}, "text": {kindText, "text"},
	"created": {kindDate, "created"}, "createddate": {kindDate, "created"},
	"updated": {kindDate, "updated"}, "updateddate": {kindDate, "updated"},
}

// jqlEnv is what a query is checked and run against.
type jqlEnv struct {
	st  *site
	me  *user
	now time.Time
}

// check validates every clause of n: known fields, operators the field supports and values
// that exist, with Jira's messages. It rewrites each value to the form match compares.
func (env *jqlEnv) check(n *jqlNode) error {
	if n.op != "clause" {
		for _, c := range n.children {
			if err := env.check(c); err != nil {
				return err
			}
		}
		return nil
	}
	f, ok := jqlFields[n.field]
	if !ok {
		return jqlError(fmt.Sprintf("Field '%s' does not exist or you do not have permission to view it.",
			n.field))
	}
	n.field = f.name
	if !supports(f.kind, n.operator) {
		return jqlError(fmt.Sprintf("The operator '%s' is not supported by the '%s' field.",
			strings.ToUpper(n.operator), f.name))
	}
	for i := range n.values {
		v := &n.values[i]
		if v.empty {
			if !strings.HasPrefix(n.operator, "is") {
				return jqlError(fmt.Sprintf("The operator '%s' is not supported by the '%s' field "+
					"with the value EMPTY.", strings.ToUpper(n.operator), f.name))
			}
			continue
		}
		if strings.HasPrefix(n.operator, "is") {
			return jqlError(fmt.Sprintf("The operator '%s' only supports EMPTY or NULL.",
				strings.ToUpper(n.operator)))
		}
		text, err := env.resolve(f.kind, f.name, *v)
		if err != nil {
			return err
		}
		v.text, v.fn = text, ""
	}
	return nil
}

// supports reports whether a field of kind takes operator.
func supports(kind fieldKind, operator string) bool {
	eq := []string{"=", "!=", "in", "not in"}
	switch kind {
	case kindText:
		return operator == "~" || operator == "!~" || operator == "is" || operator == "is not"
	case kindDate:
		return slices.Contains([]string{"=", "!=", ">", ">=", "<", "<="}, operator)
	case kindUser, kindLabels:
		return slices.Contains(eq, operator) || operator == "is" || operator == "is not"
	}
	return slices.Contains(eq, operator)
}

// resolve turns an operand into what match compares: an id, a lower-case name, or for
// dates a Unix time in milliseconds.
func (env *jqlEnv) resolve(kind fieldKind, field string, v jqlValue) (string, error) {
	if v.fn != "" {
		return env.function(kind, field, v)
	}
	missing := jqlError(fmt.Sprintf("The value '%s' does not exist for the field '%s'.", v.text, field))
	switch kind {
	case kindProject:
		for _, p := range env.st.projects {
			if strings.EqualFold(p.key, v.text) || p.id == v.text || strings.EqualFold(p.name, v.text) {
				return p.id, nil
			}
		}
		return "", missing
	case kindKey:
		if is := env.st.issue(v.text); is != nil {
			return is.id, nil
		}
		return "", jqlError(fmt.Sprintf("An issue with key '%s' does not exist for field 'key'.", v.text))
	case kindStatus:
		for _, p := range env.st.projects {
			for _, s := range p.workflow.statuses {
				if strings.EqualFold(s.name, v.text) || s.id == v.text {
					return strings.ToLower(s.name), nil
				}
			}
		}
		return "", missing
	case kindCategory:
		for _, c := range []statusCategory{categoryToDo, categoryInProgress, categoryDone} {
			if strings.EqualFold(c.name, v.text) || strings.EqualFold(c.key, v.text) {
				return c.key, nil
			}
		}
		return "", missing
	case kindUser:
		if u := env.st.userByRef(v.text); u != nil {
			return u.accountID, nil
		}
		return "", missing
	case kindPriority:
		for _, p := range priorities {
			if strings.EqualFold(p.name, v.text) || p.id == v.text {
				return p.id, nil
			}
		}
		return "", missing
	case kindType:
		for _, p := range env.st.projects {
			for _, it := range p.issueTypes {
				if strings.EqualFold(it.name, v.text) || it.id == v.text {
					return strings.ToLower(it.name), nil
				}
			}
		}
		return "", missing
	case kindDate:
		t, ok := parseJQLDate(v.text, env.now)
		if !ok {
			return "", jqlError(fmt.Sprintf("Date value '%s' for field '%s' is invalid. Valid formats "+
				"include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a "+
				"period format e.g. '-5d', '4w 2d'.", v.text, field))
		}
		return strconv.FormatInt(t.UnixMilli(), 10), nil
	}
	return strings.ToLower(v.text), nil
}

// function evaluates currentUser(), now(), startOfDay() and endOfDay().
func (env *jqlEnv) function(kind fieldKind, field string, v jqlValue) (string, error) {
	day := time.Date(env.now.Year(), env.now.Month(), env.now.Day(), 0, 0, 0, 0, env.now.Location())
	var t time.Time
	switch {
	case v.fn == "currentuser" && kind == kindUser:
		return env.me.accountID, nil
	case v.fn == "now" && kind == kindDate:
		t = env.now
	case v.fn == "startofday" && kind == kindDate:
		t = day
	case v.fn == "endofday" && kind == kindDate:
		t = day.Add(24*time.Hour - time.Millisecond)
	case slices.Contains([]string{"currentuser", "now", "startofday", "endofday"}, v.fn):
		return "", jqlError(fmt.Sprintf("The field '%s' does not support searching by the function '%s'.",
			field, v.text))
	default:
		return "", jqlError(fmt.Sprintf("Unable to find JQL function '%s()'.", v.text))
	}
	return strconv.FormatInt(t.UnixMilli(), 10), nil
}

var periodRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([-+]?)(\d+)([wdhm])$`)
})

// parseJQLDate reads an absolute date ("2024-01-31", "2024/01/31 14:00") or a period
// relative to now ("-7d", "2w").
func parseJQLDate(s string, now time.Time) (time.Time, bool) {
	if m := periodRE().FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		n, _ := strconv.Atoi(m[2])
		unit := map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour,
			"h": time.Hour, "m": time.Minute}[m[3]]
		d := time.Duration(n) * unit
		if m[1] == "-" {
			d = -d
		}
		return now.Add(d), true
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, s, now.Location()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// match reports whether is satisfies the checked condition n.
func (env *jqlEnv) match(n *jqlNode, is *issue) bool {
	switch n.op {
	case "and":
		for _, c := range n.children {
			if !env.match(c, is) {
				return false
			}
		}
		return true
	case "or":
		for _, c := range n.children {
			if env.match(c, is) {
				return true
			}
		}
		return false
	case "not":
		return !env.match(n.children[0], is)
	}

	if n.operator == "is" || n.operator == "is not" {
		return (len(env.values(n.field, is)) == 0) == (n.operator == "is")
	}
	if jqlFields[strings.ToLower(n.field)].kind == kindText {
		hit := textMatch(env.values(n.field, is), n.values[0].text)
		return hit == (n.operator == "~")
	}
	if jqlFields[strings.ToLower(n.field)].kind == kindDate {
		have, _ := strconv.ParseInt(env.values(n.field, is)[0], 10, 64)
		want, _ := strconv.ParseInt(n.values[0].text, 10, 64)
		c := cmp.Compare(have, want)
		return map[string]bool{"=": c == 0, "!=": c != 0, ">": c > 0, ">=": c >= 0,
			"<": c < 0, "<=": c <= 0}[n.operator]
	}
	have := env.values(n.field, is)
	hit := false
	for _, v := range n.values {
		hit = hit || slices.Contains(have, v.text)
	}
	return hit == (n.operator == "=" || n.operator == "in")
}

// values returns what an issue holds for a canonical field, in the form resolve produces.
func (env *jqlEnv) values(field string, is *issue) []string {
	one := func(s string) []string { return []string{s} }
	user := func(u *user) []string {
		if u == nil {
			return nil
		}
		return one(u.accountID)
	}
	st := is.project.workflow.status(is.status)
	switch field {
	case "project":
		return one(is.project.id)
	case "key":
		return one(is.id)
	case "status":
		return one(strings.ToLower(st.name))
	case "statusCategory":
		return one(st.category.key)
	case "assignee":
		return user(is.assignee)
	case "reporter":
		return user(is.reporter)
	case "priority":
		return one(is.priority)
	case "issuetype":
		return one(strings.ToLower(is.issueType.name))
	case "labels":
		return is.labels
	case "created":
		return one(strconv.FormatInt(is.created.UnixMilli(), 10))
	case "updated":
		return one(strconv.FormatInt(is.updated.UnixMilli(), 10))
	}
	var texts []string
	if field == "summary" || field == "text" {
		texts = append(texts, is.summary)
	}
	if (field == "description" || field == "text") && is.description != nil {
		texts = append(texts, adfText(is.description))
	}
	if field == "comment" || field == "text" {
		for _, c := range is.comments {
			texts = append(texts, adfText(c.body))
		}
	}
	return slices.DeleteFunc(texts, func(s string) bool { return s == "" })
}

// textMatch is the sandbox's "~": every word of the query appears in the text, ignoring
// case; a trailing * in the query is a prefix wildcard, which substring matching covers.
func textMatch(texts []string, query string) bool {
	hay := strings.ToLower(strings.Join(texts, "\n"))
	words := strings.FieldsFunc(strings.ToLower(query), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// sortIssues orders issues by the query's ORDER BY, or newest first without one.
func (env *jqlEnv) sortIssues(issues []*issue, keys []sortKey) error {
	for _, k := range keys {
		if !slices.Contains([]string{"key", "issuekey", "created", "updated", "priority", "status",
			"summary", "assignee", "project"}, k.field) {
			return jqlError(fmt.Sprintf("Field '%s' does not exist or you do not have permission to "+
				"view it.", k.field))
		}
	}
	if len(keys) == 0 {
		keys = []sortKey{{field: "key", desc: true}}
	}
	slices.SortStableFunc(issues, func(a, b *issue) int {
		for _, k := range keys {
			c := compareBy(k.field, a, b)
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return nil
}

func compareBy(field string, a, b *issue) int {
	name := func(u *user) string {
		if u == nil {
			return "\uffff"
		}
		return u.displayName
	}
	num := func(is *issue) int { n, _ := strconv.Atoi(is.id); return n }
	switch field {
	case "created":
		return a.created.Compare(b.created)
	case "updated":
		return a.updated.Compare(b.updated)
	case "priority": // Jira ranks Highest above Lowest: ascending is lowest first
		return cmp.Compare(b.priority, a.priority)
	case "status":
		return cmp.Compare(a.project.workflow.status(a.status).name, b.project.workflow.status(b.status).name)
	case "summary":
		return cmp.Compare(strings.ToLower(a.summary), strings.ToLower(b.summary))
	case "assignee":
		return cmp.Compare(name(a.assignee), name(b.assignee))
	case "project":
		return cmp.Compare(a.project.key, b.project.key)
	}
	return cmp.Or(cmp.Compare(a.project.key, b.project.key), cmp.Compare(num(a), num(b)))
}
