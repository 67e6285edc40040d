// Package status keeps what an operator sees of a running agent: uploads
// in flight with their rate and ETA, the queue, recent outcomes, the last
// error of each class, and Prometheus metrics. NewServer serves them over
// HTTP as /status, /metrics and /healthz.
package status

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// Meter reports the bytes an upload has sent so far; *uploader.Meter is
// one.
type Meter interface{ Sent() int64 }

// Options configures a Tracker.
type Options struct {
	Folders []string // folder names, so every folder shows before its first file
	Version string
	Recent  int              // outcomes kept for Snapshot.Recent; default 50
	Now     func() time.Time // clock; default time.Now
	// Health returns nil while the named folder's watcher works, else the
	// reason. Nil means always healthy.
	Health func(folder string) error
}

// Tracker collects the agent's state. It is safe for concurrent use.
type Tracker struct {
	opts    Options
	started time.Time
	metrics *Metrics

	mu       sync.Mutex
	stopping bool
	folders  map[string]*folderState
	order    []string
	uploads  map[uint64]*Upload
	nextID   uint64
	recent   []Outcome // ring buffer, recentAt is the next slot
	recentAt int
	lastErr  map[string]Outcome
	total    rate  // over every upload, sampled only while one is in flight
	sent     int64 // bytes sent by every upload, for total
}

type folderState struct {
	queueFiles   int
	queueBytes   int64
	retryWaiting int
	inFlight     int
	uploaded     int64
	failed       int64
	rate         rate
	sent         int64
}

// NewTracker returns a Tracker with its metrics registered in a registry
// of their own.
func NewTracker(o Options) *Tracker {
	o.Recent = cmp.Or(o.Recent, 50)
	if o.Now == nil {
		o.Now = time.Now
	}
	t := &Tracker{opts: o, started: o.Now(), folders: map[string]*folderState{},
		uploads: map[uint64]*Upload{}, lastErr: map[string]Outcome{}}
	now := o.Now()
	t.total.start(0, now)
	for _, name := range o.Folders {
		t.folder(name).rate.start(0, now)
	}
	t.metrics = newMetrics(t, o.Folders, o.Version)
	return t
}

// Started returns when the tracker, and so the agent, started.
func (t *Tracker) Started() time.Time { return t.started }

// Metrics returns the tracker's Prometheus metrics.
func (t *Tracker) Metrics() *Metrics { return t.metrics }

// folder returns the state of name, creating it. t.mu must be held or t
// not yet shared.
func (t *Tracker) folder(name string) *folderState {
	f, ok := t.folders[name]
	if !ok {
		f = &folderState{}
		t.folders[name] = f
		t.order = append(t.order, name)
	}
	return f
}

// Run samples the rates once a second until ctx ends.
func (t *Tracker) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.Sample()
		}
	}
}

// Sample measures every rate once, at the tracker's clock.
func (t *Tracker) Sample() {
	now := t.opts.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, u := range t.uploads {
		sent := u.meter.Sent()
		f := t.folder(u.folder)
		t.sent += sent - u.counted
		f.sent += sent - u.counted
		u.counted = sent
		u.rate.sample(sent, now)
	}
	// The queue's rate is the rate of the uploads while any is in flight.
	// Idle seconds would average in as 0 B/s: after 10 idle seconds, the
	// first 5 seconds of an upload at 20 MiB/s would average 6.7 MiB/s.
	if len(t.uploads) > 0 {
		t.total.sample(t.sent, now)
	}
	for _, f := range t.folders {
		f.rate.sample(f.sent, now)
	}
}

// SetStopping records that the agent stopped taking files; /healthz then
// returns 503.
func (t *Tracker) SetStopping() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopping = true
}

// Queued counts a file that joined the upload queue.
func (t *Tracker) Queued(folder string, size int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.folder(folder)
	f.queueFiles++
	f.queueBytes += size
}

// Dequeued counts a file that left the upload queue for a worker.
func (t *Tracker) Dequeued(folder string, size int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.folder(folder)
	f.queueFiles = max(f.queueFiles-1, 0)
	f.queueBytes = max(f.queueBytes-size, 0)
}

// ClearQueue resets the queue counts when the agent stops and drops the
// queued files, which stay in their inboxes for the next start.
func (t *Tracker) ClearQueue() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, f := range t.folders {
		f.queueFiles, f.queueBytes, f.retryWaiting = 0, 0, 0
	}
}

// RetryWaiting adds delta, +1 or -1, to the files of folder waiting out a
// retry delay.
func (t *Tracker) RetryWaiting(folder string, delta int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.folder(folder)
	f.retryWaiting = max(f.retryWaiting+delta, 0)
}

// Settled records how long a file waited for its writer to finish.
func (t *Tracker) Settled(folder string, wait time.Duration) {
	t.metrics.settleWait.WithLabelValues(folder).Observe(max(wait, 0).Seconds())
}

// Removed counts files that retention deleted from a done folder.
func (t *Tracker) Removed(folder string, files int) {
	t.metrics.removed.WithLabelValues(folder).Add(float64(files))
}

// Upload is one upload attempt in flight, from Begin to End.
type Upload struct {
	t       *Tracker
	id      uint64
	folder  string
	file    string
	size    int64
	attempt int
	started time.Time
	meter   Meter
	counted int64 // bytes of meter already added to the totals
	rate    rate
}

// Begin registers an upload attempt of file, size bytes, whose progress m
// reports. Call End when the attempt returns.
func (t *Tracker) Begin(folder, file string, size int64, attempt int, m Meter) *Upload {
	now := t.opts.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.uploads) == 0 {
		// The first upload after idle time: measure from now, keeping the
		// average of the uploads before.
		t.total.start(t.sent, now)
	}
	t.nextID++
	u := &Upload{t: t, id: t.nextID, folder: folder, file: file, size: size, attempt: attempt,
		started: now, meter: m}
	u.rate.start(0, now)
	t.uploads[u.id] = u
	t.folder(folder).inFlight++
	return u
}

// End unregisters the attempt. Its bytes stay in the totals.
func (u *Upload) End() {
	t := u.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.uploads[u.id]; !ok {
		return
	}
	delete(t.uploads, u.id)
	f := t.folder(u.folder)
	f.inFlight--
	sent := u.meter.Sent()
	t.sent += sent - u.counted
	f.sent += sent - u.counted
}

// Record keeps o among the recent outcomes and in the metrics; a failure
// also becomes the last error of its class.
func (t *Tracker) Record(o Outcome) {
	if o.Time.IsZero() {
		o.Time = t.opts.Now()
	}
	t.mu.Lock()
	f := t.folder(o.Folder)
	switch o.Outcome {
	case OutcomeDone:
		f.uploaded++
	case OutcomeFailed:
		f.failed++
	}
	if len(t.recent) < t.opts.Recent {
		t.recent = append(t.recent, o)
	} else {
		t.recent[t.recentAt] = o
	}
	t.recentAt = (t.recentAt + 1) % t.opts.Recent
	if o.Class != "" {
		t.lastErr[o.Class] = o
	}
	t.mu.Unlock()
	t.metrics.record(o)
}

// Snapshot returns the current state.
func (t *Tracker) Snapshot() Snapshot {
	now := t.opts.Now()
	health := t.health()
	t.mu.Lock()
	defer t.mu.Unlock()
	s := Snapshot{Time: now, Version: t.opts.Version, Started: t.started, State: "running",
		Healthy: !t.stopping, Recent: t.recentOutcomes(), LastErrors: map[string]Outcome{}}
	if t.stopping {
		s.State = "stopping"
		s.Problems = append(s.Problems, "agent is stopping")
	}
	for class, o := range t.lastErr {
		s.LastErrors[class] = o
	}

	for _, name := range t.order {
		fs := t.folderStatus(name, health[name])
		if !fs.Healthy {
			s.Healthy = false
			s.Problems = append(s.Problems, "folder "+name+": "+fs.Problem)
		}
		s.Folders = append(s.Folders, fs)
		s.Queue.Files += fs.QueueFiles
		s.Queue.Bytes += fs.QueueBytes
		s.Queue.RetryWaiting += fs.RetryWaiting
	}

	s.InFlight = t.inFlight()
	s.Queue.InFlight = len(s.InFlight)
	s.Queue.Remaining = s.Queue.Bytes
	for _, u := range s.InFlight {
		s.Queue.Remaining += u.Size - u.Sent
	}
	// With nothing in flight the recent rate does not predict when the
	// queue moves again, as when an endpoint is down.
	if s.Queue.InFlight > 0 {
		s.Queue.Rate = t.total.bytesPerSecond()
	}
	s.Queue.ETASeconds = seconds(etaAt(s.Queue.Rate, s.Queue.Remaining))
	return s
}

func (t *Tracker) folderStatus(name string, problem error) FolderStatus {
	f := t.folders[name]
	fs := FolderStatus{Name: name, Healthy: problem == nil, QueueFiles: f.queueFiles, QueueBytes: f.queueBytes,
		RetryWaiting: f.retryWaiting, InFlight: f.inFlight, Uploaded: f.uploaded, Failed: f.failed}
	if problem != nil {
		fs.Problem = problem.Error()
	}
	return fs
}

// health collects each folder's watcher problem, outside t.mu.
func (t *Tracker) health() map[string]error {
	t.mu.Lock()
	names := slices.Clone(t.order)
	t.mu.Unlock()
	m := map[string]error{}
	if t.opts.Health == nil {
		return m
	}
	for _, name := range names {
		if err := t.opts.Health(name); err != nil {
			m[name] = err
		}
	}
	return m
}

// inFlight lists the uploads, oldest first. t.mu must be held.
func (t *Tracker) inFlight() []UploadStatus {
	list := make([]UploadStatus, 0, len(t.uploads))
	for _, u := range t.uploads {
		sent := min(u.meter.Sent(), u.size)
		us := UploadStatus{ID: u.id, Folder: u.folder, File: u.file, Size: u.size, Sent: sent,
			Rate: u.rate.bytesPerSecond(), Started: u.started, Attempt: u.attempt}
		if u.size > 0 {
			us.Percent = 100 * float64(sent) / float64(u.size)
		}
		us.ETASeconds = seconds(u.rate.eta(u.size - sent))
		list = append(list, us)
	}
	slices.SortFunc(list, func(a, b UploadStatus) int { return cmp.Compare(a.ID, b.ID) })
	return list
}

// recentOutcomes returns the kept outcomes, newest first. t.mu must be
// held.
func (t *Tracker) recentOutcomes() []Outcome {
	n := len(t.recent)
	out := make([]Outcome, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, t.recent[(t.recentAt-i+n)%n])
	}
	return out
}
