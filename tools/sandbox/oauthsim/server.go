package oauthsim

import (
	"log/slog"
	"sync"
	"time"
)

// NowOr returns now, or time.Now when now is nil: a server's clock option.
func NowOr(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// LoggerOr returns l, or a logger that discards everything when l is nil: a server's
// logger option.
func LoggerOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Registry indexes registered clients by their id; a later client replaces an earlier one
// with the same id.
func Registry[C any](clients []C, id func(C) string) map[string]C {
	out := make(map[string]C, len(clients))
	for _, c := range clients {
		out[id(c)] = c
	}
	return out
}

// MustParse parses an embedded document with parse. A broken embedded document is a build
// mistake, so it panics, naming the document's owner.
func MustParse[T any](owner string, data []byte, parse func([]byte) (*T, error)) *T {
	v, err := parse(data)
	if err != nil {
		panic(owner + ": " + err.Error())
	}
	return v
}

// Take removes the value stored under key from m and returns it, holding mu while it
// does: a pending consent or a code is answered once.
func Take[V any](mu *sync.Mutex, m map[string]V, key string) (V, bool) {
	mu.Lock()
	defer mu.Unlock()
	v, ok := m[key]
	delete(m, key)
	return v, ok
}
