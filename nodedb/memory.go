package nodedb

import (
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/seednet/p2p/enode"
)

// Memory is a DB that keeps everything in maps. The zero value is not
// usable; call NewMemory.
type Memory struct {
	now func() time.Time

	mu     sync.Mutex // guards the fields below
	nodes  map[enode.ID]*memNode
	seqs   map[enode.ID]uint64
	bans   map[string]Ban
	closed bool
}

// memNode is what Memory knows about one node. node is nil if only
// per-address data was stored.
type memNode struct {
	node    *enode.Node
	updated time.Time
	addrs   map[netip.Addr]*addrStats
}

type addrStats struct {
	ping, pong time.Time
	fails      int
}

func (a *addrStats) empty() bool { return a.ping.IsZero() && a.pong.IsZero() && a.fails == 0 }

// lastSeen returns the latest of the node's times.
func (m *memNode) lastSeen() time.Time {
	t := m.updated
	for _, a := range m.addrs {
		t = latest(latest(t, a.ping), a.pong)
	}
	return t
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

var _ DB = (*Memory)(nil)

// NewMemory makes an empty in-memory database; cfg.Path is ignored.
func NewMemory(cfg Config) *Memory {
	cfg = cfg.withDefaults()
	return &Memory{now: cfg.Now, nodes: make(map[enode.ID]*memNode), seqs: make(map[enode.ID]uint64)}
}

// Close implements DB. The contents are dropped.
func (db *Memory) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.closed = true
	db.nodes, db.seqs, db.bans = nil, nil, nil
	return nil
}

// LocalSeq implements enode.SeqStore.
func (db *Memory) LocalSeq(id enode.ID) uint64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.seqs[id]
}

// StoreLocalSeq implements enode.SeqStore. It does nothing after Close.
func (db *Memory) StoreLocalSeq(id enode.ID, seq uint64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if !db.closed {
		db.seqs[id] = seq
	}
}

// Node implements DB.
func (db *Memory) Node(id enode.ID) *enode.Node {
	db.mu.Lock()
	defer db.mu.Unlock()
	if e := db.nodes[id]; e != nil {
		return e.node
	}
	return nil
}

// UpdateNode implements DB.
func (db *Memory) UpdateNode(n *enode.Node) error {
	if n == nil {
		return ErrNilNode
	}
	now := normTime(db.now())
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	e := db.entryLocked(n.ID())
	if e.node == nil || n.Seq() >= e.node.Seq() {
		e.node = n
	}
	e.updated = now
	return nil
}

// DeleteNode implements DB.
func (db *Memory) DeleteNode(id enode.ID) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	delete(db.nodes, id)
	return nil
}

func (db *Memory) entryLocked(id enode.ID) *memNode {
	e := db.nodes[id]
	if e == nil {
		e = &memNode{addrs: make(map[netip.Addr]*addrStats)}
		db.nodes[id] = e
	}
	return e
}

// stats returns a copy of the data of a node's address.
func (db *Memory) stats(id enode.ID, ip netip.Addr) addrStats {
	ip, ok := ipKey(ip)
	if !ok {
		return addrStats{}
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if e := db.nodes[id]; e != nil {
		if a := e.addrs[ip]; a != nil {
			return *a
		}
	}
	return addrStats{}
}

// update changes the data of a node's address.
func (db *Memory) update(id enode.ID, ip netip.Addr, f func(*addrStats)) error {
	ip, ok := ipKey(ip)
	if !ok {
		return ErrInvalidIP
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	e := db.entryLocked(id)
	a := e.addrs[ip]
	if a == nil {
		a = new(addrStats)
		e.addrs[ip] = a
	}
	f(a)
	if a.empty() {
		delete(e.addrs, ip)
		if len(e.addrs) == 0 && e.node == nil {
			delete(db.nodes, id)
		}
	}
	return nil
}

// LastPingReceived implements DB.
func (db *Memory) LastPingReceived(id enode.ID, ip netip.Addr) time.Time {
	return db.stats(id, ip).ping
}

// UpdateLastPingReceived implements DB.
func (db *Memory) UpdateLastPingReceived(id enode.ID, ip netip.Addr, t time.Time) error {
	return db.update(id, ip, func(a *addrStats) { a.ping = normTime(t) })
}

// LastPongReceived implements DB.
func (db *Memory) LastPongReceived(id enode.ID, ip netip.Addr) time.Time {
	return db.stats(id, ip).pong
}

// UpdateLastPongReceived implements DB.
func (db *Memory) UpdateLastPongReceived(id enode.ID, ip netip.Addr, t time.Time) error {
	return db.update(id, ip, func(a *addrStats) { a.pong = normTime(t) })
}

// FindFails implements DB.
func (db *Memory) FindFails(id enode.ID, ip netip.Addr) int {
	return db.stats(id, ip).fails
}

// UpdateFindFails implements DB.
func (db *Memory) UpdateFindFails(id enode.ID, ip netip.Addr, fails int) error {
	return db.update(id, ip, func(a *addrStats) { a.fails = max(fails, 0) })
}

// QuerySeeds implements DB. It returns min(n, qualifying nodes).
func (db *Memory) QuerySeeds(n int, maxAge time.Duration) []*enode.Node {
	if n <= 0 {
		return nil
	}
	cutoff := db.now().Add(-maxAge)
	db.mu.Lock()
	var seeds []*enode.Node
	for _, e := range db.nodes {
		if e.node == nil {
			continue
		}
		ip, ok := ipKey(e.node.IPAddr())
		if !ok {
			continue
		}
		if a := e.addrs[ip]; a != nil && !a.pong.IsZero() && !a.pong.Before(cutoff) {
			seeds = append(seeds, e.node)
		}
	}
	db.mu.Unlock()
	// A partial Fisher-Yates shuffle picks n at random.
	for i := 0; i < n && i < len(seeds); i++ {
		j := i + rand.IntN(len(seeds)-i)
		seeds[i], seeds[j] = seeds[j], seeds[i]
	}
	return seeds[:min(n, len(seeds))]
}

// ExpireBefore implements DB.
func (db *Memory) ExpireBefore(t time.Time) (int, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return 0, ErrClosed
	}
	deleted := 0
	for id, e := range db.nodes {
		if e.lastSeen().Before(t) {
			delete(db.nodes, id)
			deleted++
			continue
		}
		for ip, a := range e.addrs {
			if latest(a.ping, a.pong).Before(t) {
				delete(e.addrs, ip)
			}
		}
	}
	return deleted, nil
}
