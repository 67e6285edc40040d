// Package bandwidth caps the upload rate: a rate or a timetable of rates
// parsed from the config, and a token bucket that follows the timetable.
package bandwidth

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Rate is a cap in bytes per second; Off, the zero value, means no cap.
type Rate int64

// Off is no cap.
const Off Rate = 0

// MinRate is the lowest cap accepted, 1 KiB/s. Lower rates would leave a
// request body without progress for longer than a typical stall timeout.
const MinRate Rate = 1 << 10

var rateSyntax = regexp.MustCompile(`^([0-9]*\.?[0-9]+)([kmgt]?)(i?b?)$`)

// ParseRate reads a rate such as "512k", "10M", "1.5M" or "off". The
// suffixes k, M, G and T are binary (1k = 1024 bytes per second) and may
// be followed by "i" or "iB"; "B" alone means bytes. A number needs a
// unit, and "off" or "" means no cap.
func ParseRate(s string) (Rate, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" || t == "off" {
		return Off, nil
	}
	m := rateSyntax.FindStringSubmatch(t)
	if m == nil || (m[2] == "" && m[3] != "b") {
		return 0, fmt.Errorf("invalid rate %q: use a number with a unit, such as \"512k\", \"10M\" or \"1.5M\" (bytes per second, 1k = 1024), or \"off\"", s)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("invalid rate %q: %w", s, err)
	}
	shift := map[string]int{"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[m[2]]
	bytes := v * math.Pow(2, float64(shift))
	if bytes < float64(MinRate) {
		return 0, fmt.Errorf("invalid rate %q: the lowest cap is \"1k\" (1024 bytes per second); use \"off\" for no cap", s)
	}
	if bytes > math.MaxInt64/2 {
		return 0, fmt.Errorf("invalid rate %q: too large; use \"off\" for no cap", s)
	}
	return Rate(bytes), nil
}

// String writes r the way ParseRate reads it, such as "1.5M" or "off".
func (r Rate) String() string {
	if r == Off {
		return "off"
	}
	v, unit := float64(r), ""
	for _, u := range []string{"k", "M", "G", "T"} {
		if v < 1024 {
			break
		}
		v, unit = v/1024, u
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + unit
}
