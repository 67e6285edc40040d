package uploader

import (
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	base, limit := time.Second, 30*time.Second
	for attempt := 1; attempt <= 12; attempt++ {
		ceiling := base << (attempt - 1)
		if ceiling > limit || ceiling <= 0 {
			ceiling = limit
		}
		for range 200 {
			d := Backoff(attempt, base, limit)
			if d < base || d > ceiling {
				t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", attempt, d, base, ceiling)
			}
		}
	}
}

func TestBackoffSpreads(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[Backoff(6, time.Second, time.Minute)] = true
	}
	if len(seen) < 10 {
		t.Errorf("50 backoffs gave only %d distinct values; jitter is missing", len(seen))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-3", 0},
		{"999999", time.Hour},
		{"Fri, 04 Dec 2026 12:00:30 GMT", 30 * time.Second},
		{"Fri, 04 Dec 2026 11:00:00 GMT", 0},
		{"Sat, 05 Dec 2026 12:00:00 GMT", time.Hour},
		{"soon", 0},
	}
	for _, c := range cases {
		if got := ParseRetryAfter(c.in, now); got != c.want {
			t.Errorf("ParseRetryAfter(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
