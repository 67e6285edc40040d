package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/hotfolder/hotfolder/agent/bandwidth"
)

// capped sends files at once through an agent with a bandwidth cap, which
// they share, and one file of the same total size with curl --limit-rate,
// and compares each throughput at the sink with the cap.
func capped(o options) error {
	files, size := o.counts(4, 10<<20)
	limit, err := bandwidth.ParseRate(o.rate)
	if err != nil || limit == bandwidth.Off {
		return fmt.Errorf("invalid -rate %q: use a cap such as 4M", o.rate)
	}
	root, s, done, err := setup("cap", o, 0, 0)
	if err != nil {
		return err
	}
	defer done()
	a, err := startAgent(o.bin, root, agentConfig{url: s.url + "/upload", maxUploads: 4, bandwidth: o.rate})
	if err != nil {
		return err
	}
	whole := filepath.Join(root, "whole.bin")
	if err := writeFile(whole, int64(files)*size); err != nil {
		return err
	}
	var agentAcc, curlAcc []float64
	for run := range o.runs {
		batch, err := stage(root, fmt.Sprintf("cap%d", run), files, size)
		if err != nil {
			a.stop()
			return err
		}
		s.reset()
		if _, err := dropAll(a, batch, files*(run+1)); err != nil {
			a.stop()
			return err
		}
		span, bytes := s.span()
		agentRate := float64(bytes) / span.Seconds()
		s.reset()
		out, err := exec.Command("curl", "-sS", "-f", "-o", "/dev/null", "--limit-rate", strconv.FormatInt(int64(limit), 10),
			"-F", "file=@"+whole, s.url+"/upload").CombinedOutput()
		if err != nil {
			a.stop()
			return fmt.Errorf("curl: %v: %s", err, out)
		}
		span, bytes = s.span()
		curlRate := float64(bytes) / span.Seconds()
		agentAcc, curlAcc = append(agentAcc, agentRate/float64(limit)), append(curlAcc, curlRate/float64(limit))
		fmt.Printf("cap run=%d cap=%s agent_files=%d agent_bytes_per_s=%.0f agent_to_cap=%.3f curl_bytes_per_s=%.0f curl_to_cap=%.3f\n",
			run, limit, files, agentRate, agentRate/float64(limit), curlRate, curlRate/float64(limit))
	}
	a.stop()
	fmt.Printf("cap summary runs=%d cap=%s files=%d size_mib=%d median agent_to_cap=%.3f curl_to_cap=%.3f\n",
		o.runs, limit, files, size>>20, median(agentAcc), median(curlAcc))
	return nil
}
