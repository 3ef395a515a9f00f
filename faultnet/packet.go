package faultnet

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// PacketConn is a net.PacketConn that injects faults into the packets it
// sends and receives. It also has the methods of discovery's UDPConn
// (ReadFromUDPAddrPort, WriteToUDPAddrPort). See the package
// documentation.
type PacketConn struct {
	net.PacketConn
	read, write *direction
	stats       counters
	sinks       sinks
	done        chan struct{} // closed by Close
	wg          sync.WaitGroup

	mu     sync.Mutex // guards the fields below
	closed bool
	timers map[*time.Timer]struct{}
	held   *packet // a written packet held back by Reorder

	rmu    sync.Mutex // guards the fields below
	rqueue []packet   // received packets to deliver before reading more
	rheld  *packet    // a received packet held back by Reorder

	readDeadline atomic.Pointer[time.Time]
}

// packet is a packet and its address (the destination of a write, the
// source of a read), in the form the wrapped connection uses.
type packet struct {
	data []byte
	addr addr
}

type addr struct {
	a  net.Addr // nil when ap is used
	ap netip.AddrPort
}

func (a addr) netAddr() net.Addr {
	if a.a != nil {
		return a.a
	}
	return net.UDPAddrFromAddrPort(a.ap)
}

func (a addr) addrPort() netip.AddrPort {
	if a.a == nil {
		return a.ap
	}
	if u, ok := a.a.(*net.UDPAddr); ok {
		return u.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(a.a.String())
	return ap
}

// maxHold is how long a packet held back by Reorder waits for the next
// packet to overtake it before it goes out anyway.
const maxHold = 50 * time.Millisecond

// addrPortConn is what *net.UDPConn has beyond net.PacketConn.
type addrPortConn interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
}

// WrapPacket returns c with the faults of cfg. The PacketConn owns c:
// closing it closes c.
func WrapPacket(c net.PacketConn, cfg Config) *PacketConn {
	pc := &PacketConn{
		PacketConn: c,
		read:       newDirection(cfg.Read, cfg.Seed, 1),
		write:      newDirection(cfg.Write, cfg.Seed, 2),
		done:       make(chan struct{}),
		timers:     make(map[*time.Timer]struct{}),
	}
	pc.sinks = sinks{&pc.stats}
	return pc
}

// SetWriteFaults replaces the faults of the packets this side sends, from
// the next packet on.
func (c *PacketConn) SetWriteFaults(f Faults) { c.write.set(f) }

// SetReadFaults replaces the faults of the packets this side receives,
// from the next packet on.
func (c *PacketConn) SetReadFaults(f Faults) { c.read.set(f) }

// Stats returns the faults injected so far.
func (c *PacketConn) Stats() Stats { return c.stats.snapshot() }

// WriteTo sends b to a through the write faults. It returns len(b) when
// the packet was dropped or will go out later.
func (c *PacketConn) WriteTo(b []byte, a net.Addr) (int, error) {
	return c.writePacket(b, addr{a: a})
}

// WriteToUDPAddrPort sends b to a through the write faults, as WriteTo.
func (c *PacketConn) WriteToUDPAddrPort(b []byte, a netip.AddrPort) (int, error) {
	return c.writePacket(b, addr{ap: a})
}

func (c *PacketConn) writePacket(b []byte, to addr) (int, error) {
	d := c.write
	d.mu.Lock()
	if d.skipLocked() {
		d.mu.Unlock()
		return len(b), c.send([]packet{{data: b, addr: to}})
	}
	if d.chanceLocked(d.f.Drop) {
		d.mu.Unlock()
		c.sinks.add(dropped, 1)
		return len(b), nil
	}
	p := packet{data: append([]byte(nil), b...), addr: to}
	flips := d.corruptLocked(p.data, 0)
	cut := len(p.data) > 0 && d.chanceLocked(d.f.Truncate)
	if cut {
		p.data = p.data[:d.rng.IntN(len(p.data))]
	}
	dup := d.chanceLocked(d.f.Duplicate)
	hold := d.chanceLocked(d.f.Reorder)
	wait := d.waitLocked(len(p.data), time.Now())
	d.mu.Unlock()
	c.sinks.add(corrupted, flips)
	if cut {
		c.sinks.add(truncated, 1)
	}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0, errClosed
	}
	if hold && c.held == nil {
		held := &p
		c.held = held
		// Released after the next packet, or by this timer if none comes.
		c.scheduleLocked(wait+maxHold, func() {
			c.mu.Lock()
			mine := c.held == held
			if mine {
				c.held = nil
			}
			c.mu.Unlock()
			if mine {
				c.send([]packet{*held})
			}
		})
		c.mu.Unlock()
		c.sinks.add(reordered, 1)
		return len(b), nil
	}
	batch := []packet{p}
	if dup {
		batch = append(batch, p)
		c.sinks.add(duplicated, 1)
	}
	if c.held != nil {
		batch = append(batch, *c.held)
		c.held = nil
	}
	if wait <= 0 {
		c.mu.Unlock()
		return len(b), c.send(batch)
	}
	c.sinks.add(delayed, 1)
	c.scheduleLocked(wait, func() { c.send(batch) })
	c.mu.Unlock()
	return len(b), nil
}

// scheduleLocked runs f after wait, unless Close comes first.
func (c *PacketConn) scheduleLocked(wait time.Duration, f func()) {
	c.wg.Add(1)
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		defer c.wg.Done()
		c.mu.Lock()
		delete(c.timers, t) // waits for the assignment below
		c.mu.Unlock()
		f()
	})
	c.timers[t] = struct{}{}
}

// send writes the packets to the wrapped connection; it returns the first
// error.
func (c *PacketConn) send(batch []packet) error {
	var first error
	for _, p := range batch {
		var err error
		if ac, ok := c.PacketConn.(addrPortConn); ok {
			_, err = ac.WriteToUDPAddrPort(p.data, p.addr.addrPort())
		} else {
			_, err = c.PacketConn.WriteTo(p.data, p.addr.netAddr())
		}
		if err == nil {
			c.sinks.add(bytesCount, uint64(len(p.data)))
		} else if first == nil {
			first = err
		}
	}
	return first
}

// ReadFrom reads a packet through the read faults.
func (c *PacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, a, err := c.readPacket(b)
	if err != nil {
		return n, nil, err
	}
	return n, a.netAddr(), nil
}

// ReadFromUDPAddrPort reads a packet through the read faults, as
// ReadFrom.
func (c *PacketConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, a, err := c.readPacket(b)
	if err != nil {
		return n, netip.AddrPort{}, err
	}
	return n, a.addrPort(), nil
}

func (c *PacketConn) readPacket(b []byte) (int, addr, error) {
	for {
		c.rmu.Lock()
		if len(c.rqueue) > 0 {
			p := c.rqueue[0]
			c.rqueue = c.rqueue[1:]
			c.rmu.Unlock()
			return copy(b, p.data), p.addr, nil
		}
		c.rmu.Unlock()

		n, from, err := c.readRaw(b)
		if err != nil {
			return n, from, err
		}
		d := c.read
		d.mu.Lock()
		if d.skipLocked() {
			d.mu.Unlock()
			c.sinks.add(bytesCount, uint64(n))
			return n, from, nil
		}
		if d.chanceLocked(d.f.Drop) {
			d.mu.Unlock()
			c.sinks.add(dropped, 1)
			continue
		}
		flips := d.corruptLocked(b[:n], 0)
		cut := n > 0 && d.chanceLocked(d.f.Truncate)
		if cut {
			n = d.rng.IntN(n)
		}
		dup := d.chanceLocked(d.f.Duplicate)
		hold := d.chanceLocked(d.f.Reorder)
		wait := d.waitLocked(n, time.Now())
		d.mu.Unlock()
		c.sinks.add(corrupted, flips)
		if cut {
			c.sinks.add(truncated, 1)
		}
		c.sinks.add(bytesCount, uint64(n))

		c.rmu.Lock()
		if hold && c.rheld == nil {
			c.rheld = &packet{data: append([]byte(nil), b[:n]...), addr: from}
			c.rmu.Unlock()
			c.sinks.add(reordered, 1)
			continue
		}
		if dup {
			c.rqueue = append(c.rqueue, packet{data: append([]byte(nil), b[:n]...), addr: from})
			c.sinks.add(duplicated, 1)
		}
		if c.rheld != nil {
			c.rqueue = append(c.rqueue, *c.rheld)
			c.rheld = nil
		}
		c.rmu.Unlock()
		if wait > 0 {
			c.sinks.add(delayed, 1)
			if err := sleep(wait, loadTime(&c.readDeadline), c.done); err != nil {
				return 0, addr{}, err
			}
		}
		return n, from, nil
	}
}

func (c *PacketConn) readRaw(b []byte) (int, addr, error) {
	if ac, ok := c.PacketConn.(addrPortConn); ok {
		n, ap, err := ac.ReadFromUDPAddrPort(b)
		return n, addr{ap: ap}, err
	}
	n, a, err := c.PacketConn.ReadFrom(b)
	return n, addr{a: a}, err
}

// Close closes the wrapped connection, drops the packets not sent yet and
// waits for the timers that are sending one. It may be called more than
// once.
func (c *PacketConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.closed = true
	close(c.done)
	for t := range c.timers {
		if t.Stop() {
			c.wg.Done()
		}
	}
	c.timers = nil
	c.held = nil
	c.mu.Unlock()
	err := c.PacketConn.Close()
	c.wg.Wait()
	return err
}

// SetDeadline sets the read and write deadlines of the wrapped connection;
// the read deadline also bounds the waits that read faults add.
func (c *PacketConn) SetDeadline(t time.Time) error {
	c.readDeadline.Store(&t)
	return c.PacketConn.SetDeadline(t)
}

// SetReadDeadline sets the read deadline of the wrapped connection and of
// the waits that read faults add.
func (c *PacketConn) SetReadDeadline(t time.Time) error {
	c.readDeadline.Store(&t)
	return c.PacketConn.SetReadDeadline(t)
}
