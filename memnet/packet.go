// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package memnet

import (
	"container/heap"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// PacketConn is a datagram socket of a host. It implements net.PacketConn
// and discover.UDPConn; its addresses are *net.UDPAddr.
type PacketConn struct {
	host  *Host
	addr  netip.AddrPort
	limit int
	rd    deadline

	mu     sync.Mutex // guards the fields below
	queue  packetQueue
	seq    uint64
	closed bool
	notify notifier
	// What the socket sent to, for the NAT's filtering.
	sent     bool
	sentIPs  map[netip.Addr]struct{}
	sentAddr map[netip.AddrPort]struct{}
}

type packet struct {
	due  time.Time
	seq  uint64 // ties broken in the order sent
	from netip.AddrPort
	b    []byte
}

// packetQueue is a min-heap of packets by due time.
type packetQueue []packet

func (q packetQueue) Len() int { return len(q) }
func (q packetQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].seq < q[j].seq
}
func (q packetQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *packetQueue) Push(x any)   { *q = append(*q, x.(packet)) }
func (q *packetQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	old[len(old)-1] = packet{}
	*q = old[:len(old)-1]
	return p
}

func newPacketConn(h *Host, addr netip.AddrPort, limit int) *PacketConn {
	return &PacketConn{host: h, addr: addr, limit: limit}
}

// ReadFromUDPAddrPort reads the next datagram that has arrived, waiting
// for one, the read deadline or Close. A datagram longer than b is cut,
// as a UDP socket does.
func (pc *PacketConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	dl := pc.rd.wait()
	for {
		select {
		case <-dl:
			return 0, netip.AddrPort{}, pc.opError("read", netip.AddrPort{}, os.ErrDeadlineExceeded)
		default:
		}
		pc.mu.Lock()
		if pc.closed {
			pc.mu.Unlock()
			return 0, netip.AddrPort{}, pc.opError("read", netip.AddrPort{}, net.ErrClosed)
		}
		var wake time.Time
		if len(pc.queue) > 0 {
			if p := pc.queue[0]; !p.due.After(time.Now()) {
				heap.Pop(&pc.queue)
				pc.mu.Unlock()
				return copy(b, p.b), p.from, nil
			}
			wake = pc.queue[0].due
		}
		changed := pc.notify.waitChan()
		pc.mu.Unlock()
		timer, stop := sleepUntil(wake)
		select {
		case <-changed:
		case <-timer:
		case <-dl:
		}
		stop()
	}
}

// ReadFrom is ReadFromUDPAddrPort with a *net.UDPAddr.
func (pc *PacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, from, err := pc.ReadFromUDPAddrPort(b)
	if err != nil {
		return n, nil, err
	}
	return n, net.UDPAddrFromAddrPort(from), nil
}

// WriteToUDPAddrPort sends b to addr. It returns len(b) whether or not the
// datagram arrives (loss, a partition, a full queue or nothing listening
// lose it silently, as UDP does); it fails only on a closed socket.
func (pc *PacketConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	pc.mu.Lock()
	if pc.closed {
		pc.mu.Unlock()
		return 0, pc.opError("write", addr, net.ErrClosed)
	}
	pc.sent = true
	if pc.sentIPs == nil {
		pc.sentIPs = make(map[netip.Addr]struct{})
		pc.sentAddr = make(map[netip.AddrPort]struct{})
	}
	pc.sentIPs[addr.Addr()] = struct{}{}
	pc.sentAddr[addr] = struct{}{}
	pc.mu.Unlock()

	n := pc.host.net
	n.stats.packetsSent.Add(1)
	src := pc.addr.Addr()
	n.mu.Lock()
	dstHost := n.hosts[addr.Addr()]
	var dst *PacketConn
	var nat NATType
	if dstHost != nil && n.reachableLocked(src, dstHost.ip) {
		dst = dstHost.sockets[addr.Port()]
		if dstHost != pc.host {
			nat = dstHost.nat
		}
	}
	n.mu.Unlock()
	if dst == nil {
		n.stats.packetsFiltered.Add(1)
		return len(b), nil
	}
	due, ok := n.schedule(src, addr.Addr(), len(b), true)
	if !ok {
		n.stats.packetsLost.Add(1)
		return len(b), nil
	}
	switch dst.deliver(packet{due: due, from: pc.addr, b: append([]byte(nil), b...)}, nat) {
	case delivered:
		n.stats.packetsDelivered.Add(1)
	case queueFull:
		n.stats.packetsDropped.Add(1)
	default:
		n.stats.packetsFiltered.Add(1)
	}
	return len(b), nil
}

// WriteTo is WriteToUDPAddrPort with a *net.UDPAddr.
func (pc *PacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, pc.opError("write", netip.AddrPort{}, net.InvalidAddrError("not a *net.UDPAddr"))
	}
	return pc.WriteToUDPAddrPort(b, ua.AddrPort())
}

type outcome int

const (
	delivered outcome = iota
	queueFull
	filtered
)

// deliver queues p unless the queue is full, the socket closed, or the
// NAT in front of it filters p out.
func (pc *PacketConn) deliver(p packet, nat NATType) outcome {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.closed {
		return filtered
	}
	if len(pc.queue) >= pc.limit {
		return queueFull
	}
	switch nat {
	case FullCone:
		if !pc.sent {
			return filtered
		}
	case RestrictedCone:
		if _, ok := pc.sentIPs[p.from.Addr()]; !ok {
			return filtered
		}
	case Symmetric:
		if _, ok := pc.sentAddr[p.from]; !ok {
			return filtered
		}
	}
	pc.seq++
	p.seq = pc.seq
	heap.Push(&pc.queue, p)
	pc.notify.broadcast()
	return delivered
}

func (pc *PacketConn) opError(op string, to netip.AddrPort, err error) error {
	e := &net.OpError{Op: op, Net: "udp", Source: pc.LocalAddr(), Err: err}
	if to.IsValid() {
		e.Addr = net.UDPAddrFromAddrPort(to)
	}
	return e
}

// Close closes the socket and drops what it held. It is idempotent.
func (pc *PacketConn) Close() error {
	pc.mu.Lock()
	if pc.closed {
		pc.mu.Unlock()
		return nil
	}
	pc.closed = true
	pc.queue = nil
	pc.notify.broadcast()
	pc.mu.Unlock()
	pc.rd.stop()

	n := pc.host.net
	n.mu.Lock()
	if pc.host.sockets[pc.addr.Port()] == pc {
		delete(pc.host.sockets, pc.addr.Port())
	}
	n.mu.Unlock()
	return nil
}

// LocalAddr returns the socket's address, a *net.UDPAddr.
func (pc *PacketConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(pc.addr) }

// SetDeadline sets the read deadline (writes never block).
func (pc *PacketConn) SetDeadline(t time.Time) error { return pc.SetReadDeadline(t) }

// SetReadDeadline sets the read deadline; zero means none.
func (pc *PacketConn) SetReadDeadline(t time.Time) error { pc.rd.set(t); return nil }

// SetWriteDeadline does nothing: writes never block.
func (pc *PacketConn) SetWriteDeadline(time.Time) error { return nil }
