package main

import (
	"fmt"
	"math"
	"time"
)

// slots sends files to a sink that takes two uploads at a time, holding
// each for o.hold, and responds with 429 beyond that. The agent (max_uploads 8)
// and 8 parallel curl -T --retry processes are each compared with two
// perfect parallel streams, which need ceil(files/2) × hold.
func slots(o options) error {
	files, size := o.counts(400, 4<<10)
	root, s, done, err := setup("slots", o, 2, o.hold)
	if err != nil {
		return err
	}
	defer done()
	ideal := time.Duration(math.Ceil(float64(files)/2)) * o.hold
	var agentRatio, agentShare, curlRatio, curlShare []float64
	for run := range o.runs {
		// A fresh agent each run, so each starts from a limit of one.
		a, err := startAgent(o.bin, root, agentConfig{url: s.url + "/upload/{name}", mode: "raw", method: "PUT", maxUploads: 8})
		if err != nil {
			return err
		}
		batch, err := stage(root, fmt.Sprintf("slots%d", run), files, size)
		if err != nil {
			a.stop()
			return err
		}
		s.reset()
		_, err = dropAll(a, batch, files)
		a.stop()
		if err != nil {
			return err
		}
		span, _ := s.span()
		ar, ash := span.Seconds()/ideal.Seconds(), share(s)
		s.reset()
		if _, err := curlParallel(s.url+"/upload/", batch, 8, "--retry", "20"); err != nil {
			return err
		}
		cspan, _ := s.span()
		cr, csh := cspan.Seconds()/ideal.Seconds(), share(s)
		agentRatio, agentShare = append(agentRatio, ar), append(agentShare, ash)
		curlRatio, curlShare = append(curlRatio, cr), append(curlShare, csh)
		fmt.Printf("slots run=%d files=%d hold=%s ideal_s=%.3f agent_s=%.3f agent_to_ideal=%.2f agent_429_share=%.3f curl8_s=%.3f curl8_to_ideal=%.2f curl8_429_share=%.3f\n",
			run, files, o.hold, ideal.Seconds(), span.Seconds(), ar, ash, cspan.Seconds(), cr, csh)
	}
	fmt.Printf("slots summary runs=%d files=%d hold=%s median agent_to_ideal=%.2f agent_429_share=%.3f curl8_to_ideal=%.2f curl8_429_share=%.3f\n",
		o.runs, files, o.hold, median(agentRatio), median(agentShare), median(curlRatio), median(curlShare))
	return nil
}

func share(s *sink) float64 {
	acc, rej := s.accepted.Load(), s.rejected.Load()
	if acc+rej == 0 {
		return 0
	}
	return float64(rej) / float64(acc+rej)
}
