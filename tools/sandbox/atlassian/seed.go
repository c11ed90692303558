package atlassian

import (
	"encoding/json"
	"time"

	"github.com/scopegate/scopegate/tools/sandbox/oauthsim"
)

// The seeded sites' cloud ids. They are fixed so tests and the demo can name them.
const (
	acmeCloudID = "4f1c2a9e-7b3d-4e8a-9c61-2d5f8e0b7a13"
	labsCloudID = "b82e6d14-35a9-4c7f-8e02-9f1a3c6d5b47"
)

// seed builds the signed-in user and the account's two sites: "acme-demo" with a team
// project (DEMO, simplified workflow) and an operations project (OPS, classic workflow,
// where the user may not create issues), and "acme-labs" with one business project (LAB).
func seed(account string, now time.Time) (*user, []*site) {
	me := &user{
		accountID:   "712020:5c8e2f7a-1d3b-4a9e-b6c0-8f2d4e7a1c59",
		displayName: oauthsim.DisplayName(account),
		email:       account,
		timeZone:    "Europe/Berlin",
	}
	ana := &user{accountID: "5b10ac8d82e05b22cc7d4ef5", displayName: "Ana Ruiz",
		email: "ana.ruiz@example.com", timeZone: "Europe/Madrid"}
	bo := &user{accountID: "557058:2b9f4c1e-8a3d-4f6b-9e27-c5d1a0f8b364", displayName: "Bo Chen",
		email: "bo.chen@example.com", timeZone: "Asia/Singapore"}
	cy := &user{accountID: "63f0a1b2c3d4e5f607182930", displayName: "Cy Okafor",
		email: "cy.okafor@example.com", timeZone: "Africa/Lagos"}
	users := []*user{me, ana, bo, cy}
	day := func(n int) time.Time {
		return now.Add(-time.Duration(n) * 24 * time.Hour).Truncate(time.Second)
	}

	acme := &site{id: acmeCloudID, name: "acme-demo", url: "https://acme-demo.atlassian.net",
		users: users, nextIssueID: 10000, nextComment: 10000}
	task := &issueType{id: "10001", name: "Task", description: "A small, distinct piece of work."}
	bug := &issueType{id: "10002", name: "Bug", description: "A problem or error."}
	story := &issueType{id: "10003", name: "Story", description: "A feature told from the user's view."}
	epic := &issueType{id: "10000", name: "Epic", description: "A large body of work.", hierarchyLevel: 1}
	demo := &project{id: "10000", key: "DEMO", name: "Demo Project", typeKey: "software",
		simplified: true, description: "Where the demo team plans its work.", lead: me,
		workflow: simplifiedWorkflow(), issueTypes: []*issueType{task, bug, story, epic}, canCreate: true}
	ops := &project{id: "10001", key: "OPS", name: "Operations", typeKey: "software", lead: bo,
		workflow: classicWorkflow(), issueTypes: []*issueType{task, bug}}
	ops.description = "Incidents and maintenance. Only the operations team files issues here."
	acme.projects = []*project{demo, ops}

	file := func(st *site, p *project, it *issueType, summary string, age int, f func(*issue)) {
		is := st.newIssue(p, it, summary, day(age))
		is.reporter = me
		f(is)
	}
	file(acme, demo, story, "Let people export their reports as CSV", 30, func(is *issue) {
		is.description = doc(para("Customers ask for a CSV export of the monthly report."),
			para("Acceptance:"), bullets("one row per account", "UTF-8 with a header row"))
		is.assignee, is.priority, is.status, is.labels = ana, "2", "3", []string{"reports"}
		is.updated = day(2)
	})
	file(acme, demo, bug, "Login page rejects passwords with spaces", 21, func(is *issue) {
		is.description = doc(para("Steps:", "1. open /login", "2. type a password with a space"),
			para("The form says the password is wrong."))
		is.assignee, is.priority, is.labels = me, "1", []string{"auth", "customer"}
		is.updated = day(1)
		acme.addComment(is, ana, doc(para("Seen on Firefox and Chrome.")), day(3))
		acme.addComment(is, me, doc(para("I can reproduce it; looking into the form validation.")), day(1))
	})
	file(acme, demo, task, "Update the onboarding checklist", 14, func(is *issue) {
		is.status, is.assignee, is.updated = "10001", bo, day(6)
	})
	file(acme, demo, task, "Write release notes for 2.4", 5, func(is *issue) {
		is.description = doc(para("Cover the CSV export and the login fix."))
		is.assignee, is.priority = me, "3"
	})
	file(acme, demo, epic, "Self-service reporting", 40, func(is *issue) {
		is.status, is.priority, is.updated = "3", "2", day(9)
	})

	file(acme, ops, bug, "Nightly backup job failed on db-2", 3, func(is *issue) {
		is.description = doc(para("The job exited with code 137 at 02:14."),
			code("oom-killer: killed process 4211 (pg_dump)"))
		is.assignee, is.priority, is.reporter = me, "1", bo
	})
	file(acme, ops, task, "Rotate the TLS certificate of api.example.com", 12, func(is *issue) {
		is.status, is.assignee, is.reporter, is.updated = "3", cy, bo, day(4)
	})
	file(acme, ops, task, "Retire the old build agents", 60, func(is *issue) {
		is.status, is.reporter, is.updated = "6", cy, day(20)
	})

	labs := &site{id: labsCloudID, name: "acme-labs", url: "https://acme-labs.atlassian.net",
		users: users, nextIssueID: 10000, nextComment: 10000}
	labTask := &issueType{id: "10001", name: "Task", description: task.description}
	lab := &project{id: "10000", key: "LAB", name: "Labs Research", typeKey: "business",
		simplified: true, lead: cy, workflow: simplifiedWorkflow(),
		issueTypes: []*issueType{labTask}, canCreate: true}
	lab.description = "Experiments the labs team runs."
	labs.projects = []*project{lab}
	file(labs, lab, labTask, "Benchmark the new search index", 8, func(is *issue) {
		is.assignee, is.status = me, "3"
	})
	file(labs, lab, labTask, "Summarise the user interviews", 2, func(is *issue) {
		is.assignee = cy
	})
	return me, []*site{acme, labs}
}

// simplifiedWorkflow is Jira's simplified workflow: three statuses and a global transition
// into each.
func simplifiedWorkflow() *workflow {
	return &workflow{
		statuses: []*status{
			{id: "10000", name: "To Do", category: categoryToDo},
			{id: "3", name: "In Progress", category: categoryInProgress,
				description: "This issue is being actively worked on at the moment by the assignee."},
			{id: "10001", name: "Done", category: categoryDone},
		},
		transitions: []transition{
			{id: "11", name: "To Do", to: "10000"},
			{id: "21", name: "In Progress", to: "3"},
			{id: "31", name: "Done", to: "10001"},
		},
	}
}

// classicWorkflow is Jira's classic default workflow.
func classicWorkflow() *workflow {
	open := []string{"1", "4"}
	return &workflow{
		statuses: []*status{
			{id: "1", name: "Open", category: categoryToDo,
				description: "The issue is open and ready for the assignee to start work on it."},
			{id: "3", name: "In Progress", category: categoryInProgress,
				description: "This issue is being actively worked on at the moment by the assignee."},
			{id: "4", name: "Reopened", category: categoryToDo,
				description: "This issue was once resolved, but the resolution was deemed incorrect."},
			{id: "5", name: "Resolved", category: categoryDone,
				description: "A resolution has been taken, and it is awaiting verification by reporter."},
			{id: "6", name: "Closed", category: categoryDone,
				description: "The issue is considered finished, the resolution is correct."},
		},
		transitions: []transition{
			{id: "4", name: "Start Progress", from: open, to: "3"},
			{id: "301", name: "Stop Progress", from: []string{"3"}, to: "1"},
			{id: "5", name: "Resolve Issue", from: []string{"1", "3", "4"}, to: "5"},
			{id: "2", name: "Close Issue", from: []string{"1", "3", "4"}, to: "6"},
			{id: "701", name: "Close Issue", from: []string{"5"}, to: "6"},
			{id: "3", name: "Reopen Issue", from: []string{"5", "6"}, to: "4"},
		},
	}
}

// adfNode is a node of the Atlassian Document Format, for the seed's documents.
type adfNode map[string]any

func doc(blocks ...adfNode) json.RawMessage {
	b, _ := json.Marshal(adfNode{"type": "doc", "version": 1, "content": blocks})
	return b
}

// para is a paragraph whose lines are separated by hard breaks.
func para(lines ...string) adfNode {
	var content []adfNode
	for i, l := range lines {
		if i > 0 {
			content = append(content, adfNode{"type": "hardBreak"})
		}
		content = append(content, adfNode{"type": "text", "text": l})
	}
	return adfNode{"type": "paragraph", "content": content}
}

func bullets(items ...string) adfNode {
	var list []adfNode
	for _, it := range items {
		list = append(list, adfNode{"type": "listItem", "content": []adfNode{para(it)}})
	}
	return adfNode{"type": "bulletList", "content": list}
}

func code(text string) adfNode {
	return adfNode{"type": "codeBlock", "attrs": adfNode{},
		"content": []adfNode{{"type": "text", "text": text}}}
}
