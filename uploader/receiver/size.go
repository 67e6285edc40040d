package receiver

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize parses a byte count such as "1048576", "512M", "10G", "1.5T"
// or "1Ti". The suffixes K, M, G, T, P and E are powers of 1024 whether or
// not they are followed by "i", "B" or "iB", and are case-insensitive.
// Negative sizes and sizes above the int64 range are errors.
func ParseSize(s string) (int64, error) {
	text := strings.TrimSpace(s)
	digits := strings.IndexFunc(text, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if digits < 0 {
		digits = len(text)
	}
	num, suffix := text[:digits], strings.TrimSpace(text[digits:])
	shift, ok := sizeShift(suffix)
	if num == "" || !ok {
		return 0, sizeError(s)
	}
	if strings.Contains(num, ".") {
		return parseFractionalSize(s, num, shift)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("invalid size %q: larger than the maximum of %d bytes", s, int64(math.MaxInt64))
	}
	return n << shift, nil
}

func parseFractionalSize(s, num string, shift uint) (int64, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, sizeError(s)
	}
	v := math.Ldexp(f, int(shift))
	if v >= math.Ldexp(1, 63) {
		return 0, fmt.Errorf("invalid size %q: larger than the maximum of %d bytes", s, int64(math.MaxInt64))
	}
	return int64(v), nil
}

// sizeShift returns log2 of the multiplier that suffix names.
func sizeShift(suffix string) (uint, bool) {
	u := strings.ToUpper(suffix)
	u = strings.TrimSuffix(u, "B")
	u = strings.TrimSuffix(u, "I")
	if u == "" {
		return 0, suffix == "" || strings.EqualFold(suffix, "B")
	}
	if len(u) != 1 {
		return 0, false
	}
	i := strings.IndexByte("KMGTPE", u[0])
	if i < 0 {
		return 0, false
	}
	return uint(i+1) * 10, true
}

func sizeError(s string) error {
	return fmt.Errorf("invalid size %q: use a whole number of bytes or a number with a suffix "+
		"K, M, G, T, P or E (powers of 1024), such as 512M or 10G", s)
}
