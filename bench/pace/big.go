package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hotfolder/hotfolder/uploader"
)

// big sends one large file, multipart, with the agent and with curl -F to
// the same sink, runs times each, alternating.
func big(o options) error {
	size := o.size
	if size == 0 {
		size = 1 << 30
	}
	root, s, done, err := setup("big", o, 0, 0)
	if err != nil {
		return err
	}
	defer done()
	staging := filepath.Join(root, "big.bin")
	if err := writeFile(staging, size); err != nil {
		return err
	}
	a, err := startAgent(o.bin, root, agentConfig{url: s.url + "/upload", maxUploads: 4})
	if err != nil {
		return err
	}
	var hashT, agentE2E, agentXfer, curlWall, curlXfer []float64
	for run := range o.runs {
		h, err := timeHash(staging, size)
		if err != nil {
			return err
		}
		e2e, xfer, err := agentOnce(a, s, staging, fmt.Sprintf("big-%d.bin", run))
		if err != nil {
			a.stop()
			return err
		}
		wall, cx, err := curlOnce(s, staging)
		if err != nil {
			a.stop()
			return err
		}
		hashT, agentE2E, agentXfer = append(hashT, h), append(agentE2E, e2e), append(agentXfer, xfer)
		curlWall, curlXfer = append(curlWall, wall), append(curlXfer, cx)
		fmt.Printf("big run=%d size=%d hash_s=%.3f agent_end_to_end_s=%.3f agent_transfer_s=%.3f curl_wall_s=%.3f curl_transfer_s=%.3f\n",
			run, size, h, e2e, xfer, wall, cx)
	}
	rss := a.stop()
	fmt.Printf("big summary runs=%d size_mib=%d median hash_s=%.3f agent_transfer_s=%.3f curl_transfer_s=%.3f transfer_ratio=%.2f "+
		"agent_end_to_end_s=%.3f curl_wall_s=%.3f end_to_end_ratio=%.2f end_to_end_minus_settle_ratio=%.2f agent_peak_rss_mib=%.1f\n",
		o.runs, size>>20, median(hashT), median(agentXfer), median(curlXfer), median(agentXfer)/median(curlXfer),
		median(agentE2E), median(curlWall), median(agentE2E)/median(curlWall), (median(agentE2E)-0.2)/median(curlWall),
		float64(rss)/1024)
	return nil
}

// timeHash times the agent's own hashing code on the file.
func timeHash(p string, size int64) (float64, error) {
	start := time.Now()
	_, err := uploader.HashFile(context.Background(), p, size)
	return secs(time.Since(start)), err
}

// agentOnce moves the staged file into the agent's inbox under name,
// waits until it is filed in done and moves it back. It returns the time
// from the move to the file in done, and the request's duration at the
// sink.
func agentOnce(a *agentRun, s *sink, staging, name string) (e2e, xfer float64, err error) {
	s.reset()
	in, done := filepath.Join(a.inbox, name), filepath.Join(a.done, name)
	start := time.Now()
	if err := os.Rename(staging, in); err != nil {
		return 0, 0, err
	}
	err = waitUntil(name+" in done", 10*time.Minute, func() bool { _, err := os.Stat(done); return err == nil })
	e2e = secs(time.Since(start))
	if err != nil {
		return 0, 0, err
	}
	span, _ := s.span()
	return e2e, secs(span), os.Rename(done, staging)
}

// curlOnce sends the file with curl -F and returns curl's wall time and
// the request's duration at the sink.
func curlOnce(s *sink, p string) (wall, xfer float64, err error) {
	s.reset()
	start := time.Now()
	out, err := exec.Command("curl", "-sS", "-f", "-o", "/dev/null", "-F", "file=@"+p, s.url+"/upload").CombinedOutput()
	wall = secs(time.Since(start))
	if err != nil {
		return 0, 0, fmt.Errorf("curl: %v: %s", err, out)
	}
	span, _ := s.span()
	return wall, secs(span), nil
}
