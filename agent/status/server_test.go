package status

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestHealthzFollowsWatchers(t *testing.T) {
	var broken atomic.Bool
	tr := NewTracker(Options{Folders: []string{"scans"}, Health: func(string) error {
		if broken.Load() {
			return errors.New("inbox missing: /srv/scans")
		}
		return nil
	}})
	srv := httptest.NewServer(Handler(tr))
	defer srv.Close()
	if code, body := get(t, srv.URL+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("healthy: %d %q", code, body)
	}
	broken.Store(true)
	code, body := get(t, srv.URL+"/healthz")
	if code != http.StatusServiceUnavailable {
		t.Errorf("broken watcher: status %d, want 503", code)
	}
	if !strings.Contains(body, "folder scans: inbox missing: /srv/scans") {
		t.Errorf("broken watcher: body %q lacks the reason", body)
	}
	broken.Store(false)
	tr.SetStopping()
	if code, body := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "stopping") {
		t.Errorf("stopping: %d %q", code, body)
	}
}

func TestStatusServesJSON(t *testing.T) {
	c := newClock()
	tr := NewTracker(Options{Folders: []string{"scans"}, Version: "1.2.3", Now: c.Now})
	var m counter
	u := tr.Begin("scans", "a.pdf", 2000, 1, &m)
	defer u.End()
	c.advance(time.Second)
	m.set(500)
	tr.Sample()
	tr.Record(Outcome{Folder: "scans", File: "old.pdf", Outcome: OutcomeFailed, Class: "http_client", Status: 415})
	srv := httptest.NewServer(Handler(tr))
	defer srv.Close()

	code, body := get(t, srv.URL+"/status")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	var s Snapshot
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, body)
	}
	if s.Version != "1.2.3" || len(s.InFlight) != 1 || s.InFlight[0].Sent != 500 || s.InFlight[0].Rate != 500 {
		t.Errorf("snapshot = %+v", s)
	}
	if len(s.Recent) != 1 || s.Recent[0].Status != 415 || s.LastErrors["http_client"].File != "old.pdf" {
		t.Errorf("outcomes: recent %+v, last errors %+v", s.Recent, s.LastErrors)
	}
	for _, key := range []string{`"in_flight"`, `"eta_seconds"`, `"last_errors"`, `"queue"`, `"recent"`} {
		if !strings.Contains(body, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestMetricsNamesAndLabels(t *testing.T) {
	c := newClock()
	tr := NewTracker(Options{Folders: []string{"scans"}, Version: "1.2.3", Now: c.Now})
	tr.Queued("scans", 700)
	tr.Settled("scans", 3*time.Second)
	tr.Record(Outcome{Folder: "scans", File: "a.pdf", Outcome: OutcomeDone, Bytes: 1234, Duration: 2 * time.Second, Time: c.Now()})
	tr.Record(Outcome{Folder: "scans", File: "b.pdf", Outcome: OutcomeFailed, Class: "too_large"})
	tr.Record(Outcome{Folder: "scans", File: "c.pdf", Outcome: OutcomeRetry, Class: "dns"})
	tr.Record(Outcome{Folder: "scans", File: "c.pdf", Outcome: OutcomeRetry, Class: "dns"})
	tr.Removed("scans", 3)
	tr.Metrics().SetConcurrencyLimit("scans", 4)
	tr.Metrics().SetBandwidthLimit("", 1e6)
	srv := httptest.NewServer(Handler(tr))
	defer srv.Close()
	_, text := get(t, srv.URL+"/metrics")

	for _, line := range []string{
		`hotfolder_files_uploaded_total{folder="scans"} 1`,
		`hotfolder_bytes_uploaded_total{folder="scans"} 1234`,
		`hotfolder_files_failed_total{class="too_large",folder="scans"} 1`,
		`hotfolder_retries_total{class="dns",folder="scans"} 2`,
		`hotfolder_done_files_removed_total{folder="scans"} 3`,
		`hotfolder_queue_files{folder="scans"} 1`,
		`hotfolder_queue_bytes{folder="scans"} 700`,
		`hotfolder_retry_waiting_files{folder="scans"} 0`,
		`hotfolder_uploads_in_flight{folder="scans"} 0`,
		`hotfolder_upload_rate_bytes_per_second{folder="scans"} 0`,
		`hotfolder_watcher_healthy{folder="scans"} 1`,
		`hotfolder_concurrency_limit{folder="scans"} 4`,
		`hotfolder_bandwidth_limit_bytes_per_second{folder=""} 1e+06`,
		`hotfolder_settle_wait_seconds_bucket{folder="scans",le="3"} 1`,
		`hotfolder_settle_wait_seconds_bucket{folder="scans",le="2"} 0`,
		`hotfolder_upload_duration_seconds_bucket{folder="scans",le="2.5"} 1`,
		`hotfolder_upload_duration_seconds_count{folder="scans"} 1`,
		`hotfolder_last_upload_timestamp_seconds{folder="scans"} 1.7723556e+09`,
		`hotfolder_build_info{version="1.2.3"} 1`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("metrics lack %s", line)
		}
	}
	if !strings.Contains(text, "go_goroutines ") {
		t.Error("metrics lack the Go runtime collector")
	}
	problems, err := testutil.GatherAndLint(tr.Metrics().Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "hotfolder_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

func TestMetricsPrivateRegistry(t *testing.T) {
	a := NewTracker(Options{Folders: []string{"scans"}})
	b := NewTracker(Options{Folders: []string{"scans"}})
	a.Record(Outcome{Folder: "scans", Outcome: OutcomeDone, Bytes: 5})
	if got := testutil.ToFloat64(b.Metrics().uploaded.WithLabelValues("scans")); got != 0 {
		t.Errorf("second tracker counts %v uploads of the first", got)
	}
}

func TestCheckListen(t *testing.T) {
	cases := []struct {
		addr   string
		remote bool
		ok     bool
	}{
		{"127.0.0.1:7755", false, true},
		{"127.0.0.2:7755", false, true},
		{"[::1]:7755", false, true},
		{"localhost:7755", false, true},
		{"127.0.0.1:0", false, true},
		{":7755", false, false},
		{"0.0.0.0:7755", false, false},
		{"192.0.2.10:7755", false, false},
		{"status.example.com:7755", false, false},
		{"0.0.0.0:7755", true, true},
		{"127.0.0.1", false, false},
		{"127.0.0.1:http", false, false},
		{"127.0.0.1:70000", false, false},
	}
	for _, c := range cases {
		err := CheckListen(c.addr, c.remote)
		if (err == nil) != c.ok {
			t.Errorf("CheckListen(%q, %v) = %v, want ok=%v", c.addr, c.remote, err, c.ok)
		}
	}
	if err := CheckListen("0.0.0.0:7755", false); err == nil || !strings.Contains(err.Error(), "status_allow_remote") {
		t.Errorf("non-loopback error %v does not name status_allow_remote", err)
	}
}

func TestDialAddress(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:7755": "127.0.0.1:7755",
		":7755":          "127.0.0.1:7755",
		"0.0.0.0:7755":   "127.0.0.1:7755",
		"[::]:7755":      "[::1]:7755",
		"localhost:7755": "localhost:7755",
	} {
		if got := DialAddress(in); got != want {
			t.Errorf("DialAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
