package uploader

import (
	"context"
	"fmt"
)

// Throttle paces the file bytes of request bodies, such as a token bucket
// shared by every upload. Implementations must be safe for concurrent use.
type Throttle interface {
	// WaitN blocks until n more bytes may be sent, or ctx ends. n is at
	// most ThrottleChunk.
	WaitN(ctx context.Context, n int) error
	// Unlimited reports whether no cap is in force now, so reads can skip
	// pacing.
	Unlimited() bool
}

// ThrottleChunk is the most file bytes read at a time while a Throttle caps
// the rate. Small chunks keep the rate smooth. A throttled read also counts
// as progress for the stall check, because at low rates the transport's
// 64 KiB write buffer may take longer than stall_timeout to fill.
const ThrottleChunk = 16 << 10

// throttleError returns the context's error when a throttle wait failed
// because ctx ended or its deadline would pass before the bytes may go, so
// the attempt is classed as canceled or timed out rather than internal.
func throttleError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if _, ok := ctx.Deadline(); ok {
		return fmt.Errorf("%w: bandwidth cap: %v", context.DeadlineExceeded, err)
	}
	return fmt.Errorf("bandwidth cap: %w", err)
}
