package uploader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// writeSource writes content to a file and returns its Source.
func writeSource(t *testing.T, name string, content []byte) Source {
	t.Helper()
	p := filepath.Join(tempDir(t), "f.bin")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	return Source{Path: p, Name: name, Size: st.Size(), ModTime: st.ModTime(), SHA256: hex.EncodeToString(sum[:]), Key: "k-" + name}
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// received is what a test server saw of one request.
type received struct {
	method, path, contentType, key, auth, disposition string
	contentLength                                     int64
	chunked                                           bool
	fileName                                          string
	fields                                            map[string]string
	data                                              []byte
}

func recordingServer(t *testing.T, status int, got chan<- received) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := received{method: r.Method, path: r.URL.EscapedPath(), contentType: r.Header.Get("Content-Type"),
			key: r.Header.Get("Idempotency-Key"), auth: r.Header.Get("Authorization"),
			disposition: r.Header.Get("Content-Disposition"), contentLength: r.ContentLength,
			chunked: len(r.TransferEncoding) > 0, fields: map[string]string{}}
		mt, _, _ := mime.ParseMediaType(rec.contentType)
		if mt == "multipart/form-data" {
			mr, err := r.MultipartReader()
			if err != nil {
				t.Errorf("multipart: %v", err)
				return
			}
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("next part: %v", err)
					return
				}
				b, _ := io.ReadAll(p)
				// Part.FileName drops folders, so read the parameter itself.
				_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
				if name, ok := params["filename"]; ok {
					rec.fileName, rec.data = name, b
				} else {
					rec.fields[p.FormName()] = string(b)
				}
			}
		} else {
			rec.data, _ = io.ReadAll(r.Body)
		}
		sum := sha256.Sum256(rec.data)
		got <- rec
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"name":"x","size":%d,"sha256":"%s"}`, len(rec.data), hex.EncodeToString(sum[:]))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUploadMultipartExactLength(t *testing.T) {
	got := make(chan received, 1)
	srv := recordingServer(t, http.StatusCreated, got)
	content := bytes.Repeat([]byte("scan data "), 100_000)
	src := writeSource(t, "sub/Überweisung \"März\".pdf", content)
	c := newClient(t, Config{URL: srv.URL + "/upload", Token: "s3cret", Fields: map[string]string{"templateId": "42"}})

	rc, err := c.Upload(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := <-got
	if rc.Status != http.StatusCreated {
		t.Errorf("status %d", rc.Status)
	}
	if r.chunked || r.contentLength <= int64(len(content)) {
		t.Errorf("want a Content-Length above the file size, got %d (chunked %v)", r.contentLength, r.chunked)
	}
	if !bytes.Equal(r.data, content) {
		t.Errorf("server got %d bytes, want %d identical", len(r.data), len(content))
	}
	if r.fileName != src.Name {
		t.Errorf("file name %q, want %q", r.fileName, src.Name)
	}
	if r.fields["templateId"] != "42" {
		t.Errorf("fields %v", r.fields)
	}
	if r.key != src.Key {
		t.Errorf("Idempotency-Key %q, want %q", r.key, src.Key)
	}
	if r.auth != "Bearer s3cret" {
		t.Errorf("Authorization %q", r.auth)
	}
	if rc.SHA256 != src.SHA256 {
		t.Errorf("receipt sha256 %q, want %q", rc.SHA256, src.SHA256)
	}
}

func TestUploadRawNameInURL(t *testing.T) {
	got := make(chan received, 1)
	srv := recordingServer(t, http.StatusOK, got)
	src := writeSource(t, "lab/run 7#1.csv", []byte("a,b\n1,2\n"))
	c := newClient(t, Config{URL: srv.URL + "/files/{name}", Method: http.MethodPut, Mode: ModeRaw})
	if _, err := c.Upload(context.Background(), src, nil); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.method != http.MethodPut || r.path != "/files/lab/run%207%231.csv" {
		t.Errorf("got %s %s", r.method, r.path)
	}
	if r.disposition != "" {
		t.Errorf("unexpected Content-Disposition %q with {name} in the URL", r.disposition)
	}
	if r.contentLength != src.Size || string(r.data) != "a,b\n1,2\n" {
		t.Errorf("length %d, data %q", r.contentLength, r.data)
	}
}

func TestUploadRawNameInHeader(t *testing.T) {
	got := make(chan received, 1)
	srv := recordingServer(t, http.StatusOK, got)
	src := writeSource(t, "Kassenbericht für Dezember.csv", []byte("x"))
	c := newClient(t, Config{URL: srv.URL + "/upload", Mode: ModeRaw})
	if _, err := c.Upload(context.Background(), src, nil); err != nil {
		t.Fatal(err)
	}
	r := <-got
	_, params, err := mime.ParseMediaType(r.disposition)
	if err != nil {
		t.Fatalf("Content-Disposition %q: %v", r.disposition, err)
	}
	if params["filename"] != src.Name {
		t.Errorf("filename %q, want %q", params["filename"], src.Name)
	}
}

func TestUploadEmptyFile(t *testing.T) {
	got := make(chan received, 1)
	srv := recordingServer(t, http.StatusCreated, got)
	src := writeSource(t, "empty.txt", nil)
	c := newClient(t, Config{URL: srv.URL, Mode: ModeRaw})
	if _, err := c.Upload(context.Background(), src, nil); err != nil {
		t.Fatal(err)
	}
	if r := <-got; len(r.data) != 0 || r.chunked {
		t.Errorf("got %d bytes, chunked %v", len(r.data), r.chunked)
	}
}

func TestUploadStatusErrors(t *testing.T) {
	cases := []struct {
		status     int
		retryAfter string
		want       Class
		wantAfter  time.Duration
	}{
		{500, "", ClassHTTPServer, 0},
		{429, "7", ClassThrottled, 7 * time.Second},
		{503, "3", ClassThrottled, 3 * time.Second},
		{404, "", ClassHTTPClient, 0},
		{413, "", ClassTooLarge, 0},
		{408, "", ClassTimeout, 0},
		{401, "", ClassUnauthorized, 0},
		{403, "", ClassUnauthorized, 0},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if c.retryAfter != "" {
					w.Header().Set("Retry-After", c.retryAfter)
				}
				w.WriteHeader(c.status)
				io.WriteString(w, "no thanks")
			}))
			defer srv.Close()
			src := writeSource(t, "a.txt", []byte("hello"))
			_, err := newClient(t, Config{URL: srv.URL}).Upload(context.Background(), src, nil)
			var ue *Error
			if !errors.As(err, &ue) {
				t.Fatalf("want *Error, got %v", err)
			}
			if ue.Class != c.want || ue.Status != c.status || ue.RetryAfter != c.wantAfter {
				t.Errorf("got class %q status %d retry-after %s", ue.Class, ue.Status, ue.RetryAfter)
			}
			if ue.Body != "no thanks" {
				t.Errorf("body excerpt %q", ue.Body)
			}
		})
	}
}

func TestUploadReceiptHashMismatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"sha256":"0000"}`)
	}))
	defer srv.Close()
	src := writeSource(t, "a.txt", []byte("hello"))
	_, err := newClient(t, Config{URL: srv.URL}).Upload(context.Background(), src, nil)
	if Classify(err) != ClassHTTPServer {
		t.Fatalf("want http_server for a receipt with another hash, got %v", err)
	}
}

func TestUploadSourceChanged(t *testing.T) {
	var src Source
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The writer appends while the body is in flight.
		f, _ := os.OpenFile(src.Path, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString("more")
		f.Close()
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	src = writeSource(t, "a.txt", bytes.Repeat([]byte("x"), 1<<20))
	_, err := newClient(t, Config{URL: srv.URL, Mode: ModeRaw}).Upload(context.Background(), src, nil)
	if Classify(err) != ClassSourceChanged {
		t.Fatalf("want source_changed, got %v", err)
	}
}

func TestUploadSourceChangedBeforeStart(t *testing.T) {
	src := writeSource(t, "a.txt", []byte("old"))
	os.WriteFile(src.Path, []byte("newer content"), 0o644)
	_, err := newClient(t, Config{URL: "http://127.0.0.1:1"}).Upload(context.Background(), src, nil)
	if Classify(err) != ClassSourceChanged {
		t.Fatalf("want source_changed, got %v", err)
	}
}

// TestUploadStallServerStopsReading uses a server that accepts the
// connection and never reads, so only the socket buffers take data.
func TestUploadStallServerStopsReading(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	held := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held <- c // kept open, never read
		}
	}()
	defer func() {
		for len(held) > 0 {
			(<-held).Close()
		}
	}()
	src := writeSource(t, "big.bin", make([]byte, 64<<20))
	m := new(Meter)
	c := newClient(t, Config{URL: "http://" + l.Addr().String() + "/", Mode: ModeRaw, StallTimeout: 500 * time.Millisecond})
	_, err = c.Upload(context.Background(), src, m)
	if Classify(err) != ClassStalled {
		t.Fatalf("want stalled, got %v", err)
	}
	if m.Sent() == 0 || m.Sent() >= src.Size {
		t.Errorf("meter counted %d bytes; want some but not all of %d", m.Sent(), src.Size)
	}
	if msg := err.Error(); !strings.Contains(msg, "no progress for") || strings.Contains(msg, "no progress for 0s") {
		t.Errorf("message %q does not give the time without progress", msg)
	}
}

// TestUploadStallNoAnswer uses a server that reads the whole body and then
// never responds.
func TestUploadStallNoAnswer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-release
	}))
	defer srv.Close()
	defer close(release)
	src := writeSource(t, "a.bin", make([]byte, 1<<20))
	c := newClient(t, Config{URL: srv.URL, Mode: ModeRaw, StallTimeout: 500 * time.Millisecond})
	_, err := c.Upload(context.Background(), src, nil)
	if Classify(err) != ClassStalled {
		t.Fatalf("want stalled, got %v", err)
	}
}

func TestUploadResetMidBody(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			io.CopyN(io.Discard, c, 1<<20)
			c.(*net.TCPConn).SetLinger(0) // close with RST
			c.Close()
		}
	}()
	src := writeSource(t, "a.bin", make([]byte, 3<<20))
	_, err = newClient(t, Config{URL: "http://" + l.Addr().String(), Mode: ModeRaw}).Upload(context.Background(), src, nil)
	if got := Classify(err); got != ClassReset {
		t.Fatalf("want connection_reset, got %q (%v)", got, err)
	}
}

func TestUploadReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newClient(t, Config{URL: srv.URL, Mode: ModeRaw})
	for i := range 20 {
		src := writeSource(t, fmt.Sprintf("f%d", i), []byte("small"))
		if _, err := c.Upload(context.Background(), src, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("20 sequential uploads opened %d connections, want 1", n)
	}
}

func TestUploadCanceled(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	src := writeSource(t, "a.bin", []byte("x"))
	_, err := newClient(t, Config{URL: srv.URL}).Upload(ctx, src, nil)
	if Classify(err) != ClassCanceled {
		t.Fatalf("want canceled, got %v", err)
	}
}

func TestHashFileAndKey(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789"), 100_000)
	src := writeSource(t, "a", content)
	sum, err := HashFile(context.Background(), src.Path, src.Size)
	if err != nil {
		t.Fatal(err)
	}
	if sum != src.SHA256 {
		t.Errorf("HashFile = %s, want %s", sum, src.SHA256)
	}
	if IdempotencyKey("a", sum) != IdempotencyKey("a", sum) {
		t.Error("key is not stable")
	}
	if IdempotencyKey("a", sum) == IdempotencyKey("b", sum) {
		t.Error("key ignores the name")
	}
}

func TestUploadErrorHidesURLQuery(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	src := writeSource(t, "a.bin", []byte("x"))
	_, err = newClient(t, Config{URL: "http://" + addr + "/upload?apikey=k-2718"}).Upload(context.Background(), src, nil)
	if Classify(err) != ClassRefused {
		t.Fatalf("want connection_refused, got %v", err)
	}
	if msg := err.Error(); strings.Contains(msg, "k-2718") || !strings.Contains(msg, addr+"/upload?REDACTED") {
		t.Errorf("error message %q shows the query or lacks the redacted URL", msg)
	}
}

func TestUploadRedirectNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var gets atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if r.URL.Path == "/elsewhere" {
					gets.Add(1)
					w.WriteHeader(http.StatusOK)
					return
				}
				http.Redirect(w, r, "/elsewhere?sig=k-2718", status)
			}))
			defer srv.Close()
			src := writeSource(t, "a.txt", []byte("hello"))
			rc, err := newClient(t, Config{URL: srv.URL + "/upload"}).Upload(context.Background(), src, nil)
			if rc != nil || Classify(err) != ClassRedirected {
				t.Fatalf("got receipt %v, error %v; want class redirected", rc, err)
			}
			if n := gets.Load(); n != 0 {
				t.Errorf("the redirect was followed %d times", n)
			}
			msg := err.Error()
			if !strings.Contains(msg, srv.URL+"/elsewhere?REDACTED") || !strings.Contains(msg, "update url") {
				t.Errorf("message %q does not name the new address and the fix", msg)
			}
			if strings.Contains(msg, "k-2718") {
				t.Errorf("message %q shows the new address's query", msg)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	cases := map[string]string{
		"https://dms.example.com/files/{name}":            "https://dms.example.com/files/{name}",
		"https://dms.example.com/upload?key=k-1#top":      "https://dms.example.com/upload?REDACTED#top",
		"http://office:pw-1414@proxy.example.com:3128":    "http://proxy.example.com:3128",
		"https://u:p@dms.example.com/files/{name}?sig=k2": "https://dms.example.com/files/{name}?REDACTED",
		"http://127.0.0.1:8080/upload":                    "http://127.0.0.1:8080/upload",
	}
	for in, want := range cases {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
