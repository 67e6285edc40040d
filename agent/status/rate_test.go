package status

import (
	"math"
	"testing"
	"time"
)

func TestRateWarmUpIsPlainMean(t *testing.T) {
	var r rate
	at := time.Unix(1000, 0)
	r.start(0, at)
	r.sample(100, at.Add(time.Second)) // 100 B/s
	r.sample(400, at.Add(2*time.Second))
	if got := r.bytesPerSecond(); math.Abs(got-200) > 1e-9 {
		t.Errorf("rate after samples of 100 and 300 B/s = %v, want their mean 200", got)
	}
}

func TestRateAfterWarmUpWeighsOneSixteenth(t *testing.T) {
	var r rate
	at := time.Unix(1000, 0)
	r.start(0, at)
	var count int64
	for i := 1; i <= 20; i++ {
		count += 1600
		r.sample(count, at.Add(time.Duration(i)*time.Second))
	}
	if got := r.bytesPerSecond(); math.Abs(got-1600) > 1e-6 {
		t.Fatalf("steady 1600 B/s gives %v", got)
	}
	r.sample(count, at.Add(21*time.Second)) // a second with no bytes
	if got, want := r.bytesPerSecond(), 1600*15.0/16; math.Abs(got-want) > 1e-6 {
		t.Errorf("after one idle second rate = %v, want %v", got, want)
	}
}

func TestRateUsesElapsedTime(t *testing.T) {
	var r rate
	at := time.Unix(1000, 0)
	r.start(0, at)
	r.sample(3000, at.Add(3*time.Second))
	if got := r.bytesPerSecond(); math.Abs(got-1000) > 1e-9 {
		t.Errorf("3000 bytes in 3s gives %v B/s, want 1000", got)
	}
	r.sample(3500, at.Add(3*time.Second+50*time.Millisecond))
	if got := r.bytesPerSecond(); math.Abs(got-1000) > 1e-9 {
		t.Errorf("a sample 50ms later changed the rate to %v", got)
	}
}

func TestRateETA(t *testing.T) {
	var r rate
	if _, ok := r.eta(100); ok {
		t.Error("ETA without a rate should be unknown")
	}
	at := time.Unix(1000, 0)
	r.start(0, at)
	r.sample(500, at.Add(time.Second))
	d, ok := r.eta(2000)
	if !ok || d != 4*time.Second {
		t.Errorf("ETA of 2000 bytes at 500 B/s = %v, %v; want 4s", d, ok)
	}
	if d, ok := r.eta(0); !ok || d != 0 {
		t.Errorf("ETA of nothing = %v, %v; want 0", d, ok)
	}
}
