package uploader

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// bucket is a Throttle over a token bucket that counts the bytes it paced.
type bucket struct {
	lim   *rate.Limiter
	paced atomic.Int64
}

func (b *bucket) WaitN(ctx context.Context, n int) error {
	if n > ThrottleChunk {
		return nil // reported by the test below
	}
	b.paced.Add(int64(n))
	return b.lim.WaitN(ctx, n)
}

func (b *bucket) Unlimited() bool { return false }

func TestUploadThrottled(t *testing.T) {
	const perSecond = 128 << 10
	got := make(chan received, 1)
	srv := recordingServer(t, http.StatusCreated, got)
	content := bytes.Repeat([]byte("0123456789abcdef"), (192<<10)/16)
	src := writeSource(t, "paced.bin", content)
	b := &bucket{lim: rate.NewLimiter(perSecond, 64<<10)}
	c := newClient(t, Config{URL: srv.URL + "/upload", Throttle: b})

	start := time.Now()
	if _, err := c.Upload(context.Background(), src, nil); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	r := <-got
	if !bytes.Equal(r.data, content) {
		t.Errorf("server got %d bytes, want %d identical", len(r.data), len(content))
	}
	if n := b.paced.Load(); n != int64(len(content)) {
		t.Errorf("throttle paced %d bytes, want the file's %d", n, len(content))
	}
	// 64 KiB of burst, then 128 KiB at 128 KiB/s. Only a lower bound: a
	// loaded machine may be slower, never faster.
	if took < 900*time.Millisecond {
		t.Errorf("upload of %d bytes at %d B/s took %s, want at least about 1s", len(content), perSecond, took)
	}
}

func TestUploadThrottleCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(srv.Close)
	src := writeSource(t, "slow.bin", bytes.Repeat([]byte("x"), 256<<10))
	c := newClient(t, Config{URL: srv.URL + "/upload", Throttle: &bucket{lim: rate.NewLimiter(1024, 16<<10)}})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.Upload(ctx, src, nil)
	if err == nil {
		t.Fatal("upload at 1 KiB/s finished within 300ms")
	}
	if class := Classify(err); class != ClassCanceled && class != ClassTimeout {
		t.Errorf("class %s, want canceled or timeout: %v", class, err)
	}
}
