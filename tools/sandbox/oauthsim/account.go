package oauthsim

import (
	"strings"
	"unicode"
)

// NameWords makes a name from an address's local part: "demo.user@example.com" gives the
// words "Demo" and "User". It returns the local part too, for an address whose local part
// has no words.
func NameWords(address string) (local string, words []string) {
	local, _, _ = strings.Cut(address, "@")
	words = strings.FieldsFunc(local, func(r rune) bool {
		return r == '.' || r == '_' || r == '-' || r == '+'
	})
	for i, w := range words {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return local, words
}

// DisplayName makes a full name from an address's local part: "demo.user" gives
// "Demo User", and a local part without words is kept as it is.
func DisplayName(address string) string {
	local, words := NameWords(address)
	if len(words) == 0 {
		return local
	}
	return strings.Join(words, " ")
}
