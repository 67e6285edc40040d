package uploader

import (
	"math/rand/v2"
	"time"
)

// Backoff returns the wait before retry number attempt (1 for the first
// retry): a random duration between base and min(limit, base·2^(attempt-1)),
// the "full jitter" scheme, so agents that failed together do not retry
// together.
func Backoff(attempt int, base, limit time.Duration) time.Duration {
	if base <= 0 {
		base = time.Second
	}
	limit = max(limit, base)
	ceiling := base
	for i := 1; i < attempt && ceiling < limit; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, limit)
	if ceiling <= base {
		return base
	}
	return base + rand.N(ceiling-base)
}
