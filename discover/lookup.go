package discover

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
)

// A lookup walks the network towards a target: it asks the closest nodes it
// knows, alpha at a time, for the nodes closest to the target, and keeps
// the bucketSize closest that it has heard of, until all of those have been
// asked. Nodes heard of enter the table, and nodes whose queries keep
// failing leave it.

// lookup returns the (up to bucketSize) nodes closest to target's ID that
// it found. It returns early, with what it has, when ctx ends.
func (t *UDPv4) lookup(ctx context.Context, target v4wire.Pubkey) []*enode.Node {
	tid := target.ID()
	result := t.tab.closest(tid, bucketSize, false)
	if len(result) == 0 {
		// An empty table: start from the bootnodes.
		for _, n := range t.cfg.Bootnodes {
			if t.tab.acceptable(n) {
				result = pushClosest(result, tid, n, bucketSize)
			}
		}
	}
	type reply struct {
		from  *enode.Node
		nodes []*enode.Node
	}
	var (
		asked    = map[enode.ID]bool{t.localNode.ID(): true}
		seen     = map[enode.ID]bool{t.localNode.ID(): true}
		replies  = make(chan reply, alpha)
		inflight = 0
	)
	for _, n := range result {
		seen[n.ID()] = true
	}
	for {
		for i := 0; i < len(result) && inflight < alpha && ctx.Err() == nil; i++ {
			n := result[i]
			if asked[n.ID()] {
				continue
			}
			asked[n.ID()] = true
			inflight++
			go func() { replies <- reply{n, t.query(ctx, n, target)} }()
		}
		if inflight == 0 {
			return result
		}
		r := <-replies
		inflight--
		for _, n := range r.nodes {
			if !seen[n.ID()] {
				seen[n.ID()] = true
				result = pushClosest(result, tid, n, bucketSize)
			}
		}
	}
}

// query sends one FINDNODE of a lookup and keeps the books: found nodes
// enter the table, and the failure count of the queried node goes up or
// down; at maxFindnodeFailures it leaves the table.
func (t *UDPv4) query(ctx context.Context, n *enode.Node, target v4wire.Pubkey) []*enode.Node {
	addr, err := udpAddr(n)
	if err != nil {
		return nil
	}
	id, ip := n.ID(), addr.Addr()
	fails := t.db.FindFails(id, ip)
	nodes, err := t.findnode(ctx, n, target)
	if ctx.Err() != nil || t.ctx.Err() != nil {
		return nodes
	}
	switch {
	case len(nodes) == 0:
		fails++
		t.db.UpdateFindFails(id, ip, fails)
		if fails >= maxFindnodeFailures {
			t.log.Debug("discv4 removed unresponsive node", "id", id, "fails", fails, "err", err)
			t.tab.remove(n)
		}
	case fails > 0:
		t.db.UpdateFindFails(id, ip, fails-1)
	}
	for _, fn := range nodes {
		t.tab.addFound(fn)
	}
	return nodes
}

// refresh implements transport: a lookup of our own ID, then three of
// random targets.
func (t *UDPv4) refresh(ctx context.Context) {
	t.lookup(ctx, v4wire.EncodePubkey(&t.priv.PublicKey))
	for range 3 {
		if ctx.Err() != nil {
			return
		}
		t.lookup(ctx, randomTarget())
	}
}

// randomTarget returns a random 64-byte target. It need not be a curve
// point: only its hash matters.
func randomTarget() v4wire.Pubkey {
	var k v4wire.Pubkey
	rand.Read(k[:])
	return k
}

// LookupPubkey returns the nodes closest to the node ID of key that a
// lookup finds, closest first.
func (t *UDPv4) LookupPubkey(ctx context.Context, key v4wire.Pubkey) []*enode.Node {
	return t.lookup(ctx, key)
}

// LookupRandom runs a lookup of a random target and returns what it found.
func (t *UDPv4) LookupRandom(ctx context.Context) []*enode.Node {
	return t.lookup(ctx, randomTarget())
}

// Resolve returns the newest record of n that it can find: it asks n for
// its record and, if n does not answer, looks n up and asks the node found.
// It returns n itself if nothing newer turns up.
func (t *UDPv4) Resolve(ctx context.Context, n *enode.Node) *enode.Node {
	if rn, err := t.requestENR(ctx, n); err == nil {
		return rn
	}
	pub := n.Pubkey()
	if pub == nil {
		return n
	}
	for _, fn := range t.lookup(ctx, v4wire.EncodePubkey(pub)) {
		if fn.ID() != n.ID() {
			continue
		}
		if rn, err := t.requestENR(ctx, fn); err == nil {
			return rn
		}
		if fn.Seq() > n.Seq() {
			return fn
		}
	}
	return n
}

// RandomNodes returns an endless iterator over the results of lookups of
// random targets, for the dialer. Close ends it; so does closing t.
func (t *UDPv4) RandomNodes() enode.Iterator {
	ctx, cancel := context.WithCancel(t.ctx)
	return &lookupIterator{t: t, ctx: ctx, cancel: cancel}
}

// lookupIterator is the iterator of RandomNodes.
type lookupIterator struct {
	t      *UDPv4
	ctx    context.Context
	cancel context.CancelFunc
	buf    []*enode.Node
	cur    *enode.Node
}

// emptyLookupDelay is how long the iterator waits after a lookup found
// nothing, so that an isolated node does not spin.
const emptyLookupDelay = time.Second

// Next implements enode.Iterator.
func (it *lookupIterator) Next() bool {
	it.cur = nil
	for len(it.buf) == 0 {
		if it.ctx.Err() != nil {
			return false
		}
		it.buf = it.t.lookup(it.ctx, randomTarget())
		if len(it.buf) == 0 {
			select {
			case <-it.ctx.Done():
			case <-time.After(emptyLookupDelay):
			}
		}
	}
	if it.ctx.Err() != nil {
		it.buf = nil
		return false
	}
	it.cur, it.buf = it.buf[0], it.buf[1:]
	return true
}

// Node implements enode.Iterator.
func (it *lookupIterator) Node() *enode.Node { return it.cur }

// Close implements enode.Iterator.
func (it *lookupIterator) Close() { it.cancel() }
