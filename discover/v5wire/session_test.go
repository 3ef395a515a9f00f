package v5wire

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
)

func (l *lru[K, V]) keys() []K {
	var ks []K
	for it := l.root.next; it != nil && it != &l.root; it = it.next {
		ks = append(ks, it.key)
	}
	return ks
}

func TestLRU(t *testing.T) {
	l := newLRU[int, string](3)
	if _, ok := l.get(1); ok {
		t.Fatal("get from an empty cache")
	}
	if _, _, ok := l.oldest(); ok {
		t.Fatal("oldest of an empty cache")
	}
	l.removeOldest()
	steps := []struct {
		op   string
		key  int
		want []int // keys, most recent first
	}{
		{"add", 1, []int{1}},
		{"add", 2, []int{2, 1}},
		{"add", 3, []int{3, 2, 1}},
		{"get", 1, []int{1, 3, 2}},
		{"add", 4, []int{4, 1, 3}}, // evicts 2, the least recently used
		{"peek", 3, []int{4, 1, 3}},
		{"add", 1, []int{1, 4, 3}}, // replaces
		{"remove", 4, []int{1, 3}},
		{"remove", 4, []int{1, 3}},
		{"add", 5, []int{5, 1, 3}},
		{"add", 6, []int{6, 5, 1}},
		{"removeOldest", 0, []int{6, 5}},
	}
	for i, s := range steps {
		switch s.op {
		case "add":
			l.add(s.key, "v")
		case "get":
			l.get(s.key)
		case "peek":
			l.peek(s.key)
		case "remove":
			l.remove(s.key)
		case "removeOldest":
			l.removeOldest()
		}
		if got := l.keys(); !slices.Equal(got, s.want) || l.len() != len(s.want) {
			t.Fatalf("step %d (%s %d): keys %v (len %d), want %v", i, s.op, s.key, got, l.len(), s.want)
		}
	}
}

func TestSessionCacheBound(t *testing.T) {
	const limit = 16
	sc := newSessionCache(limit, limit, time.Second, time.Now)
	key := func(i int) sessionID {
		return newSessionID(enode.ID{byte(i)}, netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 1}), uint16(i)))
	}
	for i := range 3 * limit {
		sc.storeSession(key(i), &session{})
		if i == limit/2 {
			// Keep an old one in use.
			sc.session(key(0))
		}
		if i >= limit {
			sc.session(key(0))
		}
		if n := sc.sessions.len(); n > limit {
			t.Fatalf("%d sessions, limit %d", n, limit)
		}
	}
	if sc.session(key(0)) == nil {
		t.Fatal("the session in use was evicted")
	}
	if sc.session(key(1)) != nil {
		t.Fatal("an old session is still there")
	}
	for i := 2*limit + 1; i < 3*limit; i++ {
		if sc.session(key(i)) == nil {
			t.Fatalf("recent session %d was evicted", i)
		}
	}
	// The address is part of the key; an IPv4-mapped address is the same.
	k := key(3 * limit)
	sc.storeSession(k, &session{})
	mapped := newSessionID(k.id, netip.AddrPortFrom(netip.AddrFrom16(k.addr.Addr().As16()), k.addr.Port()))
	if sc.session(mapped) == nil {
		t.Fatal("mapped address has no session")
	}
	other := newSessionID(k.id, netip.AddrPortFrom(k.addr.Addr(), k.addr.Port()+1))
	if sc.session(other) != nil {
		t.Fatal("other port has the session")
	}
}

func TestChallengeStore(t *testing.T) {
	clock := newTestClock()
	sc := newSessionCache(4, 3, time.Second, clock.Now)
	key := func(i int) sessionID { return newSessionID(enode.ID{byte(i)}, addrA) }
	ws := make([]*Whoareyou, 10)
	for i := range ws {
		ws[i] = &Whoareyou{RecordSeq: uint64(i)}
	}

	// Bounded: the oldest goes.
	for i := range 4 {
		sc.storeChallenge(key(i), ws[i])
	}
	if sc.challenges.len() != 3 || sc.challenge(key(0)) != nil {
		t.Fatalf("%d challenges, first %v", sc.challenges.len(), sc.challenge(key(0)))
	}
	for i := 1; i < 4; i++ {
		if sc.challenge(key(i)) != ws[i] {
			t.Fatalf("challenge %d missing", i)
		}
	}
	// A new challenge to the same node replaces the old one.
	sc.storeChallenge(key(1), ws[5])
	if sc.challenge(key(1)) != ws[5] || sc.challenges.len() != 3 {
		t.Fatal("challenge not replaced")
	}
	// Expiry: challenges older than the timeout are gone, and storing a
	// new one prunes the expired.
	clock.Advance(600 * time.Millisecond)
	sc.storeChallenge(key(6), ws[6]) // evicts key(2), the oldest
	clock.Advance(600 * time.Millisecond)
	if sc.challenge(key(3)) != nil {
		t.Fatal("expired challenge returned")
	}
	sc.storeChallenge(key(7), ws[7])
	if got := sc.challenges.keys(); !slices.Equal(got, []sessionID{key(7), key(6)}) {
		t.Fatalf("challenges %v after pruning", got)
	}
	sc.deleteChallenge(key(6))
	if sc.challenge(key(6)) != nil || sc.challenge(key(7)) != ws[7] {
		t.Fatal("delete")
	}
}

func TestNonceCounter(t *testing.T) {
	s := &session{}
	n1, ok1 := s.nextNonce([8]byte{1})
	n2, ok2 := s.nextNonce([8]byte{1})
	if !ok1 || !ok2 || n1 == n2 || n1[3] != 1 || n2[3] != 2 || n1[4] != 1 {
		t.Fatalf("nonces %x %x", n1, n2)
	}
	s.nonceCounter = 1<<32 - 2
	if _, ok := s.nextNonce([8]byte{}); !ok {
		t.Fatal("last nonce refused")
	}
	if _, ok := s.nextNonce([8]byte{}); ok {
		t.Fatal("counter wrapped")
	}
}

// TestNonceExhausted: a session whose nonces are used up is dropped, and
// the next packet starts a handshake.
func TestNonceExhausted(t *testing.T) {
	tp := newTestPair(t)
	tp.handshake(t, &Ping{})
	s := tp.a.c.sc.session(newSessionID(tp.b.id(), tp.b.addr))
	s.nonceCounter = 1<<32 - 1
	_, _, p, err := send(t, tp.a, tp.b, &Ping{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := p.(*Unknown); !ok || u.Reason != ErrUnknownSession && u.Reason != ErrMessageDecrypt {
		t.Fatalf("got %#v, want Unknown", p)
	}
	if tp.a.c.SessionNode(tp.b.id(), tp.b.addr) != nil {
		t.Fatal("exhausted session kept")
	}
}

// TestCrossedHandshakes: two nodes send each other a request at the same
// time without a session, challenge each other and both handshake. Each
// ends with the session of the handshake it received last; messages
// still open, through the previous session, which becomes current again.
func TestCrossedHandshakes(t *testing.T) {
	tp := newTestPair(t)
	a, b := tp.a, tp.b
	ping := &Ping{ReqID: []byte{1}}
	enc := func(from, to *testNode, p Packet, c *Whoareyou) []byte {
		t.Helper()
		pkt, _, err := from.c.Encode(to.id(), to.addr, p, c)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(pkt)
	}
	dec := func(at, from *testNode, pkt []byte) Packet {
		t.Helper()
		_, _, p, err := at.c.Decode(pkt, from.addr)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Both send a random packet; both answer with WHOAREYOU.
	ra, rb := enc(a, b, ping, nil), enc(b, a, ping, nil)
	ua, ub := dec(b, a, ra).(*Unknown), dec(a, b, rb).(*Unknown)
	wb := dec(a, b, enc(b, a, &Whoareyou{Nonce: ua.Nonce}, nil)).(*Whoareyou)
	wa := dec(b, a, enc(a, b, &Whoareyou{Nonce: ub.Nonce}, nil)).(*Whoareyou)
	wb.Node, wa.Node = b.node(), a.node()
	// Both handshake, and the handshakes cross.
	ha, hb := enc(a, b, ping, wb), enc(b, a, ping, wa)
	if p := dec(b, a, ha); p.Kind() != PingMsg {
		t.Fatalf("b got %s", p.Name())
	}
	if p := dec(a, b, hb); p.Kind() != PingMsg {
		t.Fatalf("a got %s", p.Name())
	}
	// Messages open both ways, several times over.
	for i := range 3 {
		if p := dec(b, a, enc(a, b, &Pong{ReqID: []byte{byte(i)}}, nil)); p.Kind() != PongMsg {
			t.Fatalf("round %d: b got %s", i, p.Name())
		}
		if p := dec(a, b, enc(b, a, &Pong{ReqID: []byte{byte(i)}}, nil)); p.Kind() != PongMsg {
			t.Fatalf("round %d: a got %s", i, p.Name())
		}
	}
}

// TestSessionCachePerIP: the sessions with one IP are bounded; the least
// recently used of that IP goes, not another IP's.
func TestSessionCachePerIP(t *testing.T) {
	sc := newSessionCache(10, 10, time.Second, time.Now)
	sc.maxPerIP = 3
	key := func(ip byte, i int) sessionID {
		return newSessionID(enode.ID{ip, byte(i)}, netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, ip}), uint16(1000+i)))
	}
	sc.storeSession(key(2, 0), &session{})
	for i := range 5 {
		sc.storeSession(key(1, i), &session{})
	}
	sc.storeSession(key(2, 1), &session{})
	for i := range 5 {
		if got, want := sc.session(key(1, i)) != nil, i >= 2; got != want {
			t.Fatalf("session %d of IP 1: present %v, want %v", i, got, want)
		}
	}
	for i := range 2 {
		if sc.session(key(2, i)) == nil {
			t.Fatalf("session %d of IP 2 was evicted", i)
		}
	}
	if sc.perIP[key(1, 0).addr.Addr()] != 3 || sc.perIP[key(2, 0).addr.Addr()] != 2 {
		t.Fatalf("counts %v", sc.perIP)
	}
	for i := range 5 {
		sc.deleteSession(key(1, i))
		sc.deleteSession(key(2, i))
	}
	if len(sc.perIP) != 0 || sc.sessions.len() != 0 {
		t.Fatalf("after deleting all: counts %v, %d sessions", sc.perIP, sc.sessions.len())
	}
}
