package discover

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
)

// Errors of discovery v5 requests, besides ErrClosed, ErrTimeout and
// ErrNoUDP.
var (
	// ErrTooManyCalls: a request was refused because too many are queued
	// or waiting already, to its node, its IP or in all (see doc.go).
	ErrTooManyCalls = errors.New("discover: too many requests in flight")
	// ErrSecondWhoareyou: the node answered a request with WHOAREYOU
	// again after our handshake; one handshake is tried per request.
	ErrSecondWhoareyou = errors.New("discover: second WHOAREYOU for one request")
	errZeroDistance    = errors.New("discover: no single record for distance zero")
)

// A call is one request of ours and the wait for its responses. Calls to a
// node run one at a time, in order: the active one is sent, the others
// wait in the node's queue. A call that is answered by WHOAREYOU is sent
// again in a handshake packet, once.
type callV5 struct {
	id       enode.ID
	addr     netip.AddrPort
	node     *enode.Node // for the handshake
	packet   v5wire.Packet
	respType byte
	reqid    []byte

	// resp receives the responses, done the outcome (nil when all
	// responses came) once the call is over. resp has room for every
	// response a call accepts, so that the read loop never blocks.
	resp chan v5wire.Packet
	done chan error

	// Guarded by UDPv5.mu:
	nonce      v5wire.Nonce      // of the packet last sent
	handshakes int               // WHOAREYOUs answered
	challenge  *v5wire.Whoareyou // the one answered
	timer      *time.Timer       // response timeout
	timerGen   int               // which timer is current
	received   int               // responses
	total      int               // NODES packets expected, 0 until the first
	finished   bool
}

// callTable holds the calls. It is guarded by UDPv5.mu.
type callTable struct {
	byNode  map[enode.ID]*callV5     // the active call to each node
	byNonce map[v5wire.Nonce]*callV5 // the active calls, by the nonce of their packet
	queue   map[enode.ID][]*callV5   // calls waiting for the active one
	perNode map[enode.ID]int         // calls active or queued, by node
	perIP   map[netip.Addr]int       // calls active or queued, by IP
	count   int
}

func newCallTable() callTable {
	return callTable{
		byNode:  make(map[enode.ID]*callV5),
		byNonce: make(map[v5wire.Nonce]*callV5),
		queue:   make(map[enode.ID][]*callV5),
		perNode: make(map[enode.ID]int),
		perIP:   make(map[netip.Addr]int),
	}
}

// failAll ends every call with err.
// waitingAt returns the active call to addr that has had no handshake,
// if there is exactly one.
func (ct *callTable) waitingAt(addr netip.AddrPort) *callV5 {
	var found *callV5
	for _, c := range ct.byNode {
		if c.addr == addr && c.handshakes == 0 && !c.finished {
			if found != nil {
				return nil
			}
			found = c
		}
	}
	return found
}

func (ct *callTable) failAll(err error) {
	for _, c := range ct.byNode {
		c.finished = true
		if c.timer != nil {
			c.timer.Stop()
		}
		c.done <- err
	}
	for _, q := range ct.queue {
		for _, c := range q {
			c.finished = true
			c.done <- err
		}
	}
	*ct = newCallTable()
}

// call starts a request of packet to n, whose responses are of type
// respType. The request is sent at once, or after the calls to n before it.
func (t *UDPv5) call(n *enode.Node, respType byte, packet v5wire.Packet) (*callV5, error) {
	addr, err := udpAddr(n)
	if err != nil {
		return nil, err
	}
	c := &callV5{
		id:       n.ID(),
		addr:     addr,
		node:     n,
		packet:   packet,
		respType: respType,
		reqid:    make([]byte, 8),
		resp:     make(chan v5wire.Packet, totalNodesResponseLimit),
		done:     make(chan error, 1),
	}
	crand.Read(c.reqid)
	packet.SetRequestID(c.reqid)

	t.mu.Lock()
	defer t.mu.Unlock()
	ct := &t.calls
	switch {
	case t.closed:
		return nil, ErrClosed
	case ct.count >= maxCalls, ct.perNode[c.id] >= maxCallsPerNode, ct.perIP[addr.Addr()] >= maxCallsPerIP:
		return nil, ErrTooManyCalls
	}
	ct.count++
	ct.perNode[c.id]++
	ct.perIP[addr.Addr()]++
	ct.queue[c.id] = append(ct.queue[c.id], c)
	t.startNextLocked(c.id)
	return c, nil
}

// wait waits for the end of call c and returns its responses. If ctx ends
// first, the call is abandoned.
func (t *UDPv5) wait(ctx context.Context, c *callV5) ([]v5wire.Packet, error) {
	var err error
	select {
	case err = <-c.done:
	case <-ctx.Done():
		t.mu.Lock()
		t.finishLocked(c, ctx.Err())
		t.mu.Unlock()
		err = <-c.done
	}
	// The call is finished: nothing is sent to resp anymore.
	var resps []v5wire.Packet
	for {
		select {
		case p := <-c.resp:
			resps = append(resps, p)
		default:
			return resps, err
		}
	}
}

// startNextLocked makes the first queued call to id active and sends it,
// unless a call to id is active.
func (t *UDPv5) startNextLocked(id enode.ID) {
	ct := &t.calls
	q := ct.queue[id]
	if len(q) == 0 || ct.byNode[id] != nil {
		return
	}
	c := q[0]
	if len(q) == 1 {
		delete(ct.queue, id)
	} else {
		ct.queue[id] = q[1:]
	}
	ct.byNode[id] = c
	if c.packet.Kind() == v5wire.PingMsg {
		t.localNode.UDPContact(c.addr)
	}
	t.sendCallLocked(c)
}

// sendCallLocked sends the active call c, in a handshake packet if it has
// a challenge, and starts its timeout.
func (t *UDPv5) sendCallLocked(c *callV5) {
	delete(t.calls.byNonce, c.nonce)
	nonce, err := t.sendLocked(c.id, c.addr, c.packet, c.challenge)
	if err != nil {
		t.finishLocked(c, err)
		return
	}
	c.nonce = nonce
	t.calls.byNonce[nonce] = c
	t.startTimeoutLocked(c)
}

// startTimeoutLocked (re)starts the response timeout of c.
func (t *UDPv5) startTimeoutLocked(c *callV5) {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timerGen++
	gen := c.timerGen
	c.timer = time.AfterFunc(t.respTimeout, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if c.timerGen == gen {
			t.finishLocked(c, ErrTimeout)
		}
	})
}

// finishLocked ends c with err (nil: complete) unless it has ended, and
// starts the next call to its node.
func (t *UDPv5) finishLocked(c *callV5, err error) {
	if c.finished {
		return
	}
	c.finished = true
	if c.timer != nil {
		c.timer.Stop()
	}
	ct := &t.calls
	active := ct.byNode[c.id] == c
	if active {
		delete(ct.byNode, c.id)
		if ct.byNonce[c.nonce] == c {
			delete(ct.byNonce, c.nonce)
		}
	} else if q := ct.queue[c.id]; len(q) > 0 {
		q = slices.DeleteFunc(q, func(qc *callV5) bool { return qc == c })
		if len(q) == 0 {
			delete(ct.queue, c.id)
		} else {
			ct.queue[c.id] = q
		}
	}
	ct.count--
	if ct.perNode[c.id]--; ct.perNode[c.id] <= 0 {
		delete(ct.perNode, c.id)
	}
	ip := c.addr.Addr()
	if ct.perIP[ip]--; ct.perIP[ip] <= 0 {
		delete(ct.perIP, ip)
	}
	c.done <- err
	if active {
		t.startNextLocked(c.id)
	}
}

// matchResponseLocked hands p, a response from node id at from, to the
// call it answers, and reports whether there is one.
func (t *UDPv5) matchResponseLocked(id enode.ID, from netip.AddrPort, p v5wire.Packet) bool {
	c := t.calls.byNode[id]
	if c == nil || c.addr != from || c.respType != p.Kind() || !bytes.Equal(c.reqid, p.RequestID()) {
		t.stats.unsolicitedResponse.Add(1)
		t.log.Debug("discv5 unsolicited "+p.Name(), "id", id, "addr", from)
		return false
	}
	c.resp <- p
	c.received++
	complete := true
	if nodes, ok := p.(*v5wire.Nodes); ok {
		if c.total == 0 {
			c.total = max(1, int(nodes.RespCount))
			if c.total > totalNodesResponseLimit {
				t.stats.nodesTotalCapped.Add(1)
				c.total = totalNodesResponseLimit
			}
		}
		complete = c.received >= c.total
	}
	if complete {
		t.finishLocked(c, nil)
	} else {
		t.startTimeoutLocked(c)
	}
	return true
}

// handleWhoareyouLocked answers a WHOAREYOU: the call whose packet it
// names is sent again in a handshake packet, once. A node repeats its
// pending challenge to a new packet (go-ethereum does, and so do we), so a
// WHOAREYOU can name the packet of a call that timed out meanwhile: then
// the call under way to that address, if it has not had a handshake yet,
// answers it (the handshake proves our identity against the challenge,
// whichever message it carries).
func (t *UDPv5) handleWhoareyouLocked(w *v5wire.Whoareyou, from netip.AddrPort) {
	c := t.calls.byNonce[w.Nonce]
	if c == nil {
		c = t.calls.waitingAt(from)
	}
	if c == nil || c.addr != from {
		t.stats.unsolicitedWhoareyou.Add(1)
		t.log.Debug("discv5 unsolicited WHOAREYOU", "addr", from)
		return
	}
	if c.handshakes > 0 {
		t.stats.repeatedWhoareyou.Add(1)
		t.log.Debug("discv5 second WHOAREYOU for a call", "id", c.id, "addr", from)
		t.finishLocked(c, ErrSecondWhoareyou)
		return
	}
	t.stats.handled.Add(1)
	c.handshakes++
	w.Node = c.node
	c.challenge = w
	t.sendCallLocked(c)
}

// ping sends PING to n and waits for PONG; it implements transport.
func (t *UDPv5) ping(ctx context.Context, n *enode.Node) (uint64, error) {
	pong, err := t.pingCtx(ctx, n)
	if err != nil {
		return 0, err
	}
	return pong.ENRSeq, nil
}

func (t *UDPv5) pingCtx(ctx context.Context, n *enode.Node) (*v5wire.Pong, error) {
	c, err := t.call(n, v5wire.PongMsg, &v5wire.Ping{ENRSeq: t.localNode.Seq()})
	if err != nil {
		return nil, err
	}
	resps, err := t.wait(ctx, c)
	if err != nil {
		return nil, err
	}
	return resps[0].(*v5wire.Pong), nil
}

// Ping sends PING to n and returns its PONG. A PONG that announces a newer
// record than n's does not fetch it; the table's revalidation does that for
// table nodes.
func (t *UDPv5) Ping(n *enode.Node) (*v5wire.Pong, error) {
	return t.pingCtx(t.ctx, n)
}

// findnode asks n for the nodes at the given log distances from it and
// returns those of its NODES responses that pass the checks (verified
// record, at a requested distance, relayable address, UDP port above 1024,
// within NetRestrict, no duplicates). It returns the nodes it got also when
// the responses end with an error.
func (t *UDPv5) findnode(ctx context.Context, n *enode.Node, distances []uint) ([]*enode.Node, error) {
	c, err := t.call(n, v5wire.NodesMsg, &v5wire.Findnode{Distances: distances})
	if err != nil {
		return nil, err
	}
	resps, err := t.wait(ctx, c)
	var (
		nodes []*enode.Node
		seen  = make(map[enode.ID]bool)
	)
	for _, p := range resps {
		verified, verr := p.(*v5wire.Nodes).VerifiedNodes()
		if verr != nil {
			t.stats.badNodes.Add(uint64(len(p.(*v5wire.Nodes).Nodes) - len(verified)))
		}
		for _, rn := range verified {
			if !t.acceptNode(c, rn, distances, seen) {
				t.stats.badNodes.Add(1)
				continue
			}
			nodes = append(nodes, rn)
		}
	}
	return nodes, err
}

// acceptNode checks a node of a NODES response to call c.
func (t *UDPv5) acceptNode(c *callV5, n *enode.Node, distances []uint, seen map[enode.ID]bool) bool {
	if seen[n.ID()] || !slices.Contains(distances, uint(enode.LogDist(c.id, n.ID()))) {
		return false
	}
	seen[n.ID()] = true
	if n.ID() == c.id {
		return true // the node's own record, distance 0
	}
	ip := n.IPAddr()
	return checkRelayIP(c.addr.Addr(), ip) == nil && n.UDP() > 1024 && t.cfg.allowed(ip)
}

// Findnode asks n for the nodes at the given log distances from it (0 is
// n itself), and returns those that pass the checks.
func (t *UDPv5) Findnode(n *enode.Node, distances []uint) ([]*enode.Node, error) {
	return t.findnode(t.ctx, n, distances)
}

// requestENR asks n for its record with FINDNODE for distance 0; it
// implements transport.
func (t *UDPv5) requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	nodes, err := t.findnode(ctx, n, []uint{0})
	if err != nil {
		return nil, err
	}
	if len(nodes) != 1 {
		return nil, errZeroDistance
	}
	return nodes[0], nil
}

// RequestENR asks n for its current record.
func (t *UDPv5) RequestENR(n *enode.Node) (*enode.Node, error) {
	return t.requestENR(t.ctx, n)
}

// TalkRequest sends a TALKREQ of the given protocol to n and returns the
// message of its TALKRESP; an empty one means that n does not know the
// protocol (or chose to answer so).
func (t *UDPv5) TalkRequest(n *enode.Node, protocol string, request []byte) ([]byte, error) {
	c, err := t.call(n, v5wire.TalkResponseMsg, &v5wire.TalkRequest{Protocol: protocol, Message: request})
	if err != nil {
		return nil, err
	}
	resps, err := t.wait(t.ctx, c)
	if err != nil {
		return nil, err
	}
	return resps[0].(*v5wire.TalkResponse).Message, nil
}
