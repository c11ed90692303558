// Package sandboxtest holds test helpers shared by the sandbox providers' tests and by the
// tests that serve a sandbox next to the gate.
package sandboxtest

import (
	"sync"
	"time"
)

// Clock is a settable time source, safe for concurrent use. Its Now method can stand in
// for time.Now wherever a sandbox or the gate takes a clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads t until it is advanced.
func NewClock(t time.Time) *Clock {
	return &Clock{t: t}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d, which may be negative.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
