package bandwidth

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Schedule is a weekly timetable of rates. Each entry starts at a minute
// of the week, and the entry in force at a time is the latest one at or
// before it, wrapping around to the week's last entry.
type Schedule struct {
	entries []entry // sorted by start
}

type entry struct {
	start int // minutes since Sunday 00:00
	rate  Rate
}

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
)

// Constant returns a schedule with one rate at all times.
func Constant(r Rate) Schedule { return Schedule{entries: []entry{{0, r}}} }

// ParseSchedule reads a rate ("10M", "off") or a timetable of entries
// "[WEEKDAY-]HH:MM,RATE" separated by spaces or semicolons, such as
// "08:00,512k 12:00,10M 18:00,off" or "Mon-08:00,1M Sat-00:00,off". An
// entry without a weekday applies to every day. This is the format of
// rclone's --bwlimit, except that a rate always needs a unit and one rate
// covers both directions.
func ParseSchedule(s string) (Schedule, error) {
	if !strings.Contains(s, ",") {
		r, err := ParseRate(s)
		if err != nil && strings.ContainsAny(strings.TrimSpace(s), ": ;") {
			return Schedule{}, fmt.Errorf("invalid bandwidth %q: use a rate such as \"10M\" or a timetable of [WEEKDAY-]HH:MM,RATE entries such as \"08:00,512k 18:00,off\"", s)
		}
		if err != nil {
			return Schedule{}, err
		}
		return Constant(r), nil
	}
	var sch Schedule
	seen := map[int]string{}
	for _, field := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ';' || r == '\t' }) {
		days, minute, r, err := parseEntry(field)
		if err != nil {
			return Schedule{}, err
		}
		for _, d := range days {
			start := d*minutesPerDay + minute
			if prev, ok := seen[start]; ok {
				return Schedule{}, fmt.Errorf("invalid timetable %q: entries %q and %q start at the same time; keep one", s, prev, field)
			}
			seen[start] = field
			sch.entries = append(sch.entries, entry{start, r})
		}
	}
	if len(sch.entries) == 0 {
		return Schedule{}, errors.New("invalid timetable: no entries")
	}
	sort.Slice(sch.entries, func(i, j int) bool { return sch.entries[i].start < sch.entries[j].start })
	return sch, nil
}

var weekdays = map[string]int{
	"sun": 0, "sunday": 0, "mon": 1, "monday": 1, "tue": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
	"thu": 4, "thursday": 4, "fri": 5, "friday": 5, "sat": 6, "saturday": 6,
}

// parseEntry reads "[WEEKDAY-]HH:MM,RATE" and returns the days it covers
// (0 is Sunday), its minute of the day and its rate.
func parseEntry(field string) (days []int, minute int, r Rate, err error) {
	when, rateText, ok := strings.Cut(field, ",")
	if !ok {
		return nil, 0, 0, fmt.Errorf("invalid timetable entry %q: use [WEEKDAY-]HH:MM,RATE, such as \"08:00,512k\" or \"Mon-08:00,1M\"", field)
	}
	days = []int{0, 1, 2, 3, 4, 5, 6}
	if day, clock, ok := strings.Cut(when, "-"); ok {
		d, known := weekdays[strings.ToLower(day)]
		if !known {
			return nil, 0, 0, fmt.Errorf("invalid weekday %q in timetable entry %q: use Mon, Tue, Wed, Thu, Fri, Sat or Sun", day, field)
		}
		days, when = []int{d}, clock
	}
	minute, err = parseClock(when)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("invalid time in timetable entry %q: %w", field, err)
	}
	r, err = ParseRate(rateText)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("timetable entry %q: %w", field, err)
	}
	return days, minute, r, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, herr := strconv.Atoi(h)
	mm, merr := strconv.Atoi(m)
	if !ok || herr != nil || merr != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time of day: use HH:MM from 00:00 to 23:59", s)
	}
	return hh*60 + mm, nil
}

// At returns the rate in force at t, in t's time zone, and when the next
// entry starts.
func (s Schedule) At(t time.Time) (Rate, time.Time) {
	if len(s.entries) <= 1 {
		r := Off
		if len(s.entries) == 1 {
			r = s.entries[0].rate
		}
		return r, time.Time{}
	}
	now := int(t.Weekday())*minutesPerDay + t.Hour()*60 + t.Minute()
	i := sort.Search(len(s.entries), func(i int) bool { return s.entries[i].start > now })
	cur := s.entries[(i-1+len(s.entries))%len(s.entries)]
	next := s.entries[i%len(s.entries)].start
	if next <= now {
		next += minutesPerWeek
	}
	return cur.rate, weekMinute(t, next)
}

// weekMinute returns the time at minute m of the week that contains t,
// counted from Sunday 00:00 in t's zone; m may run into the next week.
func weekMinute(t time.Time, m int) time.Time {
	sunday := t.Day() - int(t.Weekday())
	return time.Date(t.Year(), t.Month(), sunday+m/minutesPerDay, (m%minutesPerDay)/60, m%60, 0, 0, t.Location())
}

// String writes the schedule the way ParseSchedule reads it.
func (s Schedule) String() string {
	if len(s.entries) <= 1 {
		r, _ := s.At(time.Time{})
		return r.String()
	}
	names := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	parts := make([]string, len(s.entries))
	for i, e := range s.entries {
		parts[i] = fmt.Sprintf("%s-%02d:%02d,%s", names[e.start/minutesPerDay], (e.start%minutesPerDay)/60, e.start%60, e.rate)
	}
	return strings.Join(parts, " ")
}

// Unlimited reports whether the schedule never caps the rate.
func (s Schedule) Unlimited() bool {
	for _, e := range s.entries {
		if e.rate != Off {
			return false
		}
	}
	return true
}
