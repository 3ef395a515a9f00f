package discover

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/seednet/p2p/enode"
)

// The table's loop: seeding, revalidation and refresh.
//
// Revalidation pings, every PingInterval on average, the least recently
// checked node of a random non-empty bucket (the last entry). A node that
// answers moves to the front of its bucket; if its Pong announces a newer
// record, the record is fetched with ENRRequest. A node that does not answer
// is removed and a random replacement takes its place.
//
// With fastReval (discovery v5), nodes that have not answered a
// revalidation ping yet are also pinged on a faster round, every
// PingInterval/8 on average: one at random of those per round. A v5
// handshake adds its node as live if its record's endpoint is the one the
// handshake came from (it answered our WHOAREYOU there), else unverified:
// FINDNODE is answered with live nodes only.
//
// Refresh runs the transport's lookups (our own ID, then random targets) at
// start and every RefreshInterval, sooner (1 s, 2 s, 4 s...) while the table
// holds fewer than 16 nodes and had bootnodes or database seeds to start
// from; nodes found by lookups enter the table.

func randIntN(n int) int { return rand.IntN(n) }

// start seeds the table and starts its loop.
func (tab *table) start() {
	seeded := tab.seed()
	tab.wg.Add(1)
	go tab.loop(seeded)
}

// close stops the loop and waits for it.
func (tab *table) close() {
	tab.cancel()
	tab.wg.Wait()
}

// seed adds the database's recently seen nodes and the bootnodes. It
// reports whether there were any.
func (tab *table) seed() bool {
	seeds := tab.cfg.DB.QuerySeeds(seedCount, seedMaxAge)
	for _, n := range seeds {
		tab.addFound(n)
	}
	for _, n := range tab.cfg.Bootnodes {
		tab.addFound(n)
	}
	return len(seeds)+len(tab.cfg.Bootnodes) > 0
}

// loop runs revalidation and refresh. seeded says whether the table had
// bootnodes or database seeds to start from.
func (tab *table) loop(seeded bool) {
	defer tab.wg.Done()
	var (
		fast         <-chan time.Time
		reval        = time.NewTimer(tab.revalDelay())
		refresh      = time.NewTimer(tab.cfg.RefreshInterval)
		refreshDone  = make(chan struct{})
		refreshing   = true
		retry        = minRefreshRetry
		startRefresh = func() {
			go func() {
				tab.tr.refresh(tab.ctx)
				refreshDone <- struct{}{}
			}()
		}
	)
	defer reval.Stop()
	defer refresh.Stop()
	var fastTimer *time.Timer
	if tab.fastReval {
		fastTimer = time.NewTimer(tab.revalDelay() / 8)
		defer fastTimer.Stop()
		fast = fastTimer.C
	}
	startRefresh()
	for {
		select {
		case <-fast:
			if n, bi := tab.nodeToVerify(); n != nil {
				tab.revalidateNode(tab.ctx, n, bi)
			}
			fastTimer.Reset(tab.revalDelay() / 8)
		case <-reval.C:
			tab.revalidate(tab.ctx)
			reval.Reset(tab.revalDelay())
		case <-refresh.C:
			if !refreshing {
				refreshing = true
				if tab.seed() {
					seeded = true
				}
				startRefresh()
			}
		case <-refreshDone:
			refreshing = false
			// A table that is still small (lookups failed, or we are
			// early in a starting network) is refreshed again soon,
			// with a backoff up to RefreshInterval, if it had nodes to
			// start from. A node without bootnodes or seeds (a bootnode
			// itself, say) waits for others to find it, and stays quiet
			// meanwhile, as go-ethereum's does: its own lookups would
			// only query whoever just pinged it (go-ethereum's devp2p
			// discv4 test suite fails a node that does).
			next := tab.cfg.RefreshInterval
			if seeded && tab.len() < bucketSize && retry < next {
				next, retry = retry, 2*retry
			}
			refresh.Reset(next)
		case <-tab.ctx.Done():
			if refreshing {
				<-refreshDone
			}
			return
		}
	}
}

// minRefreshRetry is the first delay before refreshing a small table again.
const minRefreshRetry = time.Second

// revalDelay is a random delay of PingInterval on average.
func (tab *table) revalDelay() time.Duration {
	return time.Duration(rand.Int64N(int64(2*tab.cfg.PingInterval)) + 1)
}

// revalidate checks one node; see above.
func (tab *table) revalidate(ctx context.Context) {
	n, bi := tab.nodeToRevalidate()
	if n == nil {
		return
	}
	tab.revalidateNode(ctx, n, bi)
}

// revalidateNode pings n, entry of bucket bi, and updates the table with
// the outcome.
func (tab *table) revalidateNode(ctx context.Context, n *enode.Node, bi int) {
	seq, err := tab.tr.ping(ctx, n)
	if ctx.Err() != nil {
		return
	}
	if err == nil && seq > n.Seq() {
		if rn, rerr := tab.tr.requestENR(ctx, n); rerr == nil && rn.Seq() > n.Seq() {
			n = rn
		}
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	b := &tab.buckets[bi]
	i := indexOf(b.entries, n.ID())
	if i < 0 {
		return // removed meanwhile
	}
	if err != nil {
		tab.log.Debug("discovery removed dead node", "id", n.ID(), "err", err)
		tab.removeEntryLocked(b, i)
		return
	}
	tn := b.entries[i]
	tab.updateLocked(b, tn, n)
	tn.live, tn.checked = true, true
	copy(b.entries[1:i+1], b.entries[:i])
	b.entries[0] = tn
	tab.cfg.DB.UpdateNode(tn.Node)
}

// nodeToRevalidate picks the last entry of a random non-empty bucket.
func (tab *table) nodeToRevalidate() (*enode.Node, int) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var nonEmpty [nBuckets]int
	k := 0
	for bi := range tab.buckets {
		if len(tab.buckets[bi].entries) > 0 {
			nonEmpty[k] = bi
			k++
		}
	}
	if k == 0 {
		return nil, 0
	}
	bi := nonEmpty[randIntN(k)]
	e := tab.buckets[bi].entries
	return e[len(e)-1].Node, bi
}

// nodeToVerify picks a random entry that has not answered a revalidation
// ping yet.
func (tab *table) nodeToVerify() (*enode.Node, int) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var (
		pick   *enode.Node
		pickBi int
		count  int
	)
	for bi := range tab.buckets {
		for _, tn := range tab.buckets[bi].entries {
			if tn.checked {
				continue
			}
			// Reservoir sampling: each unverified entry is picked with
			// equal chance.
			count++
			if randIntN(count) == 0 {
				pick, pickBi = tn.Node, bi
			}
		}
	}
	return pick, pickBi
}
