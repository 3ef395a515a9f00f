package p2p

import (
	"errors"
	"maps"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what the server did since it was created: connections
// admitted and refused, dials and how they ended, peers dropped, traffic.
// It answers "why do I have no peers?". Every connection the server
// refuses is counted once, under one reason.
type Stats struct {
	InboundAccepted uint64 `json:"inboundAccepted"` // TCP connections accepted
	DialAttempts    uint64 `json:"dialAttempts"`    // dials started
	DialFailures    uint64 `json:"dialFailures"`    // dials that did not connect ("dial failed" and "resolve failed")
	PeersAdded      uint64 `json:"peersAdded"`      // connections that became peers
	PeersDropped    uint64 `json:"peersDropped"`    // peers that went away
	// Traffic totals over every protocol, the base protocol ("p2p": Hello,
	// Disconnect, Ping, Pong) included. Bytes are payload bytes as on the
	// wire (after snappy compression), without RLPx framing.
	MsgsSent      uint64 `json:"msgsSent"`
	MsgsReceived  uint64 `json:"msgsReceived"`
	BytesSent     uint64 `json:"bytesSent"`
	BytesReceived uint64 `json:"bytesReceived"`
	// EventsDropped counts peer events not delivered to a subscriber
	// whose backlog was full (see SubscribeEvents).
	EventsDropped uint64 `json:"eventsDropped"`
	// BandwidthWaits count the messages a bandwidth budget held (see
	// Server.Bandwidth), received and sent, and BandwidthWaited the time
	// they waited in all.
	BandwidthWaitsIn   uint64   `json:"bandwidthWaitsIn"`
	BandwidthWaitsOut  uint64   `json:"bandwidthWaitsOut"`
	BandwidthWaitedIn  Duration `json:"bandwidthWaitedIn"`
	BandwidthWaitedOut Duration `json:"bandwidthWaitedOut"`

	// Rejected counts connections, inbound and dialed, refused or failed
	// before they became peers, by reason: "throttled", "netrestrict",
	// "handshake failed" (RLPx), "hello failed" (a bad or missing Hello),
	// "client quitting" (the server stopped meanwhile), our disconnect
	// reasons ("too many peers", "already connected", "connected to self",
	// "useless peer", "disconnect requested" for a static node removed
	// while it was dialed, ...), and "remote: " and the reason when the
	// other side refused us during the handshake. A refusal for "already
	// connected" is counted as such whichever side found it: both nodes
	// dialed each other at once.
	Rejected map[string]uint64 `json:"rejected"`
	// DialOutcomes counts how each dial ended: "peer" when it became one,
	// "dial failed" when it did not connect, "resolve failed" when the
	// host name of its enode URL did not resolve, otherwise the Rejected
	// reason.
	// They add up to DialAttempts less the dials under way.
	DialOutcomes map[string]uint64 `json:"dialOutcomes"`
	// Dropped counts peers that went away, by the reason of the disconnect;
	// "remote: " and the reason when the peer disconnected us.
	Dropped map[string]uint64 `json:"dropped"`
	// Traffic counts messages and bytes per protocol name; "p2p" is the
	// base protocol.
	Traffic map[string]Traffic `json:"traffic"`
}

// Traffic counts the messages of one protocol.
type Traffic struct {
	MsgsSent      uint64 `json:"msgsSent"`
	MsgsReceived  uint64 `json:"msgsReceived"`
	BytesSent     uint64 `json:"bytesSent"`     // payload bytes as on the wire
	BytesReceived uint64 `json:"bytesReceived"` // payload bytes as on the wire
}

// baseProtocolName is the name the base protocol's traffic is counted under.
const baseProtocolName = "p2p"

// Reasons for refusing a connection that are not disconnect reasons.
const (
	rejectThrottled       = "throttled"
	rejectNetRestrict     = "netrestrict"
	rejectHandshakeFailed = "handshake failed"
	rejectHelloFailed     = "hello failed"
	outcomePeer           = "peer"
	outcomeDialFailed     = "dial failed"
	outcomeResolveFailed  = "resolve failed"
)

type serverStats struct {
	inboundAccepted                         atomic.Uint64
	dialAttempts, dialFailures              atomic.Uint64
	peersAdded, peersDropped, eventsDropped atomic.Uint64
	base                                    trafficCounters // the base protocol
	mu                                      sync.Mutex      // guards the maps below
	rejected, dialOutcomes, dropped         map[string]uint64
	traffic                                 map[string]*trafficCounters // by protocol name

	m atomic.Pointer[serverMetrics] // set at Start

	// For Diagnose: inbound connections by address class (see addrClass)
	// and when the last came (Unix nanoseconds).
	inboundByClass [3]atomic.Uint64
	lastInbound    atomic.Int64

	// Bandwidth waits by direction (0 in, 1 out): how many, how long.
	bwWaits, bwWaitNanos [2]atomic.Uint64
}

// metrics returns the metrics of the running server: no-ops before the
// first Start.
func (s *serverStats) metrics() *serverMetrics {
	if m := s.m.Load(); m != nil {
		return m
	}
	s.m.CompareAndSwap(nil, newServerMetrics(nil, s, nil))
	return s.m.Load()
}

// setMetrics makes the counters report to m from now on. Start calls it,
// before the server's goroutines start.
func (s *serverStats) setMetrics(m *serverMetrics) {
	s.m.Store(m)
	s.base.m.Store(m.traffic(baseProtocolName))
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, c := range s.traffic {
		c.m.Store(m.traffic(name))
	}
}

// trafficCounters count one protocol's messages. A peer's protoRW points at
// its protocol's counters, so counting a message takes two atomic adds.
type trafficCounters struct {
	msgsSent, msgsRecv, bytesSent, bytesRecv atomic.Uint64
	m                                        atomic.Pointer[trafficMetrics] // nil without a metrics provider
}

// sent counts a message of the given code (within its protocol).
func (c *trafficCounters) sent(code uint64, wireSize uint32) {
	c.msgsSent.Add(1)
	c.bytesSent.Add(uint64(wireSize))
	if m := c.m.Load(); m != nil {
		cm := m.code(code)
		cm.msgsOut.Add(1)
		cm.bytesOut.Add(float64(wireSize))
	}
}

// received counts a message of the given code (within its protocol).
func (c *trafficCounters) received(code uint64, wireSize int) {
	c.msgsRecv.Add(1)
	c.bytesRecv.Add(uint64(wireSize))
	if m := c.m.Load(); m != nil {
		cm := m.code(code)
		cm.msgsIn.Add(1)
		cm.bytesIn.Add(float64(wireSize))
	}
}

func (c *trafficCounters) load() Traffic {
	return Traffic{c.msgsSent.Load(), c.msgsRecv.Load(), c.bytesSent.Load(), c.bytesRecv.Load()}
}

// trafficFor returns the counters of the named protocol.
func (s *serverStats) trafficFor(name string) *trafficCounters {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.traffic == nil {
		s.traffic = make(map[string]*trafficCounters)
	}
	c := s.traffic[name]
	if c == nil {
		c = new(trafficCounters)
		if m := s.m.Load(); m != nil {
			c.m.Store(m.traffic(name))
		}
		s.traffic[name] = c
	}
	return c
}

func countIn(m *map[string]uint64, key string) {
	if *m == nil {
		*m = make(map[string]uint64)
	}
	(*m)[key]++
}

// accepted counts an inbound TCP connection from addr.
func (s *serverStats) accepted(addr net.Addr) {
	s.inboundAccepted.Add(1)
	class := classLoopback
	if ap, err := netip.ParseAddrPort(addr.String()); err == nil {
		class = addrClass(ap.Addr().Unmap())
	}
	s.inboundByClass[class].Add(1)
	s.lastInbound.Store(time.Now().UnixNano())
}

// reject counts a connection refused for reason; dir is dirInbound or
// dirOutbound.
func (s *serverStats) reject(dir, reason string) {
	s.metrics().rejected.With(dir, reason).Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	countIn(&s.rejected, reason)
}

// dialed records how a dial ended: reason is what setupConn refused it
// for, or "" when it became a peer.
func (s *serverStats) dialed(reason string) {
	if reason == "" {
		reason = outcomePeer
	}
	if reason == outcomeDialFailed || reason == outcomeResolveFailed {
		s.dialFailures.Add(1)
	}
	s.metrics().dials.With(reason).Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	countIn(&s.dialOutcomes, reason)
}

// dropReason is the key a peer that ended with err is counted under.
func dropReason(err error) string {
	var rd *RemoteDisconnectError
	switch {
	case errors.As(err, &rd):
		return "remote: " + rd.Reason.String()
	case err != nil:
		return discReasonFor(err).String()
	}
	return "unknown"
}

// drop counts a peer of the given flags that ended with err.
func (s *serverStats) drop(flags ConnFlag, err error) {
	s.peersDropped.Add(1)
	reason := dropReason(err)
	m := s.metrics()
	m.peersGauge(flags).Add(-1)
	m.dropped.With(reason).Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	countIn(&s.dropped, reason)
}

// Stats returns the server's counters.
func (srv *Server) Stats() Stats {
	s := &srv.stats
	st := Stats{
		InboundAccepted: s.inboundAccepted.Load(),
		DialAttempts:    s.dialAttempts.Load(),
		DialFailures:    s.dialFailures.Load(),
		PeersAdded:      s.peersAdded.Load(),
		PeersDropped:    s.peersDropped.Load(),
		EventsDropped:   s.eventsDropped.Load(),

		BandwidthWaitsIn:   s.bwWaits[0].Load(),
		BandwidthWaitsOut:  s.bwWaits[1].Load(),
		BandwidthWaitedIn:  Duration(s.bwWaitNanos[0].Load()),
		BandwidthWaitedOut: Duration(s.bwWaitNanos[1].Load()),
		Traffic:            map[string]Traffic{baseProtocolName: s.base.load()},
	}
	s.mu.Lock()
	st.Rejected = maps.Clone(s.rejected)
	st.DialOutcomes = maps.Clone(s.dialOutcomes)
	st.Dropped = maps.Clone(s.dropped)
	for name, c := range s.traffic {
		t := c.load()
		if prev, ok := st.Traffic[name]; ok { // a protocol named like the base one
			t.MsgsSent += prev.MsgsSent
			t.MsgsReceived += prev.MsgsReceived
			t.BytesSent += prev.BytesSent
			t.BytesReceived += prev.BytesReceived
		}
		st.Traffic[name] = t
	}
	s.mu.Unlock()
	for _, m := range []*map[string]uint64{&st.Rejected, &st.DialOutcomes, &st.Dropped} {
		if *m == nil {
			*m = map[string]uint64{}
		}
	}
	for _, t := range st.Traffic {
		st.MsgsSent += t.MsgsSent
		st.MsgsReceived += t.MsgsReceived
		st.BytesSent += t.BytesSent
		st.BytesReceived += t.BytesReceived
	}
	return st
}
