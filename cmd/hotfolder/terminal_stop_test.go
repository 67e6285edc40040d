//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminalProcess is a hotfolder process whose stdout and stderr are a
// pseudo-terminal, so it draws progress bars.
type terminalProcess struct {
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan error
	copied chan struct{} // closed when the terminal's output has ended
}

func startInTerminal(t *testing.T, args ...string) *terminalProcess {
	t.Helper()
	cmd := exec.Command(selfArgs(t), args...)
	cmd.Env = append(os.Environ(), "HOTFOLDER_TEST_MAIN=1", "TERM=xterm")
	term, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 150})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	p := &terminalProcess{cmd: cmd, out: &lockedBuffer{}, exited: make(chan error, 1), copied: make(chan struct{})}
	go func() {
		defer close(p.copied)
		buf := make([]byte, 32<<10)
		for {
			n, err := term.Read(buf)
			p.out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		term.Close()
		<-p.copied
	})
	return p
}

// waitEnd waits for the process to exit and for the terminal to report
// the end of its output, which happens once the process and its children
// have closed it, and returns the output without escape codes.
func (p *terminalProcess) waitEnd(t *testing.T) string {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatalf("process did not exit; output:\n%s", p.out)
	}
	select {
	case <-p.copied:
	case <-time.After(30 * time.Second):
		t.Fatalf("terminal output did not end; output:\n%s", p.out)
	}
	return ansiEscape.ReplaceAllString(p.out.String(), "")
}

// An interrupt during an upload, in a terminal with progress bars, must
// still show the last log lines of the shutdown: the grace running out,
// the canceled upload and the agent's stop.
func TestRunTerminalShowsShutdownLines(t *testing.T) {
	dir := t.TempDir()
	url := slowReceiver(t, filepath.Join(dir, "received"), 256<<10)
	config, _ := processConfig(t, dir, url)
	os.WriteFile(config, bytes.Replace(mustRead(t, config), []byte(`shutdown_grace = "2s"`), []byte(`shutdown_grace = "500ms"`), 1), 0o644)
	p := startInTerminal(t, "run", "--config", config)
	waitText(t, p.out, regexp.MustCompile(`status page listening`))
	// At 256 KiB/s, 24 MiB take over a minute, so the interrupt lands
	// during the upload.
	os.WriteFile(filepath.Join(dir, "inbox", "long-scan.pdf"), make([]byte, 24<<20), 0o644)
	waitText(t, p.out, regexp.MustCompile(`long-scan\.pdf\s+\[[=>\-]+\]`))
	p.cmd.Process.Signal(os.Interrupt)
	text := p.waitEnd(t)

	for _, want := range []string{
		`msg="stopping agent"`,
		`msg="shutdown grace over, canceling uploads in flight"`,
		`msg="upload canceled, file stays in the inbox" folder=crash file=long-scan.pdf`,
		`msg="agent stopped"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal lacks %s; output:\n%s", want, text)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "long-scan.pdf")); err != nil {
		t.Errorf("file left the inbox: %v", err)
	}
}

// A start that fails after the log opened, here on a state_dir another
// agent has locked, logs the reason through the progress display, which must
// still reach the terminal.
func TestRunTerminalShowsStartFailure(t *testing.T) {
	dir := t.TempDir()
	config, _ := processConfig(t, dir, slowReceiver(t, filepath.Join(dir, "received"), 1<<20))
	first := startProcess(t, "run", "--config", config)
	waitOutput(t, first, "watching folder")

	p := startInTerminal(t, "run", "--config", config)
	text := p.waitEnd(t)
	if p.cmd.ProcessState.ExitCode() != exitError {
		t.Errorf("exit status %d, want %d", p.cmd.ProcessState.ExitCode(), exitError)
	}
	if want := `msg="agent cannot start"`; !strings.Contains(text, want) {
		t.Errorf("terminal lacks %s; output:\n%s", want, text)
	}
	if want := "in use by another hotfolder agent"; !strings.Contains(text, want) {
		t.Errorf("terminal lacks %q; output:\n%s", want, text)
	}
}
