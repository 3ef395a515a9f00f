package enode

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/seednet/p2p/enr"
)

// testClock is a manually advanced clock, safe for concurrent use.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.UnixMilli(1_700_000_000_000)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// memSeqStore is a SeqStore in memory.
type memSeqStore struct {
	mu  sync.Mutex
	seq map[ID]uint64
}

func (s *memSeqStore) LocalSeq(id ID) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq[id]
}

func (s *memSeqStore) StoreLocalSeq(id ID, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seq == nil {
		s.seq = make(map[ID]uint64)
	}
	s.seq[id] = seq
}

func newTestLocalNode(t *testing.T, clock *testClock, store SeqStore) *LocalNode {
	return NewLocalNodeWithConfig(testKey(t, 0), LocalNodeConfig{Now: clock.Now, SeqStore: store})
}

func TestLocalNodeSeq(t *testing.T) {
	clock := newTestClock()
	start := uint64(clock.Now().UnixMilli())
	ln := newTestLocalNode(t, clock, nil)
	if ln.ID() != PubkeyToIDV4(&testKey(t, 0).PublicKey) {
		t.Fatal("ID")
	}
	n := ln.Node()
	if n.Seq() != start+1 || ln.Seq() != start+1 {
		t.Fatalf("first seq %d, want %d", n.Seq(), start+1)
	}
	if ln.Node() != n {
		t.Fatal("unchanged record was signed again")
	}
	// A burst of changes costs one seq step.
	ln.Set(enr.TCP(1))
	ln.Set(enr.TCP(2))
	ln.Set(enr.WithEntry("foo", "bar"))
	if got := ln.Seq(); got != start+2 {
		t.Fatalf("seq after changes %d, want %d", got, start+2)
	}
	// Setting the same value or deleting a missing entry changes nothing.
	ln.Set(enr.TCP(2))
	ln.Delete(enr.UDP6(0))
	if got := ln.Seq(); got != start+2 {
		t.Fatalf("seq after no-op changes %d, want %d", got, start+2)
	}
	ln.Delete(enr.TCP(0))
	n = ln.Node()
	if n.Seq() != start+3 || n.TCP() != 0 {
		t.Fatalf("after delete: seq %d tcp %d", n.Seq(), n.TCP())
	}
	// Without a store, seq catches up with the clock.
	clock.Advance(time.Hour)
	ln.Set(enr.TCP(3))
	if got, want := ln.Seq(), uint64(clock.Now().UnixMilli()); got != want {
		t.Fatalf("seq after an hour %d, want %d", got, want)
	}
	// Every record verifies and carries the entries.
	n, err := New(ValidSchemes, ln.Node().Record())
	if err != nil {
		t.Fatal(err)
	}
	var foo string
	if err := n.Load(enr.WithEntry("foo", &foo)); err != nil || foo != "bar" || n.TCP() != 3 {
		t.Fatalf("entries: foo %q (%v) tcp %d", foo, err, n.TCP())
	}
}

func TestLocalNodeSeqStore(t *testing.T) {
	clock := newTestClock()
	store := new(memSeqStore)
	ln := newTestLocalNode(t, clock, store)
	start := uint64(clock.Now().UnixMilli())
	if got := ln.Seq(); got != start+1 {
		t.Fatalf("seq %d, want %d", got, start+1)
	}
	if got := store.LocalSeq(ln.ID()); got != start+1 {
		t.Fatalf("stored seq %d, want %d", got, start+1)
	}
	// With a store, seq steps by one even as the clock moves.
	clock.Advance(time.Hour)
	ln.Set(enr.TCP(1))
	if got := ln.Seq(); got != start+2 {
		t.Fatalf("seq %d, want %d", got, start+2)
	}
	// A restart continues from the stored value, even with the clock set back.
	clock.Advance(-24 * time.Hour)
	ln2 := newTestLocalNode(t, clock, store)
	if got := ln2.Seq(); got != start+3 {
		t.Fatalf("seq after restart %d, want %d", got, start+3)
	}
}

func TestLocalNodeSetErrors(t *testing.T) {
	ln := newTestLocalNode(t, newTestClock(), nil)
	seq := ln.Seq()
	if err := ln.Set(enr.IPv4Addr{}); !errors.Is(err, enr.ErrInvalidIPv4) {
		t.Errorf("unencodable entry: %v", err)
	}
	if err := ln.Set(enr.WithEntry("big", make([]byte, 150))); !errors.Is(err, enr.ErrTooBig) {
		t.Errorf("too big: %v", err)
	}
	if err := ln.Set(enr.WithEntry("fits", make([]byte, 100))); err != nil {
		t.Errorf("fitting entry: %v", err)
	}
	// Even with every endpoint entry at its largest, the record signs.
	ln.SetStaticIP(mustAddr("255.255.255.255"))
	ln.SetStaticIP(mustAddr("ffff::ffff"))
	ln.SetFallbackUDP(65535)
	if n := ln.Node(); n.Seq() != seq+1 {
		t.Errorf("seq %d, want %d", n.Seq(), seq+1)
	}
}

func TestLocalNodeFallbackAndStatic(t *testing.T) {
	ln := newTestLocalNode(t, newTestClock(), nil)
	ln.Set(enr.TCP(30303))
	ln.SetFallbackIP(mustAddr("192.168.0.2"))
	ln.SetFallbackUDP(30301)
	checkEndpoint(t, ln, "192.168.0.2:30301")
	ln.SetStaticIP(mustAddr("8.8.8.8"))
	checkEndpoint(t, ln, "8.8.8.8:30301")
	// Statements don't override a static IP.
	feedStatements(ln, 0, 10, netip.MustParseAddrPort("1.2.3.4:5"))
	checkEndpoint(t, ln, "8.8.8.8:30301")
	// An IPv6 address goes into ip6; the IPv4 endpoint stays preferred as
	// equally global, and udp6 is left out when it equals udp.
	ln.SetStaticIP(mustAddr("2001:db8::1"))
	n := ln.Node()
	var ip6 enr.IPv6Addr
	var udp6 enr.UDP6
	if err := n.Load(&ip6); err != nil || netip.Addr(ip6) != mustAddr("2001:db8::1") {
		t.Errorf("ip6 %v %v", netip.Addr(ip6), err)
	}
	if err := n.Load(&udp6); !enr.IsNotFound(err) {
		t.Errorf("udp6 present: %v", err)
	}
	// Invalid addresses and ports are ignored.
	seq := ln.Seq()
	ln.SetStaticIP(netip.Addr{})
	ln.SetFallbackIP(netip.Addr{})
	ln.SetFallbackUDP(0)
	ln.SetFallbackUDP(70000)
	if ln.Seq() != seq {
		t.Error("invalid settings changed the record")
	}
}

func TestLocalNodeEndpointPrediction(t *testing.T) {
	clock := newTestClock()
	ln := newTestLocalNode(t, clock, nil)
	ln.SetFallbackIP(mustAddr("192.168.0.2"))
	ln.SetFallbackUDP(30303)
	natEP := netip.MustParseAddrPort("203.0.113.7:61000")

	for i := range 10 {
		ln.UDPContact(hostAddr(i))
	}
	// Nine hosts agree: not enough.
	feedStatements(ln, 0, 9, natEP)
	checkEndpoint(t, ln, "192.168.0.2:30303")
	// One host repeating itself is still one host, even from another port.
	ln.UDPEndpointStatement(netip.AddrPortFrom(hostAddr(0).Addr(), 9999), natEP)
	checkEndpoint(t, ln, "192.168.0.2:30303")
	// Ten distinct hosts: the NAT's address and port go into the record.
	seq := ln.Seq()
	feedStatements(ln, 9, 10, natEP)
	checkEndpoint(t, ln, natEP.String())
	if ln.Seq() != seq+1 {
		t.Fatalf("seq %d, want %d", ln.Seq(), seq+1)
	}
	// Unusable statements are ignored.
	for i, ep := range []string{"0.0.0.0:1", "224.0.0.1:1", "1.2.3.4:0"} {
		for h := range 20 {
			ln.UDPEndpointStatement(hostAddr(100+i*20+h), netip.MustParseAddrPort(ep))
		}
	}
	checkEndpoint(t, ln, natEP.String())
	// Five minutes on, the statements have expired: back to the fallback.
	clock.Advance(5*time.Minute + time.Second)
	ln.UDPContact(hostAddr(1)) // any call re-evaluates the prediction
	checkEndpoint(t, ln, "192.168.0.2:30303")
	// IPv6 statements feed their own predictor.
	ep6 := netip.MustParseAddrPort("[2001:db8::7]:30303")
	for i := range 10 {
		ln.UDPEndpointStatement(netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 1, 15: byte(i)}), 1), ep6)
	}
	var ip6 enr.IPv6Addr
	if err := ln.Node().Load(&ip6); err != nil || netip.Addr(ip6) != ep6.Addr() {
		t.Fatalf("ip6 %v %v", netip.Addr(ip6), err)
	}
	checkEndpoint(t, ln, "192.168.0.2:30303") // the ip entry keeps the IPv4 fallback
	// The node's endpoint is the public IPv6 one rather than the private IPv4.
	if ep, ok := ln.Node().UDPEndpoint(); !ok || ep != ep6 {
		t.Fatalf("node endpoint %v, want %v", ep, ep6)
	}
}

func hostAddr(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 30303)
}

func feedStatements(ln *LocalNode, from, to int, ep netip.AddrPort) {
	for i := from; i < to; i++ {
		ln.UDPEndpointStatement(hostAddr(i), ep)
	}
}

func checkEndpoint(t *testing.T, ln *LocalNode, want string) {
	t.Helper()
	n := ln.Node()
	var ip enr.IPv4Addr
	var udp enr.UDP
	if err := n.Load(&ip); err != nil {
		t.Fatalf("no ip entry: %v", err)
	}
	if err := n.Load(&udp); err != nil {
		t.Fatalf("no udp entry: %v", err)
	}
	if got := netip.AddrPortFrom(netip.Addr(ip), uint16(udp)).String(); got != want {
		t.Fatalf("record endpoint %s, want %s", got, want)
	}
	if _, err := New(ValidSchemes, n.Record()); err != nil {
		t.Fatalf("record does not verify: %v", err)
	}
}

func TestLocalNodeConcurrent(t *testing.T) {
	ln := NewLocalNode(nil, testKey(t, 0))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				switch (g + i) % 4 {
				case 0:
					ln.Set(enr.TCP(uint16(i + 1)))
				case 1:
					ln.UDPEndpointStatement(hostAddr(i), netip.MustParseAddrPort("1.2.3.4:5"))
				case 2:
					if n := ln.Node(); n.ID() != ln.ID() {
						t.Error("wrong ID")
					}
				case 3:
					ln.Seq()
				}
			}
		})
	}
	wg.Wait()
	last := ln.Node()
	if _, err := New(ValidSchemes, last.Record()); err != nil {
		t.Fatal(err)
	}
}
