package discover

import (
	"context"
	"slices"
	"time"

	"github.com/seednet/p2p/enode"
)

// lookup runs a lookup of target (see runLookup): each node is asked with
// FINDNODE for the distances around its distance to the target.
func (t *UDPv5) lookup(ctx context.Context, target enode.ID) []*enode.Node {
	defer observeSince(t.lookupTime, time.Now())
	self := t.localNode.ID()
	return runLookup(ctx, t.tab, t.cfg.Bootnodes, target, func(ctx context.Context, n *enode.Node) []*enode.Node {
		nodes, err := t.findnode(ctx, n, lookupDistances(target, n.ID()))
		nodes = slices.DeleteFunc(nodes, func(fn *enode.Node) bool { return fn.ID() == self })
		// An empty answer is fine in v5 (no nodes at those distances);
		// a request that got no answer at all is a failure.
		keepQueryBooks(ctx, t.ctx, t.db, t.tab, t.log, n, nodes, err != nil && len(nodes) == 0, err)
		return nodes
	})
}

// lookupDistances returns the distances a lookup of target asks node dest
// for: lookupRequestLimit of them, the log distance between the two first,
// then those next to it, above and below in turn, within 1 to 256. For a
// target at distance 255 from dest it is [255, 256, 254]; this is
// go-ethereum's choice.
func lookupDistances(target, dest enode.ID) []uint {
	td := enode.LogDist(target, dest)
	dists := []uint{uint(td)}
	for i := 1; len(dists) < lookupRequestLimit && (td+i <= 256 || td-i > 0); i++ {
		if td+i <= 256 {
			dists = append(dists, uint(td+i))
		}
		if td-i > 0 && len(dists) < lookupRequestLimit {
			dists = append(dists, uint(td-i))
		}
	}
	return dists
}

// refresh implements transport: a lookup of our own ID, then three of
// random targets.
func (t *UDPv5) refresh(ctx context.Context) {
	t.lookup(ctx, t.localNode.ID())
	for range 3 {
		if ctx.Err() != nil {
			return
		}
		t.lookup(ctx, randomID())
	}
}

// Lookup returns the nodes closest to target that a lookup finds, closest
// first, at most 16.
func (t *UDPv5) Lookup(target enode.ID) []*enode.Node {
	return t.lookup(t.ctx, target)
}

// lookupRandom runs a lookup of a random target.
func (t *UDPv5) lookupRandom(ctx context.Context) []*enode.Node {
	return t.lookup(ctx, randomID())
}

// RandomNodes returns an endless iterator over the results of lookups of
// random targets, for the dialer. Close ends it; so does closing t.
func (t *UDPv5) RandomNodes() enode.Iterator {
	return newLookupIterator(t.ctx, t.lookupRandom)
}

// Resolve returns the newest record of n that it can find: the table's if
// it is newer, then n's answer to RequestENR, or else what a lookup of n's
// ID finds. It returns n itself if nothing newer turns up.
func (t *UDPv5) Resolve(n *enode.Node) *enode.Node {
	if tn := t.tab.get(n.ID()); tn != nil && tn.Seq() > n.Seq() {
		n = tn
	}
	if rn, err := t.RequestENR(n); err == nil {
		return rn
	}
	for _, fn := range t.Lookup(n.ID()) {
		if fn.ID() == n.ID() && fn.Seq() > n.Seq() {
			return fn
		}
	}
	return n
}
