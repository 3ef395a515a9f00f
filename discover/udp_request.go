package discover

import (
	"bytes"
	"context"
	"net/netip"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
)

// replyMatcher is a reply we wait for: a packet of type ptype from node id at
// address ip. match is called, with UDPv4.mu held, for each such packet; it
// reports whether the packet belongs to this request and whether the request
// is complete. Packets it does not match count as unsolicited.
type replyMatcher struct {
	id    enode.ID
	ip    netip.Addr
	ptype byte
	match func(p v4wire.Packet) (matched, done bool)
	done  chan struct{} // closed when match reports done
}

// expect registers a matcher. It must be called before the request is sent,
// as the reply may come at once.
func (t *UDPv4) expect(id enode.ID, ip netip.Addr, ptype byte, match func(v4wire.Packet) (bool, bool)) *replyMatcher {
	m := &replyMatcher{id: id, ip: ip.Unmap(), ptype: ptype, match: match, done: make(chan struct{})}
	t.mu.Lock()
	t.pending = append(t.pending, m)
	t.mu.Unlock()
	return m
}

// dispatchReply offers p to the matchers waiting for it and reports whether
// one took it.
func (t *UDPv4) dispatchReply(id enode.ID, ip netip.Addr, p v4wire.Packet) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, m := range t.pending {
		if m.id != id || m.ip != ip || m.ptype != p.Kind() {
			continue
		}
		matched, done := m.match(p)
		if !matched {
			continue
		}
		if done {
			t.pending = append(t.pending[:i], t.pending[i+1:]...)
			close(m.done)
		}
		return true
	}
	return false
}

// wait waits until m is done, timeout passes, ctx ends or t closes; it
// unregisters m either way.
func (t *UDPv4) wait(ctx context.Context, m *replyMatcher, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	select {
	case <-m.done:
		return nil
	case <-timer.C:
		err = ErrTimeout
	case <-ctx.Done():
		err = ctx.Err()
	case <-t.ctx.Done():
		err = ErrClosed
	}
	if !t.unexpect(m) {
		return nil // completed while we were timing out
	}
	return err
}

// unexpect unregisters m and reports whether it was still registered.
func (t *UDPv4) unexpect(m *replyMatcher) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, pm := range t.pending {
		if pm == m {
			t.pending = append(t.pending[:i], t.pending[i+1:]...)
			return true
		}
	}
	return false
}

// ping sends a Ping to n and waits for the Pong. It returns the sequence
// number of n's record that the Pong announced.
func (t *UDPv4) ping(ctx context.Context, n *enode.Node) (uint64, error) {
	addr, err := udpAddr(n)
	if err != nil {
		return 0, err
	}
	packet, hash, err := t.encodePing(addr, uint16(n.TCP()))
	if err != nil {
		return 0, err
	}
	return t.sendPing(ctx, n.ID(), addr, packet, hash)
}

// encodePing encodes a Ping to the node at addr with TCP port tcp.
func (t *UDPv4) encodePing(addr netip.AddrPort, tcp uint16) (packet, hash []byte, err error) {
	return v4wire.Encode(t.priv, &v4wire.Ping{
		Version:    4,
		From:       t.ourEndpoint(),
		To:         v4wire.NewEndpoint(addr, tcp),
		Expiration: v4wire.Expiration(t.now(), expiration),
		ENRSeq:     t.localNode.Seq(),
	})
}

// sendPing sends packet, a Ping with hash hash, to node id at addr and
// waits for the Pong. It returns the sequence number of the node's record
// that the Pong announced.
func (t *UDPv4) sendPing(ctx context.Context, id enode.ID, addr netip.AddrPort, packet, hash []byte) (uint64, error) {
	var seq uint64
	m := t.expect(id, addr.Addr(), v4wire.PongPacket, func(p v4wire.Packet) (bool, bool) {
		pong := p.(*v4wire.Pong)
		if !bytes.Equal(pong.ReplyTok, hash) {
			return false, false
		}
		seq = pong.ENRSeq
		return true, true
	})
	t.localNode.UDPContact(addr)
	if err := t.write(addr, packet); err != nil {
		t.unexpect(m)
		return 0, err
	}
	if err := t.wait(ctx, m, respTimeout); err != nil {
		return 0, err
	}
	return seq, nil
}

// Ping sends a Ping to n and waits for its Pong.
func (t *UDPv4) Ping(ctx context.Context, n *enode.Node) error {
	_, err := t.ping(ctx, n)
	return err
}

// ensureBond makes sure that n holds an endpoint proof for us before we
// query it: unless n pinged us within bondExpiration and our last query to
// it did not fail, we ping it and give it respTimeout to ping us back. (A
// ping back of n's that we answered too late leaves n without a proof
// although it pinged us; the failed query makes us bond again.)
func (t *UDPv4) ensureBond(ctx context.Context, n *enode.Node, addr netip.AddrPort) {
	id, ip := n.ID(), addr.Addr()
	tooOld := t.now().Sub(t.db.LastPingReceived(id, ip)) > bondExpiration
	if !tooOld && t.db.FindFails(id, ip) == 0 {
		return
	}
	// The ping back is an ordinary Ping handled by handlePing, which
	// offers it to the matchers after answering it.
	pinged := t.expect(id, ip, v4wire.PingPacket, func(v4wire.Packet) (bool, bool) { return true, true })
	if _, err := t.ping(ctx, n); err != nil {
		t.unexpect(pinged)
		return
	}
	t.wait(ctx, pinged, respTimeout)
}

// findnode asks n for the nodes closest to target and collects up to
// bucketSize of them from its Neighbors packets. It returns the nodes it got
// also when the reply ends with an error (a timeout after some nodes).
func (t *UDPv4) findnode(ctx context.Context, n *enode.Node, target v4wire.Pubkey) ([]*enode.Node, error) {
	addr, err := udpAddr(n)
	if err != nil {
		return nil, err
	}
	t.ensureBond(ctx, n, addr)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var (
		nodes    []*enode.Node
		received int
		self     = t.localNode.ID()
	)
	m := t.expect(n.ID(), addr.Addr(), v4wire.NeighborsPacket, func(p v4wire.Packet) (bool, bool) {
		for _, rn := range p.(*v4wire.Neighbors).Nodes {
			received++
			nn, err := t.nodeFromWire(addr.Addr(), rn)
			if err != nil || nn.ID() == self {
				continue
			}
			nodes = append(nodes, nn)
		}
		return true, received >= bucketSize
	})
	_, err = t.send(addr, &v4wire.Findnode{Target: target, Expiration: v4wire.Expiration(t.now(), expiration)})
	if err == nil {
		err = t.wait(ctx, m, respTimeout)
	} else {
		t.unexpect(m)
	}
	// The matcher is unregistered now: nodes is ours.
	return nodes, err
}

// nodeFromWire checks a node of a Neighbors packet from sender.
func (t *UDPv4) nodeFromWire(sender netip.Addr, rn v4wire.Node) (*enode.Node, error) {
	ip, ok := rn.Addr()
	if !ok {
		return nil, errSpecialIP
	}
	if err := checkRelayIP(sender, ip); err != nil {
		return nil, err
	}
	if rn.UDP <= 1024 {
		return nil, errLowPort
	}
	if !t.cfg.allowed(ip) {
		return nil, errSpecialIP
	}
	key, err := v4wire.DecodePubkey(rn.ID)
	if err != nil {
		return nil, err
	}
	return enode.NewV4(key, ip.AsSlice(), int(rn.TCP), int(rn.UDP)), nil
}

// requestENR asks n for its record and checks the answer.
func (t *UDPv4) requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	addr, err := udpAddr(n)
	if err != nil {
		return nil, err
	}
	t.ensureBond(ctx, n, addr)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	packet, hash, err := v4wire.Encode(t.priv, &v4wire.ENRRequest{Expiration: v4wire.Expiration(t.now(), expiration)})
	if err != nil {
		return nil, err
	}
	var resp *v4wire.ENRResponse
	m := t.expect(n.ID(), addr.Addr(), v4wire.ENRResponsePacket, func(p v4wire.Packet) (bool, bool) {
		r := p.(*v4wire.ENRResponse)
		if !bytes.Equal(r.ReplyTok, hash) {
			return false, false
		}
		resp = r
		return true, true
	})
	if err := t.write(addr, packet); err != nil {
		t.unexpect(m)
		return nil, err
	}
	if err := t.wait(ctx, m, respTimeout); err != nil {
		return nil, err
	}
	rn, err := enode.New(t.cfg.ValidSchemes, &resp.Record)
	if err != nil {
		return nil, errBadENR
	}
	if rn.ID() != n.ID() {
		return nil, errWrongID
	}
	if rn.Seq() < n.Seq() {
		return n, nil // the one we have is newer
	}
	if ip := rn.IPAddr(); ip.IsValid() && checkRelayIP(addr.Addr(), ip) != nil {
		return nil, errBadENR
	}
	return rn, nil
}

// RequestENR asks n for its current record.
func (t *UDPv4) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	return t.requestENR(ctx, n)
}
