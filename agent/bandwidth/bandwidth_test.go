package bandwidth

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	cases := []struct {
		in   string
		want Rate
	}{
		{"off", Off},
		{"", Off},
		{" OFF ", Off},
		{"512k", 512 << 10},
		{"512K", 512 << 10},
		{"10M", 10 << 20},
		{"1.5M", 3 << 19},
		{"2G", 2 << 30},
		{"64KiB", 64 << 10},
		{"1Mi", 1 << 20},
		{"4096B", 4096},
	}
	for _, c := range cases {
		got, err := ParseRate(c.in)
		if err != nil {
			t.Errorf("ParseRate(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseRate(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestParseRateRejects(t *testing.T) {
	for _, in := range []string{"512", "fast", "10Mbit", "-1M", "0k", "100B", "1.5.5M", "10 M"} {
		_, err := ParseRate(in)
		if err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), in) {
			t.Errorf("error for %q does not name the value: %v", in, err)
		}
	}
}

func TestRateStringRoundTrip(t *testing.T) {
	for _, in := range []string{"off", "512k", "1.5M", "10M", "2G"} {
		r, err := ParseRate(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.String(); got != in {
			t.Errorf("Rate(%q).String() = %q", in, got)
		}
	}
}

// at returns a local time in the week of Monday 2026-12-07.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, 12, 6+day, hour, minute, 0, 0, time.Local)
}

func TestScheduleDaily(t *testing.T) {
	s, err := ParseSchedule("08:00,512k 12:00,10M 18:00,off")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		when time.Time
		want Rate
		next time.Time
	}{
		{at(1, 7, 59), Off, at(1, 8, 0)}, // wraps back to 18:00 of the day before
		{at(1, 8, 0), 512 << 10, at(1, 12, 0)},
		{at(1, 11, 30), 512 << 10, at(1, 12, 0)},
		{at(3, 12, 0), 10 << 20, at(3, 18, 0)},
		{at(6, 23, 59), Off, at(7, 8, 0)}, // Saturday night to Sunday morning
	}
	for _, c := range cases {
		got, next := s.At(c.when)
		if got != c.want {
			t.Errorf("At(%s) = %s, want %s", c.when, got, c.want)
		}
		if !next.Equal(c.next) {
			t.Errorf("At(%s) next change %s, want %s", c.when, next, c.next)
		}
	}
}

func TestScheduleWeekly(t *testing.T) {
	s, err := ParseSchedule("Mon-08:00,1M;Fri-18:00,off Sat-10:00,256k")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		when time.Time
		want Rate
	}{
		{at(1, 7, 0), 256 << 10}, // Monday before 08:00: Saturday's entry still holds
		{at(1, 8, 0), 1 << 20},
		{at(3, 23, 0), 1 << 20},
		{at(5, 18, 0), Off},
		{at(6, 10, 0), 256 << 10},
		{at(0, 12, 0), 256 << 10},
	}
	for _, c := range cases {
		if got, _ := s.At(c.when); got != c.want {
			t.Errorf("At(%s %s) = %s, want %s", c.when.Weekday(), c.when.Format("15:04"), got, c.want)
		}
	}
}

func TestScheduleConstant(t *testing.T) {
	s, err := ParseSchedule("2M")
	if err != nil {
		t.Fatal(err)
	}
	r, next := s.At(at(2, 9, 0))
	if r != 2<<20 || !next.IsZero() {
		t.Errorf("At = %s, next %s; want 2M and no change", r, next)
	}
	if s.Unlimited() {
		t.Error("a 2M schedule reports no cap")
	}
	if off, _ := ParseSchedule("off"); !off.Unlimited() {
		t.Error("an off schedule reports a cap")
	}
}

func TestParseScheduleRejects(t *testing.T) {
	cases := []struct{ in, want string }{
		{"08:00,512k 08:00,1M", "same time"},
		{"25:00,1M", "not a time of day"},
		{"8:0,1M", "not a time of day"},
		{"Mon-08:00 1M", "[WEEKDAY-]HH:MM,RATE"},
		{"Mon-08:00", "[WEEKDAY-]HH:MM,RATE"},
		{"Xyz-08:00,1M", "invalid weekday"},
		{"08:00,fast", "invalid rate"},
		{"08:00,512", "invalid rate"},
	}
	for _, c := range cases {
		_, err := ParseSchedule(c.in)
		if err == nil {
			t.Errorf("ParseSchedule(%q) accepted", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSchedule(%q): %v; want a message with %q", c.in, err, c.want)
		}
	}
}

// fakeClock is a settable time source.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func TestLimiterFollowsTimetable(t *testing.T) {
	s, err := ParseSchedule("08:00,512k 18:00,off")
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: at(2, 7, 0)}
	l := NewLimiter(s, clock.now)
	if !l.Unlimited() {
		t.Fatalf("rate %s at 07:00, want off", l.Rate())
	}
	clock.set(at(2, 9, 0))
	if r, next := l.Update(); r != 512<<10 || !next.Equal(at(2, 18, 0)) {
		t.Errorf("Update at 09:00 = %s, next %s; want 512k until 18:00", r, next)
	}
	if l.Unlimited() {
		t.Error("limiter reports no cap at 09:00")
	}
	clock.set(at(2, 18, 30))
	if r, _ := l.Update(); r != Off || !l.Unlimited() {
		t.Errorf("Update at 18:30 = %s, want off", r)
	}
}

func TestLimiterPacesBytes(t *testing.T) {
	const perSecond = 256 << 10
	l := NewLimiter(Constant(perSecond), nil)
	start := time.Now()
	// The bucket starts full (Burst bytes); the rest is paced.
	for sent := 0; sent < Burst+perSecond; sent += 16 << 10 {
		if err := l.WaitN(context.Background(), 16<<10); err != nil {
			t.Fatal(err)
		}
	}
	// Only a lower bound: a loaded machine may be slower, never faster.
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("sent %d bytes at %d B/s in %s, want at least about 1s", Burst+perSecond, perSecond, took)
	}
}

func TestChainUsesEveryLimiter(t *testing.T) {
	open := NewLimiter(Constant(Off), nil)
	capped := NewLimiter(Constant(1<<20), nil)
	if !(Chain{open, nil}).Unlimited() {
		t.Error("a chain of an open limiter and nil reports a cap")
	}
	if (Chain{open, capped}).Unlimited() {
		t.Error("a chain with a capped limiter reports no cap")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 10 { // drain the burst, then the canceled context must stop the wait
		if err := (Chain{open, capped}).WaitN(ctx, 16<<10); err != nil {
			return
		}
	}
	t.Error("WaitN on a canceled context never failed")
}
