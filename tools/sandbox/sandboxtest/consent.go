package sandboxtest

import (
	"html"
	"net/url"
	"regexp"
)

var (
	hiddenRE   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	checkboxRE = regexp.MustCompile(`<input type="checkbox" name="scope" value="([^"]+)"`)
)

// ConsentAnswer reads the form of a consent page and returns the answer a user would post:
// the form's hidden fields, decision, and the scope checkboxes keep accepts (nil: all).
func ConsentAnswer(page, decision string, keep func(string) bool) url.Values {
	form := url.Values{"decision": {decision}}
	for _, f := range hiddenRE.FindAllStringSubmatch(page, -1) {
		form.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	for _, c := range checkboxRE.FindAllStringSubmatch(page, -1) {
		if s := html.UnescapeString(c[1]); keep == nil || keep(s) {
			form.Add("scope", s)
		}
	}
	return form
}
