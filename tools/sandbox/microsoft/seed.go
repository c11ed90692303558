package microsoft

import (
	"fmt"
	"strings"
	"time"
)

// seed fills the account's mailbox, calendar, OneDrive and teams with a small, plausible
// working week around now.
func (s *Server) seed(now time.Time) {
	now = now.UTC().Truncate(time.Second)
	owner := address{Name: s.ids.name, Address: s.account}
	s.mail = newMailbox(owner)
	s.seedMail(now)
	s.cal = &calendar{}
	s.seedCalendar(now, owner)
	s.drive = newDrive(now.Add(-30 * 24 * time.Hour))
	s.seedDrive(now)
	s.seedTeams(now)
}

// seedMail files twelve messages in the inbox, one in the archive and one sent.
func (s *Server) seedMail(now time.Time) {
	ana := address{"Ana Ruiz", "ana@example.com"}
	bo := address{"Bo Chen", "bo.chen@example.com"}
	it := address{"IT Service Desk", "servicedesk@example.com"}
	me := s.mail.owner
	add := func(folder string, age time.Duration, from address, to []address, subject, body string,
		read bool) *message {
		at := now.Add(-age)
		m := &message{id: newItemID(), folderID: s.mail.folder(folder).id,
			conversationID: randomToken("AAQkAD", 30) + "=",
			internetID:     "<" + randomToken("", 12) + "@mail.example.com>",
			subject:        subject, body: body, from: from, to: to,
			received: at, sent: at.Add(-time.Minute), modified: at, isRead: read}
		s.mail.messages = append(s.mail.messages, m)
		return m
	}

	budget := add("inbox", 2*time.Hour, ana, []address{me}, "Quarterly budget review",
		"Hi,\n\nThe Q3 budget draft is attached. Could you check the travel line before "+
			"Thursday's review?\n\nThanks,\nAna", false)
	budget.attachments = []attachment{{id: randomToken("AAMkAD", 30) + "=", name: "Q3-budget.xlsx",
		contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", size: 18432}}
	budget.importance = "high"
	html := add("inbox", 5*time.Hour, it, []address{me}, "Scheduled maintenance on Saturday",
		"<html><body><p>The VPN will be <b>unavailable</b> on Saturday from 06:00 to 09:00 UTC.</p>"+
			"<p>No action is needed.</p></body></html>", true)
	html.html = true
	add("inbox", 26*time.Hour, bo, []address{me}, "Release notes for 2.4",
		"Draft release notes are in the Engineering team's Releases channel. Comments welcome.", true)
	add("inbox", 30*time.Hour, ana, []address{me, bo}, "Offsite agenda",
		"Agenda for the offsite: strategy in the morning, team games after lunch.", true)
	topics := []string{"Lunch on Friday?", "Invoice 4471", "Parking pass renewal",
		"Design review follow-up", "Weekly metrics", "Conference travel", "Welcome our new hire",
		"Printer on floor 3"}
	for i, subject := range topics {
		from := []address{ana, bo, it}[i%3]
		add("inbox", time.Duration(48+i*20)*time.Hour, from, []address{me}, subject,
			fmt.Sprintf("A note about %s.", strings.ToLower(subject)), i%2 == 0)
	}
	add("archive", 20*24*time.Hour, bo, []address{me}, "Old project kickoff",
		"Kickoff notes from last month.", true)
	add("sentitems", 3*time.Hour, me, []address{ana}, "RE: Quarterly budget review",
		"Will do.", true)
}

// seedCalendar adds events on the days around now: a stand-up and a review today, a 1:1
// tomorrow, an all-day offsite later in the week and a retro two days ago.
func (s *Server) seedCalendar(now time.Time, me address) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	ana := address{"Ana Ruiz", "ana@example.com"}
	bo := address{"Bo Chen", "bo.chen@example.com"}
	add := func(subject string, start time.Time, length time.Duration, org address, loc, body string,
		invitees ...address) *event {
		e := &event{id: newItemID(), subject: subject, start: start, end: start.Add(length),
			organizer: org, location: loc, body: body, created: now.Add(-7 * 24 * time.Hour),
			modified: now.Add(-7 * 24 * time.Hour)}
		for _, a := range invitees {
			e.attendees = append(e.attendees, attendee{addr: a, kind: "required", response: "accepted"})
		}
		s.cal.events = append(s.cal.events, e)
		return e
	}
	add("Daily stand-up", day.Add(9*time.Hour), 15*time.Minute, me, "Teams",
		"Yesterday, today, blockers.", ana, bo)
	add("Design review", day.Add(14*time.Hour), time.Hour, ana, "Room 4.12",
		"Review of the onboarding flow mock-ups.", me, bo)
	add("1:1 with Ana", day.Add(24*time.Hour+11*time.Hour), 30*time.Minute, me, "", "", ana)
	offsite := add("Company offsite", day.Add(3*24*time.Hour), 24*time.Hour, ana, "Lakeside Lodge",
		"Bring walking shoes.", me, bo)
	offsite.allDay = true
	add("Sprint retro", day.Add(-2*24*time.Hour+16*time.Hour), 45*time.Minute, bo, "Teams",
		"What went well, what to change.", me, ana)
}

// seedDrive adds a few text files, a spreadsheet, a long log and two folders.
func (s *Server) seedDrive(now time.Time) {
	d := s.drive
	add := func(parent *driveItem, name string, content []byte, age time.Duration) *driveItem {
		it := &driveItem{id: newDriveItemID(), name: name, parentID: parent.id, content: content,
			created: now.Add(-age), modified: now.Add(-age)}
		if content == nil {
			it.folder = true
		} else {
			it.mimeType = mimeFor(name)
		}
		d.items[it.id] = it
		return it
	}
	docs := add(d.root, "Documents", nil, 20*24*time.Hour)
	day := 24 * time.Hour
	add(docs, "plan.txt", []byte("Plan for Q3\n1. Ship 2.4\n2. Hire two engineers\n3. Offsite\n"), 5*day)
	add(d.root, "Photos", nil, 20*24*time.Hour)
	add(d.root, "Notes.txt", []byte("Call the venue about the offsite catering.\nBook flights.\n"),
		2*time.Hour)
	add(d.root, "README.md", []byte("# Shared files\n\nEverything for the Q3 planning lives here.\n"),
		9*day)
	// A zip container, as .xlsx files are: binary content.
	add(d.root, "Budget.xlsx", []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5U"+
		"\x8a\x01\x00\x00\x00\x00[Content_Types].xml\x00\x00\xff\xfe"), 3*24*time.Hour)
	var log strings.Builder
	for i := 0; log.Len() < 150_000; i++ {
		fmt.Fprintf(&log, "%s INFO request %06d served in %d ms\n",
			now.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i, 3+i%40)
	}
	add(d.root, "server.log", []byte(log.String()), time.Hour)
}

// seedTeams adds the two teams the account belongs to.
func (s *Server) seedTeams(now time.Time) {
	mk := func(name, desc string, channels ...string) *team {
		t := &team{id: guidFor("team:" + name + s.ids.tenantID), name: name, description: desc,
			created: now.Add(-200 * 24 * time.Hour)}
		for _, c := range channels {
			name, desc, _ := strings.Cut(c, "|")
			t.channels = append(t.channels, &channel{id: newChannelID(), name: name,
				description: desc, created: t.created})
		}
		return t
	}
	s.teams = []*team{
		mk("Marketing", "Campaigns, launches and the brand.",
			"General|", "Launch Plans|Dates and owners for upcoming launches."),
		mk("Engineering", "Everything we build and run.",
			"General|", "Releases|Release notes and schedules.", "Incidents|Live incident coordination."),
	}
}
