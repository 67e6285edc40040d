//go:build !windows

package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotfolder/hotfolder/uploader/receiver"
)

// agentProcess is a real hotfolder process.
type agentProcess struct {
	cmd    *exec.Cmd
	output *lockedBuffer
	exited chan error
}

func startProcess(t *testing.T, args ...string) *agentProcess {
	t.Helper()
	p := &agentProcess{output: &lockedBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(selfArgs(t), args...)
	p.cmd.Env = append(os.Environ(), "HOTFOLDER_TEST_MAIN=1")
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

// wait returns the exit error, or fails the test after limit.
func (p *agentProcess) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		return err
	case <-time.After(limit):
		t.Fatalf("process still running after %s; output:\n%s", limit, p.output)
		return nil
	}
}

// slowReceiver serves a real receiver on loopback whose request bodies are
// read at about bytesPerSecond, so a kill lands in the middle of uploads.
func slowReceiver(t *testing.T, dir string, bytesPerSecond int) string {
	t.Helper()
	srv, err := receiver.New(receiver.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &slowBody{ReadCloser: r.Body, perSecond: bytesPerSecond}
		srv.ServeHTTP(w, r)
	})}
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })
	return "http://" + l.Addr().String() + "/upload"
}

type slowBody struct {
	io.ReadCloser
	perSecond int
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	n, err := b.ReadCloser.Read(p)
	time.Sleep(time.Duration(n) * time.Second / time.Duration(b.perSecond))
	return n, err
}

func writeAgentConfig(t *testing.T, dir, url, extra string) string {
	t.Helper()
	p := filepath.Join(dir, "agent.toml")
	text := fmt.Sprintf(`
[agent]
max_uploads = 3
shutdown_grace = "%s"
[[folder]]
name = "crash"
inbox = "inbox"
done = "done"
failed = "failed"
settle = "200ms"
rescan = "1s"
[folder.upload]
url = %q
retry_min = "100ms"
retry_max = "500ms"
%s
`, "2s", url, extra)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestKillDuringUploadsLosesNothing kills the agent with SIGKILL again
// and again while uploads run, then lets it finish: every file must reach
// the server intact and end in done exactly once, with nothing in failed.
func TestKillDuringUploadsLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes for about half a minute")
	}
	dir := tempDir(t)
	received := filepath.Join(dir, "received")
	url := slowReceiver(t, received, 8<<20)
	config := writeAgentConfig(t, dir, url, "")
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	want := map[string][]byte{}
	for i := range 24 {
		data := make([]byte, (1+i%4)<<20)
		rand.Read(data)
		name := fmt.Sprintf("file-%02d.bin", i)
		want[name] = data
		if err := os.WriteFile(filepath.Join(inbox, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for round := range 8 {
		p := startProcess(t, "run", "--config", config)
		time.Sleep(time.Duration(400+round*150) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait(t, 10*time.Second)
	}
	p := startProcess(t, "run", "--config", config)
	deadline := time.Now().Add(90 * time.Second)
	for {
		entries, _ := os.ReadDir(filepath.Join(dir, "done"))
		if len(entries) >= len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d files in done; output:\n%s", len(entries), len(want), p.output)
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.wait(t, 30*time.Second); err != nil {
		t.Errorf("agent exited with %v after SIGTERM", err)
	}

	done, _ := os.ReadDir(filepath.Join(dir, "done"))
	if len(done) != len(want) {
		t.Errorf("done holds %d entries, want %d", len(done), len(want))
	}
	for _, e := range done {
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("unexpected entry in done: %s (filed twice?)", e.Name())
		}
	}
	if failed, _ := os.ReadDir(filepath.Join(dir, "failed")); len(failed) != 0 {
		t.Errorf("failed holds %d entries", len(failed))
	}
	if left, _ := os.ReadDir(inbox); len(left) != 1 || left[0].Name() != ".hotfolder.lock" {
		t.Errorf("inbox holds %d entries, want only the agent's lock file", len(left))
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(received, name))
		if err != nil {
			t.Errorf("server lacks %s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("server copy of %s differs (%d bytes, want %d)", name, len(got), len(data))
		}
		if filed, _ := os.ReadFile(filepath.Join(dir, "done", name)); !bytes.Equal(filed, data) {
			t.Errorf("done copy of %s differs", name)
		}
	}
	stored, _ := os.ReadDir(received)
	for _, e := range stored {
		if strings.Contains(e.Name(), " (") {
			t.Errorf("server stored a second copy: %s", e.Name())
		}
	}
}

// TestSecondSignalExitsAtOnce checks that SIGTERM drains within the grace
// period and that a second signal does not wait for it.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	dir := tempDir(t)
	hang := make(chan struct{})
	defer close(hang)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})}
	go hs.Serve(l)
	defer hs.Close()
	config := writeAgentConfig(t, dir, "http://"+l.Addr().String()+"/upload", "")
	os.WriteFile(config, bytes.Replace(mustRead(t, config), []byte(`shutdown_grace = "2s"`), []byte(`shutdown_grace = "1m"`), 1), 0o644)
	os.MkdirAll(filepath.Join(dir, "inbox"), 0o755)
	os.WriteFile(filepath.Join(dir, "inbox", "stuck.txt"), []byte("waiting for an answer"), 0o644)

	p := startProcess(t, "run", "--config", config)
	waitOutput(t, p, "watching folder")
	time.Sleep(2 * time.Second) // settle and start the upload
	p.cmd.Process.Signal(syscall.SIGTERM)
	waitOutput(t, p, "stopping agent")
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.wait(t, 10*time.Second)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("second signal took %s to end the process", took)
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "stuck.txt")); err != nil {
		t.Errorf("file left the inbox: %v", err)
	}
}

func waitOutput(t *testing.T, p *agentProcess, text string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.output.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in output:\n%s", text, p.output)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
