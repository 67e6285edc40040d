package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestValidatePrintsSettingsWithoutSecrets(t *testing.T) {
	dir := tempDir(t)
	os.WriteFile(filepath.Join(dir, "token"), []byte("tok-3141\n"), 0o600)
	config := filepath.Join(dir, "agent.toml")
	os.WriteFile(config, []byte(`
[[folder]]
inbox = "in"
[folder.upload]
url = "https://dms.example.com/upload?apikey=k-2718"
token_file = "token"
proxy = "http://office:pw-1414@proxy.example.com:3128"
[folder.upload.headers]
X-Api-Key = "k-1618"
X-Office = "Main Street"
`), 0o644)
	var stdout, stderr bytes.Buffer
	if code := runMain(context.Background(), []string{"validate", "--config", config}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, secret := range []string{"tok-3141", "k-2718", "k-1618", "pw-1414"} {
		if strings.Contains(out, secret) {
			t.Errorf("output shows secret %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"Main Street", strconv.Quote(filepath.Join(dir, "in")), `settle = "2s"`, "is valid", "proxy.example.com:3128"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestExitStatuses(t *testing.T) {
	dir := tempDir(t)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[agent]\nmax_uploads = -1\n"), 0o644)
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, exitUsage},
		{"unknown command", []string{"fly"}, exitUsage},
		{"version", []string{"version"}, exitOK},
		{"help", []string{"help"}, exitOK},
		{"validate bad config", []string{"validate", "--config", bad}, exitUsage},
		{"validate missing config", []string{"validate", "--config", filepath.Join(dir, "none.toml")}, exitUsage},
		{"validate without flag", []string{"validate"}, exitUsage},
		{"run bad config", []string{"run", "--config", bad}, exitUsage},
		{"run unknown flag", []string{"run", "--bogus"}, exitUsage},
		{"demo two folders", []string{"demo", "a", "b"}, exitUsage},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if got := runMain(context.Background(), c.args, &stdout, &stderr); got != c.want {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", c.name, got, c.want, stderr.String())
		}
	}
}

func TestDemoDeliversDroppedFile(t *testing.T) {
	dir := tempDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	exited := make(chan int, 1)
	go func() { exited <- runDemo(ctx, []string{dir}, stdout, stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("demo did not start; stderr:\n%s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	content := bytes.Repeat([]byte("%PDF-1.7 demo "), 5000)
	os.WriteFile(filepath.Join(dir, "inbox", "scan.pdf"), content, 0o644)
	for {
		got, err := os.ReadFile(filepath.Join(dir, "done", "scan.pdf"))
		if err == nil && bytes.Equal(got, content) {
			break
		}
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatalf("scan.pdf not in done; stderr:\n%s", stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "received", "scan.pdf")); !bytes.Equal(got, content) {
		t.Errorf("receiver stored %d bytes, want %d", len(got), len(content))
	}
	cancel()
	select {
	case code := <-exited:
		if code != exitOK {
			t.Errorf("demo exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop after cancel")
	}
	logData, _ := os.ReadFile(filepath.Join(dir, "logs", "hotfolder.log"))
	if !strings.Contains(string(logData), "file uploaded") {
		t.Errorf("log file lacks the outcome line:\n%s", logData)
	}
}
