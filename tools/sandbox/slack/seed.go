package slack

import "time"

// seedPeople are the workspace's members: the installer first, one deactivated account and
// the bot user last.
func seedPeople(updated int64) []*person {
	madrid := func(p *person) *person {
		p.TZ, p.TZLabel, p.TZOffset = "Europe/Madrid", "Central European Time", 3600
		p.Updated = updated
		return p
	}
	return []*person{
		madrid(&person{ID: installerID, Name: "ana", RealName: "Ana Ruiz", DisplayName: "ana",
			Email: InstallerEmail, Title: "Engineering manager", Admin: true, Owner: true}),
		madrid(&person{ID: "U07BO00002", Name: "bo", RealName: "Bo Chen", DisplayName: "bo",
			Email: "bo@example.com", Title: "Finance lead"}),
		madrid(&person{ID: "U07CAM0003", Name: "cam", RealName: "Cam Okafor", DisplayName: "cam",
			Email: "cam@example.com", Title: "Site reliability engineer"}),
		madrid(&person{ID: "U07DEE0004", Name: "dee", RealName: "Dee Patel", DisplayName: "dee",
			Email: "dee@example.com", Title: "Designer", Deleted: true}),
		madrid(&person{ID: botUserID, Name: "scopegate", RealName: "scopegate",
			DisplayName: "scopegate", Bot: true, BotID: botID}),
	}
}

// seedConversation describes one conversation and its messages, each some time before the
// seeding time. A reply answers the latest line that is not a reply.
type seedConversation struct {
	conv  conversation
	lines []seedLine
}

type seedLine struct {
	ago   time.Duration
	user  string
	text  string
	reply bool
}

const (
	uAna, uBo, uCam = installerID, "U07BO00002", "U07CAM0003"
	day             = 24 * time.Hour
)

var seedConversations = []seedConversation{
	{conversation{ID: "C07GENERAL", Name: "general", Type: typePublic, Creator: uAna, General: true,
		Topic: "Company-wide announcements", Purpose: "Everyone, everything important.",
		Members: []string{uAna, uBo, uCam, botUserID}}, []seedLine{
		{3 * day, uAna, "Welcome to the sandbox workspace!", false},
		{2 * day, uBo, "Reminder: all-hands on Thursday at 16:00.", false},
		{2*day - time.Hour, uCam, "Will it be recorded?", true},
		{2*day - 2*time.Hour, uBo, "Yes, the recording goes to #random afterwards.", true},
		{day, uCam, "Lunch orders close at 11:30 today.", false},
	}},
	{conversation{ID: "C07RANDOM0", Name: "random", Type: typePublic, Creator: uAna,
		Topic: "Water cooler", Purpose: "Anything that is not work.",
		Members: []string{uAna, uBo, uCam}}, []seedLine{
		{5 * day, uBo, "Anyone up for a coffee?", false},
		{5*day - time.Minute, uAna, "Always.", false},
		{4 * day, uCam, "The plant on the third floor needs water.", false},
	}},
	{conversation{ID: "C07ENGINRG", Name: "engineering", Type: typePublic, Creator: uCam,
		Topic: "Builds, deploys and reviews", Members: []string{uAna, uCam}}, []seedLine{
		{6 * day, uCam, "Deploy of v2.4.0 finished.", false},
		{6*day - time.Hour, uAna, "Please review the rate limiter change.", false},
		{6*day - 2*time.Hour, uCam, "Looking at it now.", true},
		{5 * day, uCam, "Build is green again.", false},
		{4 * day, uAna, "Standup moves to 10:15 from Monday.", false},
		{3 * day, uCam, "The postmortem draft is in the standup notes.", false},
		{2 * day, uAna, "Thanks, all!", false},
	}},
	{conversation{ID: "C07OLDPROJ", Name: "old-project", Type: typePublic, Creator: uAna,
		Archived: true, Members: []string{uAna, uBo}}, []seedLine{
		{40 * day, uAna, "Archiving this channel: the project shipped.", false},
	}},
	{conversation{ID: "C07LEADERS", Name: "leadership", Type: typePrivate, Creator: uBo,
		Purpose: "Budget and hiring.", Members: []string{uAna, uBo}}, []seedLine{
		{3 * day, uBo, "The Q3 budget draft is attached.", false},
		{3*day - time.Hour, uAna, "Reviewed; looks fine to me.", false},
	}},
	{conversation{ID: "C07DEPLOYS", Name: "deploys", Type: typePrivate, Creator: uAna,
		Purpose: "Deploy notifications.", Members: []string{uAna, botUserID}}, []seedLine{
		{day, botUserID, "Deployed api v2.4.0 to production.", false},
	}},
	{conversation{ID: "D07ANABO01", Type: typeIM, Members: []string{uAna, uBo}}, []seedLine{
		{2 * day, uBo, "Can you look at my pull request today?", false},
		{2*day - time.Hour, uAna, "Sure, after lunch.", false},
	}},
	{conversation{ID: "G07MPIM001", Name: "mpdm-ana--bo--cam-1", Type: typeMPIM,
		Members: []string{uAna, uBo, uCam}}, []seedLine{
		{day, uCam, "Dinner on Friday?", false},
	}},
}

// seedFiles are files shared in the seeded conversations.
var seedFiles = []struct {
	f   file
	ago time.Duration
}{
	{file{ID: "F07ROADMAP", Name: "q3-roadmap.pdf", Title: "Q3 roadmap",
		Mimetype: "application/pdf", Filetype: "pdf", User: uAna, Size: 182044,
		Shares: []string{"C07GENERAL"}}, 3 * day},
	{file{ID: "F07NOTES01", Name: "standup-notes.md", Title: "Standup notes",
		Mimetype: "text/markdown", Filetype: "markdown", User: uCam, Size: 2310,
		Shares: []string{"C07ENGINRG"}}, 3 * day},
	{file{ID: "F07BUDGET1", Name: "budget-q3.csv", Title: "Q3 budget", Mimetype: "text/csv",
		Filetype: "csv", User: uBo, Size: 5120, Shares: []string{"C07LEADERS"}}, 3 * day},
	{file{ID: "F07DEPLOYL", Name: "deploy-log.txt", Title: "deploy-log.txt", Mimetype: "text/plain",
		Filetype: "text", User: botUserID, Size: 880, Shares: []string{"C07DEPLOYS"}}, day},
	{file{ID: "F07SCREEN1", Name: "screenshot.png", Title: "screenshot.png", Mimetype: "image/png",
		Filetype: "png", User: uBo, Size: 48213, Shares: []string{"D07ANABO01"}}, 2 * day},
}

// seedWorkspace builds the workspace as it is at now.
func seedWorkspace(now time.Time) *workspace {
	ws := &workspace{people: seedPeople(now.Add(-30 * day).Unix())}
	for _, sc := range seedConversations {
		c := sc.conv
		c.Members = append([]string(nil), sc.conv.Members...)
		c.Created = now.Add(-60 * day).Unix()
		if c.Type == typeIM || c.Type == typeMPIM {
			c.Created = now.Add(-10 * day).Unix()
		}
		var parent *message
		for _, l := range sc.lines {
			m := &message{TS: stamp{now.Add(-l.ago).Unix(), 0}.String(), User: l.user, Text: l.text}
			if l.user == botUserID {
				m.BotID, m.AppID = botID, appID
			}
			if l.reply {
				m.ThreadTS = parent.TS
			} else {
				parent = m
			}
			c.post(m)
		}
		ws.convs = append(ws.convs, &c)
	}
	for _, sf := range seedFiles {
		f := sf.f
		f.Created = now.Add(-sf.ago).Unix()
		ws.files = append(ws.files, &f)
	}
	ws.lastTS = stamp{now.Add(-time.Minute).Unix(), 0}
	return ws
}
