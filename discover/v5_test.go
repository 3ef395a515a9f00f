package discover

import (
	"net"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
)

// startV5 starts discovery v5 on a loopback address; edit may change the
// config. The node is closed when the test ends.
func startV5(t testing.TB, ip string, edit func(*Config)) *UDPv5 {
	t.Helper()
	key := testutil.NewKey(t)
	cfg := Config{PrivateKey: key, Log: testLogger(t)}
	if edit != nil {
		edit(&cfg)
	}
	udp, err := ListenV5(listenUDP(t, ip), enode.NewLocalNode(nil, key), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(udp.Close)
	return udp
}

// waitV5Stats polls until cond holds on the node's stats.
func waitV5Stats(t testing.TB, udp *UDPv5, cond func(V5Stats) bool) V5Stats {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		s := udp.Stats()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats condition not met: %+v", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestV5TwoNodes runs requests between two nodes over loopback UDP:
// handshakes both ways, session reuse, and every request type.
func TestV5TwoNodes(t *testing.T) {
	a := startV5(t, "127.0.0.1", quiet)
	b := startV5(t, "127.0.0.1", quiet)
	a.RegisterTalkHandler("echo", func(n *enode.Node, addr *net.UDPAddr, msg []byte) []byte {
		if n == nil || n.ID() != b.Self().ID() {
			return []byte("wrong node")
		}
		return append([]byte("a:"), msg...)
	})
	b.RegisterTalkHandler("echo", func(n *enode.Node, addr *net.UDPAddr, msg []byte) []byte {
		return append([]byte("b:"), msg...)
	})

	t.Run("ping a to b: handshake", func(t *testing.T) {
		pong, err := a.Ping(b.Self())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := a.Self().UDPEndpoint()
		if got, _ := pong.ToAddrPort(); got != want || pong.ENRSeq != b.Self().Seq() {
			t.Fatalf("pong to %v seq %d, want %v seq %d", got, pong.ENRSeq, want, b.Self().Seq())
		}
		if s := b.Stats(); s.WhoareyouSent != 1 {
			t.Fatalf("b sent %d WHOAREYOU", s.WhoareyouSent)
		}
	})
	t.Run("session reuse both ways", func(t *testing.T) {
		for range 3 {
			if _, err := a.Ping(b.Self()); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Ping(a.Self()); err != nil {
				t.Fatal(err)
			}
		}
		if sa, sb := a.Stats(), b.Stats(); sa.WhoareyouSent != 0 || sb.WhoareyouSent != 1 {
			t.Fatalf("WHOAREYOUs sent: a %d, b %d; want 0, 1", sa.WhoareyouSent, sb.WhoareyouSent)
		}
	})
	t.Run("request ENR both ways", func(t *testing.T) {
		for _, c := range []struct{ from, to *UDPv5 }{{a, b}, {b, a}} {
			n, err := c.from.RequestENR(c.to.Self())
			if err != nil {
				t.Fatal(err)
			}
			if n.ID() != c.to.Self().ID() || n.Seq() != c.to.Self().Seq() {
				t.Fatalf("got %v", n)
			}
		}
	})
	t.Run("talk both ways", func(t *testing.T) {
		resp, err := b.TalkRequest(a.Self(), "echo", []byte("hi"))
		if err != nil || string(resp) != "a:hi" {
			t.Fatalf("b to a: %q, %v", resp, err)
		}
		resp, err = a.TalkRequest(b.Self(), "echo", []byte("yo"))
		if err != nil || string(resp) != "b:yo" {
			t.Fatalf("a to b: %q, %v", resp, err)
		}
	})
	t.Run("talk unknown protocol", func(t *testing.T) {
		resp, err := a.TalkRequest(b.Self(), "nope", []byte("x"))
		if err != nil || len(resp) != 0 {
			t.Fatalf("got %q, %v", resp, err)
		}
	})
	t.Run("no drops", func(t *testing.T) {
		for _, n := range []*UDPv5{a, b} {
			if s := n.Stats(); s.Dropped() != 0 {
				t.Fatalf("drops: %+v", s)
			}
		}
	})
}

// TestV5SessionLoss restarts a node with the same key and address but a
// new codec: the other node's session is gone on that side, and the next
// request handshakes again.
func TestV5SessionLoss(t *testing.T) {
	a := startV5(t, "127.0.0.1", quiet)
	bkey := testutil.NewKey(t)
	bconn := listenUDP(t, "127.0.0.1")
	baddr := bconn.LocalAddr().(*net.UDPAddr).AddrPort()
	b, err := ListenV5(bconn, enode.NewLocalNode(nil, bkey), Config{PrivateKey: bkey, PingInterval: time.Hour, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	bnode := b.Self()
	if _, err := a.Ping(bnode); err != nil {
		t.Fatal(err)
	}
	b.Close()

	conn2, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(baddr))
	if err != nil {
		t.Fatal(err)
	}
	b2, err := ListenV5(conn2, enode.NewLocalNode(nil, bkey), Config{PrivateKey: bkey, PingInterval: time.Hour, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	// a still has its session: its PING reaches b2 as an unknown
	// session, b2 answers WHOAREYOU, a handshakes again.
	if _, err := a.Ping(bnode); err != nil {
		t.Fatal(err)
	}
	if s := b2.Stats(); s.UnknownSession != 1 || s.WhoareyouSent != 1 {
		t.Fatalf("restarted node: %+v", s)
	}
	// And b2 to a: a has the new session too.
	if _, err := b2.Ping(a.Self()); err != nil {
		t.Fatal(err)
	}
	if s := a.Stats(); s.WhoareyouSent != 0 || s.Dropped() != 0 {
		t.Fatalf("a: %+v", s)
	}
}

// TestV5SharedSocket runs v4 and v5 on one socket, as p2p.Server does,
// against another such pair.
func TestV5SharedSocket(t *testing.T) {
	type pair struct {
		v4 *UDPv4
		v5 *UDPv5
	}
	start := func() pair {
		key := testutil.NewKey(t)
		ln := enode.NewLocalNode(nil, key)
		conn := listenUDP(t, "127.0.0.1")
		unhandled := make(chan ReadPacket, 16)
		v4, err := ListenV4(conn, ln, Config{PrivateKey: key, Unhandled: unhandled, PingInterval: time.Hour, RefreshInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		v5, err := ListenV5(NewSharedConn(conn, unhandled), ln, Config{PrivateKey: key, PingInterval: time.Hour, RefreshInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			v5.Close()
			v4.Close()
		})
		return pair{v4, v5}
	}
	a, b := start(), start()
	if a.v4.Self().ID() != a.v5.Self().ID() {
		t.Fatal("one node, two IDs")
	}
	ctx := t.Context()
	for i := range 3 {
		if err := a.v4.Ping(ctx, b.v4.Self()); err != nil {
			t.Fatalf("round %d: v4 ping: %v", i, err)
		}
		if _, err := a.v5.Ping(b.v5.Self()); err != nil {
			t.Fatalf("round %d: v5 ping: %v", i, err)
		}
		if _, err := b.v5.RequestENR(a.v5.Self()); err != nil {
			t.Fatalf("round %d: v5 RequestENR: %v", i, err)
		}
		if _, err := b.v4.RequestENR(ctx, a.v4.Self()); err != nil {
			t.Fatalf("round %d: v4 RequestENR: %v", i, err)
		}
	}
	for _, p := range []pair{a, b} {
		// Every packet v4 passed on reaches v5 (the last may be on its
		// way still).
		s4 := p.v4.Stats()
		s5 := waitV5Stats(t, p.v5, func(s V5Stats) bool { return s.Received == p.v4.Stats().Unhandled })
		if s4.Unhandled == 0 {
			t.Fatal("v4 passed no packet on")
		}
		if s4.Dropped() != 0 || s5.Dropped() != 0 {
			t.Fatalf("drops: v4 %+v, v5 %+v", s4, s5)
		}
	}
	// Closing v5 leaves v4 working.
	a.v5.Close()
	if err := b.v4.Ping(ctx, a.v4.Self()); err != nil {
		t.Fatalf("v4 after v5 closed: %v", err)
	}
}
