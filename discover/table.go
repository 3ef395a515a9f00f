package discover

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/seednet/p2p/enode"
)

// transport is what the table needs from the protocol: UDPv4 implements it,
// table tests fake it.
type transport interface {
	self() *enode.Node
	ping(ctx context.Context, n *enode.Node) (seq uint64, err error)
	requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error)
	// refresh runs the lookups that fill the table.
	refresh(ctx context.Context)
}

// tableNode is a node in a bucket.
type tableNode struct {
	*enode.Node
	live    bool      // answered a ping (or, in v5, a WHOAREYOU) of ours since it was added
	checked bool      // answered a revalidation ping
	addedAt time.Time // when it entered the bucket
}

// bucket holds the nodes at one range of log distances from us.
type bucket struct {
	entries      []*tableNode // live and recently revalidated nodes first
	replacements []*tableNode // oldest first
	ips          ipLimit
}

// table is the Kademlia table: nBuckets buckets of up to bucketSize nodes,
// each with up to maxReplacements replacements, keyed by log distance from
// our ID.
//
// Its loop (table_reval.go) revalidates nodes by ping and refreshes the table
// with lookups. Everything else happens in the goroutines of the callers,
// under mu.
type table struct {
	tr     transport
	cfg    *Config
	log    *slog.Logger
	selfID enode.ID

	// fastReval makes the loop ping nodes that have not answered a ping
	// of ours yet soon after they are added, besides the slow round of
	// revalidation (discovery v5, whose nodes join the table unverified
	// after a handshake, as go-ethereum's do).
	fastReval bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards buckets and ips.
	mu      sync.Mutex
	buckets [nBuckets]bucket
	ips     ipLimit // table-wide
}

func newTable(tr transport, cfg *Config) *table {
	tab := &table{
		tr:     tr,
		cfg:    cfg,
		log:    cfg.Log,
		selfID: tr.self().ID(),
		ips:    newIPLimit(tableIPLimit),
	}
	for i := range tab.buckets {
		tab.buckets[i].ips = newIPLimit(bucketIPLimit)
	}
	tab.ctx, tab.cancel = context.WithCancel(context.Background())
	return tab
}

// bucketIndex returns the bucket for id.
func (tab *table) bucketIndex(id enode.ID) int {
	d := enode.LogDist(tab.selfID, id)
	if d <= bucketMinDistance {
		return 0
	}
	return d - bucketMinDistance - 1
}

// acceptable reports whether n may enter the table at all.
func (tab *table) acceptable(n *enode.Node) bool {
	if n == nil || n.ID() == tab.selfID {
		return false
	}
	ap, ok := n.UDPEndpoint()
	return ok && tab.cfg.allowed(ap.Addr())
}

// addInbound adds a node that proved its endpoint to us.
func (tab *table) addInbound(n *enode.Node) { tab.add(n, true) }

// addFound adds a node that another node told us about.
func (tab *table) addFound(n *enode.Node) { tab.add(n, false) }

// add puts n in its bucket, or among the bucket's replacements when the
// bucket is full, within the IP limits. A node already present gets n's
// record if n's is newer.
func (tab *table) add(n *enode.Node, live bool) {
	if !tab.acceptable(n) {
		return
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := &tab.buckets[tab.bucketIndex(n.ID())]
	if i := indexOf(b.entries, n.ID()); i >= 0 {
		tab.updateLocked(b, b.entries[i], n)
		b.entries[i].live = b.entries[i].live || live
		return
	}
	if i := indexOf(b.replacements, n.ID()); i >= 0 {
		tab.updateLocked(b, b.replacements[i], n)
		return
	}
	if !tab.addIPLocked(b, n) {
		return
	}
	tn := &tableNode{Node: n, live: live, addedAt: tab.cfg.Clock()}
	if len(b.entries) < bucketSize {
		b.entries = append(b.entries, tn)
		return
	}
	b.replacements = append(b.replacements, tn)
	if len(b.replacements) > maxReplacements {
		tab.removeIPLocked(b, b.replacements[0].Node)
		b.replacements = slices.Delete(b.replacements, 0, 1)
	}
}

// updateLocked replaces tn's record with n's if n's is newer and its
// address fits the IP limits.
func (tab *table) updateLocked(b *bucket, tn *tableNode, n *enode.Node) {
	if n.Seq() <= tn.Seq() {
		return
	}
	if n.IPAddr() != tn.IPAddr() {
		tab.removeIPLocked(b, tn.Node)
		if !tab.addIPLocked(b, n) {
			tab.addIPLocked(b, tn.Node) // room: it was counted a moment ago
			return
		}
	}
	tn.Node = n
}

func (tab *table) addIPLocked(b *bucket, n *enode.Node) bool {
	ip := n.IPAddr()
	if !tab.ips.add(ip) {
		return false
	}
	if !b.ips.add(ip) {
		tab.ips.remove(ip)
		return false
	}
	return true
}

func (tab *table) removeIPLocked(b *bucket, n *enode.Node) {
	ip := n.IPAddr()
	tab.ips.remove(ip)
	b.ips.remove(ip)
}

// markLive records that the node with the given ID answered our ping.
func (tab *table) markLive(id enode.ID) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := &tab.buckets[tab.bucketIndex(id)]
	if i := indexOf(b.entries, id); i >= 0 {
		b.entries[i].live = true
	}
}

// remove deletes the node with n's ID from the table, putting a random
// replacement in its place.
func (tab *table) remove(n *enode.Node) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := &tab.buckets[tab.bucketIndex(n.ID())]
	if i := indexOf(b.entries, n.ID()); i >= 0 {
		tab.removeEntryLocked(b, i)
	}
}

// removeEntryLocked deletes entry i of b and promotes a random replacement.
func (tab *table) removeEntryLocked(b *bucket, i int) {
	tab.removeIPLocked(b, b.entries[i].Node)
	b.entries = slices.Delete(b.entries, i, i+1)
	if len(b.replacements) == 0 {
		return
	}
	r := randIntN(len(b.replacements))
	tn := b.replacements[r]
	b.replacements = slices.Delete(b.replacements, r, r+1)
	tn.addedAt = tab.cfg.Clock()
	b.entries = append(b.entries, tn) // its IP is counted already
}

// closest returns up to k nodes of the table closest to target, closest
// first. With preferLive, only nodes that answered our pings are returned,
// unless there are none.
func (tab *table) closest(target enode.ID, k int, preferLive bool) []*enode.Node {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	res := tab.closestLocked(target, k, preferLive)
	if len(res) == 0 && preferLive {
		res = tab.closestLocked(target, k, false)
	}
	return res
}

func (tab *table) closestLocked(target enode.ID, k int, liveOnly bool) []*enode.Node {
	res := make([]*enode.Node, 0, k)
	for i := range tab.buckets {
		for _, tn := range tab.buckets[i].entries {
			if liveOnly && !tn.live {
				continue
			}
			res = pushClosest(res, target, tn.Node, k)
		}
	}
	return res
}

// pushClosest inserts n into list, sorted by distance to target and at most
// k long, and returns the list. A node already in list is not added again.
func pushClosest(list []*enode.Node, target enode.ID, n *enode.Node, k int) []*enode.Node {
	i, found := slices.BinarySearchFunc(list, n, func(a, b *enode.Node) int {
		return enode.DistCmp(target, a.ID(), b.ID())
	})
	if found || i >= k {
		return list
	}
	if len(list) < k {
		list = append(list, nil)
	}
	copy(list[i+1:], list[i:])
	list[i] = n
	return list
}

// nodes returns all entries, bucket by bucket.
func (tab *table) nodes() []*enode.Node {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var res []*enode.Node
	for i := range tab.buckets {
		for _, tn := range tab.buckets[i].entries {
			res = append(res, tn.Node)
		}
	}
	return res
}

// len returns the number of entries.
func (tab *table) len() int {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	n := 0
	for i := range tab.buckets {
		n += len(tab.buckets[i].entries)
	}
	return n
}

// get returns the table's node with the given ID, or nil.
func (tab *table) get(id enode.ID) *enode.Node {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := &tab.buckets[tab.bucketIndex(id)]
	if i := indexOf(b.entries, id); i >= 0 {
		return b.entries[i].Node
	}
	return nil
}

// appendAtDistance appends to res the entries at log distance d from us
// (1 to 256) for which keep reports true, only live ones if liveOnly,
// stopping at limit nodes in res.
func (tab *table) appendAtDistance(res []*enode.Node, d uint, liveOnly bool, limit int, keep func(*enode.Node) bool) []*enode.Node {
	if d == 0 || d > 256 {
		return res
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	bi := 0
	if int(d) > bucketMinDistance {
		bi = int(d) - bucketMinDistance - 1
	}
	for _, tn := range tab.buckets[bi].entries {
		if len(res) >= limit {
			break
		}
		if (liveOnly && !tn.live) || enode.LogDist(tab.selfID, tn.ID()) != int(d) || !keep(tn.Node) {
			continue
		}
		res = append(res, tn.Node)
	}
	return res
}

func indexOf(list []*tableNode, id enode.ID) int {
	return slices.IndexFunc(list, func(tn *tableNode) bool { return tn.ID() == id })
}
