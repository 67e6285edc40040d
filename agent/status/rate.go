package status

import "time"

// rateWeight is the weight of the newest one-second sample once the
// estimator has warmed up: older samples fade with a time constant of
// about 16 seconds, so the rate follows a change in throughput within
// half a minute without jumping on every burst.
const rateWeight = 1.0 / 16

// rate estimates bytes per second as an exponentially weighted moving
// average of samples taken about once a second. During warm-up the n-th
// sample has weight 1/n, so the first samples give their plain mean
// instead of being pulled towards zero.
type rate struct {
	value   float64 // bytes per second
	samples int
	last    int64     // byte count at the previous sample
	lastAt  time.Time // time of the previous sample; zero before the first
}

// start sets the byte count and time the first sample is measured from.
func (r *rate) start(count int64, at time.Time) {
	r.last, r.lastAt = count, at
}

// sample adds the bytes counted since the previous sample. A sample less
// than a tenth of a second after the previous one is skipped, because its
// rate would be mostly noise.
func (r *rate) sample(count int64, at time.Time) {
	elapsed := at.Sub(r.lastAt).Seconds()
	if r.lastAt.IsZero() || elapsed < 0.1 {
		if r.lastAt.IsZero() {
			r.start(count, at)
		}
		return
	}
	v := float64(max(count-r.last, 0)) / elapsed
	r.samples++
	w := max(1/float64(r.samples), rateWeight)
	r.value += w * (v - r.value)
	r.last, r.lastAt = count, at
}

// bytesPerSecond returns the estimate, 0 before the first sample.
func (r *rate) bytesPerSecond() float64 { return r.value }

// eta returns how long remaining bytes take at the estimated rate, and
// false when there is no estimate yet or the rate is zero.
func (r *rate) eta(remaining int64) (time.Duration, bool) {
	return etaAt(r.value, remaining)
}

func etaAt(bytesPerSecond float64, remaining int64) (time.Duration, bool) {
	if remaining <= 0 {
		return 0, true
	}
	if bytesPerSecond <= 0 {
		return 0, false
	}
	return time.Duration(float64(remaining) / bytesPerSecond * float64(time.Second)), true
}
