package receiver

import (
	"math"
	"testing"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1048576", 1 << 20},
		{"512B", 512},
		{"512k", 512 << 10},
		{"512M", 512 << 20},
		{"10G", 10 << 30},
		{"10GB", 10 << 30},
		{"1Ti", 1 << 40},
		{"1TiB", 1 << 40},
		{" 2 P ", 2 << 50},
		{"1.5G", 3 << 29},
		{".5K", 512},
		{"7E", 7 << 60},
		{"9223372036854775807", math.MaxInt64},
	}
	for _, c := range cases {
		got, err := ParseSize(c.in)
		if err != nil {
			t.Errorf("ParseSize(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseSize(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	for _, in := range []string{"", "M", "-1", "-1G", "abc", "10X", "10 GiBs", "1.2.3G", "8E", "9223372036854775808", "1e3", "iB", "10Bi"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}
