package discover

import (
	"context"
	crand "crypto/rand"
	"errors"
	"log/slog"
	"net"
	"net/netip"

	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// handlePacket handles one packet read from the socket. It runs in
// readLoop; it must not block on the network.
func (t *UDPv5) handlePacket(buf []byte, from netip.AddrPort) {
	t.stats.received.Add(1)
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if !t.cfg.allowed(from.Addr()) {
		t.stats.netRestrict.Add(1)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	id, node, p, err := t.codec.Decode(buf, from)
	if node != nil {
		// A completed handshake: the node proved its key, and that it
		// receives at from. If that is the endpoint of its record, it
		// joins the table as live, else unverified; the table pings it
		// at its record's endpoint soon either way.
		if ep, ok := node.UDPEndpoint(); ok && netip.AddrPortFrom(ep.Addr().Unmap(), ep.Port()) == from {
			t.tab.addInbound(node)
		} else {
			t.tab.addFound(node)
		}
	}
	if err != nil {
		t.dropUndecodableLocked(buf, id, from, err)
		return
	}
	if t.log.Enabled(context.Background(), slog.LevelDebug) {
		t.log.Debug("<< "+p.Name(), "id", id, "addr", from)
	}
	switch p := p.(type) {
	case *v5wire.Unknown:
		if errors.Is(p.Reason, v5wire.ErrMessageDecrypt) {
			t.stats.decryptFailed.Add(1)
		} else {
			t.stats.unknownSession.Add(1)
		}
		t.handleUnknownLocked(p, id, from)
	case *v5wire.Whoareyou:
		t.handleWhoareyouLocked(p, from)
	case *v5wire.Ping:
		t.handlePingLocked(p, id, from)
	case *v5wire.Pong:
		if t.matchResponseLocked(id, from, p) {
			t.stats.handled.Add(1)
			if to, ok := p.ToAddrPort(); ok {
				t.localNode.UDPEndpointStatement(from, to)
			}
		}
	case *v5wire.Findnode:
		t.handleFindnodeLocked(p, id, from)
	case *v5wire.Nodes, *v5wire.TalkResponse:
		if t.matchResponseLocked(id, from, p) {
			t.stats.handled.Add(1)
		}
	case *v5wire.TalkRequest:
		t.talk.handle(p, id, from)
	}
}

// dropUndecodableLocked counts a packet that Decode rejected; one that is
// not discovery v5 for us goes to Config.Unhandled.
func (t *UDPv5) dropUndecodableLocked(buf []byte, id enode.ID, from netip.AddrPort, err error) {
	switch {
	case v5wire.IsInvalidHeader(err):
		if t.cfg.Unhandled != nil {
			select {
			case t.cfg.Unhandled <- ReadPacket{Data: append([]byte(nil), buf...), Addr: from}:
				t.stats.unhandled.Add(1)
				return
			default:
			}
		}
		t.stats.notV5.Add(1)
	case errors.Is(err, v5wire.ErrReplayedNonce):
		t.stats.replayed.Add(1)
	case errors.Is(err, v5wire.ErrEmptyMessage), errors.Is(err, v5wire.ErrUnknownMessage),
		errors.Is(err, v5wire.ErrInvalidMessage), errors.Is(err, v5wire.ErrInvalidReqID):
		// Checked before the handshake errors: a bad NODES record is
		// ErrInvalidRecord and ErrInvalidMessage.
		t.stats.badMessage.Add(1)
	case errors.Is(err, v5wire.ErrUnexpectedHandshake):
		t.stats.unexpectedHandshake.Add(1)
	case errors.Is(err, v5wire.ErrNoRecord), errors.Is(err, v5wire.ErrInvalidRecord), errors.Is(err, v5wire.ErrRecordMismatch):
		t.stats.badHandshakeRecord.Add(1)
	case errors.Is(err, v5wire.ErrInvalidAuthKey), errors.Is(err, v5wire.ErrInvalidNonceSig), errors.Is(err, v5wire.ErrMessageDecrypt):
		t.stats.badHandshake.Add(1)
	default:
		t.stats.badHeader.Add(1)
	}
	t.log.Debug("discv5 bad packet", "id", id, "addr", from, "err", err)
}

// handleUnknownLocked answers a message packet that we could not decrypt
// with WHOAREYOU: the challenge pending for the sender if there is one
// (the sender sent several requests before the handshake), else a new one.
// WHOAREYOUs are rate-limited per source IP and in total.
func (t *UDPv5) handleUnknownLocked(u *v5wire.Unknown, id enode.ID, from netip.AddrPort) {
	if !t.limiter.allow(from.Addr(), t.cfg.Clock()) {
		t.stats.rateLimited.Add(1)
		return
	}
	t.stats.handled.Add(1)
	// A challenge still pending for the sender is sent again, as
	// go-ethereum does (its devp2p suite checks it: HandshakeResend): the
	// sender answers it with whichever call it has under way
	// (handleWhoareyouLocked).
	w := t.codec.CurrentChallenge(id, from)
	if w == nil {
		w = &v5wire.Whoareyou{Nonce: u.Nonce}
		crand.Read(w.IDNonce[:])
		if n := t.knownNode(id); n != nil {
			w.Node, w.RecordSeq = n, n.Seq()
		}
	}
	if _, err := t.sendLocked(id, from, w, nil); err == nil {
		t.stats.whoareyouSent.Add(1)
	}
}

// handlePingLocked answers PING with PONG, telling the sender the endpoint
// its packet came from. If the PING announces a newer record of a table
// node, the record is fetched.
func (t *UDPv5) handlePingLocked(p *v5wire.Ping, id enode.ID, from netip.AddrPort) {
	t.stats.handled.Add(1)
	ip := from.Addr()
	t.sendLocked(id, from, &v5wire.Pong{
		ReqID:  p.ReqID,
		ENRSeq: t.localNode.Seq(),
		ToIP:   net.IP(ip.AsSlice()),
		ToPort: from.Port(),
	}, nil)
	if n := t.tab.get(id); n != nil && p.ENRSeq > n.Seq() {
		t.updateRecord(n)
	}
}

// updateRecord fetches n's record, newer than ours, in the background, and
// puts it in the table. At most maxRecordUpdates run at once; others are
// left to revalidation.
func (t *UDPv5) updateRecord(n *enode.Node) {
	select {
	case t.updates <- struct{}{}:
	default:
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer func() { <-t.updates }()
		rn, err := t.requestENR(t.ctx, n)
		if err != nil || rn.Seq() <= n.Seq() {
			return
		}
		t.tab.addFound(rn)
		if t.tab.get(rn.ID()) == rn {
			t.db.UpdateNode(rn)
		}
	}()
}

// handleFindnodeLocked answers FINDNODE with the nodes at the requested
// distances (0: our own record), at most findnodeResultLimit, in as many
// NODES packets as they need. Nodes the requester may not be told about
// (checkRelayIP) are left out. A request for more than
// maxFindnodeDistances distances is dropped.
func (t *UDPv5) handleFindnodeLocked(p *v5wire.Findnode, id enode.ID, from netip.AddrPort) {
	if len(p.Distances) > maxFindnodeDistances {
		t.stats.tooManyDistances.Add(1)
		t.log.Debug("discv5 FINDNODE with too many distances", "id", id, "addr", from, "n", len(p.Distances))
		return
	}
	t.stats.handled.Add(1)
	var (
		nodes    []*enode.Node
		done     [257]bool
		liveOnly = !t.cfg.NoFindnodeLivenessCheck
		relayOK  = func(n *enode.Node) bool { return checkRelayIP(from.Addr(), n.IPAddr()) == nil }
	)
	for _, d := range p.Distances {
		if d > 256 || done[d] || len(nodes) >= findnodeResultLimit {
			continue
		}
		done[d] = true
		if d == 0 {
			nodes = append(nodes, t.localNode.Node())
			continue
		}
		nodes = t.tab.appendAtDistance(nodes, d, liveOnly, findnodeResultLimit, relayOK)
	}
	for _, resp := range packNodes(p.ReqID, nodes) {
		t.sendLocked(id, from, resp, nil)
	}
}

// packNodes splits nodes into NODES messages of at most nodesSizeLimit
// record bytes each, so that every packet stays under 1280 bytes. No nodes
// give one empty message.
func packNodes(reqid []byte, nodes []*enode.Node) []*v5wire.Nodes {
	var (
		msgs []*v5wire.Nodes
		cur  *v5wire.Nodes
		size uint64
	)
	for _, n := range nodes {
		r := n.Record()
		rs := r.Size()
		if cur == nil || size+rs > nodesSizeLimit {
			cur = &v5wire.Nodes{ReqID: reqid}
			msgs = append(msgs, cur)
			size = 0
		}
		cur.Nodes = append(cur.Nodes, r)
		size += rs
	}
	if len(msgs) == 0 {
		msgs = append(msgs, &v5wire.Nodes{ReqID: reqid, Nodes: []*enr.Record{}})
	}
	for _, m := range msgs {
		m.RespCount = uint8(len(msgs))
	}
	return msgs
}
