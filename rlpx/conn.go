package rlpx

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// maxUint24 is the largest frame size: the frame header holds it in 24 bits.
// It is also the limit on a message's size before compression.
const maxUint24 = 1<<24 - 1

// Errors of an established connection.
var (
	ErrNotHandshaked   = errors.New("rlpx: handshake not done")
	ErrBadHeaderMAC    = errors.New("rlpx: bad header MAC")
	ErrBadFrameMAC     = errors.New("rlpx: bad frame MAC")
	ErrMessageTooLarge = errors.New("rlpx: message larger than 2^24-1 bytes")
	ErrBadMessageCode  = errors.New("rlpx: malformed message code")
	ErrBadSnappy       = errors.New("rlpx: malformed snappy payload")
)

// Conn is an RLPx connection. See the package documentation for which
// methods may be called concurrently.
type Conn struct {
	conn     net.Conn
	dialDest *ecdsa.PublicKey // non-nil: we are the initiator
	remote   *ecdsa.PublicKey // set by the handshake
	snappy   atomic.Bool

	rd reader // used only by Read
	wr writer // used only by Write, WriteBuffered and Flush
}

// NewConn wraps conn in an RLPx connection. A non-nil dialDest makes this
// side the initiator of the handshake, and must be the public key of the
// node at the other end.
func NewConn(conn net.Conn, dialDest *ecdsa.PublicKey) *Conn {
	return &Conn{conn: conn, dialDest: dialDest}
}

// Handshake runs the RLPx handshake with the static private key prv and
// returns the remote node's public key. It uses whatever deadlines are set
// on the connection; HandshakeContext also honours a context. On failure
// the connection is closed.
func (c *Conn) Handshake(prv *ecdsa.PrivateKey) (*ecdsa.PublicKey, error) {
	if c.remote != nil {
		return nil, errors.New("rlpx: handshake already done")
	}
	h, err := newHandshake(c.dialDest != nil, c.dialDest)
	if err != nil {
		return nil, err
	}
	return c.runHandshake(h, prv)
}

// HandshakeContext is Handshake, bounded by ctx: the context's deadline
// becomes the connection's deadline for the handshake (and is cleared after
// it), and cancelling ctx aborts the handshake and closes the connection.
// It starts no goroutine that outlives it.
func (c *Conn) HandshakeContext(ctx context.Context, prv *ecdsa.PrivateKey) (*ecdsa.PublicKey, error) {
	if err := ctx.Err(); err != nil {
		c.conn.Close()
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		c.conn.SetDeadline(deadline)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		// A deadline in the past wakes up any blocked Read or Write.
		c.conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	pub, err := c.Handshake(prv)
	if !stop() {
		<-fired
		if err == nil {
			c.conn.Close()
		}
		return nil, context.Cause(ctx)
	}
	if _, ok := ctx.Deadline(); ok && err == nil {
		c.conn.SetDeadline(time.Time{})
	}
	return pub, err
}

func (c *Conn) runHandshake(h *handshake, prv *ecdsa.PrivateKey) (*ecdsa.PublicKey, error) {
	bufp := getBuf(2 + maxHandshakeSize)
	defer putBuf(bufp)
	var (
		keys sessionKeys
		err  error
	)
	if h.initiator {
		keys, err = h.runInitiator(c.conn, prv, *bufp)
	} else {
		keys, err = h.runRecipient(c.conn, prv, *bufp)
	}
	if err != nil {
		c.conn.Close()
		return nil, fmt.Errorf("rlpx handshake: %w", err)
	}
	if c.wr.dir, c.rd.dir, err = keys.directions(); err != nil {
		c.conn.Close()
		return nil, err
	}
	c.remote = h.remote
	return h.remote, nil
}

// SetSnappy turns snappy compression of payloads on or off. It must not be
// called while Read or Write run.
func (c *Conn) SetSnappy(on bool) { c.snappy.Store(on) }

// RemotePublicKey returns the remote node's static key after the handshake.
func (c *Conn) RemotePublicKey() *ecdsa.PublicKey { return c.remote }

// Read reads the next message: its code, its payload (decompressed when
// snappy is on) and the payload's size on the wire. The payload is valid
// until the next call to Read.
//
// A read deadline that passes while Read waits for the next frame to begin
// (before its 32-byte header has arrived) leaves the connection usable: the
// error is a timeout (os.ErrDeadlineExceeded), and Read may be called again
// after the deadline was moved. This is how a caller wakes its reader to
// send a Disconnect. Every other error closes the connection.
func (c *Conn) Read() (code uint64, data []byte, wireSize int, err error) {
	if c.rd.dir.stream == nil {
		return 0, nil, 0, ErrNotHandshaked
	}
	if c.rd.err != nil {
		return 0, nil, 0, c.rd.err
	}
	if err = c.rd.awaitHeader(c.conn); err == nil {
		code, data, wireSize, err = c.rd.readMsg(c.conn, c.snappy.Load())
	}
	if err != nil && !(c.rd.waiting && isTimeout(err)) {
		c.rd.err = err
		c.conn.Close()
	}
	return code, data, wireSize, err
}

// Write sends one message and flushes it together with anything
// WriteBuffered left in the buffer, in one write system call where it fits
// in the buffer. It returns the payload's size on the wire.
func (c *Conn) Write(code uint64, data []byte) (uint32, error) {
	n, err := c.WriteBuffered(code, data)
	if err != nil {
		return n, err
	}
	return n, c.Flush()
}

// WriteBuffered encrypts one message into the write buffer without
// flushing it (unless the buffer fills). Call Flush to send what is
// buffered. It returns the payload's size on the wire.
//
// A write error is final for writing, and it closes the connection unless
// the peer reset it (ECONNRESET, EPIPE): then Read can still return what
// the peer sent before, such as its Disconnect, and the caller closes.
func (c *Conn) WriteBuffered(code uint64, data []byte) (uint32, error) {
	if c.wr.dir.stream == nil {
		return 0, ErrNotHandshaked
	}
	if c.wr.err != nil {
		return 0, c.wr.err
	}
	n, err := c.wr.writeMsg(c.conn, code, data, c.snappy.Load())
	if err != nil {
		c.failWrite(err)
	}
	return n, err
}

// Flush sends whatever WriteBuffered left in the write buffer.
func (c *Conn) Flush() error {
	if c.wr.err != nil {
		return c.wr.err
	}
	if err := c.wr.flush(c.conn); err != nil {
		c.failWrite(err)
		return err
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *Conn) failWrite(err error) {
	if errors.Is(err, ErrMessageTooLarge) {
		return // nothing was written: the stream is intact
	}
	c.wr.err = err
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		// The peer closed or reset the connection. What it sent before
		// (often a Disconnect saying why) can still be read, and reading
		// ends by itself after it; closing now would lose it. The caller
		// closes the connection when it is done.
		return
	}
	c.conn.Close()
}

// Close closes the underlying connection. Blocked calls return an error.
func (c *Conn) Close() error { return c.conn.Close() }

// SetDeadline sets the read and write deadlines of the underlying connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// SetReadDeadline sets the read deadline of the underlying connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline of the underlying connection.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }
