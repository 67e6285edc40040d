package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor is generous: CI runs on a loaded two-core machine.
const waitFor = 30 * time.Second

// sink is a test endpoint that stores what it receives, keyed by file
// name, and responds with status(n) to the n-th request (1-based).
type sink struct {
	mu       sync.Mutex
	requests int
	files    map[string][]byte
	counts   map[string]int
	keys     map[string]string
	status   func(n int) int
}

func newSink(status func(n int) int) *sink {
	if status == nil {
		status = func(int) int { return http.StatusCreated }
	}
	return &sink{files: map[string][]byte{}, counts: map[string]int{}, keys: map[string]string{}, status: status}
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, data, err := readUpload(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests++
	code := s.status(s.requests)
	if code/100 == 2 {
		s.files[name] = data
		s.counts[name]++
		s.keys[name] = r.Header.Get("Idempotency-Key")
	}
	s.mu.Unlock()
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"name":%q,"size":%d}`, name, len(data))
}

// readUpload returns the file name and content of a multipart or raw
// upload.
func readUpload(r *http.Request) (string, []byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		data, err := io.ReadAll(r.Body)
		return strings.TrimPrefix(r.URL.Path, "/files/"), data, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, err
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			return "", nil, fmt.Errorf("no file part: %w", err)
		}
		_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if name, ok := params["filename"]; ok {
			data, err := io.ReadAll(p)
			return name, data, err
		}
	}
}

func (s *sink) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[name]
}

func (s *sink) content(name string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[name]
}

func (s *sink) total() (files, requests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.counts {
		files += n
	}
	return files, s.requests
}

// syncBuffer is a log destination tests can read while the agent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// testAgent is a running agent over real folders.
type testAgent struct {
	dir, inbox, done, failed string
	cfg                      *Config
	log                      *syncBuffer
	agent                    *Agent
	cancel                   context.CancelFunc
	stopped                  chan struct{}
}

// configText returns a config for an agent in dir sending to url, with
// short settle and retry times; extra is appended inside [[folder]].
func configText(url, extra string) string {
	settle := `settle = "300ms"`
	if strings.Contains(extra, "settle") {
		settle = ""
	}
	return fmt.Sprintf(`
[agent]
max_uploads = 4
shutdown_grace = "2s"
[[folder]]
name = "test"
inbox = "inbox"
done = "done"
failed = "failed"
%s
rescan = "2s"
%s
[folder.upload]
url = %q
retry_min = "100ms"
retry_max = "400ms"
`, settle, extra, url)
}

func startAgent(t *testing.T, dir, text string) *testAgent {
	t.Helper()
	p := filepath.Join(dir, "agent.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	ta := &testAgent{dir: dir, cfg: cfg, log: &syncBuffer{}, stopped: make(chan struct{}),
		inbox: cfg.Folders[0].Inbox, done: cfg.Folders[0].Done, failed: cfg.Folders[0].Failed}
	log := slog.New(NewHandler(ta.log, "text", "debug"))
	a, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ta.agent = a
	ctx, cancel := context.WithCancel(context.Background())
	ta.cancel = cancel
	go func() {
		defer close(ta.stopped)
		a.Run(ctx)
	}()
	t.Cleanup(ta.stop)
	return ta
}

func (ta *testAgent) stop() {
	ta.cancel()
	<-ta.stopped
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// readFileEventually returns the content of p, retrying for up to waitFor
// while it cannot be read. Under Wine 8, opening a file that the agent
// has just renamed into place fails with a sharing violation while the
// handle that renamed it, which has delete access, is still open:
// os.ReadFile does not share delete access.
func readFileEventually(t *testing.T, p string) []byte {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		data, err := os.ReadFile(p)
		if err == nil {
			return data
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAgentSlowWriterUploadedOnceWhole(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", `settle = "1s"`))
	p := filepath.Join(ta.inbox, "scan.pdf")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("%PDF-chunk "), 10_000)
	for range 6 {
		f.Write(chunk)
		f.Sync()
		time.Sleep(500 * time.Millisecond)
	}
	f.Close()
	eventually(t, "scan.pdf in done", func() bool { return exists(filepath.Join(ta.done, "scan.pdf")) })
	if n := s.count("scan.pdf"); n != 1 {
		t.Errorf("uploaded %d times, want 1", n)
	}
	if got := len(s.content("scan.pdf")); got != 6*len(chunk) {
		t.Errorf("server got %d bytes, want %d", got, 6*len(chunk))
	}
	if !strings.Contains(ta.log.String(), `msg="file uploaded"`) {
		t.Errorf("no outcome line in log:\n%s", ta.log)
	}
}

func TestAgentRenameInAndSubfolder(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	dir := tempDir(t)
	ta := startAgent(t, dir, configText(srv.URL+"/upload", "recursive = true"))
	outside := filepath.Join(dir, "elsewhere.csv")
	writeFile(t, outside, []byte("till,total\n1,9.99\n"))
	if err := os.Rename(outside, filepath.Join(ta.inbox, "till.csv")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(ta.inbox, "2026", "12", "lab.txt"), []byte("result 42"))
	eventually(t, "both files in done", func() bool {
		return exists(filepath.Join(ta.done, "till.csv")) && exists(filepath.Join(ta.done, "2026", "12", "lab.txt"))
	})
	if got := string(s.content("2026/12/lab.txt")); got != "result 42" {
		t.Errorf("server got %q for 2026/12/lab.txt", got)
	}
}

func TestAgentManyFilesAndBacklog(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	dir := tempDir(t)
	inbox := filepath.Join(dir, "inbox")
	for i := range 50 {
		writeFile(t, filepath.Join(inbox, fmt.Sprintf("backlog-%03d.txt", i)), []byte(fmt.Sprint("old ", i)))
	}
	ta := startAgent(t, dir, configText(srv.URL+"/upload", ""))
	for i := range 200 {
		writeFile(t, filepath.Join(inbox, fmt.Sprintf("new-%03d.txt", i)), []byte(fmt.Sprint("new ", i)))
	}
	eventually(t, "250 files uploaded", func() bool { n, _ := s.total(); return n >= 250 })
	eventually(t, "inbox empty", func() bool {
		return len(inboxLeft(ta.inbox)) == 0
	})
	files, _ := s.total()
	if files != 250 {
		t.Errorf("server stored %d uploads, want 250 (one per file)", files)
	}
	entries, _ := os.ReadDir(ta.done)
	if len(entries) != 250 {
		t.Errorf("done holds %d files, want 250", len(entries))
	}
	if got := string(s.content("new-123.txt")); got != "new 123" {
		t.Errorf("content %q", got)
	}
}

func TestAgentRetriesServerErrors(t *testing.T) {
	s := newSink(func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusCreated
	})
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	writeFile(t, filepath.Join(ta.inbox, "r.txt"), []byte("retry me"))
	eventually(t, "r.txt in done", func() bool { return exists(filepath.Join(ta.done, "r.txt")) })
	if !strings.Contains(ta.log.String(), "attempts=3") {
		t.Errorf("want attempts=3 in the outcome line:\n%s", ta.log)
	}
	if strings.Count(ta.log.String(), "class=http_server") != 2 {
		t.Errorf("want two http_server retries logged:\n%s", ta.log)
	}
}

func TestAgentRejectedFileGoesToFailedWithNote(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Error(w, "no such template", http.StatusNotFound)
	}))
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	writeFile(t, filepath.Join(ta.inbox, "bad.pdf"), []byte("x"))
	notePath := filepath.Join(ta.failed, "bad.pdf.error.json")
	eventually(t, "note in failed", func() bool { return exists(notePath) })
	if !exists(filepath.Join(ta.failed, "bad.pdf")) {
		t.Error("bad.pdf not in failed")
	}
	var note failureNote
	if err := json.Unmarshal(readFileEventually(t, notePath), &note); err != nil {
		t.Fatal(err)
	}
	if note.Class != "http_client" || note.HTTPStatus != 404 || note.Attempts != 1 || note.Recoverable {
		t.Errorf("note %+v", note)
	}
	if !strings.Contains(note.Response, "no such template") {
		t.Errorf("note response %q", note.Response)
	}
	if st, err := os.Stat(notePath); err == nil && runtime.GOOS != "windows" && st.Mode().Perm() != 0o644 {
		t.Errorf("note has mode %v, want 0644 so whoever reads failed/ can read it", st.Mode().Perm())
	}
}

func TestAgentWaitsForServerToComeUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ta := startAgent(t, tempDir(t), configText("http://"+addr+"/upload", ""))
	writeFile(t, filepath.Join(ta.inbox, "wait.txt"), []byte("patience"))
	eventually(t, "a refused attempt", func() bool { return strings.Contains(ta.log.String(), "class=connection_refused") })
	time.Sleep(time.Second)
	if exists(filepath.Join(ta.failed, "wait.txt")) {
		t.Fatal("file failed during an outage; it must wait")
	}
	s := newSink(nil)
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(s)
	srv.Listener = l
	srv.Start()
	defer srv.Close()
	eventually(t, "wait.txt in done", func() bool { return exists(filepath.Join(ta.done, "wait.txt")) })
	if got := string(s.content("wait.txt")); got != "patience" {
		t.Errorf("content %q", got)
	}
}

func TestAgentPausesEndpointOnBadGateway(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	s := newSink(func(int) int {
		if down.Load() {
			return http.StatusBadGateway
		}
		return http.StatusCreated
	})
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	const files = 40
	for i := range files {
		writeFile(t, filepath.Join(ta.inbox, fmt.Sprintf("f%02d.txt", i)), []byte("x"))
	}
	eventually(t, "a 502 answer", func() bool { _, n := s.total(); return n > 0 })
	time.Sleep(2 * time.Second)
	down.Store(false)
	_, during := s.total()
	// Without the pause, every queued file would get at least one attempt
	// during the outage; with it, the endpoint gets one probe per backoff.
	if during >= files/2 {
		t.Errorf("%d requests during a 2s outage for %d queued files; want a few probes", during, files)
	}
	eventually(t, "every file in done", func() bool { return len(inboxLeft(ta.inbox)) == 0 })
	if n, _ := s.total(); n != files {
		t.Errorf("server stored %d uploads, want %d", n, files)
	}
}

func TestAgentWaitsOutAuthAndRedirect(t *testing.T) {
	var answer atomic.Int32
	answer.Store(http.StatusUnauthorized)
	s := newSink(nil)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch code := int(answer.Load()); code {
		case http.StatusCreated:
			s.ServeHTTP(w, r)
		case http.StatusMovedPermanently:
			io.Copy(io.Discard, r.Body)
			http.Redirect(w, r, "/elsewhere", code)
		default:
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(code)
		}
	}))
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	for i := range 5 {
		writeFile(t, filepath.Join(ta.inbox, fmt.Sprintf("scan%d.pdf", i)), []byte("scan"))
	}
	eventually(t, "an unauthorized answer logged as an error", func() bool {
		return strings.Contains(ta.log.String(), "level=ERROR msg=\"upload failed, will retry\"") &&
			strings.Contains(ta.log.String(), "class=unauthorized")
	})
	if err := ta.agent.folderHealth("test"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("folder health during 401 answers = %v, want the problem", err)
	}

	answer.Store(http.StatusMovedPermanently)
	eventually(t, "a redirect logged with the new address", func() bool {
		return strings.Contains(ta.log.String(), "class=redirected") && strings.Contains(ta.log.String(), srv.URL+"/elsewhere")
	})
	if entries, _ := os.ReadDir(ta.failed); len(entries) != 0 {
		t.Fatalf("failed holds %d entries while the endpoint needed a fix; files must wait", len(entries))
	}

	answer.Store(http.StatusCreated)
	eventually(t, "every file in done", func() bool { return len(inboxLeft(ta.inbox)) == 0 })
	if n, _ := s.total(); n != 5 {
		t.Errorf("server stored %d uploads, want 5", n)
	}
	if err := ta.agent.folderHealth("test"); err != nil {
		t.Errorf("folder health after the fix = %v, want nil", err)
	}
}

func TestAgentAcceptedFileNeverSentTwice(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	dir := tempDir(t)
	text := configText(srv.URL+"/upload", "recursive = true")
	ta := startAgent(t, dir, text)
	// A file where done/sub should be blocks the move, even for root.
	blocker := filepath.Join(ta.done, "sub")
	writeFile(t, blocker, []byte("in the way"))
	writeFile(t, filepath.Join(ta.inbox, "sub", "x.txt"), []byte("accepted once"))
	eventually(t, "the failed move logged", func() bool {
		return strings.Contains(ta.log.String(), "it will not be sent again")
	})
	if err := ta.agent.folderHealth("test"); err == nil || !strings.Contains(err.Error(), "cannot be moved into done") {
		t.Errorf("folder health with an unfiled accepted file = %v, want the problem", err)
	}
	ta.stop()

	ta = startAgent(t, dir, text)
	eventually(t, "the move retried after the restart", func() bool {
		return strings.Contains(ta.log.String(), "cannot move an accepted file to done yet")
	})
	if n := s.count("sub/x.txt"); n != 1 {
		t.Fatalf("server got sub/x.txt %d times, want 1", n)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	eventually(t, "sub/x.txt in done", func() bool { return exists(filepath.Join(ta.done, "sub", "x.txt")) })
	if n := s.count("sub/x.txt"); n != 1 {
		t.Errorf("server got sub/x.txt %d times, want 1", n)
	}
	if !strings.Contains(ta.log.String(), "accepted file filed without a second upload") {
		t.Errorf("no filing line in the log:\n%s", ta.log)
	}
}

func TestAgentChangedUnfiledFileSentAgain(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", "recursive = true"))
	blocker := filepath.Join(ta.done, "sub")
	writeFile(t, blocker, []byte("in the way"))
	p := filepath.Join(ta.inbox, "sub", "a.pdf")
	writeFile(t, p, []byte("first version"))
	eventually(t, "the failed move logged", func() bool {
		return strings.Contains(ta.log.String(), "it will not be sent again")
	})
	writeFile(t, p, []byte("second, longer version"))
	eventually(t, "the change noticed", func() bool {
		return strings.Contains(ta.log.String(), "accepted file changed before it could be moved")
	})
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new version in done", func() bool {
		data, _ := os.ReadFile(filepath.Join(ta.done, "sub", "a.pdf"))
		return string(data) == "second, longer version"
	})
	if got := string(s.content("sub/a.pdf")); got != "second, longer version" {
		t.Errorf("server has %q, want the new version", got)
	}
}

func TestAgentNameCollisionInDone(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	dir := tempDir(t)
	writeFile(t, filepath.Join(dir, "done", "a.txt"), []byte("earlier"))
	ta := startAgent(t, dir, configText(srv.URL+"/upload", ""))
	writeFile(t, filepath.Join(ta.inbox, "a.txt"), []byte("later"))
	eventually(t, "a (1).txt in done", func() bool { return exists(filepath.Join(ta.done, "a (1).txt")) })
	if got, _ := os.ReadFile(filepath.Join(ta.done, "a.txt")); string(got) != "earlier" {
		t.Errorf("existing file overwritten: %q", got)
	}
	if got := readFileEventually(t, filepath.Join(ta.done, "a (1).txt")); string(got) != "later" {
		t.Errorf("new file %q", got)
	}
}

func TestAgentNonASCIINames(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	names := []string{"Überweisung März.pdf", "報告書.csv", "naïve \"quoted\" name.txt"}
	if runtime.GOOS == "windows" {
		names[2] = "naïve 'quoted' name.txt" // Windows file names cannot contain '"'
	}
	for _, n := range names {
		writeFile(t, filepath.Join(ta.inbox, n), []byte(n))
	}
	for _, n := range names {
		eventually(t, n+" in done", func() bool { return exists(filepath.Join(ta.done, n)) })
		if got := string(s.content(n)); got != n {
			t.Errorf("server has %q under %q", got, n)
		}
	}
}

func TestAgentRawModeNameInURL(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), strings.Replace(configText(srv.URL+"/files/{name}", "recursive = true"),
		"[folder.upload]", "[folder.upload]\nmode = \"raw\"\nmethod = \"PUT\"", 1))
	writeFile(t, filepath.Join(ta.inbox, "sub", "x y.bin"), []byte{0, 1, 2})
	eventually(t, "file in done", func() bool { return exists(filepath.Join(ta.done, "sub", "x y.bin")) })
	if got := s.content("sub/x y.bin"); !bytes.Equal(got, []byte{0, 1, 2}) {
		t.Errorf("server got %v", got)
	}
}

func TestAgentRecoversReceiptWithoutResend(t *testing.T) {
	s := newSink(nil)
	srv := newServer(t, s)
	dir := tempDir(t)
	inbox := filepath.Join(dir, "inbox")
	p := filepath.Join(inbox, "sent-before-crash.pdf")
	writeFile(t, p, []byte("already on the server"))
	st, _ := os.Stat(p)
	state := filepath.Join(dir, "state")
	os.MkdirAll(state, 0o755)
	rec := receiptRecord{Op: "sent", Folder: "test", Path: p, Rel: "sent-before-crash.pdf", Size: st.Size(),
		ModTime: st.ModTime().UnixNano(), SHA256: "abc", Status: 201, Time: time.Now().Format(time.RFC3339)}
	line, _ := json.Marshal(rec)
	os.WriteFile(filepath.Join(state, journalName), append(line, []byte("\n{\"op\":\"sent\",\"pa")...), 0o644)

	ta := startAgent(t, dir, configText(srv.URL+"/upload", ""))
	eventually(t, "file in done", func() bool { return exists(filepath.Join(ta.done, "sent-before-crash.pdf")) })
	time.Sleep(time.Second)
	if _, requests := s.total(); requests != 0 {
		t.Errorf("server got %d requests; the file had a receipt and must not be sent again", requests)
	}
	if !strings.Contains(ta.log.String(), "without a second upload") {
		t.Errorf("recovery not logged:\n%s", ta.log)
	}
}

func TestAgentShutdownLeavesUnfinishedInInbox(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		<-release
	}))
	defer close(release)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	p := filepath.Join(ta.inbox, "slow.bin")
	writeFile(t, p, []byte("never answered"))
	select {
	case <-arrived:
	case <-time.After(waitFor):
		t.Fatal("upload never reached the server")
	}
	ta.stop()
	if !exists(p) {
		t.Fatal("file left the inbox without a receipt")
	}
	if entries, _ := os.ReadDir(ta.failed); len(entries) != 0 {
		t.Errorf("failed holds %d entries after a shutdown", len(entries))
	}
	if n := strings.Count(ta.log.String(), "class=canceled"); n != 1 {
		t.Errorf("want one canceled line, got %d:\n%s", n, ta.log)
	}
}

func TestAgentTooLargeNeverRetried(t *testing.T) {
	var requests atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		requests.Add(1)
		w.WriteHeader(http.StatusRequestEntityTooLarge)
	}))
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	writeFile(t, filepath.Join(ta.inbox, "huge.iso"), []byte("pretend this is big"))
	eventually(t, "note in failed", func() bool { return exists(filepath.Join(ta.failed, "huge.iso.error.json")) })
	if got := requests.Load(); got != 1 {
		t.Errorf("server saw %d requests for a 413, want 1", got)
	}
	if !strings.Contains(ta.log.String(), "class=too_large") {
		t.Errorf("no too_large class in log:\n%s", ta.log)
	}
}

func TestAgentRetryForGivesUp(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusBadGateway)
	}))
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", "")+"retry_for = \"1s\"\n")
	writeFile(t, filepath.Join(ta.inbox, "late.txt"), []byte("x"))
	notePath := filepath.Join(ta.failed, "late.txt.error.json")
	eventually(t, "note in failed", func() bool { return exists(notePath) })
	var note failureNote
	if err := json.Unmarshal(readFileEventually(t, notePath), &note); err != nil {
		t.Fatal(err)
	}
	if note.Class != "http_server" || !note.Recoverable || note.Attempts < 2 || note.HTTPStatus != 502 {
		t.Errorf("note %+v", note)
	}
	if note.FirstAttempt == "" || note.LastAttempt == "" || note.AgentVersion == "" {
		t.Errorf("note lacks attempt times or version: %+v", note)
	}
}

func TestAgentFileMovedBackFromFailedIsSentAgain(t *testing.T) {
	reject := true
	var mu sync.Mutex
	s := newSink(func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if reject {
			return http.StatusUnprocessableEntity
		}
		return http.StatusCreated
	})
	srv := newServer(t, s)
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	writeFile(t, filepath.Join(ta.inbox, "form.pdf"), []byte("fixed later"))
	eventually(t, "form.pdf in failed", func() bool { return exists(filepath.Join(ta.failed, "form.pdf.error.json")) })
	mu.Lock()
	reject = false
	mu.Unlock()
	if err := os.Rename(filepath.Join(ta.failed, "form.pdf"), filepath.Join(ta.inbox, "form.pdf")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "form.pdf in done", func() bool { return exists(filepath.Join(ta.done, "form.pdf")) })
	if got := string(s.content("form.pdf")); got != "fixed later" {
		t.Errorf("server has %q", got)
	}
}

// inboxLeft lists the entries of inbox other than the agent's lock file.
func inboxLeft(inbox string) []string {
	entries, _ := os.ReadDir(inbox)
	var left []string
	for _, e := range entries {
		if e.Name() != inboxLockName {
			left = append(left, e.Name())
		}
	}
	return left
}

func TestAgentSecondAgentOnInboxRejected(t *testing.T) {
	srv := newServer(t, newSink(nil))
	dir := tempDir(t)
	ta := startAgent(t, dir, configText(srv.URL+"/upload", ""))
	// Another config with its own state_dir and log, naming the same inbox.
	other := filepath.Join(tempDir(t), "agent.toml")
	text := strings.Replace(configText(srv.URL+"/upload", ""), `inbox = "inbox"`, fmt.Sprintf("inbox = %q", ta.inbox), 1)
	if err := os.WriteFile(other, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(other)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "is watched by another hotfolder agent") {
		t.Fatalf("second agent on one inbox: %v", err)
	}
	// The lock file is never sent.
	writeFile(t, filepath.Join(ta.inbox, "a.txt"), []byte("a"))
	eventually(t, "a.txt in done", func() bool { return exists(filepath.Join(ta.done, "a.txt")) })
	if exists(filepath.Join(ta.done, inboxLockName)) {
		t.Errorf("%s was filed in done", inboxLockName)
	}
}

func TestAgentSecondInstanceRejected(t *testing.T) {
	srv := newServer(t, newSink(nil))
	dir := tempDir(t)
	startAgent(t, dir, configText(srv.URL+"/upload", ""))
	cfg, err := Load(filepath.Join(dir, "agent.toml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "in use by another hotfolder agent") {
		t.Fatalf("second agent on one state_dir: %v", err)
	}
}

// The inbox lock file is neither sent nor counted as a file in the inbox.
func TestAgentEmptyInboxListsNoFiles(t *testing.T) {
	srv := newServer(t, newSink(nil))
	ta := startAgent(t, tempDir(t), configText(srv.URL+"/upload", ""))
	eventually(t, "first listing", func() bool { return strings.Contains(ta.log.String(), `msg="inbox listed"`) })
	var line string
	for l := range strings.Lines(ta.log.String()) {
		if strings.Contains(l, `msg="inbox listed"`) {
			line = l
		}
	}
	for _, want := range []string{" files=0 ", " folders=0 "} {
		if !strings.Contains(line, want) {
			t.Errorf("listing line lacks %q: %s", strings.TrimSpace(want), line)
		}
	}
}
