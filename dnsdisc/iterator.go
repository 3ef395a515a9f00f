package dnsdisc

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/seednet/p2p/enode"
)

// randomIterator is the iterator of Client.NewIterator. Next does the
// lookups itself, in the caller's goroutine; Close cancels the context that
// every lookup runs under, which interrupts a blocked Next.
type randomIterator struct {
	c      *Client
	ctx    context.Context
	cancel context.CancelFunc
	roots  []*linkEntry // the trees given to NewIterator
	cur    *enode.Node  // owned by the caller of Next

	mu    sync.Mutex             // guards trees; Close may race with Next
	trees map[string]*clientTree // the trees followed, by "<key>@<domain>"; nil once closed
}

func newRandomIterator(c *Client, roots []*linkEntry) *randomIterator {
	ctx, cancel := context.WithCancel(context.Background())
	it := &randomIterator{c: c, ctx: ctx, cancel: cancel, roots: roots, trees: make(map[string]*clientTree)}
	it.rebuildTrees()
	return it
}

// Node returns the current node.
func (it *randomIterator) Node() *enode.Node { return it.cur }

// Close ends the iterator; a blocked Next returns false.
func (it *randomIterator) Close() {
	it.cancel()
	it.mu.Lock()
	it.trees = nil
	it.mu.Unlock()
}

// Next moves to the next node, waiting for lookups (and for root checks
// when there is nothing else to do) as long as it takes. It returns false
// once the iterator is closed, or at once if it has no trees.
func (it *randomIterator) Next() bool {
	it.cur = it.nextNode()
	return it.cur != nil
}

func (it *randomIterator) nextNode() *enode.Node {
	for {
		ct, wake, ok := it.pickTree()
		if !ok {
			return nil
		}
		if ct == nil {
			if !it.sleepUntil(wake) {
				return nil
			}
			continue
		}
		n, err := ct.syncRandom(it.ctx)
		if ct.linksChanged {
			ct.linksChanged = false
			it.rebuildTrees()
		}
		if it.ctx.Err() != nil {
			return nil
		}
		if err != nil {
			it.c.cfg.Logger.Debug("DNS discovery sync failed", "tree", ct.loc.domain, "err", err)
			continue
		}
		if n != nil {
			return n
		}
	}
}

// pickTree returns a random tree that has something to do. If none has, it
// returns a nil tree and the time of the next root check. ok is false if
// the iterator is closed or has no trees.
func (it *randomIterator) pickTree() (ct *clientTree, wake time.Time, ok bool) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if len(it.trees) == 0 {
		return nil, time.Time{}, false
	}
	now := time.Now()
	var ready []*clientTree
	for _, t := range it.trees {
		if t.canSync(now) {
			ready = append(ready, t)
		} else if next := t.nextRootCheck(); wake.IsZero() || next.Before(wake) {
			wake = next
		}
	}
	if len(ready) == 0 {
		return nil, wake, true
	}
	return ready[rand.IntN(len(ready))], time.Time{}, true
}

// sleepUntil waits until t, returning false if the iterator is closed first.
func (it *randomIterator) sleepUntil(t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-it.ctx.Done():
		return false
	}
}

// rebuildTrees makes the trees followed those reachable from the roots
// through links, at most maxTrees of them, keeping the state of those it
// follows already.
func (it *randomIterator) rebuildTrees() {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.trees == nil {
		return
	}
	next := make(map[string]*clientTree, len(it.trees))
	queue := make([]*linkEntry, 0, len(it.roots))
	add := func(loc *linkEntry) {
		if _, ok := next[loc.str]; ok {
			return
		}
		if len(next) == maxTrees {
			it.c.cfg.Logger.Debug("DNS discovery tree limit reached", "limit", maxTrees, "skipped", loc.domain)
			return
		}
		ct := it.trees[loc.str]
		if ct == nil {
			ct = newClientTree(it.c, loc)
		}
		next[loc.str] = ct
		queue = append(queue, loc)
	}
	for _, loc := range it.roots {
		add(loc)
	}
	for len(queue) > 0 {
		ct := next[queue[0].str]
		queue = queue[1:]
		for _, le := range sortedLinks(ct.linkSet) {
			add(le)
		}
	}
	it.trees = next
}

// sortedLinks returns the links of a link set in a fixed order, so that the
// trees kept under the limit do not change from one rebuild to the next.
func sortedLinks(set map[string]*linkEntry) []*linkEntry {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	links := make([]*linkEntry, len(keys))
	for i, k := range keys {
		links[i] = set[k]
	}
	return links
}
