// Package drive implements scopegate's Google Drive tools on the Drive
// API v3.
package drive

import "github.com/scopegate/scopegate/registry"

// Tools returns the Drive tools in the order they are listed.
func Tools() []registry.Tool { return nil }
