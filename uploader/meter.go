package uploader

import (
	"crypto/tls"
	"net"
	"sync/atomic"
	"time"
)

// Meter counts the bytes of one upload attempt that the connection has
// accepted. It counts at the socket, not at the file reader, so a server
// that stops reading shows as no progress even while local buffers still
// take data.
type Meter struct {
	sent atomic.Int64
	last atomic.Int64 // time of the latest progress, Unix nanoseconds
}

// Sent returns the bytes written to the connection so far, request
// headers included.
func (m *Meter) Sent() int64 { return m.sent.Load() }

// LastProgress returns when bytes were last accepted, or the attempt
// started.
func (m *Meter) LastProgress() time.Time { return time.Unix(0, m.last.Load()) }

func (m *Meter) touch() { m.last.Store(time.Now().UnixNano()) }

func (m *Meter) add(n int) {
	if n > 0 {
		m.sent.Add(int64(n))
		m.touch()
	}
}

// countingConn reports the bytes written to the meter of the request that
// currently uses the connection. HTTP/1.1 runs one request at a time on a
// connection, so one meter at a time is enough.
type countingConn struct {
	net.Conn
	meter atomic.Pointer[Meter]
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if m := c.meter.Load(); m != nil {
		m.add(n)
	}
	return n, err
}

// attachMeter binds m to the connection the transport chose for a request.
func attachMeter(conn net.Conn, m *Meter) {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	if cc, ok := conn.(*countingConn); ok {
		cc.meter.Store(m)
	}
}
