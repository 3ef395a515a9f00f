package discover

import (
	"errors"
	"net/netip"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
)

// handlePacket handles one packet read from the socket. It runs in
// readLoop; it must not block on the network.
func (t *UDPv4) handlePacket(buf []byte, from netip.AddrPort) {
	t.stats.received.Add(1)
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if len(buf) > v4wire.MaxPacketSize {
		t.stats.tooLarge.Add(1)
		return
	}
	if !t.cfg.allowed(from.Addr()) {
		t.stats.netRestrict.Add(1)
		return
	}
	p, key, hash, err := v4wire.Decode(buf)
	if err != nil {
		t.dropUndecodable(buf, from, err)
		return
	}
	id := key.ID()
	switch p := p.(type) {
	case *v4wire.Ping:
		if t.expired(p.Expiration) {
			return
		}
		t.handlePing(p, key, id, from, hash)
	case *v4wire.Pong:
		if t.expired(p.Expiration) {
			return
		}
		if !t.dispatchReply(id, from.Addr(), p) {
			t.stats.unsolicited.Add(1)
			return
		}
		if to, ok := p.To.Addr(); ok {
			t.localNode.UDPEndpointStatement(from, netip.AddrPortFrom(to, p.To.UDP))
		}
		t.db.UpdateLastPongReceived(id, from.Addr(), t.now())
		t.tab.markLive(id)
	case *v4wire.Findnode:
		if t.expired(p.Expiration) || !t.checkBond(id, from) {
			return
		}
		t.handleFindnode(p, from)
	case *v4wire.Neighbors:
		if t.expired(p.Expiration) {
			return
		}
		if !t.dispatchReply(id, from.Addr(), p) {
			t.stats.unsolicited.Add(1)
			return
		}
	case *v4wire.ENRRequest:
		if t.expired(p.Expiration) || !t.checkBond(id, from) {
			return
		}
		resp := &v4wire.ENRResponse{ReplyTok: hash, Record: *t.localNode.Node().Record()}
		t.send(from, resp)
	case *v4wire.ENRResponse:
		if !t.dispatchReply(id, from.Addr(), p) {
			t.stats.unsolicited.Add(1)
			return
		}
	default:
		t.stats.badPacket.Add(1)
		return
	}
	t.stats.handled.Add(1)
}

// dropUndecodable counts a packet that Decode rejected and passes it on to
// Config.Unhandled.
func (t *UDPv4) dropUndecodable(buf []byte, from netip.AddrPort, err error) {
	if t.cfg.Unhandled != nil {
		select {
		case t.cfg.Unhandled <- ReadPacket{Data: append([]byte(nil), buf...), Addr: from}:
			t.stats.unhandled.Add(1)
			return
		default:
		}
	}
	if errors.Is(err, v4wire.ErrBadSignature) || errors.Is(err, v4wire.ErrBadPoint) {
		t.stats.badSignature.Add(1)
	} else {
		t.stats.badPacket.Add(1)
	}
	t.log.Debug("discv4 bad packet", "from", from, "err", err)
}

// expired reports, and counts, a packet expiration in the past.
func (t *UDPv4) expired(ts uint64) bool {
	if v4wire.ExpiredAt(ts, t.now()) {
		t.stats.expired.Add(1)
		return true
	}
	return false
}

// checkBond reports, and counts the lack of, an endpoint proof of node id
// from the address of from: a Pong to our Ping within bondExpiration.
func (t *UDPv4) checkBond(id enode.ID, from netip.AddrPort) bool {
	if t.now().Sub(t.db.LastPongReceived(id, from.Addr())) < bondExpiration {
		return true
	}
	t.stats.unknownSender.Add(1)
	return false
}

// handlePing answers a Ping with a Pong and, if the sender has not proven
// its endpoint, pings it back; the node joins the table once it has.
func (t *UDPv4) handlePing(p *v4wire.Ping, key v4wire.Pubkey, id enode.ID, from netip.AddrPort, hash []byte) {
	t.send(from, &v4wire.Pong{
		To:         v4wire.NewEndpoint(from, p.From.TCP),
		ReplyTok:   hash,
		Expiration: v4wire.Expiration(t.now(), expiration),
		ENRSeq:     t.localNode.Seq(),
	})
	now := t.now()
	t.db.UpdateLastPingReceived(id, from.Addr(), now)
	// Let ensureBond know that the node pinged us.
	t.dispatchReply(id, from.Addr(), p)

	pub, err := v4wire.DecodePubkey(key)
	if err != nil {
		return // Decode recovered it, so this does not happen
	}
	n := enode.NewV4(pub, from.Addr().AsSlice(), int(p.From.TCP), int(from.Port()))
	if now.Sub(t.db.LastPongReceived(id, from.Addr())) < bondExpiration {
		t.tab.addInbound(n)
		return
	}
	select {
	case t.pingBacks <- struct{}{}:
	default:
		return // too many at once; the node may ping again
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer func() { <-t.pingBacks }()
		if _, err := t.ping(t.ctx, n); err == nil {
			t.tab.addInbound(n)
		}
	}()
}

// handleFindnode answers with the table's nodes closest to the target, in
// Neighbors packets of up to MaxNeighbors nodes; an empty table gives one
// empty packet. Nodes on a LAN are not sent to hosts outside it.
func (t *UDPv4) handleFindnode(p *v4wire.Findnode, from netip.AddrPort) {
	closest := t.tab.closest(p.Target.ID(), bucketSize, true)
	resp := v4wire.Neighbors{Expiration: v4wire.Expiration(t.now(), expiration)}
	sent := false
	for _, n := range closest {
		if checkRelayIP(from.Addr(), n.IPAddr()) != nil {
			continue
		}
		wn, err := v4wire.NewNode(n)
		if err != nil {
			continue
		}
		resp.Nodes = append(resp.Nodes, wn)
		if len(resp.Nodes) == v4wire.MaxNeighbors {
			t.send(from, &resp)
			resp.Nodes = resp.Nodes[:0]
			sent = true
		}
	}
	if len(resp.Nodes) > 0 || !sent {
		t.send(from, &resp)
	}
}
