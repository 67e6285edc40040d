//go:build !windows

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServiceProcess starts a real hotfolder process with INVOCATION_ID
// set, so it runs as it does under systemd.
func startServiceProcess(t *testing.T, args ...string) *agentProcess {
	t.Helper()
	p := &agentProcess{output: &lockedBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(selfArgs(t), args...)
	p.cmd.Env = append(os.Environ(), "HOTFOLDER_TEST_MAIN=1", "INVOCATION_ID=0123456789abcdef")
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatalf("process did not exit normally: %v", err)
	}
	return ee.ExitCode()
}

// systemLogMissing reports whether this machine has no syslog socket, so
// the agent reports a failed start on stderr instead.
func systemLogMissing() bool {
	for _, p := range []string{"/dev/log", "/var/run/syslog", "/var/run/log"} {
		if _, err := os.Stat(p); err == nil {
			return false
		}
	}
	return true
}

func TestServiceStartFailures(t *testing.T) {
	dir := tempDir(t)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[agent]\nmax_uploads = -1\n"), 0o644)
	// The config check passes, since /proc is a folder, but no process,
	// not even root, can create a folder in /proc.
	noInbox := writeAgentConfig(t, tempDir(t), "http://127.0.0.1:9/upload", "")
	os.WriteFile(noInbox, []byte(strings.Replace(string(mustRead(t, noInbox)), `inbox = "inbox"`, `inbox = "/proc/hotfolder-test-inbox"`, 1)), 0o644)
	cases := []struct {
		name, config string
		code         int
		message      string
	}{
		{"bad config", bad, exitUsage, "failed to start: invalid config"},
		{"missing config", filepath.Join(dir, "none.toml"), exitUsage, "not found"},
		{"inbox cannot be created", noInbox, exitError, "create /proc/hotfolder-test-inbox"},
	}
	for _, c := range cases {
		if strings.HasPrefix(c.name, "inbox") && runtime.GOOS != "linux" {
			continue
		}
		p := startServiceProcess(t, "run", "--config", c.config)
		if got := exitCode(t, p.wait(t, 30*time.Second)); got != c.code {
			t.Errorf("%s: exit %d, want %d; output:\n%s", c.name, got, c.code, p.output)
		}
		if systemLogMissing() && !strings.Contains(p.output.String(), c.message) {
			t.Errorf("%s: output lacks %q:\n%s", c.name, c.message, p.output)
		}
	}
}

func TestServiceStateDirInUse(t *testing.T) {
	dir := tempDir(t)
	config := writeAgentConfig(t, dir, "http://127.0.0.1:9/upload", "")
	first := startProcess(t, "run", "--config", config)
	waitOutput(t, first, "watching folder")
	second := startServiceProcess(t, "run", "--config", config)
	if got := exitCode(t, second.wait(t, 30*time.Second)); got != exitError {
		t.Errorf("second agent: exit %d, want %d; output:\n%s", got, exitError, second.output)
	}
	if systemLogMissing() && !strings.Contains(second.output.String(), "in use by another hotfolder agent") {
		t.Errorf("second agent's output does not name the lock:\n%s", second.output)
	}
	first.cmd.Process.Signal(syscall.SIGTERM)
	first.wait(t, 30*time.Second)
}

func TestServiceModeLogsOnlyToFile(t *testing.T) {
	dir := tempDir(t)
	config := writeAgentConfig(t, dir, "http://127.0.0.1:9/upload", "")
	p := startServiceProcess(t, "run", "--config", config)
	logFile := filepath.Join(dir, "logs", "hotfolder.log")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(string(readOrEmpty(logFile)), "watching folder") {
		if time.Now().After(deadline) {
			t.Fatalf("log file lacks the start lines; output:\n%s", p.output)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if got := exitCode(t, p.wait(t, 30*time.Second)); got != exitOK {
		t.Errorf("exit %d after SIGTERM, want 0; output:\n%s", got, p.output)
	}
	if strings.Contains(p.output.String(), "watching folder") {
		t.Errorf("service wrote the agent log to stderr, which systemd copies to the journal:\n%s", p.output)
	}
	if !strings.Contains(string(readOrEmpty(logFile)), "agent stopped") {
		t.Errorf("log file lacks \"agent stopped\":\n%s", readOrEmpty(logFile))
	}
}

func readOrEmpty(p string) []byte {
	data, _ := os.ReadFile(p)
	return data
}
