package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// agentRun is one hotfolder process on a work folder.
type agentRun struct {
	dir, inbox, done string
	cmd              *exec.Cmd
}

// agentConfig holds the keys a benchmark varies.
type agentConfig struct {
	url, mode, method, settle, bandwidth string
	maxUploads                           int
}

// startAgent writes a config into a fresh folder under root and starts
// the agent on it. It returns once the agent has listed its empty inbox.
func startAgent(bin, root string, c agentConfig) (*agentRun, error) {
	dir, err := os.MkdirTemp(root, "agent-")
	if err != nil {
		return nil, err
	}
	a := &agentRun{dir: dir, inbox: filepath.Join(dir, "inbox"), done: filepath.Join(dir, "done")}
	for _, d := range []string{a.inbox, a.done} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	text := fmt.Sprintf(`[agent]
max_uploads = %d
log_format = "json"
bandwidth = %q
[[folder]]
inbox = "inbox"
done = "done"
failed = "failed"
settle = %q
[folder.upload]
url = %q
mode = %q
method = %q
retry_min = "100ms"
retry_max = "1s"
`, c.maxUploads, orDefault(c.bandwidth, "off"), orDefault(c.settle, "200ms"), c.url, orDefault(c.mode, "multipart"), orDefault(c.method, "POST"))
	config := filepath.Join(dir, "agent.toml")
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		return nil, err
	}
	a.cmd = exec.Command(bin, "run", "--config", config)
	if err := a.cmd.Start(); err != nil {
		return nil, err
	}
	// Give the watcher time to arm its events and list the empty inbox.
	time.Sleep(500 * time.Millisecond)
	return a, nil
}

// stop ends the agent and returns its peak RSS in KiB.
func (a *agentRun) stop() int64 {
	a.cmd.Process.Signal(os.Interrupt)
	a.cmd.Wait()
	return maxRSSKiB(a.cmd)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
