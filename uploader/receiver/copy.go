package receiver

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sync"
)

const copyBufferSize = 256 << 10

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// copyHashed copies src to dst through a fixed buffer and returns the byte
// count and hex SHA-256 of what was read. It keeps read and write errors
// apart, because one is the client's fault and the other the receiver's.
func copyHashed(dst io.Writer, src io.Reader) (n int64, sum string, readErr, writeErr error) {
	h := sha256.New()
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	for {
		k, err := src.Read(buf[:])
		if k > 0 {
			h.Write(buf[:k])
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, "", nil, werr
			}
			n += int64(k)
		}
		if err == io.EOF {
			return n, hex.EncodeToString(h.Sum(nil)), nil, nil
		}
		if err != nil {
			return n, "", err, nil
		}
	}
}
