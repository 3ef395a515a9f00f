package p2p

import (
	"io"
	"math/bits"
	"sync"
)

// payloadReader is the Payload of messages this package makes: those
// received from peers and those built by Send. WriteMsg recognises it and
// sends its unread bytes without copying them first, so a protocol that
// forwards a received message, or sends with Send, costs one copy less.
//
// A received payload of 4 KiB or more lies in a pooled buffer, which goes
// back to the pool once the payload has been read to the end (by Read,
// Decode, Discard, or WriteMsg forwarding it); the reader is then at EOF and
// the bytes are out of reach. A payload that is never read to the end is
// left to the garbage collector.
type payloadReader struct {
	b    []byte
	off  int
	pool *[]byte // the pooled buffer b lies in; nil if b is not pooled
}

func newPayloadReader(b []byte) *payloadReader { return &payloadReader{b: b} }

// copyPayload returns a reader over a copy of data. Payloads up to 1 KiB
// share one allocation with their reader: small messages are the most
// numerous, and an allocation each for the bytes and the reader showed in
// the profile of a 256-byte stream.
func copyPayload(data []byte) *payloadReader {
	var r *payloadReader
	switch n := len(data); {
	case n <= 64:
		box := new(struct {
			payloadReader
			buf [64]byte
		})
		r, box.b = &box.payloadReader, box.buf[:n]
	case n <= 128:
		box := new(struct {
			payloadReader
			buf [128]byte
		})
		r, box.b = &box.payloadReader, box.buf[:n]
	case n <= 256:
		box := new(struct {
			payloadReader
			buf [256]byte
		})
		r, box.b = &box.payloadReader, box.buf[:n]
	case n <= 512:
		box := new(struct {
			payloadReader
			buf [512]byte
		})
		r, box.b = &box.payloadReader, box.buf[:n]
	case n <= 1024:
		box := new(struct {
			payloadReader
			buf [1024]byte
		})
		r, box.b = &box.payloadReader, box.buf[:n]
	case n < 1<<minPayloadShift:
		return &payloadReader{b: append([]byte(nil), data...)}
	default:
		bufp := getPayloadBuf(n)
		r = &payloadReader{b: (*bufp)[:n], pool: bufp}
	}
	copy(r.b, data)
	return r
}

func (r *payloadReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	if r.off == len(r.b) {
		r.release()
	}
	return n, nil
}

// WriteTo lets io.Copy (and so Msg.Discard) skip its buffer. An
// io.Writer must not keep the slice it is given, so the buffer can go back
// to the pool when Write returns.
func (r *payloadReader) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(r.b[r.off:])
	r.off += n
	if r.off >= len(r.b) {
		r.release()
	}
	return int64(n), err
}

// Len returns the number of unread bytes.
func (r *payloadReader) Len() int { return len(r.b) - r.off }

// take returns the unread bytes, marks them read, and returns the function
// to call once the bytes are no longer needed.
func (r *payloadReader) take() ([]byte, func()) {
	b := r.b[r.off:]
	r.off = len(r.b)
	if r.pool == nil {
		return b, noRelease
	}
	return b, r.release
}

func noRelease() {}

// release gives a pooled buffer back once the payload has been read to
// the end, and drops the reader's hold on it.
func (r *payloadReader) release() {
	if r.pool != nil {
		putPayloadBuf(r.pool)
		r.pool = nil
	}
	r.b, r.off = nil, 0
}

// Pools of payload buffers in power-of-two size classes from 4 KiB up, for
// payloads that WriteMsg must copy out of a reader it does not know, and
// for received payloads (see payloadReader).
const minPayloadShift = 12

var payloadPools [25 - minPayloadShift]sync.Pool

func payloadClass(n int) int {
	if n <= 1<<minPayloadShift {
		return 0
	}
	return bits.Len(uint(n-1)) - minPayloadShift
}

func getPayloadBuf(n int) *[]byte {
	c := payloadClass(n)
	if c >= len(payloadPools) {
		b := make([]byte, n)
		return &b
	}
	if p, _ := payloadPools[c].Get().(*[]byte); p != nil {
		return p
	}
	b := make([]byte, 1<<(c+minPayloadShift))
	return &b
}

func putPayloadBuf(p *[]byte) {
	c := payloadClass(len(*p))
	if c < len(payloadPools) && len(*p) == 1<<(c+minPayloadShift) {
		payloadPools[c].Put(p)
	}
}
