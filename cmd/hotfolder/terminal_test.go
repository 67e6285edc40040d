//go:build !windows

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// processConfig writes a config for an agent process in dir sending to
// url, with its status page on a free loopback port, and returns the
// config's path and that address.
func processConfig(t *testing.T, dir, url string) (string, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	config := writeAgentConfig(t, dir, url, "")
	data := strings.Replace(string(mustRead(t, config)), "[agent]\n", fmt.Sprintf("[agent]\nstatus_listen = %q\n", addr), 1)
	if err := os.WriteFile(config, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "inbox"), 0o755)
	return config, addr
}

// eventuallyStatus runs status until its output matches every pattern.
func eventuallyStatus(t *testing.T, config string, patterns ...string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, out, _ := run("status", "--config", config)
		matched := true
		for _, p := range patterns {
			if !regexp.MustCompile(p).MatchString(out) {
				matched = false
			}
		}
		if matched {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("status output never matched %q; last:\n%s", patterns, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestStatusShowsRunningAgent(t *testing.T) {
	dir := tempDir(t)
	url := slowReceiver(t, filepath.Join(dir, "received"), 512<<10)
	config, _ := processConfig(t, dir, url)
	p := startProcess(t, "run", "--config", config)
	waitOutput(t, p, "status page listening")
	os.WriteFile(filepath.Join(dir, "inbox", "big.bin"), make([]byte, 3<<20), 0o644)

	out := eventuallyStatus(t, config, `(?m)^crash\s+big\.bin\s+\S+ \S+\s+3\.0 MiB\s+\d+\.\d%\s+\S+ \S+/s`)
	for _, want := range []string{"agent:    running", "IN FLIGHT", "FOLDERS"} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	out = eventuallyStatus(t, config, `(?m)^\S+ \S+\s+crash\s+big\.bin\s+done\s+3\.0 MiB\s+\S+\s+201\s`)
	if !strings.Contains(out, "IN FLIGHT\n  none") {
		t.Errorf("upload still in flight after done:\n%s", out)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.wait(t, 30*time.Second)
}

func TestRunPrintsPlainLinesToPipe(t *testing.T) {
	dir := tempDir(t)
	url := slowReceiver(t, filepath.Join(dir, "received"), 4<<20)
	config, _ := processConfig(t, dir, url)
	p := startProcess(t, "run", "--config", config)
	waitOutput(t, p, "watching folder")
	os.WriteFile(filepath.Join(dir, "inbox", "piped.bin"), make([]byte, 2<<20), 0o644)
	waitOutput(t, p, `msg="file uploaded"`)
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.wait(t, 30*time.Second)
	out := p.output.String()
	if strings.Contains(out, "\x1b") {
		t.Errorf("output to a pipe has escape codes:\n%q", out)
	}
	if strings.Contains(out, "queue:") || strings.Contains(out, "ETA") {
		t.Errorf("output to a pipe has progress lines:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "time=") {
			t.Errorf("not a log line: %q", line)
		}
	}
}

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func TestRunShowsProgressInTerminal(t *testing.T) {
	dir := tempDir(t)
	url := slowReceiver(t, filepath.Join(dir, "received"), 2<<20)
	config, _ := processConfig(t, dir, url)
	cmd := exec.Command(selfArgs(t), "run", "--config", config)
	cmd.Env = append(os.Environ(), "HOTFOLDER_TEST_MAIN=1", "TERM=xterm")
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 150})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	out := &lockedBuffer{}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 32<<10)
		for {
			n, err := term.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		term.Close()
		<-copied
	})

	waitText(t, out, regexp.MustCompile(`status page listening`))
	// Larger than the socket buffers, which on loopback take several MiB
	// before the server reads any of it.
	os.WriteFile(filepath.Join(dir, "inbox", "slow-scan.pdf"), make([]byte, 24<<20), 0o644)
	bar := regexp.MustCompile(`slow-scan\.pdf\s+\[[=>\-]+\]\s+(\d?\d\.\d)%\s+\d+\.\d [KM]iB/s\s+ETA \d+(s|m\d\ds)`)
	text := waitText(t, out, bar)
	if !regexp.MustCompile(`queue: \d+ files \([^)]*\) \| uploading: 1 at`).MatchString(text) {
		t.Errorf("no queue summary on the terminal:\n%s", text)
	}
	waitText(t, out, regexp.MustCompile(`msg="file uploaded" folder=crash file=slow-scan\.pdf`))
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		exited <- nil
	case <-time.After(30 * time.Second):
		t.Fatalf("agent did not stop; output:\n%s", out)
	}
}

// waitText waits until the terminal output, without escape codes,
// matches re, and returns that text.
func waitText(t *testing.T, out *lockedBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		text := ansiEscape.ReplaceAllString(out.String(), "")
		if re.MatchString(text) {
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("terminal never showed %s; output:\n%s", re, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
