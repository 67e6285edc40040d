package agent

import (
	"errors"
	"net/http"

	"github.com/hotfolder/hotfolder/agent/limit"
	"github.com/hotfolder/hotfolder/uploader"
)

// outcomeOf says what an upload attempt's error means for the endpoint's
// capacity: HTTP 429, 503, 504 and 408, timeouts, stalls and reset
// connections are backpressure; other failures say nothing about it.
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
