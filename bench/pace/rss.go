package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// rss measures the agent's peak resident set while it uploads one sparse
// file of o.size (default 10 GiB), and then eight sparse files of up to
// 1 GiB at once, multipart to the discard sink. curl -F sends the single
// file for comparison.
func rss(o options) error {
	big := o.size
	if big == 0 {
		big = 10 << 30
	}
	root, s, done, err := setup("rss", o, 0, 0)
	if err != nil {
		return err
	}
	defer done()

	one := filepath.Join(root, "one.bin")
	if err := sparseFile(one, big); err != nil {
		return err
	}
	oneRSS, oneT, err := agentRSS(o.bin, root, s, []string{one}, 4)
	if err != nil {
		return err
	}
	if err := sparseFile(one, big); err != nil {
		return err
	}
	start := time.Now()
	curl := exec.Command("curl", "-sS", "-f", "-o", "/dev/null", "-F", "file=@"+one, s.url+"/upload")
	if out, err := curl.CombinedOutput(); err != nil {
		return fmt.Errorf("curl: %v: %s", err, out)
	}
	curlT := time.Since(start)
	fmt.Printf("rss one_file_gib=%.0f agent_peak_rss_mib=%.1f agent_s=%.1f curl_peak_rss_mib=%.1f curl_s=%.1f\n",
		float64(big)/(1<<30), float64(oneRSS)/1024, oneT.Seconds(), float64(maxRSSKiB(curl))/1024, curlT.Seconds())

	var eight []string
	each := min(big, 1<<30)
	for i := range 8 {
		p := filepath.Join(root, fmt.Sprintf("eight-%d.bin", i))
		if err := sparseFile(p, each); err != nil {
			return err
		}
		eight = append(eight, p)
	}
	eightRSS, eightT, err := agentRSS(o.bin, root, s, eight, 8)
	if err != nil {
		return err
	}
	fmt.Printf("rss eight_files_gib=%.2f agent_peak_rss_mib=%.1f agent_s=%.1f\n", float64(each)/(1<<30), float64(eightRSS)/1024, eightT.Seconds())
	return nil
}

// agentRSS runs an agent with max_uploads until every path is filed and
// returns its peak RSS in KiB and the time the uploads took.
func agentRSS(bin, root string, s *sink, paths []string, maxUploads int) (int64, time.Duration, error) {
	a, err := startAgent(bin, root, agentConfig{url: s.url + "/upload", maxUploads: maxUploads})
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	for _, p := range paths {
		if err := os.Rename(p, filepath.Join(a.inbox, filepath.Base(p))); err != nil {
			a.stop()
			return 0, 0, err
		}
	}
	err = waitUntil("files in done", 30*time.Minute, func() bool { return countDir(a.done) >= len(paths) })
	took := time.Since(start)
	kib := a.stop()
	return kib, took, err
}
