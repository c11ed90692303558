package calendar

import (
	"strings"
	"time"

	"github.com/scopegate/scopegate/registry"
)

// localLayout is a date-time without an offset, meant in a named time zone.
const localLayout = "2006-01-02T15:04:05"

// parseInstant reads an RFC 3339 date-time with an offset, naming field in
// the refusal.
func parseInstant(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return t, registry.Errorf("%s must be an RFC 3339 date-time with an offset, such as "+
			"2024-05-01T09:00:00Z or 2024-05-01T09:00:00+02:00; got %q", field, s)
	}
	return t, nil
}

// when is a start or end time given to a tool, checked.
type when struct {
	// field names the argument, for messages.
	field string
	// date is set for all-day events (yyyy-mm-dd).
	date string
	// dateTime is an RFC 3339 date-time, or a local one (localLayout) when
	// offset is false.
	dateTime string
	offset   bool
	// at orders the time against another of the same kind: the instant for
	// offset times, the wall-clock reading (as UTC) for local times and dates.
	at time.Time
}

// parseWhen reads a start or end: a date for an all-day event, an RFC 3339
// date-time, or a date-time without offset (seconds optional) when a time
// zone is given.
func parseWhen(field, s, timeZone string) (when, error) {
	s = strings.TrimSpace(s)
	w := when{field: field}
	var err error
	if w.at, err = time.Parse(time.DateOnly, s); err == nil {
		w.date = s
		return w, nil
	}
	if w.at, err = time.Parse(time.RFC3339, s); err == nil {
		w.dateTime, w.offset = s, true
		return w, nil
	}
	for _, layout := range []string{localLayout, "2006-01-02T15:04"} {
		if w.at, err = time.Parse(layout, s); err == nil {
			if timeZone == "" {
				return w, registry.Errorf("%s %q has no UTC offset: add one, such as "+
					"%s+02:00, or give time_zone", field, s, w.at.Format(localLayout))
			}
			w.dateTime = w.at.Format(localLayout)
			return w, nil
		}
	}
	return w, registry.Errorf("%s must be a date such as 2024-05-01 (all day) or a date-time "+
		"such as 2024-05-01T10:00:00+02:00; got %q", field, s)
}

// wire returns the time as the Calendar API takes it.
func (w when) wire(timeZone string) eventTime {
	if w.date != "" {
		return eventTime{Date: w.date}
	}
	return eventTime{DateTime: w.dateTime, TimeZone: timeZone}
}

// checkOrder refuses an end that is not after its start, when the two can be
// compared here: both dates, or both date-times read the same way.
func checkOrder(start, end when) error {
	if (start.date == "") != (end.date == "") {
		return registry.Errorf("start and end must both be dates (an all-day event) or both " +
			"date-times")
	}
	if start.offset != end.offset && start.date == "" {
		return nil // one instant, one wall-clock time: Google compares them
	}
	switch {
	case start.date != "" && !end.at.After(start.at):
		return registry.Errorf("end is exclusive for all-day events: an event on %s alone "+
			"ends %s", start.date, start.at.AddDate(0, 0, 1).Format(time.DateOnly))
	case start.date == "" && end.at.Before(start.at):
		return registry.Errorf("end (%s) is before start (%s)", end.dateTime, start.dateTime)
	}
	return nil
}

// shiftEnd returns the end that keeps an event's length when its start moves
// to newStart: whole days for all-day events, the exact duration otherwise.
func shiftEnd(oldStart, oldEnd eventTime, newStart when) (when, error) {
	end := when{field: "end"}
	if oldStart.Date != "" {
		d1, err1 := time.Parse(time.DateOnly, oldStart.Date)
		d2, err2 := time.Parse(time.DateOnly, oldEnd.Date)
		if err1 != nil || err2 != nil || newStart.date == "" {
			return end, registry.Errorf("give end too: the event's length cannot be carried " +
				"over between an all-day and a timed event")
		}
		end.at = newStart.at.AddDate(0, 0, int(d2.Sub(d1).Hours()/24))
		end.date = end.at.Format(time.DateOnly)
		return end, nil
	}
	t1, err1 := time.Parse(time.RFC3339, oldStart.DateTime)
	t2, err2 := time.Parse(time.RFC3339, oldEnd.DateTime)
	if err1 != nil || err2 != nil || newStart.date != "" {
		return end, registry.Errorf("give end too: the event's length cannot be carried " +
			"over between an all-day and a timed event")
	}
	end.at, end.offset = newStart.at.Add(t2.Sub(t1)), newStart.offset
	if newStart.offset {
		end.dateTime = end.at.Format(time.RFC3339)
	} else {
		end.dateTime = end.at.Format(localLayout)
	}
	return end, nil
}
