package agent

import (
	"errors"
	"net/http"
	"time"

	"github.com/hotfolder/hotfolder/agent/limit"
	"github.com/hotfolder/hotfolder/uploader"
)

// release returns an upload's slot to its folder's limiter with the
// attempt's outcome, and logs a change of the limit at debug level.
func (a *Agent) release(f *folder, slot limit.Slot, err error, took time.Duration, bytes int64) {
	before := f.limiter.Limit()
	f.limiter.Release(slot, outcomeOf(err), took, bytes)
	if after := f.limiter.Limit(); after != before {
		a.log.Debug("concurrency limit changed", "folder", f.cfg.Name, "limit", after, "previous", before,
			"class", uploader.Classify(err))
	}
}

// outcomeOf returns what an upload attempt's error means for the endpoint's
// capacity. HTTP 429, 503, 504 and 408, timeouts, stalls and reset
// connections are backpressure. Other failures are unrelated to capacity.
func outcomeOf(err error) limit.Outcome {
	if err == nil {
		return limit.Success
	}
	switch uploader.Classify(err) {
	case uploader.ClassThrottled, uploader.ClassTimeout, uploader.ClassStalled, uploader.ClassReset:
		return limit.Overload
	case uploader.ClassHTTPServer:
		var ue *uploader.Error
		if errors.As(err, &ue) && (ue.Status == http.StatusServiceUnavailable || ue.Status == http.StatusGatewayTimeout) {
			return limit.Overload
		}
	}
	return limit.Ignore
}
