// Package calendar implements scopegate's Google Calendar tools on the
// Calendar API v3.
package calendar

import "github.com/scopegate/scopegate/registry"

// Tools returns the Calendar tools in the order they are listed.
func Tools() []registry.Tool { return nil }
