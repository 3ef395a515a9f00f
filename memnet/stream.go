// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package memnet

import (
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// pipe is one direction of a connection: the segments written and not yet
// read, each with the time it is due at the reader.
type pipe struct {
	mu       sync.Mutex
	segs     []segment
	buffered int // bytes in segs
	limit    int // most bytes buffered before writers block
	lastDue  time.Time
	fin      bool      // the writer closed: EOF once finDue is reached
	finDue   time.Time // when the FIN arrives
	rerr     error     // error for the reader (a reset), before anything else
	werr     error     // error for writers: the reader is gone or a reset
	notify   notifier
}

type segment struct {
	due time.Time
	b   []byte
}

func (p *pipe) fail(rerr, werr error) {
	p.mu.Lock()
	if p.rerr == nil && rerr != nil {
		p.rerr = rerr
	}
	if p.werr == nil && werr != nil {
		p.werr = werr
	}
	p.segs, p.buffered = nil, 0
	p.notify.broadcast()
	p.mu.Unlock()
}

// Conn is one end of a connection. It implements net.Conn; its addresses
// are *net.TCPAddr.
type Conn struct {
	net           *Network
	local, remote netip.AddrPort
	peer          *Conn
	in, out       *pipe
	wsem          chan struct{} // one Write at a time, so writes do not interleave
	rd, wd        deadline

	closeOnce sync.Once
	closed    chan struct{}
}

func newConnPair(n *Network, a, b netip.AddrPort, buf int) (*Conn, *Conn) {
	ab := &pipe{limit: buf}
	ba := &pipe{limit: buf}
	ca := &Conn{net: n, local: a, remote: b, in: ba, out: ab, wsem: make(chan struct{}, 1), closed: make(chan struct{})}
	cb := &Conn{net: n, local: b, remote: a, in: ab, out: ba, wsem: make(chan struct{}, 1), closed: make(chan struct{})}
	ca.peer, cb.peer = cb, ca
	return ca, cb
}

func (c *Conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// Read reads what has arrived. It waits for data, the peer's FIN
// (io.EOF), a reset, the read deadline or Close.
func (c *Conn) Read(b []byte) (int, error) {
	p := c.in
	dl := c.rd.wait()
	for {
		select {
		case <-c.closed:
			return 0, c.opError("read", net.ErrClosed)
		case <-dl:
			return 0, c.opError("read", os.ErrDeadlineExceeded)
		default:
		}
		p.mu.Lock()
		if p.rerr != nil {
			err := p.rerr
			p.mu.Unlock()
			return 0, c.opError("read", err)
		}
		now := time.Now()
		var wake time.Time
		switch {
		case len(p.segs) > 0 && !p.segs[0].due.After(now):
			if len(b) == 0 {
				p.mu.Unlock()
				return 0, nil
			}
			n := 0
			for n < len(b) && len(p.segs) > 0 && !p.segs[0].due.After(now) {
				k := copy(b[n:], p.segs[0].b)
				n += k
				if k == len(p.segs[0].b) {
					p.segs[0] = segment{}
					p.segs = p.segs[1:]
				} else {
					p.segs[0].b = p.segs[0].b[k:]
				}
			}
			p.buffered -= n
			if len(p.segs) == 0 {
				p.segs = nil // let the backing array go
			}
			p.notify.broadcast()
			p.mu.Unlock()
			return n, nil
		case len(p.segs) > 0:
			wake = p.segs[0].due
		case p.fin && !p.finDue.After(now):
			p.mu.Unlock()
			return 0, io.EOF
		case p.fin:
			wake = p.finDue
		}
		changed := p.notify.waitChan()
		p.mu.Unlock()

		timer, stop := sleepUntil(wake)
		select {
		case <-changed:
		case <-timer:
		case <-dl:
		case <-c.closed:
		}
		stop()
	}
}

// Write sends b. It blocks while the direction's buffer is full (the peer
// does not read fast enough), until the write deadline or Close.
func (c *Conn) Write(b []byte) (int, error) {
	dl := c.wd.wait()
	select {
	case c.wsem <- struct{}{}:
	case <-c.closed:
		return 0, c.opError("write", net.ErrClosed)
	case <-dl:
		return 0, c.opError("write", os.ErrDeadlineExceeded)
	}
	defer func() { <-c.wsem }()

	p := c.out
	n := 0
	for {
		select {
		case <-c.closed:
			return n, c.opError("write", net.ErrClosed)
		case <-dl:
			return n, c.opError("write", os.ErrDeadlineExceeded)
		default:
		}
		p.mu.Lock()
		if p.werr != nil {
			err := p.werr
			p.mu.Unlock()
			return n, c.opError("write", err)
		}
		if p.fin {
			p.mu.Unlock()
			return n, c.opError("write", net.ErrClosed) // after CloseWrite
		}
		if len(b) == 0 {
			p.mu.Unlock()
			return n, nil
		}
		space := p.limit - p.buffered
		if space <= 0 {
			changed := p.notify.waitChan()
			p.mu.Unlock()
			select {
			case <-changed:
			case <-dl:
			case <-c.closed:
			}
			continue
		}
		k := min(len(b), space, maxSegment)
		due, _ := c.net.schedule(c.local.Addr(), c.remote.Addr(), k, false)
		if due.Before(p.lastDue) {
			due = p.lastDue // jitter does not reorder a stream
		}
		p.lastDue = due
		p.segs = append(p.segs, segment{due: due, b: append([]byte(nil), b[:k]...)})
		p.buffered += k
		p.notify.broadcast()
		p.mu.Unlock()
		c.net.stats.streamBytes.Add(uint64(k))
		n += k
		b = b[k:]
	}
}

// finish sends the FIN of the outgoing direction, due after what was
// written before it.
func (c *Conn) finish() {
	p := c.out
	p.mu.Lock()
	if !p.fin {
		due, _ := c.net.schedule(c.local.Addr(), c.remote.Addr(), 0, false)
		if due.Before(p.lastDue) {
			due = p.lastDue
		}
		p.fin, p.finDue = true, due
		p.notify.broadcast()
	}
	p.mu.Unlock()
}

// CloseWrite sends a FIN: the peer reads what was written, then io.EOF.
// This end can still read.
func (c *Conn) CloseWrite() error {
	select {
	case <-c.closed:
		return c.opError("close", net.ErrClosed)
	default:
	}
	c.finish()
	return nil
}

// Close closes this end: the peer reads what was written before, then
// io.EOF, and its writes fail with ECONNRESET. Reads and writes blocked on
// this end return net.ErrClosed. Close is idempotent.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.finish()
		c.in.fail(nil, errReset) // what the peer sends now goes nowhere
		close(c.closed)
		c.rd.stop()
		c.wd.stop()
		if isClosed(c.peer.closed) {
			c.net.forget(c)
		}
	})
	return nil
}

// reset ends the connection at both ends at once with err, as an RST.
func (c *Conn) reset(err error) {
	c.in.fail(err, err)
	c.out.fail(err, err)
	c.net.forget(c)
}

// LocalAddr returns the local address, a *net.TCPAddr.
func (c *Conn) LocalAddr() net.Addr { return net.TCPAddrFromAddrPort(c.local) }

// RemoteAddr returns the peer's address, a *net.TCPAddr.
func (c *Conn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.remote) }

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.rd.set(t)
	c.wd.set(t)
	return nil
}

// SetReadDeadline sets the read deadline; zero means none.
func (c *Conn) SetReadDeadline(t time.Time) error { c.rd.set(t); return nil }

// SetWriteDeadline sets the write deadline; zero means none.
func (c *Conn) SetWriteDeadline(t time.Time) error { c.wd.set(t); return nil }
