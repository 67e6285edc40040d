package receiver

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestContentLengthOverLimit(t *testing.T) {
	tr := startReceiver(t, Options{MaxBodyBytes: 1024})
	res := tr.putRaw(t, "big.bin", bytes.Repeat([]byte("x"), 4096), nil)
	if res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d (%s), want 413", res.status, res.body)
	}
	if !strings.Contains(res.errMsg, "1024") {
		t.Errorf("error %q does not name the limit", res.errMsg)
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored: %v", files)
	}
}

func TestContentLengthAtLimit(t *testing.T) {
	tr := startReceiver(t, Options{MaxBodyBytes: 1024})
	content := bytes.Repeat([]byte("y"), 1024)
	checkReceipt(t, tr.dir, tr.putRaw(t, "fits.bin", content, nil), "fits.bin", content)
}

// chunkedReader hides its length, so the client sends a chunked body.
type chunkedReader struct{ io.Reader }

func TestChunkedBodyOverLimit(t *testing.T) {
	const limit = 64 << 10
	tr := startReceiver(t, Options{MaxBodyBytes: limit})
	for _, mode := range []string{"raw", "multipart"} {
		var req *http.Request
		if mode == "raw" {
			req = newRequest(t, http.MethodPut, tr.url("/upload/chunked.bin"),
				chunkedReader{bytes.NewReader(make([]byte, 3*limit))})
		} else {
			body, contentType := buildForm(t, formPart{fileDisposition("file", "chunked.bin"), string(make([]byte, 3*limit))})
			req = newRequest(t, http.MethodPost, tr.url("/upload"), chunkedReader{bytes.NewReader(body)})
			req.Header.Set("Content-Type", contentType)
		}
		res := do(t, req)
		if res.status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: status %d (%s), want 413", mode, res.status, res.body)
		}
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored: %v", files)
	}
	if temps := tempFiles(t, tr.dir); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

// waitFor polls cond until it holds or the generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestClientDisconnectLeavesNoTemp(t *testing.T) {
	tr := startReceiver(t, Options{})
	for _, mode := range []string{"raw", "multipart"} {
		conn, err := net.Dial("tcp", tr.http.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		var head string
		if mode == "raw" {
			head = "PUT /upload/partial.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n"
		} else {
			head = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 1048576\r\n\r\n" +
				"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"partial.bin\"\r\n\r\n"
		}
		fmt.Fprint(conn, head)
		conn.Write(bytes.Repeat([]byte("p"), 100_000))
		// The temporary file exists once the receiver has started writing.
		waitFor(t, mode+" temporary file", func() bool { return len(tempFiles(t, tr.dir)) == 1 })
		conn.Close()
		waitFor(t, mode+" cleanup", func() bool { return len(tempFiles(t, tr.dir)) == 0 })
	}
	if !tr.srv.Wait(20 * time.Second) {
		t.Fatal("requests still running after the clients left")
	}
	if files := listFiles(t, tr.dir); len(files) != 0 {
		t.Errorf("files stored from cut-off bodies: %v", files)
	}
	if logs := tr.logs.String(); !strings.Contains(logs, "status=400") {
		t.Errorf("log has no line for the cut-off request:\n%s", logs)
	}
}

func TestStalledBodyCutOff(t *testing.T) {
	tr := startReceiver(t, Options{BodyIdleTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", tr.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "PUT /upload/stall.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a few bytes")
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status %d, want 408", res.StatusCode)
	}
	waitFor(t, "cleanup", func() bool { return len(tempFiles(t, tr.dir)) == 0 })
}

// patternReader yields n bytes of a fixed pattern without holding them,
// hashes them as they go, and samples the heap every sampleEvery bytes.
type patternReader struct {
	remaining   int64
	hash        hash.Hash
	sampleEvery int64
	sinceSample int64
	baseHeap    uint64
	maxGrowth   uint64
}

func newPatternReader(n int64) *patternReader {
	r := &patternReader{remaining: n, hash: sha256.New(), sampleEvery: 8 << 20}
	r.baseHeap = heapInUse()
	return r
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.remaining == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), r.remaining)
	for i := range n {
		p[i] = byte(r.remaining - i)
	}
	r.hash.Write(p[:n])
	r.remaining -= n
	r.sinceSample += n
	if r.sinceSample >= r.sampleEvery {
		r.sinceSample = 0
		if h := heapInUse(); h > r.baseHeap && h-r.baseHeap > r.maxGrowth {
			r.maxGrowth = h - r.baseHeap
		}
	}
	return int(n), nil
}

func TestLargeBodyStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 64 MiB")
	}
	const size = 64 << 20
	tr := startReceiver(t, Options{})
	for _, mode := range []string{"raw", "multipart"} {
		src := newPatternReader(size)
		var req *http.Request
		if mode == "raw" {
			req = newRequest(t, http.MethodPut, tr.url("/upload/large-"+mode+".bin"), src)
			req.ContentLength = size
		} else {
			pr, pw := io.Pipe()
			go writeStreamedForm(pw, "large-"+mode+".bin", src)
			req = newRequest(t, http.MethodPost, tr.url("/upload"), pr)
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+streamBoundary)
		}
		res := do(t, req)
		if res.status != http.StatusCreated {
			t.Fatalf("%s: status %d (%s)", mode, res.status, res.body)
		}
		if res.receipt.Size != size {
			t.Errorf("%s: size %d, want %d", mode, res.receipt.Size, size)
		}
		if want := hex.EncodeToString(src.hash.Sum(nil)); res.receipt.SHA256 != want {
			t.Errorf("%s: sha256 %s, want %s", mode, res.receipt.SHA256, want)
		}
		t.Logf("%s: heap growth while streaming: max %d KiB", mode, src.maxGrowth>>10)
		// Client and receiver share this heap. Buffering the body anywhere
		// would add at least 64 MiB; streaming needs a few buffers.
		if src.maxGrowth > 24<<20 {
			t.Errorf("%s: heap grew by %d MiB while streaming %d MiB", mode, src.maxGrowth>>20, size>>20)
		}
	}
}

const streamBoundary = "streamboundary0123456789"

func writeStreamedForm(pw *io.PipeWriter, name string, content io.Reader) {
	head := "--" + streamBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n\r\n"
	if _, err := io.WriteString(pw, head); err != nil {
		pw.CloseWithError(err)
		return
	}
	if _, err := io.Copy(pw, content); err != nil {
		pw.CloseWithError(err)
		return
	}
	_, err := io.WriteString(pw, "\r\n--"+streamBoundary+"--\r\n")
	pw.CloseWithError(err)
}
