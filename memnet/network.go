// Copyright the seednet/p2p authors. Licensed under the Apache License 2.0.

package memnet

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults of Config.
const (
	DefaultStreamBuffer = 256 << 10
	DefaultPacketQueue  = 1024
	DefaultBacklog      = 128
)

// maxSegment is the largest piece a stream write is cut into.
const maxSegment = 16 << 10

// Errors of the network, as the operating system's: they wrap the syscall
// errno so that errors.Is(err, syscall.ECONNREFUSED) works.
var (
	errRefused      = &netError{"connection refused", syscall.ECONNREFUSED}
	errUnreachable  = &netError{"no route to host", syscall.EHOSTUNREACH}
	errReset        = &netError{"connection reset by peer", syscall.ECONNRESET}
	errAddrInUse    = &netError{"address already in use", syscall.EADDRINUSE}
	errAddrNotAvail = &netError{"cannot assign requested address", syscall.EADDRNOTAVAIL}
	errNetClosed    = errors.New("memnet: network closed")
)

type netError struct {
	msg   string
	errno syscall.Errno
}

func (e *netError) Error() string   { return e.msg }
func (e *netError) Unwrap() error   { return e.errno }
func (e *netError) Timeout() bool   { return false }
func (e *netError) Temporary() bool { return false }

// Link is what lies between two hosts, in each direction.
type Link struct {
	// Latency is the one-way delay. Zero means none.
	Latency time.Duration
	// Jitter adds a random delay, uniform in [0, Jitter), to each segment
	// or datagram. Zero means none.
	Jitter time.Duration
	// Bandwidth is the rate of each direction in bytes per second, shared
	// by all traffic between the two hosts that way. Zero means unlimited.
	Bandwidth int64
	// Loss is the probability that a datagram is lost, from 0 to 1.
	// Streams are reliable and lose nothing.
	Loss float64
}

// Config sets up a Network.
type Config struct {
	// Seed seeds the generator of jitter and loss. Zero is a seed like any
	// other.
	Seed uint64
	// Link is the link between any two hosts unless SetLink says
	// otherwise. The zero Link delivers at once and loses nothing.
	Link Link
	// StreamBuffer is how many bytes each direction of a connection holds
	// before its writer blocks. Zero means DefaultStreamBuffer.
	StreamBuffer int
	// PacketQueue is how many datagrams a socket holds (in flight and
	// arrived) before it drops more. Zero means DefaultPacketQueue.
	PacketQueue int
	// Backlog is how many dialed connections a listener holds before
	// Accept takes them; dials beyond it are refused. Zero means
	// DefaultBacklog.
	Backlog int
}

func (c *Config) withDefaults() Config {
	cfg := *c
	if cfg.StreamBuffer <= 0 {
		cfg.StreamBuffer = DefaultStreamBuffer
	}
	if cfg.PacketQueue <= 0 {
		cfg.PacketQueue = DefaultPacketQueue
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = DefaultBacklog
	}
	return cfg
}

// Stats counts what went through a Network.
type Stats struct {
	PacketsSent      uint64 // datagrams written
	PacketsDelivered uint64 // datagrams queued at their destination socket
	PacketsLost      uint64 // lost to Link.Loss
	PacketsDropped   uint64 // dropped: the destination socket's queue was full
	PacketsFiltered  uint64 // no socket at the destination, a partition or a NAT
	StreamBytes      uint64 // bytes written to connections
	Dials            uint64 // dials that connected
	DialsFailed      uint64 // dials refused or unreachable
}

type stats struct {
	packetsSent, packetsDelivered, packetsLost, packetsDropped, packetsFiltered atomic.Uint64
	streamBytes, dials, dialsFailed                                             atomic.Uint64
}

// linkKey names a pair of hosts, the smaller address first.
type linkKey struct{ a, b netip.Addr }

func pairKey(a, b netip.Addr) linkKey {
	if b.Less(a) {
		a, b = b, a
	}
	return linkKey{a, b}
}

// dirKey names one direction between two hosts.
type dirKey struct{ from, to netip.Addr }

// Network is an in-memory network of hosts. Make one with New; its methods
// are safe for concurrent use.
type Network struct {
	cfg   Config
	stats stats

	mu       sync.Mutex // guards the fields below; never held while taking a conn's lock
	rng      *rand.Rand
	hosts    map[netip.Addr]*Host
	links    map[linkKey]Link     // SetLink's overrides
	txFree   map[dirKey]time.Time // when each direction's link is free again (bandwidth)
	group    map[netip.Addr]int   // partition group of each host; nil when healed
	conns    map[*Conn]struct{}   // open connections, one end each (the dialer's)
	nextHost uint32
	closed   bool
}

// New returns an empty network.
func New(cfg Config) *Network {
	return &Network{
		cfg:    cfg.withDefaults(),
		rng:    rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		hosts:  make(map[netip.Addr]*Host),
		links:  make(map[linkKey]Link),
		txFree: make(map[dirKey]time.Time),
		conns:  make(map[*Conn]struct{}),
	}
}

// NewHost adds a host with the next free address of 10.0.0.0/8: 10.0.0.1,
// 10.0.0.2, and so on.
func (n *Network) NewHost() *Host {
	n.mu.Lock()
	defer n.mu.Unlock()
	for {
		n.nextHost++
		v := n.nextHost
		ip := netip.AddrFrom4([4]byte{10, byte(v >> 16), byte(v >> 8), byte(v)})
		if v&0xff == 0 || v&0xff == 0xff {
			continue // skip .0 and .255, which look like network and broadcast
		}
		if _, ok := n.hosts[ip]; !ok {
			return n.addHostLocked(ip)
		}
	}
}

// Host returns the host with address ip, adding it if there is none.
func (n *Network) Host(ip netip.Addr) *Host {
	ip = ip.Unmap()
	n.mu.Lock()
	defer n.mu.Unlock()
	if h, ok := n.hosts[ip]; ok {
		return h
	}
	return n.addHostLocked(ip)
}

func (n *Network) addHostLocked(ip netip.Addr) *Host {
	h := &Host{
		net:       n,
		ip:        ip,
		listeners: make(map[uint16]*Listener),
		sockets:   make(map[uint16]*PacketConn),
		nextPort:  32768,
	}
	n.hosts[ip] = h
	return h
}

// Hosts returns the addresses of every host, in no particular order.
func (n *Network) Hosts() []netip.Addr {
	n.mu.Lock()
	defer n.mu.Unlock()
	ips := make([]netip.Addr, 0, len(n.hosts))
	for ip := range n.hosts {
		ips = append(ips, ip)
	}
	return ips
}

// SetLink sets the link between hosts a and b, both directions. It applies
// to what is sent from then on.
func (n *Network) SetLink(a, b netip.Addr, l Link) {
	n.mu.Lock()
	n.links[pairKey(a.Unmap(), b.Unmap())] = l
	n.mu.Unlock()
}

// ResetLink makes the link between a and b the default one again.
func (n *Network) ResetLink(a, b netip.Addr) {
	n.mu.Lock()
	delete(n.links, pairKey(a.Unmap(), b.Unmap()))
	n.mu.Unlock()
}

// SetDefaultLink changes Config.Link, the link of every pair without one
// of its own.
func (n *Network) SetDefaultLink(l Link) {
	n.mu.Lock()
	n.cfg.Link = l
	n.mu.Unlock()
}

// LinkBetween returns the link between a and b.
func (n *Network) LinkBetween(a, b netip.Addr) Link {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.linkLocked(a.Unmap(), b.Unmap())
}

func (n *Network) linkLocked(a, b netip.Addr) Link {
	if a == b {
		return Link{}
	}
	if l, ok := n.links[pairKey(a, b)]; ok {
		return l
	}
	return n.cfg.Link
}

// Partition splits the network into groups: hosts in different groups
// cannot reach each other until Heal. Hosts named in no group form one
// more group together. Connections open across the new split are reset.
// A later Partition replaces the earlier one.
func (n *Network) Partition(groups ...[]netip.Addr) {
	n.mu.Lock()
	n.group = make(map[netip.Addr]int)
	for i, g := range groups {
		for _, ip := range g {
			n.group[ip.Unmap()] = i + 1
		}
	}
	var cut []*Conn
	for c := range n.conns {
		if !n.reachableLocked(c.local.Addr(), c.remote.Addr()) {
			cut = append(cut, c)
		}
	}
	n.mu.Unlock()
	for _, c := range cut {
		c.reset(errReset)
	}
}

// Heal ends the partition: every host can reach every other again.
func (n *Network) Heal() {
	n.mu.Lock()
	n.group = nil
	n.mu.Unlock()
}

// Reachable reports whether a can reach b, as partitions have it (NAT
// aside).
func (n *Network) Reachable(a, b netip.Addr) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.reachableLocked(a.Unmap(), b.Unmap())
}

func (n *Network) reachableLocked(a, b netip.Addr) bool {
	return a == b || n.group == nil || n.group[a] == n.group[b]
}

// Stats returns the network's counters.
func (n *Network) Stats() Stats {
	s := &n.stats
	return Stats{
		PacketsSent:      s.packetsSent.Load(),
		PacketsDelivered: s.packetsDelivered.Load(),
		PacketsLost:      s.packetsLost.Load(),
		PacketsDropped:   s.packetsDropped.Load(),
		PacketsFiltered:  s.packetsFiltered.Load(),
		StreamBytes:      s.streamBytes.Load(),
		Dials:            s.dials.Load(),
		DialsFailed:      s.dialsFailed.Load(),
	}
}

// schedule reserves the link from src to dst for size bytes and returns
// when they are due at dst, and whether the send gets through (it is lost
// when packet is true, with the link's Loss probability).
func (n *Network) schedule(src, dst netip.Addr, size int, packet bool) (due time.Time, ok bool) {
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if src == dst {
		return now, true
	}
	l := n.linkLocked(src, dst)
	if packet && l.Loss > 0 && n.rng.Float64() < l.Loss {
		return time.Time{}, false
	}
	sent := now
	if l.Bandwidth > 0 {
		k := dirKey{src, dst}
		start := n.txFree[k]
		if start.Before(now) {
			start = now
		}
		sent = start.Add(time.Duration(float64(size) / float64(l.Bandwidth) * float64(time.Second)))
		n.txFree[k] = sent
	}
	due = sent.Add(l.Latency)
	if l.Jitter > 0 {
		due = due.Add(time.Duration(n.rng.Int64N(int64(l.Jitter))))
	}
	return due, true
}

// Close closes every listener, connection and socket of the network.
// Hosts stay, but cannot listen, dial or send any more. Close is
// idempotent and returns nil.
func (n *Network) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	var (
		lns   []*Listener
		pcs   []*PacketConn
		conns []*Conn
	)
	for _, h := range n.hosts {
		for _, l := range h.listeners {
			lns = append(lns, l)
		}
		for _, pc := range h.sockets {
			pcs = append(pcs, pc)
		}
	}
	for c := range n.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	for _, l := range lns {
		l.Close()
	}
	for _, pc := range pcs {
		pc.Close()
	}
	for _, c := range conns {
		c.peer.Close()
		c.Close()
	}
	return nil
}

func (n *Network) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return fmt.Sprintf("memnet(%d hosts)", len(n.hosts))
}
