package limit

import (
	"context"
	"sync"
	"testing"
	"time"
)

// serve runs n uploads through l against a simulated endpoint with
// capacity slots: an upload beyond capacity is an Overload, rejected at
// once. It returns the number of overloads.
func serve(l *Limiter, n, capacity int) (overloads int) {
	var mu sync.Mutex
	busy := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if n == 0 {
					mu.Unlock()
					return
				}
				n--
				mu.Unlock()
				s, _ := l.Acquire(context.Background())
				mu.Lock()
				busy++
				over := busy > capacity
				mu.Unlock()
				if !over {
					time.Sleep(time.Millisecond) // a rejection comes back at once
				}
				mu.Lock()
				busy--
				if over {
					overloads++
					n++ // the upload is tried again
				}
				mu.Unlock()
				if over {
					l.Release(s, Overload, time.Millisecond, 1024)
				} else {
					l.Release(s, Success, time.Millisecond, 1024)
				}
			}
		}()
	}
	wg.Wait()
	return overloads
}

func TestLimiterConvergesToCapacity(t *testing.T) {
	l := New(Config{Max: 8})
	overloads := serve(l, 400, 2)
	t.Logf("%d overloads in %d attempts, limit %d", overloads, 400+overloads, l.Limit())
	if got := l.Limit(); got < 2 || got > 3 {
		t.Errorf("limit %d after 400 uploads to a 2-slot endpoint, want 2 or 3", got)
	}
	if share := float64(overloads) / float64(400+overloads); share > 0.10 {
		t.Errorf("%d overloads in %d attempts (%.1f%%), want at most 10%%", overloads, 400+overloads, 100*share)
	}
}

func TestLimiterGrowsToMaxWhenHealthy(t *testing.T) {
	l := New(Config{Max: 6})
	serve(l, 200, 100)
	if got := l.Limit(); got != 6 {
		t.Errorf("limit %d after 200 successes, want the maximum 6", got)
	}
}

func TestLimiterDecreaseOncePerEpoch(t *testing.T) {
	l := New(Config{Max: 8, Initial: 8})
	var slots []Slot
	for range 8 {
		s, ok := l.TryAcquire()
		if !ok {
			t.Fatal("slot not granted below the limit")
		}
		slots = append(slots, s)
	}
	if _, ok := l.TryAcquire(); ok {
		t.Fatal("slot granted above the limit")
	}
	for _, s := range slots {
		l.Release(s, Overload, time.Millisecond, 0)
	}
	if got := l.Limit(); got != 6 {
		t.Errorf("limit %d after one burst of overloads from 8, want 6 (one decrease by 0.75)", got)
	}
}

func TestLimiterFloorIsMin(t *testing.T) {
	l := New(Config{Min: 1, Max: 4, Initial: 4})
	for range 20 {
		l.Decrease()
	}
	if got := l.Limit(); got != 1 {
		t.Errorf("limit %d after many decreases, want the floor 1", got)
	}
}

func TestLimiterNoIncreaseWithoutReachingLimit(t *testing.T) {
	l := New(Config{Max: 8, Initial: 4})
	for range 100 {
		s, _ := l.TryAcquire()
		l.Release(s, Success, time.Millisecond, 0)
	}
	if got := l.Limit(); got != 4 {
		t.Errorf("limit %d after serial uploads that never used 4 slots, want 4", got)
	}
}

func TestLimiterLatencyRiseDecreases(t *testing.T) {
	l := New(Config{Max: 8, Initial: 4, Window: 4})
	l.Decrease() // leave slow start: 3
	run := func(took time.Duration) {
		var slots []Slot
		for {
			s, ok := l.TryAcquire()
			if !ok {
				break
			}
			slots = append(slots, s)
		}
		for _, s := range slots {
			l.Release(s, Success, took, 0)
		}
	}
	for range 8 {
		run(10 * time.Millisecond)
	}
	before := l.Limit()
	for range 4 {
		run(100 * time.Millisecond)
	}
	if after := l.Limit(); after >= before {
		t.Errorf("limit %d after latency rose tenfold, want below %d", after, before)
	}
}

func TestLimiterIgnoreOnlyFrees(t *testing.T) {
	l := New(Config{Max: 2, Initial: 2})
	a, _ := l.TryAcquire()
	b, _ := l.TryAcquire()
	l.Release(a, Ignore, 0, 0)
	l.Release(b, Ignore, 0, 0)
	if got, inFlight := l.Limit(), l.InFlight(); got != 2 || inFlight != 0 {
		t.Errorf("limit %d, in flight %d after two ignored failures, want 2 and 0", got, inFlight)
	}
}

func TestLimiterAcquireWaitsAndCancels(t *testing.T) {
	l := New(Config{Max: 1})
	s, _ := l.TryAcquire()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx); err == nil {
		t.Fatal("Acquire succeeded while the only slot was held")
	}
	got := make(chan error, 1)
	go func() {
		_, err := l.Acquire(context.Background())
		got <- err
	}()
	l.Release(s, Success, time.Millisecond, 0)
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Acquire after release: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Acquire did not wake after a release")
	}
}

func TestLimiterProbesOverTimeBeforeFirstDecrease(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(Config{Max: 4, Now: func() time.Time { return now }})
	if _, ok := l.TryAcquire(); !ok {
		t.Fatal("first slot not granted")
	}
	if _, ok := l.TryAcquire(); ok {
		t.Fatal("second slot granted at limit 1 before the probe interval")
	}
	if d := l.ProbeIn(); d != time.Second {
		t.Errorf("ProbeIn = %s, want the 1s probe interval", d)
	}
	now = now.Add(time.Second)
	if _, ok := l.TryAcquire(); !ok {
		t.Fatal("no second slot after a probe interval at the limit")
	}
	if got := l.Limit(); got != 2 {
		t.Errorf("limit %d after one probe interval, want 2", got)
	}
	l.Decrease()
	now = now.Add(time.Hour)
	if d := l.ProbeIn(); d != 0 {
		t.Errorf("ProbeIn = %s after a decrease, want 0: growth then needs successes", d)
	}
}
