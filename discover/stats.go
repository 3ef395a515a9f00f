package discover

import "sync/atomic"

// Stats counts the packets a UDPv4 has seen. Each dropped packet is counted
// once, under the first reason it failed.
type Stats struct {
	Received uint64 // packets read from the socket
	Sent     uint64 // packets written to the socket
	Handled  uint64 // packets accepted and acted upon

	TooLarge      uint64 // over v4wire.MaxPacketSize
	NetRestrict   uint64 // from an address outside Config.NetRestrict
	BadPacket     uint64 // malformed: too small, bad hash, unknown type, bad data
	BadSignature  uint64 // signature does not recover a key
	Expired       uint64 // expiration in the past
	FarExpiration uint64 // expiration more than 10 min ahead of our clock
	Unsolicited   uint64 // a reply we did not ask for (or with a wrong hash)
	UnknownSender uint64 // FINDNODE or ENRREQUEST without endpoint proof
	Unhandled     uint64 // undecodable packets passed to Config.Unhandled

	// PINGs from senders without endpoint proof that were handled (and
	// counted as Handled) but not fully answered: the reply budget (see
	// doc.go) had no room for the PONG, or for the ping back, or too many
	// ping backs were waiting already.
	PongLimited     uint64 // no PONG (and so no ping back)
	PingBackLimited uint64 // PONG but no ping back
}

// Dropped returns the number of packets dropped for any reason.
func (s Stats) Dropped() uint64 {
	return s.TooLarge + s.NetRestrict + s.BadPacket + s.BadSignature +
		s.Expired + s.FarExpiration + s.Unsolicited + s.UnknownSender
}

// stats is the live form of Stats.
type stats struct {
	received, sent, handled            atomic.Uint64
	tooLarge, netRestrict, badPacket   atomic.Uint64
	badSignature, expired, unsolicited atomic.Uint64
	unknownSender, unhandled           atomic.Uint64
	farExpiration                      atomic.Uint64
	pongLimited, pingBackLimited       atomic.Uint64
}

func (s *stats) snapshot() Stats {
	return Stats{
		Received:      s.received.Load(),
		Sent:          s.sent.Load(),
		Handled:       s.handled.Load(),
		TooLarge:      s.tooLarge.Load(),
		NetRestrict:   s.netRestrict.Load(),
		BadPacket:     s.badPacket.Load(),
		BadSignature:  s.badSignature.Load(),
		Expired:       s.expired.Load(),
		FarExpiration: s.farExpiration.Load(),
		Unsolicited:   s.unsolicited.Load(),
		UnknownSender: s.unknownSender.Load(),
		Unhandled:     s.unhandled.Load(),

		PongLimited:     s.pongLimited.Load(),
		PingBackLimited: s.pingBackLimited.Load(),
	}
}
