package receiver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// testReceiver is a Server behind an httptest server on loopback.
type testReceiver struct {
	srv  *Server
	http *httptest.Server
	dir  string
	logs *syncBuffer
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startReceiver starts a receiver on a new folder inside a fresh temporary
// folder, so tests can check that nothing lands next to it.
func startReceiver(t *testing.T, opts Options) *testReceiver {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = filepath.Join(tempDir(t), "received")
	}
	logs := &syncBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testReceiver{srv: srv, http: hs, dir: opts.Dir, logs: logs}
}

// stop shuts the receiver down so another can open the same folder.
func (tr *testReceiver) stop(t *testing.T) {
	t.Helper()
	tr.http.Close()
	if err := tr.srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func (tr *testReceiver) url(p string) string { return tr.http.URL + p }

// response is a finished request: status, decoded receipt or error, and
// the raw body.
type response struct {
	status  int
	receipt Receipt
	errMsg  string
	body    string
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read response of %s %s: %v", req.Method, req.URL, err)
	}
	out := response{status: res.StatusCode, body: string(body)}
	if res.StatusCode < 300 && len(body) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &out.receipt); err != nil {
			t.Fatalf("decode receipt %q: %v", body, err)
		}
	}
	if res.StatusCode >= 400 {
		var e struct{ Error string }
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("error response %d is not JSON: %q", res.StatusCode, body)
		}
		out.errMsg = e.Error
	}
	return out
}

func newRequest(t *testing.T, method, target string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatalf("new request %s %s: %v", method, target, err)
	}
	return req
}

// putRaw sends content to /upload/<escaped>.
func (tr *testReceiver) putRaw(t *testing.T, escaped string, content []byte, header http.Header) response {
	t.Helper()
	req := newRequest(t, http.MethodPut, tr.url("/upload/"+escaped), bytes.NewReader(content))
	for k, v := range header {
		req.Header[k] = v
	}
	return do(t, req)
}

// escapeSegments escapes each segment of a slash-separated name the way
// the agent does for {name} in a URL.
func escapeSegments(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// formPart is one part of a multipart body built by buildForm.
type formPart struct {
	disposition string // Content-Disposition value
	content     string
}

// fileDisposition writes a file part header the way Go's multipart
// package and browsers do, with filename* added for non-ASCII names.
func fileDisposition(field, name string) string {
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace
	v := `form-data; name="` + esc(field) + `"; filename="` + esc(name) + `"`
	for _, r := range name {
		if r >= 0x80 {
			return v + "; filename*=UTF-8''" + url.PathEscape(name)
		}
	}
	return v
}

func fieldDisposition(name string) string {
	return `form-data; name="` + name + `"`
}

// buildForm returns a multipart/form-data body and its content type.
func buildForm(t *testing.T, parts ...formPart) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", p.disposition)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatalf("create part: %v", err)
		}
		io.WriteString(pw, p.content)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close form: %v", err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

func (tr *testReceiver) postForm(t *testing.T, key string, parts ...formPart) response {
	t.Helper()
	body, contentType := buildForm(t, parts...)
	req := newRequest(t, http.MethodPost, tr.url("/upload"), bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	return do(t, req)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readStored returns the content of the stored file name under dir.
func readStored(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("stored file %q: %v", name, err)
	}
	return data
}

// listFiles returns the regular files under dir as slash-separated
// relative names, leaving out the receiver's state folder.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == stateDirName {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list %s: %v", dir, err)
	}
	return names
}

// tempFiles returns the temporary upload files at the top of dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	var names []string
	for _, e := range entries {
		if isTempName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}

// checkReceipt checks a 201 response against the content sent and the file
// on disk.
func checkReceipt(t *testing.T, dir string, res response, wantName string, content []byte) {
	t.Helper()
	if res.status != http.StatusCreated {
		t.Fatalf("status %d (%s), want 201", res.status, res.body)
	}
	if res.receipt.Name != wantName {
		t.Errorf("receipt name %q, want %q", res.receipt.Name, wantName)
	}
	if res.receipt.Size != int64(len(content)) {
		t.Errorf("receipt size %d, want %d", res.receipt.Size, len(content))
	}
	if res.receipt.SHA256 != sha256Hex(content) {
		t.Errorf("receipt sha256 %s, want %s", res.receipt.SHA256, sha256Hex(content))
	}
	if got := readStored(t, dir, wantName); !bytes.Equal(got, content) {
		t.Errorf("stored %q has %d bytes that differ from the %d sent", wantName, len(got), len(content))
	}
}
