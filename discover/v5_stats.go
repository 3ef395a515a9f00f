package discover

import "sync/atomic"

// V5Stats counts the packets a UDPv5 has seen. Each dropped packet is
// counted once, under the first reason it failed; a packet that is handled
// counts as Handled, whatever it led to.
type V5Stats struct {
	Received uint64 // packets read from the socket
	Sent     uint64 // packets written to the socket
	Handled  uint64 // packets accepted and acted upon

	// Answered with WHOAREYOU (counted as handled too).
	UnknownSession uint64 // message packet from a node we have no session with at that address
	DecryptFailed  uint64 // message packet whose GCM tag does not open under the session
	WhoareyouSent  uint64 // WHOAREYOU packets sent, new or repeated

	// Dropped.
	NetRestrict          uint64 // from an address outside Config.NetRestrict
	NotV5                uint64 // not discovery v5 for us (bad size, masking or protocol id) and not passed on: Config.Unhandled is nil or full
	Unhandled            uint64 // packets passed on to Config.Unhandled
	BadHeader            uint64 // bad version, flag or authdata size; too short for a message
	BadMessage           uint64 // decrypted message empty, of unknown type, malformed, or with a request ID over 8 bytes
	Replayed             uint64 // message nonce already received in the session
	UnexpectedHandshake  uint64 // handshake without a pending WHOAREYOU of ours (or replayed)
	BadHandshake         uint64 // handshake with a bad ephemeral key, signature, or message
	BadHandshakeRecord   uint64 // handshake whose record is missing, invalid or of another node
	RateLimited          uint64 // would have been answered with WHOAREYOU, but the source IP or all sources are over the rate
	UnsolicitedResponse  uint64 // PONG, NODES or TALKRESP that answers no call of ours (wrong node, address, type or request ID; late)
	UnsolicitedWhoareyou uint64 // WHOAREYOU that answers no call of ours, or from another address
	RepeatedWhoareyou    uint64 // second WHOAREYOU for one call: the call fails
	TooManyDistances     uint64 // FINDNODE with more than maxFindnodeDistances distances
	TalkOverload         uint64 // TALKREQ with every handler slot (of its IP, or of all) busy

	// About the contents of accepted responses, not packets.
	NodesTotalCapped uint64 // NODES responses announcing more than totalNodesResponseLimit packets
	BadNodes         uint64 // records in NODES that do not verify, or fail the relay, port, distance or duplicate checks
}

// Dropped returns the number of packets dropped for any reason.
func (s V5Stats) Dropped() uint64 {
	return s.NetRestrict + s.NotV5 + s.BadHeader + s.BadMessage + s.Replayed +
		s.UnexpectedHandshake + s.BadHandshake + s.BadHandshakeRecord + s.RateLimited +
		s.UnsolicitedResponse + s.UnsolicitedWhoareyou + s.RepeatedWhoareyou +
		s.TooManyDistances + s.TalkOverload
}

// v5stats is the live form of V5Stats.
type v5stats struct {
	received, sent, handled                       atomic.Uint64
	unknownSession, decryptFailed, whoareyouSent  atomic.Uint64
	netRestrict, notV5, unhandled, badHeader      atomic.Uint64
	badMessage, replayed, unexpectedHandshake     atomic.Uint64
	badHandshake, badHandshakeRecord, rateLimited atomic.Uint64
	unsolicitedResponse, unsolicitedWhoareyou     atomic.Uint64
	repeatedWhoareyou, tooManyDistances           atomic.Uint64
	talkOverload, nodesTotalCapped, badNodes      atomic.Uint64
}

func (s *v5stats) snapshot() V5Stats {
	return V5Stats{
		Received:             s.received.Load(),
		Sent:                 s.sent.Load(),
		Handled:              s.handled.Load(),
		UnknownSession:       s.unknownSession.Load(),
		DecryptFailed:        s.decryptFailed.Load(),
		WhoareyouSent:        s.whoareyouSent.Load(),
		NetRestrict:          s.netRestrict.Load(),
		NotV5:                s.notV5.Load(),
		Unhandled:            s.unhandled.Load(),
		BadHeader:            s.badHeader.Load(),
		BadMessage:           s.badMessage.Load(),
		Replayed:             s.replayed.Load(),
		UnexpectedHandshake:  s.unexpectedHandshake.Load(),
		BadHandshake:         s.badHandshake.Load(),
		BadHandshakeRecord:   s.badHandshakeRecord.Load(),
		RateLimited:          s.rateLimited.Load(),
		UnsolicitedResponse:  s.unsolicitedResponse.Load(),
		UnsolicitedWhoareyou: s.unsolicitedWhoareyou.Load(),
		RepeatedWhoareyou:    s.repeatedWhoareyou.Load(),
		TooManyDistances:     s.tooManyDistances.Load(),
		TalkOverload:         s.talkOverload.Load(),
		NodesTotalCapped:     s.nodesTotalCapped.Load(),
		BadNodes:             s.badNodes.Load(),
	}
}
