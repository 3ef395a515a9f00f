// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package memnet

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/enode"
)

// NATType is the kind of NAT a host sits behind (RFC 4787 filtering).
type NATType int

const (
	// NoNAT: the host is reachable by anyone.
	NoNAT NATType = iota
	// FullCone lets a datagram in to a socket that has sent at least one
	// datagram (it has a mapping), from anyone.
	FullCone
	// RestrictedCone lets a datagram in only from an address the socket
	// has sent to (address-restricted filtering).
	RestrictedCone
	// Symmetric lets a datagram in only from the address and port the
	// socket has sent to.
	Symmetric
)

func (t NATType) String() string {
	switch t {
	case NoNAT:
		return "none"
	case FullCone:
		return "full-cone"
	case RestrictedCone:
		return "restricted-cone"
	case Symmetric:
		return "symmetric"
	}
	return "NATType(" + strconv.Itoa(int(t)) + ")"
}

// Host is one machine of a Network, with one IP address. It implements
// p2p.Network (Listen, ListenUDP) and p2p.NodeDialer (Dial).
type Host struct {
	net *Network
	ip  netip.Addr

	// guarded by net.mu:
	nat       NATType
	listeners map[uint16]*Listener
	sockets   map[uint16]*PacketConn
	nextPort  uint16
}

// Addr returns the host's IP address.
func (h *Host) Addr() netip.Addr { return h.ip }

// Network returns the network the host is on.
func (h *Host) Network() *Network { return h.net }

// SetNAT puts the host behind a NAT of type t (NoNAT takes it out). It
// applies to what arrives from then on; connections open stay.
func (h *Host) SetNAT(t NATType) {
	h.net.mu.Lock()
	h.nat = t
	h.net.mu.Unlock()
}

// NAT returns the kind of NAT the host is behind.
func (h *Host) NAT() NATType {
	h.net.mu.Lock()
	defer h.net.mu.Unlock()
	return h.nat
}

// parseLocal parses a listen address: the host part must be empty, an
// unspecified address or the host's own address.
func (h *Host) parseLocal(address string) (uint16, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return 0, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("memnet: bad port in %q", address)
	}
	if host != "" {
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return 0, fmt.Errorf("memnet: bad address %q: %w", address, err)
		}
		if ip = ip.Unmap(); !ip.IsUnspecified() && ip != h.ip {
			return 0, fmt.Errorf("memnet: listen %s on host %s: %w", address, h.ip, errAddrNotAvail)
		}
	}
	return uint16(p), nil
}

// freePortLocked returns a port free in used, from the ephemeral range.
func freePortLocked[V any](h *Host, used map[uint16]V) (uint16, error) {
	for range 32768 {
		p := h.nextPort
		h.nextPort++
		if h.nextPort == 0 {
			h.nextPort = 32768
		}
		if _, ok := used[p]; !ok {
			return p, nil
		}
	}
	return 0, errAddrInUse
}

// Listen listens for connections at address: "host:port", where host is
// empty, unspecified or the host's address, and port 0 picks a free one.
// The listener's Addr is the host's address and the port.
func (h *Host) Listen(address string) (net.Listener, error) {
	l, err := h.ListenTCP(address)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// ListenTCP is Listen returning the *Listener.
func (h *Host) ListenTCP(address string) (*Listener, error) {
	port, err := h.parseLocal(address)
	if err != nil {
		return nil, err
	}
	n := h.net
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errNetClosed
	}
	if port == 0 {
		if port, err = freePortLocked(h, h.listeners); err != nil {
			return nil, err
		}
	} else if _, ok := h.listeners[port]; ok {
		return nil, fmt.Errorf("memnet: listen tcp %s:%d: %w", h.ip, port, errAddrInUse)
	}
	l := &Listener{
		host:    h,
		addr:    netip.AddrPortFrom(h.ip, port),
		backlog: make(chan *Conn, n.cfg.Backlog),
		done:    make(chan struct{}),
	}
	h.listeners[port] = l
	return l, nil
}

// ListenUDP opens a datagram socket at address, as Listen parses it.
func (h *Host) ListenUDP(address string) (discover.UDPConn, error) {
	pc, err := h.ListenPacket(address)
	if err != nil {
		return nil, err
	}
	return pc, nil
}

// ListenPacket is ListenUDP returning the *PacketConn.
func (h *Host) ListenPacket(address string) (*PacketConn, error) {
	port, err := h.parseLocal(address)
	if err != nil {
		return nil, err
	}
	n := h.net
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errNetClosed
	}
	if port == 0 {
		if port, err = freePortLocked(h, h.sockets); err != nil {
			return nil, err
		}
	} else if _, ok := h.sockets[port]; ok {
		return nil, fmt.Errorf("memnet: listen udp %s:%d: %w", h.ip, port, errAddrInUse)
	}
	pc := newPacketConn(h, netip.AddrPortFrom(h.ip, port), n.cfg.PacketQueue)
	h.sockets[port] = pc
	return pc, nil
}

// Dial connects to the node's IP address and TCP port. It implements
// p2p.NodeDialer.
func (h *Host) Dial(ctx context.Context, node *enode.Node) (net.Conn, error) {
	ep, ok := node.TCPEndpoint()
	if !ok {
		return nil, fmt.Errorf("memnet: node %s has no TCP endpoint", node.ID().TerminalString())
	}
	return h.DialTCP(ctx, ep)
}

// DialContext connects to address ("ip:port"); network must be "tcp",
// "tcp4" or "tcp6". Its signature is net.Dialer's, for http.Transport and
// the like.
func (h *Host) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("memnet: dial %s: unsupported network", network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return nil, fmt.Errorf("memnet: dial %s: %w", address, err)
	}
	return h.DialTCP(ctx, ap)
}

// DialTCP connects to a listener at addr. It takes a round trip of the
// link (twice its latency) and fails with ECONNREFUSED when nothing
// listens there or its backlog is full, and with EHOSTUNREACH when no host
// has the address, a partition is in the way or the host is behind a NAT.
func (h *Host) DialTCP(ctx context.Context, addr netip.AddrPort) (*Conn, error) {
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	n := h.net
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil, errNetClosed
	}
	rtt := 2 * n.linkLocked(h.ip, addr.Addr()).Latency
	n.mu.Unlock()
	if rtt > 0 {
		t := time.NewTimer(rtt)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			n.stats.dialsFailed.Add(1)
			return nil, ctx.Err()
		}
	}

	fail := func(err error) (*Conn, error) {
		n.stats.dialsFailed.Add(1)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: net.TCPAddrFromAddrPort(addr), Err: err}
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil, errNetClosed
	}
	dst := n.hosts[addr.Addr()]
	if dst == nil || !n.reachableLocked(h.ip, dst.ip) || (dst != h && dst.nat != NoNAT) {
		n.mu.Unlock()
		return fail(errUnreachable)
	}
	l := dst.listeners[addr.Port()]
	if l == nil {
		n.mu.Unlock()
		return fail(errRefused)
	}
	port, err := freePortLocked(h, map[uint16]struct{}{})
	if err != nil {
		n.mu.Unlock()
		return fail(err)
	}
	local := netip.AddrPortFrom(h.ip, port)
	a, b := newConnPair(n, local, addr, n.cfg.StreamBuffer)
	n.conns[a] = struct{}{}
	n.mu.Unlock()

	if !l.enqueue(b) {
		n.mu.Lock()
		delete(n.conns, a)
		n.mu.Unlock()
		return fail(errRefused)
	}
	n.stats.dials.Add(1)
	return a, nil
}

// forget removes a closed connection from the network's list.
func (n *Network) forget(c *Conn) {
	n.mu.Lock()
	delete(n.conns, c)
	delete(n.conns, c.peer)
	n.mu.Unlock()
}

// Listener accepts connections dialed to a host's port. It implements
// net.Listener.
type Listener struct {
	host    *Host
	addr    netip.AddrPort
	backlog chan *Conn

	mu     sync.Mutex // guards closed and sends on backlog
	closed bool
	done   chan struct{} // closed by Close
}

func (l *Listener) enqueue(c *Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	select {
	case l.backlog <- c:
		return true
	default:
		return false
	}
}

// Accept waits for the next connection. After Close it fails with an
// error that wraps net.ErrClosed.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.backlog:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
}

// Close stops the listener and refuses the connections it had not yet
// accepted. It is idempotent.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.done)
	l.mu.Unlock()

	n := l.host.net
	n.mu.Lock()
	if l.host.listeners[l.addr.Port()] == l {
		delete(l.host.listeners, l.addr.Port())
	}
	n.mu.Unlock()
	for {
		select {
		case c := <-l.backlog:
			c.reset(errRefused)
		default:
			return nil
		}
	}
}

// Addr returns the listener's address, a *net.TCPAddr.
func (l *Listener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }
