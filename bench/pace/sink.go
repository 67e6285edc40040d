package main

import (
	"io"
	"mime"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// sink is the loopback endpoint for every peer: it reads each body to the
// end (parsing multipart bodies the way a real server does) and discards
// it. With slots set it takes that many uploads at a time and responds with 429,
// without Retry-After, beyond that, holding each accepted one for hold.
type sink struct {
	slots    chan struct{}
	hold     time.Duration
	mu       sync.Mutex
	requests []request
	accepted atomic.Int64
	rejected atomic.Int64
	url      string
	srv      *http.Server
}

// request is one accepted upload as the sink saw it.
type request struct {
	start, end time.Time
	bytes      int64
}

func startSink(slots int, hold time.Duration) (*sink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{hold: hold, url: "http://" + l.Addr().String()}
	if slots > 0 {
		s.slots = make(chan struct{}, slots)
	}
	s.srv = &http.Server{Handler: s}
	go s.srv.Serve(l)
	return s, nil
}

func (s *sink) close() { s.srv.Close() }

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		default:
			s.rejected.Add(1)
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
	}
	n := readBody(r)
	time.Sleep(s.hold)
	end := time.Now()
	s.mu.Lock()
	s.requests = append(s.requests, request{start, end, n})
	s.mu.Unlock()
	s.accepted.Add(1)
	w.WriteHeader(http.StatusCreated)
}

// readBody consumes a multipart or raw body and returns the file bytes.
func readBody(r *http.Request) int64 {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		n, _ := io.Copy(io.Discard, r.Body)
		return n
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return 0
	}
	var total int64
	for {
		p, err := mr.NextPart()
		if err != nil {
			return total
		}
		n, _ := io.Copy(io.Discard, p)
		total += n
	}
}

// reset clears the requests recorded so far.
func (s *sink) reset() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
	s.accepted.Store(0)
	s.rejected.Store(0)
}

// span returns the time from the first request's start to the last one's
// end, and the bytes received.
func (s *sink) span() (time.Duration, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return 0, 0
	}
	first, last := s.requests[0].start, s.requests[0].end
	var bytes int64
	for _, r := range s.requests {
		if r.start.Before(first) {
			first = r.start
		}
		if r.end.After(last) {
			last = r.end
		}
		bytes += r.bytes
	}
	return last.Sub(first), bytes
}
