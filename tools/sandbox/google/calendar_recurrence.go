package google

import (
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxInstances bounds how many instances of one series are ever expanded.
const maxInstances = 1000

// rrule is the part of an RFC 5545 RRULE the sandbox expands: FREQ=DAILY or WEEKLY, with
// INTERVAL, COUNT, UNTIL and, for weekly rules, BYDAY. Other rules are refused, as are
// RDATE and EXDATE lines; Google accepts them.
type rrule struct {
	freq     string
	interval int
	count    int
	until    time.Time
	byDay    []time.Weekday
}

var weekdays = map[string]time.Weekday{
	"MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday,
	"FR": time.Friday, "SA": time.Saturday, "SU": time.Sunday,
}

// parseRecurrence reads an event's recurrence lines. It reports false for a rule it does
// not understand; nil and true mean no recurrence.
func parseRecurrence(lines []string) (*rrule, bool) {
	if len(lines) == 0 {
		return nil, true
	}
	if len(lines) > 1 || !strings.HasPrefix(lines[0], "RRULE:") {
		return nil, false
	}
	r := &rrule{interval: 1}
	for _, part := range strings.Split(strings.TrimPrefix(lines[0], "RRULE:"), ";") {
		name, value, _ := strings.Cut(part, "=")
		var err error
		switch name {
		case "FREQ":
			r.freq = value
		case "INTERVAL":
			r.interval, err = strconv.Atoi(value)
		case "COUNT":
			r.count, err = strconv.Atoi(value)
		case "UNTIL":
			r.until, err = time.Parse("20060102T150405Z", value)
			if err != nil {
				r.until, err = time.Parse("20060102", value)
			}
		case "BYDAY":
			for _, d := range strings.Split(value, ",") {
				wd, ok := weekdays[d]
				if !ok {
					return nil, false
				}
				r.byDay = append(r.byDay, wd)
			}
		default:
			return nil, false
		}
		if err != nil {
			return nil, false
		}
	}
	if (r.freq != "DAILY" && r.freq != "WEEKLY") || r.interval < 1 || r.count < 0 ||
		(r.freq == "DAILY" && len(r.byDay) > 0) {
		return nil, false
	}
	return r, true
}

// instances expands a recurring series into its instances that end after from and start
// before to; a zero bound does not limit. Instances are returned in start order.
func (e *event) instances(calLoc *time.Location, from, to time.Time) []*event {
	if e.rule == nil {
		return nil
	}
	zone := calLoc
	if l, err := time.LoadLocation(e.start.timeZone); err == nil && e.start.timeZone != "" {
		zone = l
	}
	first := e.start.instant(zone).In(zone)
	length := e.end.instant(zone).Sub(e.start.instant(zone))

	var out []*event
	n := 0
	for start := range e.rule.occurrences(first) {
		n++
		if n > maxInstances || (e.rule.count > 0 && n > e.rule.count) {
			break
		}
		if !e.rule.until.IsZero() && start.After(e.rule.until) {
			break
		}
		if !to.IsZero() && !start.Before(to) {
			break
		}
		end := start.Add(length)
		if e.start.allDay() {
			days := int(length.Round(24*time.Hour) / (24 * time.Hour))
			end = start.AddDate(0, 0, days)
		}
		if !from.IsZero() && !end.After(from) {
			continue
		}
		out = append(out, e.instanceAt(start, end))
	}
	return out
}

// occurrences yields the candidate starts of the rule from first on, in order, up to
// maxInstances of them. Wall-clock times stay fixed across daylight-saving changes.
func (r *rrule) occurrences(first time.Time) iter.Seq[time.Time] {
	at := func(day time.Time) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), first.Hour(), first.Minute(),
			first.Second(), 0, first.Location())
	}
	return func(yield func(time.Time) bool) {
		if r.freq == "DAILY" || len(r.byDay) == 0 {
			step := 1
			if r.freq == "WEEKLY" {
				step = 7
			}
			for k := range maxInstances {
				if !yield(at(first.AddDate(0, 0, k*step*r.interval))) {
					return
				}
			}
			return
		}
		days := slices.Clone(r.byDay)
		monday := func(d time.Weekday) int { return (int(d) + 6) % 7 }
		slices.SortFunc(days, func(a, b time.Weekday) int { return monday(a) - monday(b) })
		weekStart := first.AddDate(0, 0, -monday(first.Weekday()))
		for n, week := 0, 0; n < maxInstances; week += r.interval {
			for _, d := range days {
				start := at(weekStart.AddDate(0, 0, week*7+monday(d)))
				if start.Before(first) {
					continue
				}
				if n++; !yield(start) {
					return
				}
			}
		}
	}
}

// instanceAt returns the instance of the series starting at start.
func (e *event) instanceAt(start, end time.Time) *event {
	inst := *e
	inst.recurrence, inst.rule = nil, nil
	inst.recurringEventID = e.id
	inst.attendees = slices.Clone(e.attendees)
	if e.start.allDay() {
		inst.start = eventTime{date: start.Format(time.DateOnly), timeZone: e.start.timeZone}
		inst.end = eventTime{date: end.Format(time.DateOnly), timeZone: e.end.timeZone}
		inst.id = e.id + "_" + start.Format("20060102")
	} else {
		inst.start = eventTime{at: start, timeZone: e.start.timeZone}
		inst.end = eventTime{at: end, timeZone: e.end.timeZone}
		inst.id = e.id + "_" + start.UTC().Format("20060102T150405Z")
	}
	inst.originalStart = inst.start
	return &inst
}
