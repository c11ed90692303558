package google

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"sync"
	"time"
)

// Access roles, as calendarList entries and event lists report them, weakest first.
var accessRoles = []string{"freeBusyReader", "reader", "writer", "owner"}

// roleAtLeast reports whether role grants at least want.
func roleAtLeast(role, want string) bool {
	rank := func(r string) int {
		for i, a := range accessRoles {
			if a == r {
				return i
			}
		}
		return -1
	}
	return rank(role) >= rank(want)
}

// calendarStore is the account's calendars. Its own mutex guards everything in it.
type calendarStore struct {
	mu        sync.Mutex
	account   string
	calendars []*calendar // in calendarList order, the primary calendar first
	changes   uint64      // counts changes, for etags and sync tokens
}

// calendar is one calendar on the account's calendar list.
type calendar struct {
	id          string
	summary     string
	description string
	timeZone    string
	loc         *time.Location
	accessRole  string
	primary     bool
	colorID     string
	background  string
	foreground  string
	updated     time.Time
	// events holds single events, recurring series and the changed or cancelled instances
	// of a series, in creation order, which is the stable order of an unordered list.
	events []*event
}

// event is a stored event. Instances of a recurring series are not stored, except those
// changed or cancelled on their own, which carry recurringEventID and originalStart.
type event struct {
	id               string
	status           string // confirmed, tentative or cancelled
	summary          string
	description      string
	location         string
	start, end       eventTime
	recurrence       []string
	rule             *rrule
	recurringEventID string
	originalStart    eventTime
	attendees        []attendee
	creator          person
	organizer        person
	transparency     string
	visibility       string
	created, updated time.Time
	sequence         int
	etag             uint64
}

// eventTime is an EventDateTime: a date for all-day events, an instant otherwise, and the
// time zone the client named, if any.
type eventTime struct {
	date     string // yyyy-mm-dd for all-day events
	at       time.Time
	timeZone string
}

// allDay reports whether the time is a date.
func (t eventTime) allDay() bool { return t.date != "" }

// instant returns when the time begins, reading a date as midnight in loc.
func (t eventTime) instant(loc *time.Location) time.Time {
	if t.date != "" {
		d, _ := time.ParseInLocation(time.DateOnly, t.date, loc)
		return d
	}
	return t.at
}

// equal reports whether t and u are the same date or instant in the same named zone.
func (t eventTime) equal(u eventTime) bool {
	return t.date == u.date && t.at.Equal(u.at) && t.timeZone == u.timeZone
}

// person is an event's creator or organizer.
type person struct {
	email, displayName string
	self               bool
}

// attendee is an EventAttendee.
type attendee struct {
	email, displayName, responseStatus, comment string
	optional, organizer, self, resource         bool
	additionalGuests                            int
}

// newEventID returns an id in Google's alphabet: 26 characters of lowercase base32hex.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// lookupCalendar finds a calendar by id, by "primary" or by the account's address. The
// caller holds cs.mu.
func (cs *calendarStore) lookupCalendar(id string) *calendar {
	if id == "primary" || strings.EqualFold(id, cs.account) {
		return cs.calendars[0]
	}
	for _, c := range cs.calendars {
		if c.id == id {
			return c
		}
	}
	return nil
}

// stored finds a stored event, an instance exception included. The caller holds cs.mu.
func (c *calendar) stored(id string) *event {
	for _, e := range c.events {
		if e.id == id {
			return e
		}
	}
	return nil
}

// lookupEvent finds an event by id: a stored one, or an instance of a recurring series that
// has not been changed on its own. The caller holds cs.mu.
func (c *calendar) lookupEvent(id string) *event {
	if e := c.stored(id); e != nil {
		return e
	}
	master, suffix, ok := strings.Cut(id, "_")
	if !ok {
		return nil
	}
	m := c.stored(master)
	if m == nil || m.rule == nil {
		return nil
	}
	for _, inst := range m.instances(c.loc, time.Time{}, time.Time{}) {
		if inst.id == master+"_"+suffix {
			return inst
		}
	}
	return nil
}

// touch records a change to an event.
func (cs *calendarStore) touch(e *event, now time.Time) {
	cs.changes++
	e.etag = uint64(now.UnixMicro())*10 + cs.changes%10
	e.updated = now
}

// add stores a new event on c. The caller holds cs.mu.
func (cs *calendarStore) add(c *calendar, e *event, now time.Time) {
	e.created = now
	cs.touch(e, now)
	c.events = append(c.events, e)
	c.updated = now
}

// ownerOf returns the creator and organizer of events made by the account on c: on the
// primary calendar the account itself, on a secondary calendar the calendar.
func (cs *calendarStore) ownerOf(c *calendar) (creator, organizer person) {
	creator = person{email: cs.account, self: c.primary}
	if c.primary {
		return creator, creator
	}
	return creator, person{email: c.id, displayName: c.summary, self: true}
}
