package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// small moves many small files through the agent's whole pipeline and
// sends the same files with 8 parallel curl -T processes, to the same raw
// PUT sink. With rclone installed it also compares the agent with rclone
// copy, both sending to one rclone serve webdav.
func small(o options) error {
	files, size := o.counts(2000, 4<<10)
	root, s, done, err := setup("small", o, 0, 0)
	if err != nil {
		return err
	}
	defer done()
	a, err := startAgent(o.bin, root, agentConfig{url: s.url + "/upload/{name}", mode: "raw", method: "PUT", maxUploads: 8})
	if err != nil {
		return err
	}
	var agentT, curlT []float64
	for run := range o.runs {
		batch, err := stage(root, fmt.Sprintf("run%d", run), files, size)
		if err != nil {
			a.stop()
			return err
		}
		at, err := dropAll(a, batch, files*(run+1))
		if err != nil {
			a.stop()
			return err
		}
		ct, err := curlParallel(s.url+"/upload/", batch, 8)
		if err != nil {
			a.stop()
			return err
		}
		agentT, curlT = append(agentT, at), append(curlT, ct)
		fmt.Printf("small run=%d files=%d size=%d agent_s=%.3f curl8_s=%.3f\n", run, files, size, at, ct)
	}
	rss := a.stop()
	fmt.Printf("small summary runs=%d files=%d size=%d settle=200ms median agent_s=%.3f curl8_s=%.3f agent_to_curl8=%.2f agent_peak_rss_mib=%.1f\n",
		o.runs, files, size, median(agentT), median(curlT), median(agentT)/median(curlT), float64(rss)/1024)
	if _, err := exec.LookPath("rclone"); err != nil {
		fmt.Println("small rclone: not installed, comparison skipped")
		return nil
	}
	return smallRclone(o, root, files, size)
}

// stage writes files of size bytes into a new folder and returns their
// paths.
func stage(root, name string, files int, size int64) ([]string, error) {
	dir := filepath.Join(root, "staging", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := make([]string, files)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%s-%05d.dat", name, i))
		if err := writeFile(paths[i], size); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// dropAll hard-links every file into the agent's inbox, which looks like
// a rename to the watcher but keeps the originals for the next peer, and
// returns the time until done holds total files.
func dropAll(a *agentRun, paths []string, total int) (float64, error) {
	start := time.Now()
	for _, p := range paths {
		if err := os.Link(p, filepath.Join(a.inbox, filepath.Base(p))); err != nil {
			return 0, err
		}
	}
	err := waitUntil(fmt.Sprint(total, " files in done"), 10*time.Minute, func() bool { return countDir(a.done) >= total })
	return secs(time.Since(start)), err
}

// curlParallel uploads each file with its own curl -T process, workers at
// a time, and returns the wall time.
func curlParallel(base string, paths []string, workers int, extra ...string) (float64, error) {
	start := time.Now()
	next := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				args := append([]string{"-sS", "-f", "-o", "/dev/null", "-T", p}, extra...)
				if out, err := exec.Command("curl", append(args, base+filepath.Base(p))...).CombinedOutput(); err != nil {
					errs <- fmt.Errorf("curl %s: %v: %s", p, err, out)
					return
				}
			}
		}()
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return secs(time.Since(start)), nil
}

// smallRclone compares the agent and rclone copy, both sending to one
// rclone serve webdav on loopback.
func smallRclone(o options, root string, files int, size int64) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	store := filepath.Join(root, "webdav")
	if err := os.MkdirAll(store, 0o755); err != nil {
		return err
	}
	serve := exec.Command("rclone", "serve", "webdav", "--addr", addr, store)
	if err := serve.Start(); err != nil {
		return err
	}
	defer func() { serve.Process.Signal(os.Interrupt); serve.Wait() }()
	url := "http://" + addr + "/"
	if err := waitUntil("rclone serve webdav", 30*time.Second, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}); err != nil {
		return err
	}
	a, err := startAgent(o.bin, root, agentConfig{url: url + "agent/{name}", mode: "raw", method: "PUT", maxUploads: 8})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(store, "agent"), 0o755); err != nil {
		return err
	}
	var agentT, rcloneT []float64
	for run := range o.runs {
		name := fmt.Sprintf("dav%d", run)
		batch, err := stage(root, name, files, size)
		if err != nil {
			a.stop()
			return err
		}
		at, err := dropAll(a, batch, files*(run+1))
		if err != nil {
			a.stop()
			return err
		}
		start := time.Now()
		out, err := exec.Command("rclone", "copy", filepath.Dir(batch[0]), ":webdav:rclone/"+name,
			"--webdav-url", url).CombinedOutput()
		rt := secs(time.Since(start))
		if err != nil {
			a.stop()
			return fmt.Errorf("rclone copy: %v: %s", err, out)
		}
		agentT, rcloneT = append(agentT, at), append(rcloneT, rt)
		fmt.Printf("small-webdav run=%d files=%d agent_s=%.3f rclone_copy_s=%.3f\n", run, files, at, rt)
	}
	a.stop()
	fmt.Printf("small-webdav summary runs=%d files=%d size=%d median agent_s=%.3f rclone_copy_s=%.3f agent_to_rclone=%.2f\n",
		o.runs, files, size, median(agentT), median(rcloneT), median(agentT)/median(rcloneT))
	return nil
}
