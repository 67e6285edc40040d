package status

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds the agent's Prometheus metrics in a registry of its own,
// so nothing else in the process can add to or collide with them. Every
// name starts with "hotfolder_" and every series has a "folder" label.
type Metrics struct {
	registry      *prometheus.Registry
	uploaded      *prometheus.CounterVec
	uploadedBytes *prometheus.CounterVec
	failed        *prometheus.CounterVec
	retries       *prometheus.CounterVec
	removed       *prometheus.CounterVec
	lastUpload    *prometheus.GaugeVec
	concurrency   *prometheus.GaugeVec
	bandwidth     *prometheus.GaugeVec
	settleWait    *prometheus.HistogramVec
	duration      *prometheus.HistogramVec
}

// Buckets in seconds. A settle wait is at least the configured settle
// time (default 2s); an upload runs from milliseconds to hours.
var (
	settleBuckets   = []float64{0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300, 900, 3600}
	durationBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600}
)

func newMetrics(t *Tracker, folders []string, version string) *Metrics {
	folder := []string{"folder"}
	folderClass := []string{"folder", "class"}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		uploaded: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hotfolder_files_uploaded_total",
			Help: "Files the server accepted."}, folder),
		uploadedBytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hotfolder_bytes_uploaded_total",
			Help: "File bytes of the files the server accepted."}, folder),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hotfolder_files_failed_total",
			Help: "Files filed in the failed folder, by error class."}, folderClass),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hotfolder_retries_total",
			Help: "Upload attempts that failed and will be tried again, by error class."}, folderClass),
		removed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hotfolder_done_files_removed_total",
			Help: "Files deleted from the done folder by keep_done."}, folder),
		lastUpload: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hotfolder_last_upload_timestamp_seconds",
			Help: "Unix time of the latest file the server accepted."}, folder),
		concurrency: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hotfolder_concurrency_limit",
			Help: "Uploads allowed in flight at the same time."}, folder),
		bandwidth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "hotfolder_bandwidth_limit_bytes_per_second",
			Help: "Upload bandwidth cap in bytes per second; 0 means no cap. An empty folder label is the agent-wide cap."}, folder),
		settleWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hotfolder_settle_wait_seconds",
			Help: "Time from a file's last modification, or the agent's start when later, until it settled.", Buckets: settleBuckets}, folder),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hotfolder_upload_duration_seconds",
			Help: "Duration of the attempt that uploaded a file.", Buckets: durationBuckets}, folder),
	}
	m.registry.MustRegister(m.uploaded, m.uploadedBytes, m.failed, m.retries, m.removed, m.lastUpload,
		m.concurrency, m.bandwidth, m.settleWait, m.duration, &stateCollector{t: t},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hotfolder_build_info",
		Help: "Always 1; the version label names the agent's version.", ConstLabels: prometheus.Labels{"version": version}},
		func() float64 { return 1 }))
	for _, f := range folders {
		// Series that exist from the start let rate() and absent() work
		// before the first file.
		m.uploaded.WithLabelValues(f)
		m.uploadedBytes.WithLabelValues(f)
		m.removed.WithLabelValues(f)
	}
	return m
}

// Registry returns the registry that holds the metrics, for an HTTP
// handler such as promhttp.HandlerFor.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// SetConcurrencyLimit sets how many uploads folder may have in flight.
func (m *Metrics) SetConcurrencyLimit(folder string, n int) {
	m.concurrency.WithLabelValues(folder).Set(float64(n))
}

// SetBandwidthLimit sets folder's bandwidth cap, 0 for none; folder ""
// is the cap shared by every folder.
func (m *Metrics) SetBandwidthLimit(folder string, bytesPerSecond float64) {
	m.bandwidth.WithLabelValues(folder).Set(bytesPerSecond)
}

func (m *Metrics) record(o Outcome) {
	switch o.Outcome {
	case OutcomeDone:
		m.uploaded.WithLabelValues(o.Folder).Inc()
		m.uploadedBytes.WithLabelValues(o.Folder).Add(float64(o.Bytes))
		m.duration.WithLabelValues(o.Folder).Observe(o.Duration.Seconds())
		m.lastUpload.WithLabelValues(o.Folder).Set(float64(o.Time.UnixNano()) / 1e9)
	case OutcomeFailed:
		m.failed.WithLabelValues(o.Folder, o.Class).Inc()
	case OutcomeRetry, OutcomeChanged:
		m.retries.WithLabelValues(o.Folder, o.Class).Inc()
	}
}

// stateCollector reads the gauges that describe the current state from
// the tracker at scrape time.
type stateCollector struct{ t *Tracker }

var (
	queueFilesDesc = prometheus.NewDesc("hotfolder_queue_files",
		"Files waiting for an upload slot.", []string{"folder"}, nil)
	queueBytesDesc = prometheus.NewDesc("hotfolder_queue_bytes",
		"Bytes of the files waiting for an upload slot.", []string{"folder"}, nil)
	retryWaitingDesc = prometheus.NewDesc("hotfolder_retry_waiting_files",
		"Files waiting out a retry delay before their next attempt.", []string{"folder"}, nil)
	inFlightDesc = prometheus.NewDesc("hotfolder_uploads_in_flight",
		"Upload attempts running now.", []string{"folder"}, nil)
	rateDesc = prometheus.NewDesc("hotfolder_upload_rate_bytes_per_second",
		"Bytes per second accepted by the connections, averaged over about 16 seconds.", []string{"folder"}, nil)
	healthyDesc = prometheus.NewDesc("hotfolder_watcher_healthy",
		"1 while the folder's watcher works normally, else 0.", []string{"folder"}, nil)
)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queueFilesDesc, queueBytesDesc, retryWaitingDesc, inFlightDesc, rateDesc, healthyDesc} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	t := c.t
	health := t.health()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range t.order {
		f := t.folders[name]
		healthy := 1.0
		if health[name] != nil {
			healthy = 0
		}
		for _, v := range []struct {
			desc  *prometheus.Desc
			value float64
		}{
			{queueFilesDesc, float64(f.queueFiles)},
			{queueBytesDesc, float64(f.queueBytes)},
			{retryWaitingDesc, float64(f.retryWaiting)},
			{inFlightDesc, float64(f.inFlight)},
			{rateDesc, f.rate.bytesPerSecond()},
			{healthyDesc, healthy},
		} {
			ch <- prometheus.MustNewConstMetric(v.desc, prometheus.GaugeValue, v.value, name)
		}
	}
}
