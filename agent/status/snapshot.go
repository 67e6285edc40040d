package status

import "time"

// Snapshot is the agent's state at one moment, as /status serves it in
// JSON. Byte counts are file bytes except UploadStatus.Sent, which counts
// bytes accepted by the connection.
type Snapshot struct {
	Time       time.Time          `json:"time"`
	Version    string             `json:"version"`
	Started    time.Time          `json:"started"`
	State      string             `json:"state"` // "running" or "stopping"
	Healthy    bool               `json:"healthy"`
	Problems   []string           `json:"problems,omitempty"` // reasons Healthy is false
	Queue      QueueStatus        `json:"queue"`
	Folders    []FolderStatus     `json:"folders"`
	InFlight   []UploadStatus     `json:"in_flight"`
	Recent     []Outcome          `json:"recent"`      // newest first
	LastErrors map[string]Outcome `json:"last_errors"` // the latest failure of each error class
}

// QueueStatus sums up the work still to do across every folder.
type QueueStatus struct {
	Files        int     `json:"files"`         // waiting for an upload slot
	Bytes        int64   `json:"bytes"`         // size of those files
	RetryWaiting int     `json:"retry_waiting"` // files waiting out a retry delay
	InFlight     int     `json:"in_flight"`     // uploads running now
	Remaining    int64   `json:"remaining"`     // queued bytes plus bytes still to send of uploads in flight
	Rate         float64 `json:"rate"`          // bytes per second over all uploads, recent average of the time any is in flight
	// ETASeconds estimates when Remaining is sent at Rate; nil while there
	// is no rate to go by. Files waiting to retry are not counted.
	ETASeconds *float64 `json:"eta_seconds"`
}

// FolderStatus is one folder's counts since the agent started.
type FolderStatus struct {
	Name         string `json:"name"`
	Healthy      bool   `json:"healthy"`
	Problem      string `json:"problem,omitempty"`
	QueueFiles   int    `json:"queue_files"`
	QueueBytes   int64  `json:"queue_bytes"`
	RetryWaiting int    `json:"retry_waiting"`
	InFlight     int    `json:"in_flight"`
	Uploaded     int64  `json:"uploaded"`
	Failed       int64  `json:"failed"`
}

// UploadStatus is one upload attempt in flight.
type UploadStatus struct {
	ID     uint64 `json:"id"` // unique for the agent's run
	Folder string `json:"folder"`
	File   string `json:"file"` // path below the inbox
	Size   int64  `json:"size"`
	// Sent counts bytes accepted by the connection, at most Size. It
	// leads what the server has read by up to the socket's send buffer,
	// which the operating system sizes at up to a few MiB, so a small file
	// can show 100% while it still travels.
	Sent       int64     `json:"sent"`
	Percent    float64   `json:"percent"` // Sent of Size, 0 to 100
	Rate       float64   `json:"rate"`    // bytes per second, recent average
	ETASeconds *float64  `json:"eta_seconds"`
	Started    time.Time `json:"started"`
	Attempt    int       `json:"attempt"`
}

// Outcome kinds.
const (
	OutcomeDone     = "done"     // uploaded and filed in done
	OutcomeFailed   = "failed"   // filed in failed
	OutcomeRetry    = "retry"    // the attempt failed and the file waits for another
	OutcomeVanished = "vanished" // the file disappeared before it was sent
	OutcomeChanged  = "changed"  // the file changed during the upload and settles again
)

// Outcome is the result of one upload attempt.
type Outcome struct {
	Time     time.Time     `json:"time"`
	Folder   string        `json:"folder"`
	File     string        `json:"file"`
	Outcome  string        `json:"outcome"`
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"duration_ns"`
	Attempts int           `json:"attempts"`
	Status   int           `json:"status,omitempty"` // HTTP status, 0 when no response arrived
	Class    string        `json:"class,omitempty"`  // error class of a failure
	Error    string        `json:"error,omitempty"`
}

func seconds(d time.Duration, ok bool) *float64 {
	if !ok {
		return nil
	}
	s := d.Seconds()
	return &s
}
