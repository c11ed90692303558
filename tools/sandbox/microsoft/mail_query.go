package microsoft

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// messagePredicate is a compiled $filter or $search.
type messagePredicate func(*message) bool

// filterClause matches the $filter clauses the sandbox understands, joined by "and":
// comparisons of receivedDateTime, isRead, hasAttachments, importance, subject and
// from/emailAddress/address, and contains or startswith on subject.
var filterClause = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(?:` +
		`(receivedDateTime|sentDateTime)\s+(eq|ne|gt|ge|lt|le)\s+(\S+)` +
		`|(isRead|hasAttachments)\s+(eq|ne)\s+(true|false)` +
		`|(importance|subject|from/emailAddress/address)\s+(eq|ne)\s+'((?:[^']|'')*)'` +
		`|(contains|startswith)\(subject,\s*'((?:[^']|'')*)'\)` +
		`)$`)
})

var andSplit = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\s+and\s+`)
})

// parseMessageFilter compiles a $filter, or returns Graph's 400 message.
func parseMessageFilter(expr string) (messagePredicate, string) {
	var preds []messagePredicate
	for _, clause := range andSplit().Split(strings.TrimSpace(expr), -1) {
		m := filterClause().FindStringSubmatch(strings.TrimSpace(clause))
		if m == nil {
			return nil, fmt.Sprintf("Invalid filter clause: '%s' is not supported.", clause)
		}
		switch {
		case m[1] != "":
			at, err := time.Parse(time.RFC3339, m[3])
			if err != nil {
				return nil, fmt.Sprintf("Invalid filter clause: the DateTimeOffset literal '%s' is "+
					"not valid.", m[3])
			}
			field, op := strings.ToLower(m[1]), strings.ToLower(m[2])
			preds = append(preds, func(msg *message) bool {
				t := msg.received
				if field == "sentdatetime" {
					t = msg.sent
				}
				return compareTimes(t, op, at)
			})
		case m[4] != "":
			want, _ := strconv.ParseBool(strings.ToLower(m[6]))
			field, negate := strings.ToLower(m[4]), strings.EqualFold(m[5], "ne")
			preds = append(preds, func(msg *message) bool {
				v := msg.isRead
				if field == "hasattachments" {
					v = len(msg.attachments) > 0
				}
				return (v == want) != negate
			})
		case m[7] != "":
			field, negate := strings.ToLower(m[7]), strings.EqualFold(m[8], "ne")
			want := strings.ReplaceAll(m[9], "''", "'")
			preds = append(preds, func(msg *message) bool {
				v := msg.subject
				switch field {
				case "importance":
					v = msg.importance
				case "from/emailaddress/address":
					v = msg.from.Address
				}
				return strings.EqualFold(v, want) != negate
			})
		default:
			fn, want := strings.ToLower(m[10]), strings.ToLower(strings.ReplaceAll(m[11], "''", "'"))
			preds = append(preds, func(msg *message) bool {
				s := strings.ToLower(msg.subject)
				if fn == "startswith" {
					return strings.HasPrefix(s, want)
				}
				return strings.Contains(s, want)
			})
		}
	}
	return allOf(preds), ""
}

func compareTimes(t time.Time, op string, at time.Time) bool {
	switch op {
	case "eq":
		return t.Equal(at)
	case "ne":
		return !t.Equal(at)
	case "gt":
		return t.After(at)
	case "ge":
		return !t.Before(at)
	case "lt":
		return t.Before(at)
	}
	return !t.After(at)
}

func allOf(preds []messagePredicate) messagePredicate {
	return func(msg *message) bool {
		for _, p := range preds {
			if !p(msg) {
				return false
			}
		}
		return true
	}
}

// kqlTerm splits a KQL query into terms: property restrictions such as from:ana or
// received>=2024-05-01, quoted phrases, and words.
var kqlTerm = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)([a-z]+)(:|>=|<=|>|<|=)("[^"]*"|\S+)|"([^"]*)"|(\S+)`)
})

// parseSearch compiles a $search value, a KQL query in double quotes. Every term must
// match; the boolean operators are not understood (a simplification). An unknown
// property is Graph's 400 message.
func parseSearch(v string, now time.Time) (messagePredicate, string) {
	v = strings.TrimSpace(v)
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, "Syntax error: the $search value must be enclosed in double quotes."
	}
	v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
	var preds []messagePredicate
	for _, m := range kqlTerm().FindAllStringSubmatch(v, -1) {
		switch {
		case m[1] != "":
			p, msg := kqlRestriction(strings.ToLower(m[1]), m[2], strings.Trim(m[3], `"`), now)
			if msg != "" {
				return nil, msg
			}
			preds = append(preds, p)
		case strings.EqualFold(m[5], "AND"):
		default:
			term := strings.ToLower(m[4] + m[5])
			preds = append(preds, func(msg *message) bool { return msg.mentions(term) })
		}
	}
	return allOf(preds), ""
}

func kqlRestriction(prop, op, value string, now time.Time) (messagePredicate, string) {
	lower := strings.ToLower(value)
	has := func(list []address) bool {
		for _, a := range list {
			if matchesAddress(a, lower) {
				return true
			}
		}
		return false
	}
	switch prop {
	case "from":
		return func(m *message) bool { return matchesAddress(m.from, lower) }, ""
	case "to":
		return func(m *message) bool { return has(m.to) }, ""
	case "cc":
		return func(m *message) bool { return has(m.cc) }, ""
	case "participants":
		return func(m *message) bool { return has(m.participants()) }, ""
	case "subject":
		return func(m *message) bool { return strings.Contains(strings.ToLower(m.subject), lower) }, ""
	case "body":
		return func(m *message) bool { return strings.Contains(strings.ToLower(m.body), lower) }, ""
	case "isread", "hasattachments", "hasattachment":
		want := lower == "true" || lower == "yes"
		return func(m *message) bool {
			if prop == "isread" {
				return m.isRead == want
			}
			return (len(m.attachments) > 0) == want
		}, ""
	case "received", "sent":
		at, ok := kqlDate(lower, now)
		if !ok {
			return nil, fmt.Sprintf("Syntax error: '%s' is not a date.", value)
		}
		return func(m *message) bool {
			t := m.received
			if prop == "sent" {
				t = m.sent
			}
			return kqlCompare(t, op, at)
		}, ""
	}
	return nil, fmt.Sprintf("Syntax error: unknown property '%s'.", prop)
}

// kqlDate reads a KQL date: a day, a date-time, or today/yesterday.
func kqlDate(s string, now time.Time) (time.Time, bool) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch s {
	case "today":
		return day, true
	case "yesterday":
		return day.AddDate(0, 0, -1), true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339, strings.ToUpper(s))
	return t, err == nil
}

// kqlCompare compares a time with a KQL date; ":" and "=" mean the same day.
func kqlCompare(t time.Time, op string, at time.Time) bool {
	switch op {
	case ">=":
		return !t.Before(at)
	case ">":
		return t.After(at)
	case "<=":
		return t.Before(at.AddDate(0, 0, 1))
	case "<":
		return t.Before(at)
	}
	return !t.Before(at) && t.Before(at.AddDate(0, 0, 1))
}

// mentions reports whether a free-text search term occurs in the message's subject,
// body, or participants.
func (msg *message) mentions(term string) bool {
	if strings.Contains(strings.ToLower(msg.subject), term) ||
		strings.Contains(strings.ToLower(msg.body), term) {
		return true
	}
	for _, a := range msg.participants() {
		if matchesAddress(a, term) {
			return true
		}
	}
	return false
}
