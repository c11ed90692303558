package sandboxtest

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewClock(start)
	c.Advance(time.Hour)
	c.Advance(-time.Minute)
	if got, want := c.Now(), start.Add(59*time.Minute); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
}
