// Package gmail implements scopegate's Gmail tools on the Gmail REST API
// v1. Each tool is an input struct, a requirement that agrees with Google's
// discovery document for every method it calls, and a handler.
package gmail

import (
	"net/url"

	"github.com/scopegate/scopegate/registry"
)

// apiBase is Gmail's real origin.
const apiBase = "https://gmail.googleapis.com"

// Tools returns the Gmail tools in the order they are listed: reads, then
// writes, then destructive ones.
func Tools() []registry.Tool {
	return []registry.Tool{
		searchMessages(),
		getMessage(),
		listLabels(),
		sendEmail(),
		createDraft(),
		modifyLabels(),
		trashMessage(),
		deleteMessage(),
	}
}

// messagesURL returns the URL of the signed-in user's messages collection,
// followed by the given path elements, each escaped.
func messagesURL(call *registry.Call, elems ...string) string {
	p := "/gmail/v1/users/me/messages"
	for _, e := range elems {
		p += "/" + url.PathEscape(e)
	}
	return call.URL(apiBase, p)
}
