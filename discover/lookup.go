package discover

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/nodedb"
)

// A lookup walks the network towards a target: it asks the closest nodes it
// knows, alpha at a time, for the nodes closest to the target, and keeps
// the bucketSize closest that it has heard of, until all of those have been
// asked. Nodes heard of enter the table, and nodes whose queries keep
// failing leave it. Both protocol versions run the same walk; they differ
// in the query (v4 FINDNODE by target key, v5 FINDNODE by log distances).

// queryFunc asks node n for nodes close to the lookup's target.
type queryFunc func(ctx context.Context, n *enode.Node) []*enode.Node

// runLookup returns the (up to bucketSize) nodes closest to target that it
// found, starting from the table, or from the bootnodes if the table is
// empty. It returns early, with what it has, when ctx ends.
func runLookup(ctx context.Context, tab *table, bootnodes []*enode.Node, target enode.ID, query queryFunc) []*enode.Node {
	result := tab.closest(target, bucketSize, false)
	if len(result) == 0 {
		// An empty table: start from the bootnodes.
		for _, n := range bootnodes {
			if tab.acceptable(n) {
				result = pushClosest(result, target, n, bucketSize)
			}
		}
	}
	type reply struct {
		nodes []*enode.Node
	}
	var (
		asked    = map[enode.ID]bool{tab.selfID: true}
		seen     = map[enode.ID]bool{tab.selfID: true}
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
			go func() { replies <- reply{query(ctx, n)} }()
		}
		if inflight == 0 {
			return result
		}
		r := <-replies
		inflight--
		for _, n := range r.nodes {
			if !seen[n.ID()] {
				seen[n.ID()] = true
				result = pushClosest(result, target, n, bucketSize)
			}
		}
	}
}

// keepQueryBooks does the bookkeeping of one lookup query to n that found
// nodes: found nodes enter the table, and the failure count of n goes up
// (if failed) or down; at maxFindnodeFailures n leaves the table. It does
// nothing once ctx or closing has ended: the query was cut short.
func keepQueryBooks(ctx, closing context.Context, db nodedb.DB, tab *table, log *slog.Logger, n *enode.Node, nodes []*enode.Node, failed bool, err error) {
	if ctx.Err() != nil || closing.Err() != nil {
		return
	}
	addr, aerr := udpAddr(n)
	if aerr != nil {
		return
	}
	id, ip := n.ID(), addr.Addr()
	fails := db.FindFails(id, ip)
	switch {
	case failed:
		fails++
		db.UpdateFindFails(id, ip, fails)
		if fails >= maxFindnodeFailures {
			log.Debug("discovery removed unresponsive node", "id", id, "fails", fails, "err", err)
			tab.remove(n)
		}
	case fails > 0:
		db.UpdateFindFails(id, ip, fails-1)
	}
	for _, fn := range nodes {
		tab.addFound(fn)
	}
}

// lookup returns the (up to bucketSize) nodes closest to target's ID that
// it found. It returns early, with what it has, when ctx ends.
func (t *UDPv4) lookup(ctx context.Context, target v4wire.Pubkey) []*enode.Node {
	defer observeSince(t.lookupTime, time.Now())
	return runLookup(ctx, t.tab, t.cfg.Bootnodes, target.ID(), func(ctx context.Context, n *enode.Node) []*enode.Node {
		return t.query(ctx, n, target)
	})
}

// query sends one FINDNODE of a lookup and keeps the books.
func (t *UDPv4) query(ctx context.Context, n *enode.Node, target v4wire.Pubkey) []*enode.Node {
	if _, err := udpAddr(n); err != nil {
		return nil
	}
	nodes, err := t.findnode(ctx, n, target)
	// v4 FINDNODE returns the closest nodes the recipient knows: none
	// at all is a failure.
	keepQueryBooks(ctx, t.ctx, t.db, t.tab, t.log, n, nodes, len(nodes) == 0, err)
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

// randomID returns a random node ID, a lookup target.
func randomID() enode.ID {
	var id enode.ID
	rand.Read(id[:])
	return id
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
	return newLookupIterator(t.ctx, t.LookupRandom)
}

// lookupIterator is the iterator of RandomNodes: it runs lookups and
// yields what they find.
type lookupIterator struct {
	lookup func(ctx context.Context) []*enode.Node
	ctx    context.Context
	cancel context.CancelFunc
	buf    []*enode.Node
	cur    *enode.Node
}

// newLookupIterator returns an iterator over the results of lookup, which
// it calls again whenever it has yielded all. It ends when parent ends or
// on Close.
func newLookupIterator(parent context.Context, lookup func(ctx context.Context) []*enode.Node) *lookupIterator {
	ctx, cancel := context.WithCancel(parent)
	return &lookupIterator{lookup: lookup, ctx: ctx, cancel: cancel}
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
		it.buf = it.lookup(it.ctx)
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
