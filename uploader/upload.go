package uploader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Source is the settled file to send, as the watcher saw it. An attempt
// fails with class source_changed when the file on disk no longer matches
// Size and ModTime.
type Source struct {
	Path    string    // file on disk
	Name    string    // slash-separated name sent to the server
	Size    int64     // bytes to send
	ModTime time.Time // modification time when settled
	SHA256  string    // hex content hash; checked against the server's receipt when both exist
	Key     string    // Idempotency-Key header value
}

// Receipt is the server's acceptance of a file.
type Receipt struct {
	Status int
	Body   string // the first bytes of the response body
	SHA256 string // the content hash the server reported, "" when none
}

// bodyExcerpt is how much of a response body is kept for logs and error
// sidecars; receiptLimit is how much is read to find a receipt's sha256.
const (
	bodyExcerpt  = 512
	receiptLimit = 64 << 10
)

// Upload sends src once. It returns the receipt on a 2xx answer, else an
// *Error with the failure's class. m, which may be nil, counts the bytes
// the connection accepts.
func (c *Client) Upload(ctx context.Context, src Source, m *Meter) (*Receipt, error) {
	if m == nil {
		m = new(Meter)
	}
	m.touch()
	f, err := os.Open(src.Path)
	if err != nil {
		return nil, &Error{Class: Classify(err), Err: err}
	}
	defer f.Close()
	if err := checkUnchanged(f, src); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if c.cfg.Timeout > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, c.cfg.Timeout, context.DeadlineExceeded)
		defer stop()
	}
	if c.cfg.StallTimeout > 0 {
		go watchStall(ctx, cancel, m, c.cfg.StallTimeout)
	}

	r := &sourceReader{r: io.NewSectionReader(f, 0, src.Size), f: f, src: src, ctx: ctx, throttle: c.cfg.Throttle, meter: m}
	req, err := c.newRequest(traceMeter(ctx, m), src, r)
	if err != nil {
		return nil, &Error{Class: ClassInternal, Err: err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if cerr := checkUnchanged(f, src); cerr != nil {
			return nil, cerr
		}
		return nil, transportError(ctx, err, m)
	}
	m.touch()
	rc, err := c.readAnswer(resp)
	if err != nil {
		return nil, transportError(ctx, err, m)
	}
	// A file that changed while it was sent is sent again, even when the
	// server accepted the older bytes.
	if err := checkUnchanged(f, src); err != nil {
		return nil, err
	}
	if rc.Status/100 != 2 {
		ra := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		e := &Error{Class: classifyStatus(rc.Status, ra), Status: rc.Status, Body: rc.Body, RetryAfter: ra}
		if e.Class == ClassRedirected {
			if loc, err := resp.Location(); err == nil {
				e.Location = loc.String()
			}
		}
		return nil, e
	}
	if rc.SHA256 != "" && src.SHA256 != "" && !strings.EqualFold(rc.SHA256, src.SHA256) {
		return nil, &Error{Class: ClassHTTPServer, Status: rc.Status, Body: rc.Body,
			Err: fmt.Errorf("server stored sha256 %s, file has %s", rc.SHA256, src.SHA256)}
	}
	return rc, nil
}

// readAnswer reads the start of the response body, enough for an excerpt
// and a JSON receipt, and closes it.
func (c *Client) readAnswer(resp *http.Response) (*Receipt, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, receiptLimit))
	if err != nil {
		return nil, err
	}
	// Drain a little more so the connection can be reused.
	_, _ = io.CopyN(io.Discard, resp.Body, 256<<10)
	rc := &Receipt{Status: resp.StatusCode, Body: excerpt(data)}
	if resp.StatusCode/100 == 2 && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		var v struct {
			SHA256 string `json:"sha256"`
		}
		if json.Unmarshal(data, &v) == nil {
			rc.SHA256 = v.SHA256
		}
	}
	return rc, nil
}

func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > bodyExcerpt {
		b = b[:bodyExcerpt]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// checkUnchanged returns a source_changed error when the open file's size
// or modification time differ from what was settled.
func checkUnchanged(f *os.File, src Source) error {
	st, err := f.Stat()
	if err != nil {
		return &Error{Class: Classify(err), Err: err}
	}
	if st.Size() != src.Size || !st.ModTime().Equal(src.ModTime) {
		return &Error{Class: ClassSourceChanged, Err: fmt.Errorf("%w: size %d→%d, modified %s→%s", ErrSourceChanged,
			src.Size, st.Size(), src.ModTime.Format(time.RFC3339Nano), st.ModTime().Format(time.RFC3339Nano))}
	}
	return nil
}

// sourceReader reads the file for the request body and checks about once a
// second, and at the end, that the file has not changed, so a file being
// rewritten is abandoned early instead of sent whole. With a throttle it
// reads in chunks of ThrottleChunk and waits for the throttle after each.
type sourceReader struct {
	r        io.Reader
	f        *os.File
	src      Source
	checked  time.Time
	ctx      context.Context
	throttle Throttle
	meter    *Meter
}

func (s *sourceReader) Read(p []byte) (int, error) {
	throttled := s.throttle != nil && !s.throttle.Unlimited()
	if throttled && len(p) > ThrottleChunk {
		p = p[:ThrottleChunk]
	}
	n, err := s.r.Read(p)
	if throttled && n > 0 {
		if werr := s.throttle.WaitN(s.ctx, n); werr != nil {
			return 0, throttleError(s.ctx, werr)
		}
		s.meter.touch()
	}
	if errors.Is(err, io.EOF) || time.Since(s.checked) > time.Second {
		s.checked = time.Now()
		if cerr := checkUnchanged(s.f, s.src); cerr != nil {
			return n, cerr
		}
	}
	return n, err
}

// HashFile returns the hex SHA-256 of the file's first size bytes, read
// through a fixed buffer.
func HashFile(ctx context.Context, path string, size int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 256<<10)
	r := io.NewSectionReader(f, 0, size)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// IdempotencyKey derives the Idempotency-Key for a file from its name and
// content hash, so it is the same across retries and restarts and differs
// when either changes.
func IdempotencyKey(name, contentSHA256 string) string {
	h := sha256.Sum256([]byte("hotfolder/1\x00" + name + "\x00" + contentSHA256))
	return hex.EncodeToString(h[:16])
}
