// Package sheets implements scopegate's Google Sheets tools on the Sheets
// API v4.
package sheets

import "github.com/scopegate/scopegate/registry"

// Tools returns the Sheets tools in the order they are listed.
func Tools() []registry.Tool { return nil }
