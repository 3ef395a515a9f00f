package discover

import (
	"errors"
	"net/netip"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/netutil"
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
		if !t.checkExpiration(p.Expiration) {
			return
		}
		t.handlePing(p, key, id, from, hash, len(buf))
	case *v4wire.Pong:
		if !t.checkExpiration(p.Expiration) {
			return
		}
		if !t.dispatchReply(id, from.Addr(), p) {
			t.stats.unsolicited.Add(1)
			return
		}
		if to, ok := p.To.Addr(); ok {
			t.localNode.UDPEndpointStatement(from, netip.AddrPortFrom(to, p.To.UDP))
		}
		now := t.now()
		if !t.bonded(id, from.Addr(), now) {
			// Typically the answer to a ping back of ours: it pays for it.
			t.budget.earn(from.Addr(), len(buf), now)
		}
		t.db.UpdateLastPongReceived(id, from.Addr(), now)
		t.tab.markLive(id)
	case *v4wire.Findnode:
		if !t.checkExpiration(p.Expiration) || !t.checkBond(id, from) {
			return
		}
		t.handleFindnode(p, from)
	case *v4wire.Neighbors:
		if !t.checkExpiration(p.Expiration) {
			return
		}
		if !t.dispatchReply(id, from.Addr(), p) {
			t.stats.unsolicited.Add(1)
			return
		}
	case *v4wire.ENRRequest:
		if !t.checkExpiration(p.Expiration) || !t.checkBond(id, from) {
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

// checkExpiration reports whether a packet expiration is acceptable, and
// counts it if not: in the past (read as go-ethereum reads it, see
// v4wire.ExpiredAt), or more than maxExpirationAhead in the future.
func (t *UDPv4) checkExpiration(ts uint64) bool {
	now := t.now()
	if v4wire.ExpiredAt(ts, now) {
		t.stats.expired.Add(1)
		return false
	}
	// ExpiredAt read ts as a non-negative int64 not before now.
	if int64(ts) > now.Add(maxExpirationAhead).Unix() {
		t.stats.farExpiration.Add(1)
		return false
	}
	return true
}

// bonded reports whether node id proved its endpoint at ip: it answered
// our Ping from there within bondExpiration.
func (t *UDPv4) bonded(id enode.ID, ip netip.Addr, now time.Time) bool {
	return now.Sub(t.db.LastPongReceived(id, ip)) < bondExpiration
}

// checkBond reports, and counts the lack of, an endpoint proof of node id
// from the address of from.
func (t *UDPv4) checkBond(id enode.ID, from netip.AddrPort) bool {
	if t.bonded(id, from.Addr(), t.now()) {
		return true
	}
	t.stats.unknownSender.Add(1)
	return false
}

// budgetExempt reports whether replies to ip skip the reply budget: LAN
// and loopback addresses do unless Config.LimitLAN is set, as they are
// exempt from the table's IP limits. A LAN source address cannot be
// spoofed from outside the LAN, and a local test network (many nodes on
// 127.0.0.1) would otherwise bond at the budget's pace.
func (t *UDPv4) budgetExempt(ip netip.Addr) bool {
	return !t.cfg.LimitLAN && netutil.AddrIsLAN(ip)
}

// handlePing answers a Ping of size bytes with a Pong and, if the sender
// has not proven its endpoint, pings it back; the node joins the table once
// it has. To an unverified sender, the Pong and the ping back go out only
// within the reply budget (udp_budget.go), which the Ping pays into: the
// Pong first, as the sender needs it to bond with us.
func (t *UDPv4) handlePing(p *v4wire.Ping, key v4wire.Pubkey, id enode.ID, from netip.AddrPort, hash []byte, size int) {
	now := t.now()
	bonded := t.bonded(id, from.Addr(), now)
	if !bonded {
		t.budget.earn(from.Addr(), size, now)
	}
	pong, _, err := v4wire.Encode(t.priv, &v4wire.Pong{
		To:         v4wire.NewEndpoint(from, p.From.TCP),
		ReplyTok:   hash,
		Expiration: v4wire.Expiration(now, expiration),
		ENRSeq:     t.localNode.Seq(),
	})
	exempt := bonded || t.budgetExempt(from.Addr())
	answered := err == nil && (exempt || t.budget.spend(from.Addr(), len(pong), now))
	if answered {
		t.write(from, pong)
	} else if err == nil {
		t.stats.pongLimited.Add(1)
	}
	t.db.UpdateLastPingReceived(id, from.Addr(), now)
	// Let ensureBond know that the node pinged us.
	t.dispatchReply(id, from.Addr(), p)

	if !answered {
		return // no ping back either: it would not fit
	}
	if bonded {
		if n := t.pingerNode(key, from, p.From.TCP); n != nil {
			t.tab.addInbound(n)
		}
		return
	}
	select {
	case t.pingBacks <- struct{}{}:
	default:
		t.stats.pingBackLimited.Add(1)
		return // too many at once; the node may ping again
	}
	packet, phash, err := t.encodePing(from, p.From.TCP)
	if err != nil || !(exempt || t.budget.spend(from.Addr(), len(packet), now)) {
		<-t.pingBacks
		t.stats.pingBackLimited.Add(1)
		return
	}
	n := t.pingerNode(key, from, p.From.TCP)
	if n == nil {
		<-t.pingBacks
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer func() { <-t.pingBacks }()
		if _, err := t.sendPing(t.ctx, id, from, packet, phash); err == nil {
			t.tab.addInbound(n)
		}
	}()
}

// pingerNode is the node that pinged us from addr with key, announcing TCP
// port tcp; nil if key is not a curve point, which Decode rules out.
func (t *UDPv4) pingerNode(key v4wire.Pubkey, from netip.AddrPort, tcp uint16) *enode.Node {
	pub, err := v4wire.DecodePubkey(key)
	if err != nil {
		return nil
	}
	return enode.NewV4(pub, from.Addr().AsSlice(), int(tcp), int(from.Port()))
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
