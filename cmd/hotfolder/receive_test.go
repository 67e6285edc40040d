package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an io.Writer that a running command and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestReceiveFlagErrors(t *testing.T) {
	dir := tempDir(t)
	cases := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"unknown flag", []string{"--dir", dir, "--bogus"}, "bogus"},
		{"missing dir", []string{}, "--dir"},
		{"bad max-body", []string{"--dir", dir, "--max-body", "12Q"}, `"12Q"`},
		{"zero max-body", []string{"--dir", dir, "--max-body", "0"}, "--max-body"},
		{"cert without key", []string{"--dir", dir, "--tls-cert", "c.pem"}, "--tls-key"},
		{"bad log format", []string{"--dir", dir, "--log-format", "xml"}, `"xml"`},
		{"extra argument", []string{"--dir", dir, "stray"}, "stray"},
		{"open address without token", []string{"--dir", dir, "--listen", "0.0.0.0:0"}, "--token-file"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := runReceive(context.Background(), c.args, &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", c.name, code, exitUsage, stderr.String())
		}
		if !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%s: stderr does not mention %q:\n%s", c.name, c.want, stderr.String())
		}
	}
}

func TestReceiveHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runReceive(context.Background(), []string{"--help"}, &stdout, &stderr); code != exitOK {
		t.Errorf("--help: exit %d, want 0", code)
	}
	if !strings.Contains(stderr.String(), "-max-body SIZE") {
		t.Errorf("help does not list --max-body:\n%s", stderr.String())
	}
}

func TestReceiveMissingTokenFile(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"--dir", tempDir(t), "--listen", "127.0.0.1:0", "--token-file", filepath.Join(tempDir(t), "none")}
	if code := runReceive(context.Background(), args, &stdout, &stderr); code != exitError {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, stderr.String())
	}
}

var uploadURLPattern = regexp.MustCompile(`http://127\.0\.0\.1:\d+/upload`)

func TestReceiveServesUntilCanceled(t *testing.T) {
	dir := tempDir(t)
	tokenFile := filepath.Join(tempDir(t), "token")
	if err := os.WriteFile(tokenFile, []byte("cli-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan int, 1)
	args := []string{"--dir", dir, "--listen", "127.0.0.1:0", "--token-file", tokenFile, "--log-format", "json"}
	go func() { done <- runReceive(ctx, args, stdout, stderr) }()

	var url string
	deadline := time.Now().Add(20 * time.Second)
	for url == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no upload URL printed; stdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
		url = uploadURLPattern.FindString(stdout.String())
		time.Sleep(20 * time.Millisecond)
	}
	req, err := http.NewRequest(http.MethodPut, url+"/cli.txt", strings.NewReader("from the CLI test"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer cli-token")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: status %d, want 201", res.StatusCode)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "cli.txt")); err != nil || string(data) != "from the CLI test" {
		t.Errorf("stored file: %q, %v", data, err)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after cancel, want 0; stderr:\n%s", code, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("runReceive did not return after cancel")
	}
	if strings.Contains(stdout.String()+stderr.String(), "cli-token") {
		t.Error("the token was printed")
	}
	if !strings.Contains(stderr.String(), `"msg":"request"`) {
		t.Errorf("no JSON request log line on stderr:\n%s", stderr)
	}
}
