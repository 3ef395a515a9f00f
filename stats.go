package p2p

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Stats counts what the server did since it was created: connections
// admitted and refused, and why. It answers "why do I have no peers?".
type Stats struct {
	InboundAccepted uint64 `json:"inboundAccepted"` // TCP connections accepted
	DialAttempts    uint64 `json:"dialAttempts"`    // dials started
	DialFailures    uint64 `json:"dialFailures"`    // dials that did not connect
	PeersAdded      uint64 `json:"peersAdded"`      // connections that became peers
	PeersDropped    uint64 `json:"peersDropped"`    // peers that went away
	MsgsSent        uint64 `json:"msgsSent"`
	MsgsReceived    uint64 `json:"msgsReceived"`
	BytesSent       uint64 `json:"bytesSent"`     // protocol payload bytes
	BytesReceived   uint64 `json:"bytesReceived"` // protocol payload bytes, as on the wire

	// Rejected counts connections refused or dropped before they became
	// peers, by reason: "throttled", "netrestrict", "too many pending",
	// "handshake failed", "hello failed", and the disconnect reasons
	// ("too many peers", "already connected", "connected to self",
	// "useless peer", ...).
	Rejected map[string]uint64 `json:"rejected"`
	// Dropped counts peers that went away, by the reason of the disconnect.
	Dropped map[string]uint64 `json:"dropped"`
}

// Reasons for refusing a connection that are not disconnect reasons.
const (
	rejectThrottled       = "throttled"
	rejectNetRestrict     = "netrestrict"
	rejectTooManyPending  = "too many pending"
	rejectHandshakeFailed = "handshake failed"
	rejectHelloFailed     = "hello failed"
)

type serverStats struct {
	inboundAccepted, dialAttempts, dialFailures atomic.Uint64
	peersAdded, peersDropped                    atomic.Uint64
	msgsSent, msgsReceived                      atomic.Uint64
	bytesSent, bytesReceived                    atomic.Uint64

	mu       sync.Mutex
	rejected map[string]uint64
	dropped  map[string]uint64
}

func (s *serverStats) reject(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejected == nil {
		s.rejected = make(map[string]uint64)
	}
	s.rejected[reason]++
}

func (s *serverStats) drop(err error) {
	reason := "unknown"
	var rd *remoteDisc
	switch {
	case errors.As(err, &rd):
		reason = "remote: " + rd.reason.String()
	case err != nil:
		reason = discReasonFor(err).String()
	}
	s.peersDropped.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped == nil {
		s.dropped = make(map[string]uint64)
	}
	s.dropped[reason]++
}

func copyCounts(m map[string]uint64) map[string]uint64 {
	c := make(map[string]uint64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
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
		MsgsSent:        s.msgsSent.Load(),
		MsgsReceived:    s.msgsReceived.Load(),
		BytesSent:       s.bytesSent.Load(),
		BytesReceived:   s.bytesReceived.Load(),
	}
	s.mu.Lock()
	st.Rejected = copyCounts(s.rejected)
	st.Dropped = copyCounts(s.dropped)
	s.mu.Unlock()
	return st
}

func (srv *Server) countSent(n int) {
	srv.stats.msgsSent.Add(1)
	srv.stats.bytesSent.Add(uint64(n))
}

func (srv *Server) countRecv(n int) {
	srv.stats.msgsReceived.Add(1)
	srv.stats.bytesReceived.Add(uint64(n))
}
