package dnsdisc

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/seednet/p2p/enode"
)

// Bounds of syncing, so that no tree can make a client work or grow without
// end. Real trees are far smaller: MakeTree (ours or go-ethereum's) puts
// 28,561 nodes (13^4) four branch levels below the subtree's root.
const (
	maxDepth       = 32      // branch levels below a subtree's root
	maxTreeEntries = 1 << 16 // entries (branches and leaves) of one subtree
	maxTrees       = 256     // trees one iterator follows, the given ones and those linked

	// After this many entry lookups in a row fail, the iterator looks up
	// the root again (the tree has probably been replaced), at most once
	// per rootRetryDelay.
	rootRecheckFailCount = 5
	// A tree whose root lookup failed is tried again after this delay,
	// doubled after each further failure up to RecheckInterval or
	// maxRootRetryDelay, whichever is shorter.
	rootRetryDelay    = time.Second
	maxRootRetryDelay = 5 * time.Minute
)

// pendingHash is an entry still to be resolved, with its depth below the
// subtree's root (0 for the root).
type pendingHash struct {
	hash  string
	depth int
}

// subtreeSync is the traversal of a node or link subtree.
type subtreeSync struct {
	c    *Client
	loc  *linkEntry
	root string // hash of the subtree's root
	link bool   // the link subtree, else the node subtree

	missing []pendingHash       // entries still to resolve
	seen    map[string]struct{} // hashes resolved or missing: no entry twice
	leaves  int                 // leaves resolved
	failed  int                 // entries that could not be resolved
}

func newSubtreeSync(c *Client, loc *linkEntry, root string, link bool) *subtreeSync {
	return &subtreeSync{
		c: c, loc: loc, root: root, link: link,
		missing: []pendingHash{{root, 0}},
		seen:    map[string]struct{}{root: {}},
	}
}

func (s *subtreeSync) done() bool { return len(s.missing) == 0 }

// resolve resolves the entry missing[i] and takes it off the list, unless
// ctx ended first. A branch's children are added to the list. An entry
// that fails is not tried again by this traversal.
func (s *subtreeSync) resolve(ctx context.Context, i int) (string, entry, error) {
	p := s.missing[i]
	e, err := s.c.resolveEntry(ctx, s.loc.domain, p.hash)
	if err != nil && ctx.Err() != nil {
		return p.hash, nil, err // interrupted: still missing
	}
	last := len(s.missing) - 1
	s.missing[i] = s.missing[last]
	s.missing = s.missing[:last]
	if err == nil {
		err = s.add(p, e)
	}
	if err != nil {
		s.failed++
		return p.hash, nil, err
	}
	return p.hash, e, nil
}

// add checks a resolved entry against its place in the tree and queues a
// branch's children.
func (s *subtreeSync) add(p pendingHash, e entry) error {
	switch e := e.(type) {
	case *enrEntry:
		if s.link {
			return &NameError{p.hash + "." + s.loc.domain, ErrENRInLinkTree}
		}
		s.leaves++
	case *linkEntry:
		if !s.link {
			return &NameError{p.hash + "." + s.loc.domain, ErrLinkInENRTree}
		}
		s.leaves++
	case *branchEntry:
		if len(e.children) > 0 && p.depth >= maxDepth {
			return &NameError{p.hash + "." + s.loc.domain, ErrTooDeep}
		}
		added := 0
		for _, h := range e.children {
			if _, ok := s.seen[h]; !ok {
				added++
			}
		}
		if len(s.seen)+added > maxTreeEntries {
			return &NameError{p.hash + "." + s.loc.domain, ErrTooManyEntries}
		}
		for _, h := range e.children {
			if _, ok := s.seen[h]; !ok {
				s.seen[h] = struct{}{}
				s.missing = append(s.missing, pendingHash{h, p.depth + 1})
			}
		}
	}
	return nil
}

// clientTree is an iterator's state of one tree. Only the goroutine that
// calls the iterator's Next touches it.
type clientTree struct {
	c   *Client
	loc *linkEntry

	root          *rootEntry // nil until a root was found
	lastRootCheck time.Time  // zero before the first root lookup
	rootFails     int        // failed root lookups in a row
	leafFails     int        // failed entry lookups in a row

	enrs, links *subtreeSync // nil until a root was found

	linkSet      map[string]*linkEntry // links of the tree, from the last link sync
	newLinks     map[string]*linkEntry // links found by the current link sync
	linksPartial bool                  // the last link sync had failures: sync again at the next root check
	linksChanged bool                  // linkSet changed; the iterator resets it
}

func newClientTree(c *Client, loc *linkEntry) *clientTree {
	return &clientTree{c: c, loc: loc}
}

// nextRootCheck returns when the root should be looked up next.
func (ct *clientTree) nextRootCheck() time.Time {
	recheck := ct.c.cfg.RecheckInterval
	switch {
	case ct.lastRootCheck.IsZero():
		return ct.lastRootCheck
	case ct.rootFails > 0:
		delay := rootRetryDelay << min(ct.rootFails-1, 20)
		return ct.lastRootCheck.Add(min(delay, recheck, maxRootRetryDelay))
	case ct.leafFails >= rootRecheckFailCount:
		return ct.lastRootCheck.Add(min(rootRetryDelay, recheck))
	default:
		return ct.lastRootCheck.Add(recheck)
	}
}

func (ct *clientTree) rootDue(now time.Time) bool {
	return !now.Before(ct.nextRootCheck())
}

// canSync reports whether syncRandom has anything to do now: a root to
// check, or entries to resolve. A tree whose node subtree has been
// traversed without finding a node is idle until its next root check.
func (ct *clientTree) canSync(now time.Time) bool {
	if ct.rootDue(now) {
		return true
	}
	return ct.root != nil && (!ct.links.done() || !ct.enrs.done() || ct.enrs.leaves > 0)
}

// syncRandom does one step: a root check if one is due, else the next link
// entry while the link subtree is not complete, else a random entry of the
// node subtree. It returns the node if the entry was one.
func (ct *clientTree) syncRandom(ctx context.Context) (*enode.Node, error) {
	if ct.rootDue(time.Now()) {
		err := ct.updateRoot(ctx)
		if ct.root == nil || err != nil {
			return nil, err // with an older root, the next call goes on with it
		}
	}
	if !ct.links.done() {
		return nil, ct.syncNextLink(ctx)
	}
	if ct.enrs.done() {
		// Start over; the cache holds most of the tree.
		ct.enrs = newSubtreeSync(ct.c, ct.loc, ct.root.eroot, false)
	}
	_, e, err := ct.enrs.resolve(ctx, rand.IntN(len(ct.enrs.missing)))
	if ct.countFailure(ctx, err) {
		return nil, err
	}
	if ee, ok := e.(*enrEntry); ok {
		return ee.node, nil
	}
	return nil, nil
}

// countFailure counts a failed entry lookup (an interruption is none), and
// reports whether err is an error.
func (ct *clientTree) countFailure(ctx context.Context, err error) bool {
	switch {
	case err == nil:
		ct.leafFails = 0
	case ctx.Err() == nil:
		ct.leafFails++
	}
	return err != nil
}

func (ct *clientTree) syncNextLink(ctx context.Context) error {
	_, e, err := ct.links.resolve(ctx, 0)
	ct.countFailure(ctx, err)
	if le, ok := e.(*linkEntry); ok {
		ct.newLinks[le.str] = le
	}
	if ct.links.done() {
		ct.finishLinks()
	}
	return err
}

// finishLinks makes the links found by a link sync the tree's links. If
// some of the link subtree could not be had, the links known before are
// kept too, and the link subtree is synced again at the next root check.
func (ct *clientTree) finishLinks() {
	if ct.links.failed > 0 {
		for k, le := range ct.linkSet {
			ct.newLinks[k] = le
		}
	}
	ct.linksPartial = ct.links.failed > 0
	if !sameKeys(ct.linkSet, ct.newLinks) {
		ct.linksChanged = true
	}
	ct.linkSet = ct.newLinks
	ct.newLinks = make(map[string]*linkEntry)
}

func sameKeys[V any](a, b map[string]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// updateRoot looks up the root. On success, a subtree whose hash changed is
// traversed anew; on failure, the tree goes on with the root it has.
func (ct *clientTree) updateRoot(ctx context.Context) error {
	ct.lastRootCheck = time.Now()
	root, err := ct.c.resolveRoot(ctx, ct.loc)
	if err != nil {
		if ctx.Err() == nil {
			ct.rootFails++
		}
		return err
	}
	ct.rootFails, ct.leafFails = 0, 0
	if ct.links == nil || root.lroot != ct.links.root || ct.linksPartial {
		ct.links = newSubtreeSync(ct.c, ct.loc, root.lroot, true)
		ct.newLinks = make(map[string]*linkEntry)
	}
	if ct.enrs == nil || root.eroot != ct.enrs.root {
		ct.enrs = newSubtreeSync(ct.c, ct.loc, root.eroot, false)
	}
	if ct.root == nil || root.seq != ct.root.seq || root.eroot != ct.root.eroot {
		ct.c.cfg.Logger.Debug("DNS discovery tree updated", "tree", ct.loc.domain, "seq", root.seq)
	}
	ct.root = root
	return nil
}
