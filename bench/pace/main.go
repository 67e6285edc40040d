// Command pace measures the agent's upload speed, rate cap, backpressure
// and memory against peers in the same run, on this machine, over
// loopback:
//
//   - big: one large file, multipart, agent against curl -F.
//   - small: many small files through the whole pipeline (detect, settle,
//     upload, move; raw PUT) against 8 parallel curl -T processes and,
//     when rclone is installed, against rclone copy to a WebDAV server.
//   - cap: the agent's bandwidth cap against curl --limit-rate.
//   - slots: a server that takes two uploads at a time and responds with 429
//     beyond that; the agent against curl --retry, and both against two
//     perfect parallel streams.
//   - rss: the agent's peak RSS while it uploads one sparse 10 GiB file
//     and eight sparse 1 GiB files at once.
//
// Each mode prints one line per run and a summary line with medians and
// ratios. Run it through bench/pace.sh, which builds the binaries.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

type options struct {
	bin     string // hotfolder binary
	runs    int
	size    int64 // big: file size; small: size of each file
	files   int   // small, slots: number of files
	rate    string
	hold    time.Duration
	keepDir bool
}

func main() {
	var o options
	var size string
	mode := flag.String("mode", "", "big, small, cap, slots or rss")
	flag.StringVar(&o.bin, "bin", "", "path of the hotfolder binary")
	flag.IntVar(&o.runs, "runs", 5, "runs per peer; the summary gives medians")
	flag.StringVar(&size, "size", "", "file size, such as 1G or 4K (default per mode)")
	flag.IntVar(&o.files, "files", 0, "number of files (default per mode)")
	flag.StringVar(&o.rate, "rate", "4M", "cap: the bandwidth cap")
	flag.DurationVar(&o.hold, "hold", 20*time.Millisecond, "slots: how long the server holds each upload")
	flag.BoolVar(&o.keepDir, "keep", false, "keep the work folder")
	flag.Parse()
	if o.bin == "" {
		fail(fmt.Errorf("missing -bin: pass the hotfolder binary built by bench/pace.sh"))
	}
	if size != "" {
		n, err := parseSize(size)
		if err != nil {
			fail(err)
		}
		o.size = n
	}
	var err error
	switch *mode {
	case "big":
		err = big(o)
	case "small":
		err = small(o)
	case "cap":
		err = capped(o)
	case "slots":
		err = slots(o)
	case "rss":
		err = rss(o)
	default:
		err = fmt.Errorf("invalid -mode %q: use big, small, cap, slots or rss", *mode)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pace:", err)
	os.Exit(1)
}
