// Command watch measures the watcher's start-up and idle costs against a
// real hotfolder process:
//
//   - backlog: N files already in the inbox at start. It reports the time
//     to the first upload, the time until the listing has queued every
//     file, the time until all are uploaded, and the agent's peak RSS.
//   - idle: an inbox with many watched subfolders and no files. It reports
//     the agent's CPU use over a quiet period, as a share of one core.
//
// The endpoint is a sink in this process on 127.0.0.1 that reads and
// discards each body. Run it through bench/watch.sh.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "", "path of the hotfolder binary")
	mode := flag.String("mode", "backlog", "backlog or idle")
	files := flag.Int("files", 100000, "backlog: files in the inbox at start")
	subdirs := flag.Int("subdirs", 1000, "idle: watched subfolders")
	idle := flag.Duration("idle", time.Minute, "idle: quiet period to measure")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "watch: missing -bin: pass the hotfolder binary built by bench/watch.sh")
		os.Exit(2)
	}
	var err error
	switch *mode {
	case "backlog":
		err = backlog(*bin, *files)
	case "idle":
		err = idleCPU(*bin, *subdirs, *idle)
	default:
		err = fmt.Errorf("invalid -mode %q: use backlog or idle", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		os.Exit(1)
	}
}

// sink counts uploads and remembers when the first arrived.
type sink struct {
	count atomic.Int64
	first atomic.Int64 // Unix nanoseconds
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	s.first.CompareAndSwap(0, time.Now().UnixNano())
	s.count.Add(1)
	w.WriteHeader(http.StatusCreated)
}

func startSink() (*sink, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	s := &sink{}
	go http.Serve(l, s)
	return s, "http://" + l.Addr().String() + "/upload", nil
}

func writeConfig(dir, url string, recursive bool) (string, error) {
	p := filepath.Join(dir, "agent.toml")
	text := fmt.Sprintf(`[agent]
max_uploads = 8
log_format = "json"
[[folder]]
inbox = "inbox"
done = "done"
failed = "failed"
recursive = %t
settle = "1s"
[folder.upload]
url = %q
mode = "raw"
`, recursive, url)
	return p, os.WriteFile(p, []byte(text), 0o644)
}

func backlog(bin string, n int) error {
	dir, err := os.MkdirTemp("", "hotfolder-bench-backlog-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	fmt.Printf("writing %d files...\n", n)
	for i := range n {
		if err := os.WriteFile(filepath.Join(inbox, fmt.Sprintf("f%06d.txt", i)), []byte("backlog file\n"), 0o644); err != nil {
			return err
		}
	}
	// A real backlog is older than the settle time.
	time.Sleep(3 * time.Second)
	s, url, err := startSink()
	if err != nil {
		return err
	}
	config, err := writeConfig(dir, url, false)
	if err != nil {
		return err
	}
	start := time.Now()
	cmd := exec.Command(bin, "run", "--config", config)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	listed := make(chan time.Time, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"inbox listed"`) {
				select {
				case listed <- time.Now():
				default:
				}
			}
		}
	}()
	var peak int64
	var listedAt time.Time
	deadline := time.Now().Add(30 * time.Minute)
	for s.count.Load() < int64(n) && time.Now().Before(deadline) {
		peak = max(peak, peakRSS(cmd.Process.Pid))
		select {
		case listedAt = <-listed:
		case <-time.After(200 * time.Millisecond):
		}
	}
	all := time.Since(start)
	peak = max(peak, peakRSS(cmd.Process.Pid))
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	first := time.Unix(0, s.first.Load()).Sub(start)
	fmt.Printf("backlog files=%d first_upload=%s all_listed=%s all_uploaded=%s peak_rss_mib=%.1f\n",
		n, first.Round(time.Millisecond), listedAt.Sub(start).Round(time.Millisecond),
		all.Round(time.Millisecond), float64(peak)/1024)
	return nil
}

func idleCPU(bin string, subdirs int, quiet time.Duration) error {
	dir, err := os.MkdirTemp("", "hotfolder-bench-idle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for i := range subdirs {
		os.MkdirAll(filepath.Join(dir, "inbox", fmt.Sprintf("d%04d", i)), 0o755)
	}
	_, url, err := startSink()
	if err != nil {
		return err
	}
	config, err := writeConfig(dir, url, true)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "run", "--config", config)
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	time.Sleep(5 * time.Second) // start-up listing done
	t0, c0 := time.Now(), cpuTicks(cmd.Process.Pid)
	time.Sleep(quiet)
	t1, c1 := time.Now(), cpuTicks(cmd.Process.Pid)
	const ticksPerSecond = 100 // USER_HZ on Linux
	share := float64(c1-c0) / ticksPerSecond / t1.Sub(t0).Seconds() * 100
	fmt.Printf("idle subfolders=%d period=%s cpu_percent_of_one_core=%.2f\n", subdirs, quiet, share)
	return nil
}

// peakRSS returns the process's VmHWM in KiB.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			v, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return v
		}
	}
	return 0
}

// cpuTicks returns user plus system time of the process in clock ticks.
func cpuTicks(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime
}
