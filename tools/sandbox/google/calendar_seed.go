package google

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // events keep their wall-clock times in named zones on any machine
)

// seedTimeZone is the time zone of the seeded calendars.
const seedTimeZone = "Europe/Berlin"

// The seeded calendars besides the primary one.
const (
	atlasCalendarID    = "c_3b9f1e7a2d4c6085b1f4e2a9c7d3e5f1@group.calendar.google.com"
	holidaysCalendarID = "en.german#holiday@group.v.calendar.google.com"
)

// seedEvent describes one event of the starting calendars. day counts days from today in
// the calendar's time zone; a zero clock makes an all-day event lasting days days.
type seedEvent struct {
	day         int
	clock       string // "15:04", local
	length      time.Duration
	days        int
	summary     string
	description string
	location    string
	guests      []string // besides the organizer; "name <address>|status"
	recurrence  string
	transparent bool
	cancelled   bool
}

var seedPrimaryEvents = []seedEvent{
	{day: -14, clock: "10:00", length: 30 * time.Minute, summary: "Atlas weekly sync",
		description: "Blockers first, then the milestone board.",
		location:    "Room Spree (4th floor)", recurrence: "RRULE:FREQ=WEEKLY;COUNT=12",
		guests: []string{"Priya Raman <priya.raman@example.org>|accepted",
			"Tomas Novak <tomas.novak@example.org>|needsAction"}},
	{day: -9, clock: "09:00", length: time.Hour, summary: "Atlas kickoff",
		location: "Room Spree (4th floor)",
		guests:   []string{"Priya Raman <priya.raman@example.org>|accepted"}},
	{day: 1, clock: "12:30", length: time.Hour, summary: "Lunch with Marco",
		location: "Ramen Ichiban, Torstraße 12, Berlin"},
	{day: 2, clock: "15:00", length: time.Hour, summary: "Q3 planning review",
		description: "Walk through the Q3 planning doc. Bring the budget numbers for the " +
			"migration and the hiring plan; decisions on scope are due by Friday.",
		guests: []string{"Priya Raman <priya.raman@example.org>|accepted",
			"Marco Bianchi <marco.bianchi@example.net>|tentative"}},
	{day: 3, clock: "18:00", length: time.Hour, summary: "Yoga class", cancelled: true},
	{day: 4, clock: "08:30", length: 45 * time.Minute, summary: "Dentist appointment",
		location: "Praxis Dr. Weber, Kastanienallee 5"},
	{day: 10, days: 3, summary: "GopherCon EU", location: "Berlin", transparent: true},
}

var seedAtlasEvents = []seedEvent{
	{day: 5, days: 1, summary: "Atlas beta freeze", transparent: true},
	{day: 6, clock: "14:00", length: time.Hour, summary: "Atlas release retro",
		guests: []string{"Priya Raman <priya.raman@example.org>|accepted",
			"Tomas Novak <tomas.novak@example.org>|accepted"}},
}

// seedHolidays are fixed-date public holidays; each is seeded on its next date.
var seedHolidays = []struct {
	month time.Month
	day   int
	name  string
}{
	{time.January, 1, "New Year's Day"},
	{time.May, 1, "Labour Day"},
	{time.October, 3, "Day of German Unity"},
	{time.December, 25, "Christmas Day"},
	{time.December, 26, "Second Day of Christmas"},
}

// newCalendarStore returns the account's calendars: its primary calendar, a secondary
// calendar it owns and a public holiday calendar it can only read, with events around now.
func newCalendarStore(account string, now time.Time) *calendarStore {
	loc, err := time.LoadLocation(seedTimeZone)
	if err != nil {
		panic("google sandbox: " + err.Error())
	}
	cs := &calendarStore{account: account}
	created := now.Add(-30 * 24 * time.Hour).Truncate(time.Second)
	newCal := func(id, summary, description, role, color, bg string) *calendar {
		c := &calendar{id: id, summary: summary, description: description,
			timeZone: seedTimeZone, loc: loc, accessRole: role, colorID: color,
			background: bg, foreground: "#000000", updated: created}
		cs.calendars = append(cs.calendars, c)
		return c
	}
	primary := newCal(account, account, "", "owner", "14", "#9fe1e7")
	primary.primary = true
	atlas := newCal(atlasCalendarID, "Atlas project", "Milestones and meetings of Atlas",
		"owner", "9", "#7bd148")
	holidays := newCal(holidaysCalendarID, "Holidays in Germany",
		"Holidays and Observances in Germany", "reader", "8", "#16a765")

	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	for _, c := range []struct {
		cal  *calendar
		list []seedEvent
	}{{primary, seedPrimaryEvents}, {atlas, seedAtlasEvents}} {
		for _, se := range c.list {
			cs.add(c.cal, cs.seedEvent(c.cal, se, today), created)
		}
	}
	for _, h := range seedHolidays {
		date := time.Date(today.Year(), h.month, h.day, 0, 0, 0, 0, loc)
		if date.Before(today) {
			date = date.AddDate(1, 0, 0)
		}
		owner := person{email: holidays.id, displayName: holidays.summary, self: true}
		cs.add(holidays, &event{
			id: newEventID(), status: "confirmed", summary: h.name,
			description: "Public holiday", transparency: "transparent", visibility: "public",
			start:   eventTime{date: date.Format(time.DateOnly)},
			end:     eventTime{date: date.AddDate(0, 0, 1).Format(time.DateOnly)},
			creator: owner, organizer: owner,
		}, created)
	}
	return cs
}

// seedEvent builds one seeded event of c, dated relative to today, a midnight in c's zone.
func (cs *calendarStore) seedEvent(c *calendar, se seedEvent, today time.Time) *event {
	day := today.AddDate(0, 0, se.day)
	e := &event{id: newEventID(), status: "confirmed", summary: se.summary,
		description: se.description, location: se.location}
	e.creator, e.organizer = cs.ownerOf(c)
	if se.clock == "" {
		e.start = eventTime{date: day.Format(time.DateOnly)}
		e.end = eventTime{date: day.AddDate(0, 0, se.days).Format(time.DateOnly)}
	} else {
		var h, m int
		if _, err := fmt.Sscanf(se.clock, "%d:%d", &h, &m); err != nil {
			panic("google sandbox: seed clock " + se.clock)
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, c.loc)
		e.start = eventTime{at: start, timeZone: c.timeZone}
		e.end = eventTime{at: start.Add(se.length), timeZone: c.timeZone}
	}
	if se.recurrence != "" {
		e.recurrence = []string{se.recurrence}
		e.rule, _ = parseRecurrence(e.recurrence)
	}
	if se.transparent {
		e.transparency = "transparent"
	}
	if se.cancelled {
		e.status = "cancelled"
	}
	if len(se.guests) > 0 {
		e.attendees = []attendee{{email: cs.account, organizer: true, self: true,
			responseStatus: "accepted"}}
		for _, g := range se.guests {
			who, status, _ := strings.Cut(g, "|")
			name, addr, _ := strings.Cut(who, " <")
			e.attendees = append(e.attendees, attendee{email: strings.TrimSuffix(addr, ">"),
				displayName: name, responseStatus: status})
		}
	}
	return e
}
