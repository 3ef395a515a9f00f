package discover

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/nodedb"
)

// fakeTransport answers the table's pings from a list of dead nodes and
// newer records.
type fakeTransport struct {
	selfNode *enode.Node

	mu      sync.Mutex
	dead    map[enode.ID]bool
	records map[enode.ID]*enode.Node
	pings   int
}

func newFakeTransport(self *enode.Node) *fakeTransport {
	return &fakeTransport{selfNode: self, dead: map[enode.ID]bool{}, records: map[enode.ID]*enode.Node{}}
}

func (tr *fakeTransport) self() *enode.Node { return tr.selfNode }

func (tr *fakeTransport) ping(ctx context.Context, n *enode.Node) (uint64, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.pings++
	if tr.dead[n.ID()] {
		return 0, ErrTimeout
	}
	if r := tr.records[n.ID()]; r != nil {
		return r.Seq(), nil
	}
	return n.Seq(), nil
}

func (tr *fakeTransport) requestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if r := tr.records[n.ID()]; r != nil {
		return r, nil
	}
	return n, nil
}

func (tr *fakeTransport) refresh(ctx context.Context) {}

// nullNode makes a keyless node with the given ID, address and seq.
func nullNode(id enode.ID, ip string, seq uint64) *enode.Node {
	var r enr.Record
	r.SetSeq(seq)
	if addr := netip.MustParseAddr(ip); addr.Is4() {
		r.Set(enr.IPv4Addr(addr))
		r.Set(enr.UDP(30303))
	} else {
		r.Set(enr.IPv6Addr(addr))
		r.Set(enr.UDP6(30303))
	}
	return enode.SignNull(&r, id)
}

// idAtDistance returns a random ID at log distance d from self.
func idAtDistance(self enode.ID, d int) enode.ID { return enode.RandomID(self, d) }

// newTestTable makes a table around a fake transport; the loop is not
// started.
func newTestTable(t testing.TB) (*table, *fakeTransport) {
	t.Helper()
	self := nullNode(enode.ID{1}, "127.0.0.1", 1)
	tr := newFakeTransport(self)
	cfg, _, err := Config{PrivateKey: testutil.NewKey(t), DB: nodedb.NewMemory(nodedb.Config{})}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return newTable(tr, &cfg), tr
}

func TestTableBuckets(t *testing.T) {
	tab, _ := newTestTable(t)
	self := tab.selfID
	// Distances up to bucketMinDistance share bucket 0.
	for _, c := range []struct{ dist, bucket int }{{1, 0}, {bucketMinDistance, 0}, {bucketMinDistance + 1, 0 + 0}, {bucketMinDistance + 2, 1}, {256, nBuckets - 1}} {
		if got := tab.bucketIndex(idAtDistance(self, c.dist)); got != c.bucket {
			t.Errorf("distance %d: bucket %d, want %d", c.dist, got, c.bucket)
		}
	}
	// A full bucket sends nodes to its replacements, which keep the newest.
	var added []*enode.Node
	for i := range bucketSize + maxReplacements + 3 {
		n := nullNode(idAtDistance(self, 256), fmt.Sprintf("10.0.%d.1", i), 1)
		added = append(added, n)
		tab.addFound(n)
	}
	b := &tab.buckets[nBuckets-1]
	if len(b.entries) != bucketSize || len(b.replacements) != maxReplacements {
		t.Fatalf("bucket has %d entries, %d replacements", len(b.entries), len(b.replacements))
	}
	if b.replacements[0].ID() != added[bucketSize+3].ID() {
		t.Error("oldest replacements were not dropped")
	}
	// Self, nodes without endpoint and duplicates are not added.
	tab.addFound(tab.tr.self())
	tab.addFound(added[0])
	if tab.len() != bucketSize {
		t.Fatalf("table has %d nodes", tab.len())
	}
	// A newer record replaces the entry.
	newer := nullNode(added[0].ID(), "10.0.0.1", 5)
	tab.addInbound(newer)
	if i := indexOf(b.entries, newer.ID()); i < 0 || b.entries[i].Seq() != 5 || !b.entries[i].live {
		t.Fatal("entry not updated")
	}
	// Removal promotes a replacement.
	tab.remove(added[1])
	if len(b.entries) != bucketSize || len(b.replacements) != maxReplacements-1 {
		t.Fatalf("after remove: %d entries, %d replacements", len(b.entries), len(b.replacements))
	}
}

func TestTableIPLimits(t *testing.T) {
	tests := []struct {
		name  string
		ip    func(i int) string
		dist  func(i int) int
		count int
		want  int
	}{
		{"bucket limit", func(int) string { return "1.2.3.4" }, func(int) int { return 256 }, 5, bucketIPLimit},
		{"bucket limit per /24", func(i int) string { return fmt.Sprintf("1.2.3.%d", i+1) }, func(int) int { return 256 }, 5, bucketIPLimit},
		{"other /24s", func(i int) string { return fmt.Sprintf("1.2.%d.1", i) }, func(int) int { return 256 }, 5, 5},
		{"table limit", func(i int) string { return fmt.Sprintf("1.2.3.%d", i+1) }, func(i int) int { return 256 - i }, 16, tableIPLimit},
		{"ipv6 bucket limit per /48", func(i int) string { return fmt.Sprintf("2a00:1:2:%x::1", i) }, func(int) int { return 256 }, 5, bucketIPLimit},
		{"ipv6 other /48s", func(i int) string { return fmt.Sprintf("2a00:1:%x::1", i) }, func(int) int { return 256 }, 5, 5},
		{"ipv6 table limit", func(i int) string { return fmt.Sprintf("2a00:1:2::%x", i+1) }, func(i int) int { return 256 - i }, 16, tableIPLimit},
		{"LAN exempt", func(int) string { return "192.168.0.1" }, func(int) int { return 256 }, 20, 20},
		{"ipv6 LAN exempt", func(int) string { return "fd00::1" }, func(int) int { return 256 }, 20, 20},
		{"loopback exempt", func(i int) string { return "127.0.0.1" }, func(i int) int { return 256 - i%3 }, 20, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, _ := newTestTable(t)
			for i := range tt.count {
				tab.addFound(nullNode(idAtDistance(tab.selfID, tt.dist(i)), tt.ip(i), 1))
			}
			got := 0
			for i := range tab.buckets {
				got += len(tab.buckets[i].entries) + len(tab.buckets[i].replacements)
			}
			if got != tt.want {
				t.Fatalf("table holds %d nodes, want %d", got, tt.want)
			}
			// Removing every node (and so every replacement, which
			// removals promote) leaves no address counted.
			for tab.len() > 0 {
				for _, n := range tab.nodes() {
					tab.remove(n)
				}
			}
			for i := range tab.buckets {
				b := &tab.buckets[i]
				if n := b.ips.v4.Len() + b.ips.v6.Len(); n != 0 {
					t.Fatalf("bucket %d counts %d addresses after removal", i, n)
				}
			}
			if n := tab.ips.v4.Len() + tab.ips.v6.Len(); n != 0 {
				t.Fatalf("table counts %d addresses after removal", n)
			}
		})
	}
}

func TestTableClosest(t *testing.T) {
	tab, _ := newTestTable(t)
	var all []*enode.Node
	for i := range 300 {
		n := nullNode(enode.RandomID(tab.selfID, 256-i%20), "127.0.0.1", 1)
		tab.addFound(n)
	}
	all = tab.nodes()
	target := enode.RandomID(tab.selfID, 256)
	slices.SortFunc(all, func(a, b *enode.Node) int { return enode.DistCmp(target, a.ID(), b.ID()) })
	got := tab.closest(target, bucketSize, false)
	if len(got) != bucketSize {
		t.Fatalf("got %d nodes", len(got))
	}
	for i := range got {
		if got[i].ID() != all[i].ID() {
			t.Fatalf("result %d differs", i)
		}
	}
	// preferLive returns only live nodes when there are some.
	tab.markLive(all[5].ID())
	if live := tab.closest(target, bucketSize, true); len(live) != 1 || live[0].ID() != all[5].ID() {
		t.Fatalf("preferLive gave %d nodes", len(live))
	}
}

// TestTableRevalidation runs the table's loop on a fake clock: dead nodes
// give way to replacements and newer records are fetched.
func TestTableRevalidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t)
		var entries []*enode.Node
		for i := range bucketSize + 4 {
			n := nullNode(idAtDistance(tab.selfID, 256), fmt.Sprintf("10.0.%d.1", i), 1)
			if i < bucketSize {
				entries = append(entries, n)
			}
			tab.addFound(n)
		}
		tr.dead[entries[3].ID()] = true
		tr.dead[entries[7].ID()] = true
		tr.records[entries[9].ID()] = nullNode(entries[9].ID(), "10.0.9.1", 7)
		tab.start()
		// Every node is checked many times over within 100 intervals.
		time.Sleep(100 * bucketSize * tab.cfg.PingInterval)
		synctest.Wait()

		tab.mu.Lock()
		b := &tab.buckets[nBuckets-1]
		if len(b.entries) != bucketSize || len(b.replacements) != 2 {
			t.Errorf("bucket has %d entries, %d replacements", len(b.entries), len(b.replacements))
		}
		for _, id := range []enode.ID{entries[3].ID(), entries[7].ID()} {
			if indexOf(b.entries, id) >= 0 {
				t.Errorf("dead node %v still in bucket", id)
			}
		}
		if i := indexOf(b.entries, entries[9].ID()); i < 0 || b.entries[i].Seq() != 7 {
			t.Error("record of node 9 not updated")
		}
		for _, tn := range b.entries {
			if !tn.live && !tr.dead[tn.ID()] {
				t.Errorf("node %v not marked live", tn.ID())
			}
		}
		tab.mu.Unlock()
		tab.close()
	})
}
