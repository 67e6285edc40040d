package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hotfolder/hotfolder/agent/status"
	"github.com/hotfolder/hotfolder/uploader/receiver"
)

// startReceiver serves the built-in receiver on loopback, storing into
// dir, and returns its upload URL.
func startReceiver(t *testing.T, dir, token string) string {
	t.Helper()
	srv, err := receiver.New(receiver.Options{Dir: dir, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs.URL + "/upload"
}

// writeConfigFile writes agent.toml in dir with one folder "scans" whose
// inbox is dir/inbox, sending to url; extra goes into [folder.upload].
func writeConfigFile(t *testing.T, dir, agentExtra, url, uploadExtra string) string {
	t.Helper()
	p := filepath.Join(dir, "agent.toml")
	text := fmt.Sprintf("[agent]\n%s\n[[folder]]\nname = \"scans\"\ninbox = \"inbox\"\nsettle = \"200ms\"\n[folder.upload]\nurl = %q\n%s\n",
		agentExtra, url, uploadExtra)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := runMain(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestSendUploadsWithoutMoving(t *testing.T) {
	dir := tempDir(t)
	received := filepath.Join(dir, "received")
	config := writeConfigFile(t, dir, "", startReceiver(t, received, ""), "")
	inside := filepath.Join(dir, "inbox", "sub", "a.txt")
	outside := filepath.Join(dir, "b.txt")
	os.MkdirAll(filepath.Dir(inside), 0o755)
	os.WriteFile(inside, []byte("alpha"), 0o644)
	os.WriteFile(outside, []byte("bravo"), 0o644)

	code, out, errOut := run("send", inside, "--config", config, outside)
	if code != exitOK {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(received, "sub", "a.txt")); string(got) != "alpha" {
		t.Errorf("server stored %q for sub/a.txt, the path below the inbox", got)
	}
	if got, _ := os.ReadFile(filepath.Join(received, "b.txt")); string(got) != "bravo" {
		t.Errorf("server stored %q for b.txt", got)
	}
	for _, p := range []string{inside, outside} {
		if !fileExists(p) {
			t.Errorf("send moved %s", p)
		}
	}
	if n := strings.Count(out, " ok "); n != 2 {
		t.Errorf("want 2 ok lines, got %d:\n%s", n, out)
	}
	if !strings.Contains(out, "201") {
		t.Errorf("output lacks the HTTP status:\n%s", out)
	}

	// The same file again carries the same Idempotency-Key, so the
	// receiver keeps one copy.
	if code, out, _ := run("send", "--config", config, outside); code != exitOK {
		t.Fatalf("second send: exit %d\n%s", code, out)
	}
	if entries, _ := os.ReadDir(received); countFiles(entries) != 1 {
		t.Errorf("received holds %d files after a resend, want b.txt once", countFiles(entries))
	}
}

func countFiles(entries []os.DirEntry) int {
	n := 0
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestSendReportsFailures(t *testing.T) {
	dir := tempDir(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "only PDF files", http.StatusUnsupportedMediaType)
	}))
	defer srv.Close()
	config := writeConfigFile(t, dir, "", srv.URL+"/upload", "")
	good := filepath.Join(dir, "notes.txt")
	os.WriteFile(good, []byte("text"), 0o644)
	code, out, _ := run("send", "--config", config, good, filepath.Join(dir, "missing.pdf"))
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	for _, want := range []string{"FAILED", "415", "http_client", "only PDF files", "file_not_found", "2 of 2 files failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSendFolderChoice(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, "agent.toml")
	os.WriteFile(p, []byte(`
[[folder]]
name = "scans"
inbox = "a"
[folder.upload]
url = "http://127.0.0.1:9/upload"
[[folder]]
name = "lab"
inbox = "b"
[folder.upload]
url = "http://127.0.0.1:9/upload"
`), 0o644)
	f := filepath.Join(dir, "x.txt")
	os.WriteFile(f, []byte("x"), 0o644)
	code, _, errOut := run("send", "--config", p, f)
	if code != exitUsage || !strings.Contains(errOut, "--folder") || !strings.Contains(errOut, "scans, lab") {
		t.Errorf("no --folder with two folders: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = run("send", "--config", p, "--folder", "nope", f)
	if code != exitUsage || !strings.Contains(errOut, `no folder named "nope"`) {
		t.Errorf("unknown folder: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := run("send", "--config", p, "--folder", "lab"); code != exitUsage {
		t.Errorf("no files: exit %d, want %d", code, exitUsage)
	}
}

func TestProbeLiveServer(t *testing.T) {
	dir := tempDir(t)
	config := writeConfigFile(t, dir, "", startReceiver(t, filepath.Join(dir, "r"), ""), "")
	code, out, errOut := run("validate", "--probe", "--config", config)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "folder scans") || !strings.Contains(out, "ok: reachable (OPTIONS answered HTTP 204") {
		t.Errorf("output:\n%s", out)
	}
}

func TestProbeFallsBackToHead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	config := writeConfigFile(t, tempDir(t), "", srv.URL+"/upload", "")
	code, out, _ := run("validate", "--probe", "--config", config)
	if code != exitOK || !strings.Contains(out, "reachable (HEAD answered HTTP 404") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestProbeProblems(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/upload"
	l.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer tlsSrv.Close()
	dir := tempDir(t)
	guarded := startReceiver(t, filepath.Join(dir, "r"), "right-token")

	cases := []struct {
		name, url, extra, want string
	}{
		{"closed port", closed, "", "nothing listens at " + l.Addr().String() + " (connection refused)"},
		{"untrusted certificate", tlsSrv.URL + "/upload", "", "certificate not trusted: set ca_file"},
		{"plain HTTP on https", strings.Replace(guarded, "http://", "https://", 1), "", "the server did not answer with TLS"},
		{"wrong token", guarded, `token_file = "wrong-token"`, "reachable, but the server rejected the credentials (OPTIONS answered HTTP 401)"},
		{"unknown host", "http://no-such-host.invalid/upload", "", `host name "no-such-host.invalid" does not resolve`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, "case-"+strings.ReplaceAll(c.name, " ", "-"))
			os.MkdirAll(sub, 0o755)
			os.WriteFile(filepath.Join(sub, "wrong-token"), []byte("wrong-token"), 0o600)
			config := writeConfigFile(t, sub, "", c.url, c.extra)
			code, out, errOut := run("validate", "--probe", "--config", config)
			if code != exitError {
				t.Errorf("exit %d, want %d; stderr %s", code, exitError, errOut)
			}
			if !strings.Contains(out, "PROBLEM: "+c.want) {
				t.Errorf("output lacks %q:\n%s", c.want, out)
			}
		})
	}
}

func TestProbeTrustsCAFile(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer tlsSrv.Close()
	dir := tempDir(t)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})
	os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o644)
	config := writeConfigFile(t, dir, "", tlsSrv.URL+"/upload", `ca_file = "ca.pem"`)
	code, out, _ := run("validate", "--probe", "--config", config)
	if code != exitOK || !strings.Contains(out, "reachable (OPTIONS answered HTTP 204") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestStatusWhenPageIsOff(t *testing.T) {
	dir := tempDir(t)
	config := writeConfigFile(t, dir, `log_file = "logs/agent.log"`, "http://127.0.0.1:9/upload", "")
	code, out, errOut := run("status", "--config", config)
	// Without a service manager, status reports it and exits 1.
	want := exitOK
	if missingServiceManager(runtime.GOOS, systemdRuntimeDir) != "" {
		want = exitError
	}
	if code != want {
		t.Errorf("exit %d, want %d; stderr %s", code, want, errOut)
	}
	if !strings.Contains(out, "service:") || !strings.Contains(out, `set status_listen = "127.0.0.1:7755"`) {
		t.Errorf("output:\n%s", out)
	}
	if fileExists(filepath.Join(dir, "logs")) {
		t.Error("status created the agent's log folder")
	}
}

func TestStatusWhenAgentIsDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	config := writeConfigFile(t, tempDir(t), fmt.Sprintf("status_listen = %q", addr), "http://127.0.0.1:9/upload", "")
	code, out, _ := run("status", "--config", config)
	if code != exitError || !strings.Contains(out, "agent:    not reachable at http://"+addr+"/status") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestRenderStatusTables(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	eta := 125.0
	snap := status.Snapshot{
		Time: now, Started: now.Add(-2 * time.Hour), Version: "1.4.0", State: "running", Healthy: true,
		Queue:   status.QueueStatus{Files: 3, Bytes: 3 << 20, InFlight: 1, Rate: 1 << 20, ETASeconds: &eta},
		Folders: []status.FolderStatus{{Name: "scans", Healthy: true, QueueFiles: 3, QueueBytes: 3 << 20, InFlight: 1, Uploaded: 7}},
		InFlight: []status.UploadStatus{{ID: 1, Folder: "scans", File: "invoice-0042.pdf", Size: 4 << 20, Sent: 1 << 20,
			Percent: 25, Rate: 1 << 20, ETASeconds: &eta, Attempt: 2}},
		Recent: []status.Outcome{{Time: now, Folder: "scans", File: "a.pdf", Outcome: "failed", Bytes: 10, Status: 415,
			Class: "http_client", Error: "http_client: HTTP 415 Unsupported Media Type"}},
		LastErrors: map[string]status.Outcome{"http_client": {Time: now, Folder: "scans", File: "a.pdf", Error: "HTTP 415"}},
	}
	var b bytes.Buffer
	renderStatus(&b, snap, 10)
	out := b.String()
	for _, want := range []string{
		"agent:    running, version 1.4.0, up 2h0m0s, healthy",
		"queue:    3 files (3.0 MiB) waiting, 0 waiting to retry, 1 uploading at 1.0 MiB/s, ETA 2m05s",
		"scans   ok      3 (3.0 MiB)",
		"invoice-0042.pdf  1.0 MiB  4.0 MiB  25.0%     1.0 MiB/s  2m05s  2",
		"failed   10 B",
		"415   http_client",
		"LAST ERROR PER CLASS",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	renderStatus(&b, status.Snapshot{Time: now, Started: now, State: "stopping", Problems: []string{"agent is stopping"}}, 10)
	if !strings.Contains(b.String(), "unhealthy: agent is stopping") || strings.Count(b.String(), "  none") != 4 {
		t.Errorf("empty snapshot:\n%s", b.String())
	}
}
