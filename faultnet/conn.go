package faultnet

import (
	"context"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var (
	errDeadline = os.ErrDeadlineExceeded
	errClosed   = net.ErrClosed
	errEOF      = io.EOF
)

// Conn is a net.Conn that injects faults into the stream it wraps. See
// the package documentation.
type Conn struct {
	net.Conn
	read, write *direction
	stats       counters
	sinks       sinks

	done      chan struct{} // closed by Close
	closeOnce sync.Once
	broken    atomic.Pointer[error] // the fault that ended the stream

	readDeadline, writeDeadline atomic.Pointer[time.Time]
}

// Wrap returns c with the faults of cfg. The Conn owns c: closing it
// closes c.
func Wrap(c net.Conn, cfg Config) *Conn {
	return wrap(c, cfg, nil)
}

func wrap(c net.Conn, cfg Config, parent *counters) *Conn {
	fc := &Conn{
		Conn:  c,
		read:  newDirection(cfg.Read, cfg.Seed, 1),
		write: newDirection(cfg.Write, cfg.Seed, 2),
		done:  make(chan struct{}),
	}
	fc.sinks = sinks{&fc.stats}
	if parent != nil {
		fc.sinks = append(fc.sinks, parent)
	}
	return fc
}

// Unwrap returns the wrapped connection.
func (c *Conn) Unwrap() net.Conn { return c.Conn }

// SetWriteFaults replaces the faults of what this side sends, from the
// next Write on. The offsets of CorruptAt, TruncateAfter and ResetAfter
// then count from there: a test can let a handshake through untouched and
// then break the stream at a known place.
func (c *Conn) SetWriteFaults(f Faults) { c.write.set(f) }

// SetReadFaults replaces the faults of what this side receives, from the
// next Read on, as SetWriteFaults.
func (c *Conn) SetReadFaults(f Faults) { c.read.set(f) }

// Stats returns the faults injected so far.
func (c *Conn) Stats() Stats { return c.stats.snapshot() }

// Write writes b through the write faults. A write that a fault cut short
// returns the bytes that went out and ErrReset or ErrTruncated; so do the
// writes after it.
func (c *Conn) Write(b []byte) (int, error) {
	if err := c.brokenErr(); err != nil {
		return 0, err
	}
	d := c.write
	d.mu.Lock()
	if d.skipLocked() {
		d.mu.Unlock()
		n, err := c.Conn.Write(b)
		c.sinks.add(bytesCount, uint64(n))
		return n, err
	}
	wait := d.waitLocked(len(b), time.Now())
	n, fault := d.cutLocked(len(b))
	out := b[:n]
	var flips uint64
	if len(d.f.CorruptAt) > 0 || d.f.Corrupt > 0 {
		out = append([]byte(nil), out...) // never change the caller's bytes
		flips = d.corruptLocked(out, d.offset)
	}
	d.offset += int64(n)
	d.mu.Unlock()

	if wait > 0 {
		c.sinks.add(delayed, 1)
		if err := sleep(wait, loadTime(&c.writeDeadline), c.done); err != nil {
			return 0, err
		}
	}
	c.sinks.add(corrupted, flips)
	written, err := c.Conn.Write(out)
	c.sinks.add(bytesCount, uint64(written))
	if err != nil {
		return written, err
	}
	if fault != nil {
		c.fail(fault)
		return written, fault
	}
	return written, nil
}

// Read reads from the wrapped connection through the read faults. Bytes
// before a fault are returned first; the reads after it return
// ErrReset, or io.EOF after a truncation.
func (c *Conn) Read(b []byte) (int, error) {
	if err := c.brokenErr(); err != nil {
		return 0, readErr(err)
	}
	n, err := c.Conn.Read(b)
	if n == 0 {
		return n, err
	}
	d := c.read
	d.mu.Lock()
	if d.skipLocked() {
		d.mu.Unlock()
		c.sinks.add(bytesCount, uint64(n))
		return n, err
	}
	wait := d.waitLocked(n, time.Now())
	keep, fault := d.cutLocked(n)
	flips := d.corruptLocked(b[:keep], d.offset)
	d.offset += int64(keep)
	d.mu.Unlock()

	if wait > 0 {
		c.sinks.add(delayed, 1)
		if serr := sleep(wait, loadTime(&c.readDeadline), c.done); serr != nil {
			return 0, serr
		}
	}
	c.sinks.add(corrupted, flips)
	c.sinks.add(bytesCount, uint64(keep))
	if fault != nil {
		c.fail(fault)
		return keep, nil
	}
	return keep, err
}

// readErr is what reads return once fault ended the stream.
func readErr(fault error) error {
	if fault == ErrTruncated {
		return errEOF
	}
	return fault
}

func (c *Conn) brokenErr() error {
	if p := c.broken.Load(); p != nil {
		return *p
	}
	return nil
}

// fail ends the stream with fault: a reset (RST where possible) or a
// truncation (FIN).
func (c *Conn) fail(fault error) {
	if !c.broken.CompareAndSwap(nil, &fault) {
		return
	}
	if fault == ErrReset {
		c.sinks.add(resets, 1)
		if l, ok := c.Conn.(interface{ SetLinger(int) error }); ok {
			l.SetLinger(0)
		}
		c.Close()
		return
	}
	c.sinks.add(truncated, 1)
	c.Close()
}

// Close closes the connection. It may be called more than once.
func (c *Conn) Close() error {
	var err error = errClosed
	c.closeOnce.Do(func() {
		close(c.done)
		err = c.Conn.Close()
	})
	return err
}

// SetDeadline sets the read and write deadlines, of the wrapped
// connection and of the waits that faults add.
func (c *Conn) SetDeadline(t time.Time) error {
	c.readDeadline.Store(&t)
	c.writeDeadline.Store(&t)
	return c.Conn.SetDeadline(t)
}

// SetReadDeadline sets the read deadline, of the wrapped connection and of
// the waits that read faults add.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.readDeadline.Store(&t)
	return c.Conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline, of the wrapped connection and
// of the waits that write faults add.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.writeDeadline.Store(&t)
	return c.Conn.SetWriteDeadline(t)
}

func loadTime(p *atomic.Pointer[time.Time]) time.Time {
	if t := p.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

// Listener wraps the connections a net.Listener accepts. The i-th
// accepted connection (from 0) gets the Config with Seed+i.
type Listener struct {
	net.Listener
	cfg   Config
	n     atomic.Uint64
	stats counters
}

// Listen returns ln with every accepted connection wrapped with cfg.
// Closing the Listener closes ln, not the connections it accepted.
func Listen(ln net.Listener, cfg Config) *Listener {
	return &Listener{Listener: ln, cfg: cfg}
}

// Accept accepts a connection and wraps it; it returns a *Conn.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cfg := l.cfg
	cfg.Seed += l.n.Add(1) - 1
	return wrap(c, cfg, &l.stats), nil
}

// Stats returns the sums of the faults injected on the connections the
// Listener accepted.
func (l *Listener) Stats() Stats { return l.stats.snapshot() }

// Dialer dials connections and wraps them. The i-th connection (from 0)
// gets the Config with Seed+i. The zero Dialer injects nothing.
type Dialer struct {
	// Dialer makes the connections. The zero net.Dialer is used as it is.
	Dialer net.Dialer
	// Config is the faults of the connections.
	Config Config

	n     atomic.Uint64
	stats counters
}

// DialContext dials address on network with d.Dialer and wraps the
// connection; it returns a *Conn.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := d.Dialer.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	cfg := d.Config
	cfg.Seed += d.n.Add(1) - 1
	return wrap(c, cfg, &d.stats), nil
}

// Stats returns the sums of the faults injected on the connections the
// Dialer made.
func (d *Dialer) Stats() Stats { return d.stats.snapshot() }
