// Package tools holds the ordered list of every tool scopegate serves. The
// tools themselves live in one package per provider API family below it.
package tools

import (
	"github.com/scopegate/scopegate/registry"
	"github.com/scopegate/scopegate/tools/calendar"
	"github.com/scopegate/scopegate/tools/drive"
	"github.com/scopegate/scopegate/tools/gmail"
	"github.com/scopegate/scopegate/tools/jira"
	"github.com/scopegate/scopegate/tools/onedrive"
	"github.com/scopegate/scopegate/tools/outlook"
	"github.com/scopegate/scopegate/tools/sheets"
	"github.com/scopegate/scopegate/tools/slack"
	"github.com/scopegate/scopegate/tools/teams"
)

// All returns every tool in the order tools/list shows them. The list is
// explicit on purpose: a tool exists when it is named here, and nowhere else.
func All() []registry.Tool {
	var all []registry.Tool
	// Gmail: read first, then write, then destructive.
	all = append(all, gmail.Tools()...)
	all = append(all, calendar.Tools()...)
	all = append(all, drive.Tools()...)
	all = append(all, sheets.Tools()...)
	// Microsoft 365: Outlook mail and calendar, OneDrive, Teams.
	all = append(all, outlook.Tools()...)
	all = append(all, onedrive.Tools()...)
	all = append(all, teams.Tools()...)
	// Slack, then Jira Cloud.
	all = append(all, slack.Tools()...)
	all = append(all, jira.Tools()...)
	return all
}
