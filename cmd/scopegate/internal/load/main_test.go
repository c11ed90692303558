package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseFlagsRefusesWhatIsNotLoopback(t *testing.T) {
	tests := []struct {
		name string
		url  string
		ok   bool
	}{
		{"ipv4 loopback", "http://127.0.0.1:8765/mcp", true},
		{"elsewhere in 127/8", "http://127.3.4.5:8765/mcp", true},
		{"ipv6 loopback", "http://[::1]:8765/mcp", true},
		{"localhost", "http://localhost:8765/sse", true},
		{"private range", "http://10.0.0.1:8765/mcp", false},
		{"another private range", "http://192.168.1.10/mcp", false},
		{"public address", "http://8.8.8.8/mcp", false},
		{"a name, not resolved", "http://example.com/mcp", false},
		{"a name that looks local", "http://localhost.example.com/mcp", false},
		{"not http", "ftp://127.0.0.1/mcp", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags([]string{"-url", tt.url})
			if (err == nil) != tt.ok {
				t.Errorf("parseFlags(-url %s) error = %v, want ok %v", tt.url, err, tt.ok)
			}
		})
	}
}

func TestParseFlagsBounds(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-sessions", "0"}, "-sessions"},
		{[]string{"-sessions", "100000"}, "-sessions"},
		{[]string{"-duration", "1h"}, "-duration"},
		{[]string{"-max-calls", "0"}, "-max-calls"},
		{[]string{"-max-calls", "10000000"}, "-max-calls"},
		{[]string{"-args", "[1]"}, "-args"},
		{[]string{"-transport", "ws"}, "-transport"},
	}
	for _, tt := range tests {
		_, err := parseFlags(tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseFlags(%q) error = %v, want one naming %s", tt.args, err, tt.want)
		}
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.transport != "http" || o.sessions != 4 || o.duration != 10*time.Second || o.maxCalls != 2000 {
		t.Errorf("defaults = %+v, want http, 4 sessions, 10s and 2000 calls", o)
	}
	o, err = parseFlags([]string{"-url", "http://127.0.0.1:8765/sse"})
	if err != nil || o.transport != "sse" {
		t.Errorf("parseFlags(-url .../sse) = transport %q, error %v; want sse", o.transport, err)
	}
}

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i))
	}
	for _, tt := range []struct{ p, want int }{{50, 50}, {90, 90}, {99, 99}, {100, 100}} {
		if got := percentile(s, tt.p); got != time.Duration(tt.want) {
			t.Errorf("percentile(1..100, %d) = %d, want %d", tt.p, got, tt.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("percentile([7], 99) = %d, want 7", got)
	}
}
