package memwatch

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestWatchEpisode(t *testing.T) {
	var used uint64
	var pressure, relief int
	var logs bytes.Buffer
	w := New(Config{
		Warn: 100 << 20, Limit: 200 << 20,
		Sample:   func() uint64 { return used },
		Pressure: func() { pressure++ },
		Relief:   func() { relief++ },
		Logger:   slog.New(slog.NewTextHandler(&logs, nil)),
	})
	steps := []struct {
		mib      uint64
		want     State
		pressure int
		relief   int
	}{
		{50, Normal, 0, 0},
		{150, Warned, 0, 0},
		{160, Warned, 0, 0},   // still the same episode: no second warning
		{250, Pressing, 1, 0}, // above the limit
		{260, Pressing, 1, 0},
		{150, Pressing, 1, 0}, // below the limit but above warn: still pressing
		{90, Normal, 1, 1},
		{120, Warned, 1, 1}, // a new episode warns again
	}
	for i, s := range steps {
		used = s.mib << 20
		if got := w.Check(); got != s.want {
			t.Errorf("step %d at %d MiB: state %d, want %d", i, s.mib, got, s.want)
		}
		if pressure != s.pressure || relief != s.relief {
			t.Errorf("step %d at %d MiB: pressure %d relief %d, want %d and %d", i, s.mib, pressure, relief, s.pressure, s.relief)
		}
	}
	if n := strings.Count(logs.String(), "memory above warning level"); n != 2 {
		t.Errorf("%d warnings logged, want one per episode (2):\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "memory above limit"); n != 1 {
		t.Errorf("%d limit lines logged, want 1:\n%s", n, logs.String())
	}
}

func TestWatchLimitOnly(t *testing.T) {
	var used uint64
	var relief int
	w := New(Config{Limit: 64 << 20, Sample: func() uint64 { return used }, Relief: func() { relief++ }})
	used = 100 << 20
	if got := w.Check(); got != Pressing {
		t.Fatalf("state %d above the limit, want Pressing", got)
	}
	used = 50 << 20
	if got := w.Check(); got != Normal || relief != 1 {
		t.Errorf("state %d, relief %d below the limit with no warning level, want Normal and 1", got, relief)
	}
}

func TestInUseIsPlausible(t *testing.T) {
	got := InUse()
	if got < 1<<20 || got > 1<<40 {
		t.Errorf("InUse() = %d bytes, want between 1 MiB and 1 TiB", got)
	}
}
