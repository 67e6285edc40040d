package agent

import (
	"strings"

	"github.com/hotfolder/hotfolder/agent/bandwidth"
)

// Bandwidth is an upload cap written in the config as a rate ("512k",
// "10M", "off") or a timetable ("08:00,512k 18:00,off"); see
// bandwidth.ParseSchedule.
type Bandwidth struct {
	text  string
	sched bandwidth.Schedule
}

// UnmarshalText parses a rate or timetable; the TOML decoder reports its
// error with the line and key.
func (b *Bandwidth) UnmarshalText(text []byte) error {
	sched, err := bandwidth.ParseSchedule(string(text))
	if err != nil {
		return err
	}
	*b = Bandwidth{text: strings.TrimSpace(string(text)), sched: sched}
	return nil
}

// MarshalText writes the value as it was given, or "off".
func (b Bandwidth) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

func (b Bandwidth) String() string {
	if b.text == "" {
		return "off"
	}
	return b.text
}

// Schedule returns the parsed timetable; the zero Bandwidth never caps.
func (b Bandwidth) Schedule() bandwidth.Schedule {
	if b.text == "" {
		return bandwidth.Constant(bandwidth.Off)
	}
	return b.sched
}

// Limited reports whether the value caps the rate at any time.
func (b Bandwidth) Limited() bool { return !b.Schedule().Unlimited() }
