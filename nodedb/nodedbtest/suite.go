// Package nodedbtest is the conformance suite for implementations of
// nodedb.DB. Both implementations in package nodedb run it; so can a
// user's own:
//
//	func TestMyDB(t *testing.T) {
//		nodedbtest.Run(t, func(t *testing.T, now func() time.Time) nodedb.DB {
//			return openMyDB(t, now)
//		})
//	}
package nodedbtest

import (
	"crypto/ecdsa"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/nodedb"
)

// Opener makes an empty database for one test, with now as its clock
// (Config.Now). Run closes it; the opener may register more cleanup with
// t.Cleanup.
type Opener func(t *testing.T, now func() time.Time) nodedb.DB

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Run runs the conformance suite against the databases open makes.
func Run(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, db nodedb.DB, clock *Clock)
	}{
		{"Node", testNode},
		{"NodeSeq", testNodeSeq},
		{"DeleteNode", testDeleteNode},
		{"PingPong", testPingPong},
		{"FindFails", testFindFails},
		{"LocalSeq", testLocalSeq},
		{"QuerySeeds", testQuerySeeds},
		{"Expire", testExpire},
		{"Closed", testClosed},
		{"Concurrent", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewClock(time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC))
			db := open(t, clock.Now)
			t.Cleanup(func() {
				if err := db.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, db, clock)
		})
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// NewNode returns a node known by URL (no signed record) at ip.
func NewNode(t testing.TB, ip string) *enode.Node {
	t.Helper()
	return enode.NewV4(&newKey(t).PublicKey, net.ParseIP(ip), 30303, 30301)
}

// signedNode returns a node with a signed record of the given seq.
func signedNode(t testing.TB, key *ecdsa.PrivateKey, seq uint64, ip string) *enode.Node {
	t.Helper()
	var r enr.Record
	r.SetSeq(seq)
	r.Set(enr.IPv4Addr(netip.MustParseAddr(ip)))
	r.Set(enr.UDP(30301))
	r.Set(enr.TCP(30303))
	r.Set(enr.WithEntry("eth", []uint{1, 2}))
	if err := enode.SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	n, err := enode.New(enode.ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustUpdate(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func checkSame(t *testing.T, got, want *enode.Node) {
	t.Helper()
	if got == nil {
		t.Fatalf("node %v missing", want.ID())
	}
	if got.ID() != want.ID() || got.Seq() != want.Seq() || got.IPAddr() != want.IPAddr() ||
		got.UDP() != want.UDP() || got.TCP() != want.TCP() || got.String() != want.String() {
		t.Fatalf("node read back differs:\n got %v\nwant %v", got, want)
	}
	if gk, wk := got.Pubkey(), want.Pubkey(); (gk == nil) != (wk == nil) || gk != nil && !gk.Equal(wk) {
		t.Fatal("public key differs")
	}
}

func testNode(t *testing.T, db nodedb.DB, _ *Clock) {
	var missing enode.ID
	if n := db.Node(missing); n != nil {
		t.Fatalf("missing node: %v", n)
	}
	if err := db.UpdateNode(nil); err == nil {
		t.Error("UpdateNode(nil) succeeded")
	}
	var null enr.Record
	null.Set(enr.IPv4Addr(netip.MustParseAddr("10.9.9.9")))
	nodes := []*enode.Node{
		NewNode(t, "10.0.0.1"),
		NewNode(t, "2001:db8::7"),
		enode.NewV4(&newKey(t).PublicKey, nil, 0, 0),
		signedNode(t, newKey(t), 3, "192.0.2.3"),
		enode.SignNull(&null, enode.ID{1, 2, 3}),
	}
	for _, n := range nodes {
		mustUpdate(t, db.UpdateNode(n))
	}
	for _, n := range nodes {
		checkSame(t, db.Node(n.ID()), n)
	}
}

func testNodeSeq(t *testing.T, db nodedb.DB, _ *Clock) {
	key := newKey(t)
	n5 := signedNode(t, key, 5, "192.0.2.5")
	mustUpdate(t, db.UpdateNode(n5))
	mustUpdate(t, db.UpdateNode(signedNode(t, key, 3, "192.0.2.3")))
	checkSame(t, db.Node(n5.ID()), n5)
	n6 := signedNode(t, key, 6, "192.0.2.6")
	mustUpdate(t, db.UpdateNode(n6))
	checkSame(t, db.Node(n5.ID()), n6)
	// Equal sequence numbers replace: nodes known by URL all have 0.
	url1 := enode.NewV4(&key.PublicKey, net.IP{10, 0, 0, 1}, 1, 1)
	url2 := enode.NewV4(&key.PublicKey, net.IP{10, 0, 0, 2}, 2, 2)
	db2 := url1.ID()
	_ = db.DeleteNode(db2)
	mustUpdate(t, db.UpdateNode(url1))
	mustUpdate(t, db.UpdateNode(url2))
	checkSame(t, db.Node(db2), url2)
}

func testDeleteNode(t *testing.T, db nodedb.DB, clock *Clock) {
	a, b := NewNode(t, "10.0.0.1"), NewNode(t, "10.0.0.2")
	ip := netip.MustParseAddr("10.0.0.1")
	for _, n := range []*enode.Node{a, b} {
		mustUpdate(t, db.UpdateNode(n))
		mustUpdate(t, db.UpdateLastPingReceived(n.ID(), ip, clock.Now()))
		mustUpdate(t, db.UpdateLastPongReceived(n.ID(), ip, clock.Now()))
		mustUpdate(t, db.UpdateFindFails(n.ID(), ip, 2))
	}
	mustUpdate(t, db.DeleteNode(a.ID()))
	if db.Node(a.ID()) != nil || !db.LastPingReceived(a.ID(), ip).IsZero() ||
		!db.LastPongReceived(a.ID(), ip).IsZero() || db.FindFails(a.ID(), ip) != 0 {
		t.Fatal("deleted node still has data")
	}
	if db.Node(b.ID()) == nil || db.FindFails(b.ID(), ip) != 2 || db.LastPongReceived(b.ID(), ip).IsZero() {
		t.Fatal("other node lost data")
	}
	mustUpdate(t, db.DeleteNode(a.ID())) // deleting again is fine
}

func testPingPong(t *testing.T, db nodedb.DB, clock *Clock) {
	id := NewNode(t, "10.0.0.1").ID()
	v4 := netip.MustParseAddr("10.0.0.1")
	v4mapped := netip.MustParseAddr("::ffff:10.0.0.1")
	v6 := netip.MustParseAddr("2001:db8::1")
	zoned := netip.MustParseAddr("fe80::1%eth0")
	t1, t2 := clock.Now(), clock.Now().Add(time.Minute+time.Nanosecond)

	if !db.LastPingReceived(id, v4).IsZero() || !db.LastPongReceived(id, v4).IsZero() {
		t.Fatal("times of unknown node not zero")
	}
	mustUpdate(t, db.UpdateLastPingReceived(id, v4, t1))
	mustUpdate(t, db.UpdateLastPongReceived(id, v6, t2))
	mustUpdate(t, db.UpdateLastPongReceived(id, zoned, t1))
	for _, c := range []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"ping v4", db.LastPingReceived(id, v4), t1},
		{"ping v4-mapped", db.LastPingReceived(id, v4mapped), t1},
		{"pong v4", db.LastPongReceived(id, v4), time.Time{}},
		{"pong v6", db.LastPongReceived(id, v6), t2},
		{"ping v6", db.LastPingReceived(id, v6), time.Time{}},
		{"pong zoned", db.LastPongReceived(id, netip.MustParseAddr("fe80::1")), t1},
		{"pong other node", db.LastPongReceived(enode.ID{9}, v6), time.Time{}},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	mustUpdate(t, db.UpdateLastPingReceived(id, v4mapped, time.Time{}))
	if got := db.LastPingReceived(id, v4); !got.IsZero() {
		t.Errorf("zero time did not delete: %v", got)
	}
	if err := db.UpdateLastPingReceived(id, netip.Addr{}, t1); err == nil {
		t.Error("invalid IP accepted for ping")
	}
	if err := db.UpdateLastPongReceived(id, netip.Addr{}, t1); err == nil {
		t.Error("invalid IP accepted for pong")
	}
	if got := db.LastPongReceived(id, netip.Addr{}); !got.IsZero() {
		t.Errorf("invalid IP: %v", got)
	}
}

func testFindFails(t *testing.T, db nodedb.DB, _ *Clock) {
	id := NewNode(t, "10.0.0.1").ID()
	ip, other := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	if db.FindFails(id, ip) != 0 {
		t.Fatal("fails of unknown node")
	}
	mustUpdate(t, db.UpdateFindFails(id, ip, 3))
	if got := db.FindFails(id, ip); got != 3 {
		t.Fatalf("fails %d, want 3", got)
	}
	if got := db.FindFails(id, other); got != 0 {
		t.Fatalf("fails at other IP %d", got)
	}
	mustUpdate(t, db.UpdateFindFails(id, ip, 0))
	if got := db.FindFails(id, ip); got != 0 {
		t.Fatalf("fails after reset %d", got)
	}
	if err := db.UpdateFindFails(id, netip.Addr{}, 1); err == nil {
		t.Error("invalid IP accepted")
	}
}

func testLocalSeq(t *testing.T, db nodedb.DB, _ *Clock) {
	a, b := enode.ID{1}, enode.ID{2}
	if db.LocalSeq(a) != 0 {
		t.Fatal("seq of unknown ID")
	}
	db.StoreLocalSeq(a, 7)
	db.StoreLocalSeq(b, 1<<63)
	db.StoreLocalSeq(a, 8)
	if got := db.LocalSeq(a); got != 8 {
		t.Errorf("seq %d, want 8", got)
	}
	if got := db.LocalSeq(b); got != 1<<63 {
		t.Errorf("seq %d, want 2^63", got)
	}
	// The database works as LocalNode's SeqStore.
	key := newKey(t)
	ln := enode.NewLocalNode(db, key)
	seq := ln.Node().Seq()
	if got := db.LocalSeq(ln.ID()); got != seq {
		t.Errorf("LocalNode stored seq %d, record has %d", got, seq)
	}
	ln.Set(enr.WithEntry("x", uint(1)))
	if got := ln.Node().Seq(); got <= seq || db.LocalSeq(ln.ID()) != got {
		t.Errorf("after change: record seq %d, stored %d", got, db.LocalSeq(ln.ID()))
	}
}

func testQuerySeeds(t *testing.T, db nodedb.DB, clock *Clock) {
	now := clock.Now()
	recent := make(map[enode.ID]bool)
	add := func(n *enode.Node, pongIP string, pong time.Time) {
		mustUpdate(t, db.UpdateNode(n))
		mustUpdate(t, db.UpdateLastPongReceived(n.ID(), netip.MustParseAddr(pongIP), pong))
	}
	for i := range 30 {
		ip := fmt.Sprintf("10.0.%d.1", i)
		n := NewNode(t, ip)
		add(n, ip, now.Add(-time.Duration(i)*time.Minute))
		recent[n.ID()] = true
	}
	for i := range 10 { // pong too old
		ip := fmt.Sprintf("10.1.%d.1", i)
		add(NewNode(t, ip), ip, now.Add(-2*time.Hour))
	}
	for i := range 10 { // pong from another address
		add(NewNode(t, fmt.Sprintf("10.2.%d.1", i)), "10.99.0.1", now)
	}
	for range 5 { // pong but no record
		mustUpdate(t, db.UpdateLastPongReceived(NewNode(t, "10.3.0.1").ID(), netip.MustParseAddr("10.3.0.1"), now))
	}
	if s := db.QuerySeeds(0, time.Hour); len(s) != 0 {
		t.Fatalf("QuerySeeds(0): %d nodes", len(s))
	}
	check := func(n int) []*enode.Node {
		seeds := db.QuerySeeds(n, time.Hour)
		if len(seeds) > n {
			t.Fatalf("QuerySeeds(%d) returned %d", n, len(seeds))
		}
		seen := make(map[enode.ID]bool)
		for _, s := range seeds {
			if !recent[s.ID()] {
				t.Fatalf("QuerySeeds returned %v, not recently seen", s)
			}
			if seen[s.ID()] {
				t.Fatalf("QuerySeeds returned %v twice", s)
			}
			seen[s.ID()] = true
		}
		return seeds
	}
	if s := check(10); len(s) < 5 {
		t.Fatalf("QuerySeeds(10) of 30 qualifying: only %d", len(s))
	}
	if s := check(100); len(s) == 0 {
		t.Fatal("QuerySeeds(100) returned nothing")
	}
	// Different calls return different choices.
	distinct := make(map[enode.ID]bool)
	for range 10 {
		for _, s := range check(3) {
			distinct[s.ID()] = true
		}
	}
	if len(distinct) <= 3 {
		t.Fatalf("10 calls of QuerySeeds(3) chose only %d nodes", len(distinct))
	}
	// As time passes, fewer nodes qualify.
	clock.Advance(time.Hour - 10*time.Minute + time.Second)
	for _, s := range db.QuerySeeds(100, time.Hour) {
		if db.LastPongReceived(s.ID(), s.IPAddr()).Before(clock.Now().Add(-time.Hour)) {
			t.Fatalf("QuerySeeds returned %v with an old pong", s)
		}
	}
}

func testExpire(t *testing.T, db nodedb.DB, clock *Clock) {
	start := clock.Now()
	ip1, ip2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")

	updatedOnly := NewNode(t, "10.0.0.1")
	mustUpdate(t, db.UpdateNode(updatedOnly)) // seen at start
	clock.Advance(time.Hour)

	old := NewNode(t, "10.0.0.1") // last pong at start
	mustUpdate(t, db.UpdateNode(old))
	mustUpdate(t, db.UpdateLastPongReceived(old.ID(), ip1, start))
	mustUpdate(t, db.UpdateFindFails(old.ID(), ip1, 4))

	fresh := NewNode(t, "10.0.0.1") // recent pong at ip1, old ping at ip2
	mustUpdate(t, db.UpdateNode(fresh))
	mustUpdate(t, db.UpdateLastPongReceived(fresh.ID(), ip1, start.Add(25*time.Hour)))
	mustUpdate(t, db.UpdateLastPingReceived(fresh.ID(), ip2, start))
	mustUpdate(t, db.UpdateFindFails(fresh.ID(), ip2, 1))

	pinger := enode.ID{7} // no record, recent ping
	mustUpdate(t, db.UpdateLastPingReceived(pinger, ip1, start.Add(25*time.Hour)))
	ghost := enode.ID{8} // no record, old pong
	mustUpdate(t, db.UpdateLastPongReceived(ghost, ip2, start))

	// old's record was stored an hour after start: kept at the first cut.
	n, err := db.ExpireBefore(start.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || db.Node(updatedOnly.ID()) != nil {
		t.Fatalf("first cut: %d deleted, want 2; node seen only at start: %v", n, db.Node(updatedOnly.ID()))
	}
	if !db.LastPongReceived(ghost, ip2).IsZero() {
		t.Error("expired pong kept")
	}
	if db.Node(old.ID()) == nil {
		t.Fatal("node stored after the cut was deleted")
	}

	n, err = db.ExpireBefore(start.Add(24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("second cut deleted %d nodes, want 1", n)
	}
	if db.Node(old.ID()) != nil || db.FindFails(old.ID(), ip1) != 0 || !db.LastPongReceived(old.ID(), ip1).IsZero() {
		t.Error("expired node kept data")
	}
	if db.Node(fresh.ID()) == nil || db.LastPongReceived(fresh.ID(), ip1).IsZero() {
		t.Error("fresh node lost")
	}
	if !db.LastPingReceived(fresh.ID(), ip2).IsZero() || db.FindFails(fresh.ID(), ip2) != 0 {
		t.Error("old address of fresh node kept")
	}
	if db.LastPingReceived(pinger, ip1).IsZero() {
		t.Error("recent ping lost")
	}
}

func testClosed(t *testing.T, db nodedb.DB, clock *Clock) {
	n := NewNode(t, "10.0.0.1")
	ip := netip.MustParseAddr("10.0.0.1")
	mustUpdate(t, db.UpdateNode(n))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if db.UpdateNode(n) == nil || db.UpdateLastPingReceived(n.ID(), ip, clock.Now()) == nil ||
		db.UpdateLastPongReceived(n.ID(), ip, clock.Now()) == nil || db.UpdateFindFails(n.ID(), ip, 1) == nil ||
		db.DeleteNode(n.ID()) == nil {
		t.Error("write after Close succeeded")
	}
	if _, err := db.ExpireBefore(clock.Now()); err == nil {
		t.Error("ExpireBefore after Close succeeded")
	}
	db.StoreLocalSeq(n.ID(), 1)
	if db.Node(n.ID()) != nil || db.LocalSeq(n.ID()) != 0 || len(db.QuerySeeds(1, time.Hour)) != 0 ||
		!db.LastPingReceived(n.ID(), ip).IsZero() || db.FindFails(n.ID(), ip) != 0 {
		t.Error("read after Close returned data")
	}
}

func testConcurrent(t *testing.T, db nodedb.DB, clock *Clock) {
	nodes := make([]*enode.Node, 8)
	for i := range nodes {
		nodes[i] = NewNode(t, fmt.Sprintf("10.0.0.%d", i+1))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				n := nodes[(g+i)%len(nodes)]
				ip := n.IPAddr()
				switch i % 6 {
				case 0:
					_ = db.UpdateNode(n)
				case 1:
					_ = db.UpdateLastPongReceived(n.ID(), ip, clock.Now())
				case 2:
					_ = db.UpdateFindFails(n.ID(), ip, i)
				case 3:
					db.Node(n.ID())
					db.LastPongReceived(n.ID(), ip)
				case 4:
					db.QuerySeeds(3, time.Hour)
				case 5:
					if g == 0 {
						_, _ = db.ExpireBefore(clock.Now().Add(-time.Hour))
					}
					db.StoreLocalSeq(n.ID(), uint64(i))
				}
			}
		})
	}
	wg.Wait()
}
