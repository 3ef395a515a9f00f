package discover

import (
	"bytes"
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/netutil"
	"github.com/seednet/p2p/rlp"
)

// TestPacketHandling sends crafted packets to a node over loopback UDP and
// checks its answers and counters, as the devp2p test suite does.
func TestPacketHandling(t *testing.T) {
	tests := []struct {
		name  string
		run   func(t *testing.T, te *tester)
		check func(Stats) bool
	}{
		{
			name: "ping is answered with pong and ping back",
			run: func(t *testing.T, te *tester) {
				hash := te.ping()
				var pings, pongs int
				for range 2 {
					p, _, err := te.read(time.Second)
					if err != nil {
						t.Fatal(err)
					}
					switch p := p.(type) {
					case *v4wire.Pong:
						if !bytes.Equal(p.ReplyTok, hash) {
							t.Fatalf("pong hash %x, want %x", p.ReplyTok, hash)
						}
						if want := te.endpoint(); !p.To.IP.Equal(want.IP) || p.To.UDP != want.UDP {
							t.Fatalf("pong to %v, want %v", p.To, want)
						}
						pongs++
					case *v4wire.Ping:
						pings++
					}
				}
				if pings != 1 || pongs != 1 {
					t.Fatalf("got %d pings, %d pongs", pings, pongs)
				}
			},
			check: func(s Stats) bool { return s.Handled == 1 && s.Dropped() == 0 },
		},
		{
			name: "ping with extra data and wrong from is answered",
			run: func(t *testing.T, te *tester) {
				te.send(&v4wire.Ping{
					Version: 4, From: v4wire.Endpoint{IP: []byte{192, 0, 2, 0}}, To: te.remoteEndpoint(),
					Expiration: future(), Rest: []rlp.RawValue{{0x2a}, {0x83, 1, 2, 3}},
				})
				if p, _, err := te.read(time.Second); err != nil || (p.Kind() != v4wire.PongPacket && p.Kind() != v4wire.PingPacket) {
					t.Fatalf("got %v, %v", p, err)
				}
			},
			check: func(s Stats) bool { return s.Handled == 1 },
		},
		{
			name: "expired ping is dropped",
			run: func(t *testing.T, te *tester) {
				te.send(&v4wire.Ping{Version: 4, From: te.endpoint(), To: te.remoteEndpoint(), Expiration: past()})
				te.expectNone()
			},
			check: func(s Stats) bool { return s.Expired == 1 && s.Handled == 0 },
		},
		{
			name: "ping expiring in 100 years is dropped",
			run: func(t *testing.T, te *tester) {
				te.send(&v4wire.Ping{Version: 4, From: te.endpoint(), To: te.remoteEndpoint(),
					Expiration: uint64(time.Now().AddDate(100, 0, 0).Unix())})
				te.send(&v4wire.Findnode{Expiration: uint64(time.Now().Add(maxExpirationAhead + time.Minute).Unix())})
				te.expectNone()
			},
			check: func(s Stats) bool { return s.FarExpiration == 2 && s.Handled == 0 },
		},
		{
			name: "ping expiring in 9 minutes is answered",
			run: func(t *testing.T, te *tester) {
				te.send(&v4wire.Ping{Version: 4, From: te.endpoint(), To: te.remoteEndpoint(),
					Expiration: uint64(time.Now().Add(9 * time.Minute).Unix())})
				if p, _, err := te.read(time.Second); err != nil || (p.Kind() != v4wire.PongPacket && p.Kind() != v4wire.PingPacket) {
					t.Fatalf("got %v, %v", p, err)
				}
			},
			check: func(s Stats) bool { return s.Handled == 1 && s.Dropped() == 0 },
		},
		{
			name: "unknown packet type is dropped",
			run: func(t *testing.T, te *tester) {
				packet, _, _ := v4wire.Encode(te.key, &v4wire.Ping{Version: 4, Expiration: future()})
				packet[97] = 66
				fixHash(packet)
				te.sendRaw(packet)
				te.expectNone()
			},
			check: func(s Stats) bool { return s.BadPacket == 1 },
		},
		{
			name: "bad hash is dropped",
			run: func(t *testing.T, te *tester) {
				packet, _, _ := v4wire.Encode(te.key, &v4wire.Ping{Version: 4, Expiration: future()})
				packet[0] ^= 1
				te.sendRaw(packet)
				te.expectNone()
			},
			check: func(s Stats) bool { return s.BadPacket == 1 },
		},
		{
			name: "bad signature is dropped",
			run: func(t *testing.T, te *tester) {
				packet, _, _ := v4wire.Encode(te.key, &v4wire.Ping{Version: 4, Expiration: future()})
				clear(packet[32:97]) // r = s = 0 recovers no key
				fixHash(packet)
				te.sendRaw(packet)
				te.expectNone()
			},
			check: func(s Stats) bool { return s.BadSignature == 1 },
		},
		{
			name: "oversize packet is dropped",
			run: func(t *testing.T, te *tester) {
				packet, _, _ := v4wire.Encode(te.key, &v4wire.Ping{Version: 4, Expiration: future()})
				packet = append(packet, make([]byte, v4wire.MaxPacketSize+10-len(packet))...)
				te.sendRaw(packet)
				te.expectNone()
			},
			check: func(s Stats) bool { return s.TooLarge == 1 },
		},
		{
			name: "findnode without endpoint proof is dropped",
			run: func(t *testing.T, te *tester) {
				te.send(&v4wire.Findnode{Expiration: future()})
				te.expectNone()
			},
			check: func(s Stats) bool { return s.UnknownSender == 1 && s.Handled == 0 },
		},
		{
			name: "enrrequest without endpoint proof is dropped",
			run: func(t *testing.T, te *tester) {
				te.send(&v4wire.ENRRequest{Expiration: future()})
				te.expectNone()
			},
			check: func(s Stats) bool { return s.UnknownSender == 1 },
		},
		{
			name: "findnode after bond is answered",
			run: func(t *testing.T, te *tester) {
				te.bond(false)
				te.send(&v4wire.Findnode{Expiration: future()})
				p, _, err := te.read(time.Second)
				if err != nil || p.Kind() != v4wire.NeighborsPacket {
					t.Fatalf("got %v, %v", p, err)
				}
			},
			check: func(s Stats) bool { return s.Dropped() == 0 && s.Handled == 3 },
		},
		{
			name: "ping after bond gets only a pong",
			run: func(t *testing.T, te *tester) {
				te.bond(false)
				hash := te.ping()
				p, _, err := te.read(time.Second)
				if err != nil || p.Kind() != v4wire.PongPacket || !bytes.Equal(p.(*v4wire.Pong).ReplyTok, hash) {
					t.Fatalf("got %v, %v", p, err)
				}
				te.expectNone()
			},
		},
		{
			name: "expired findnode after bond is dropped",
			run: func(t *testing.T, te *tester) {
				te.bond(false)
				te.send(&v4wire.Findnode{Expiration: past()})
				te.expectNone()
			},
			check: func(s Stats) bool { return s.Expired == 1 },
		},
		{
			name: "enrrequest after bond is answered",
			run: func(t *testing.T, te *tester) {
				te.bond(false)
				hash := te.send(&v4wire.ENRRequest{Expiration: future()})
				p, _, err := te.read(time.Second)
				if err != nil || p.Kind() != v4wire.ENRResponsePacket {
					t.Fatalf("got %v, %v", p, err)
				}
				resp := p.(*v4wire.ENRResponse)
				if !bytes.Equal(resp.ReplyTok, hash) {
					t.Fatalf("reply token %x, want %x", resp.ReplyTok, hash)
				}
				if _, err := enode.New(enode.ValidSchemes, &resp.Record); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "pong with wrong hash gives no endpoint proof",
			run: func(t *testing.T, te *tester) {
				te.bond(true)
				te.send(&v4wire.Findnode{Expiration: future()})
				te.expectNone()
			},
			check: func(s Stats) bool { return s.Unsolicited == 1 && s.UnknownSender == 1 },
		},
		{
			name: "unsolicited replies are dropped",
			run: func(t *testing.T, te *tester) {
				te.send(&v4wire.Pong{To: te.remoteEndpoint(), ReplyTok: make([]byte, 32), Expiration: future()})
				te.send(&v4wire.Neighbors{Expiration: future()})
				te.send(&v4wire.ENRResponse{ReplyTok: make([]byte, 32), Record: *te.remoteNode().Record()})
				te.expectNone()
			},
			check: func(s Stats) bool { return s.Unsolicited == 3 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			udp := startNode(t, "127.0.0.1", quiet)
			te := newTester(t, "127.0.0.1", nil, udp)
			te.node = udp
			tt.run(t, te)
			if tt.check != nil {
				waitStats(t, udp, tt.check)
			}
		})
	}
}

// fixHash recomputes the hash of a packet whose body was changed.
func fixHash(packet []byte) {
	copy(packet, crypto.Keccak256(packet[32:]))
}

// TestFindnodeWrongIP checks that an endpoint proof from one IP does not
// count for another.
func TestFindnodeWrongIP(t *testing.T) {
	udp := startNode(t, "127.0.0.1", quiet)
	te1 := newTester(t, "127.0.0.1", nil, udp)
	te1.bond(false)
	te2 := newTester(t, "127.0.0.2", te1.key, udp)
	te2.send(&v4wire.Findnode{Expiration: future()})
	te2.expectNone()
	waitStats(t, udp, func(s Stats) bool { return s.UnknownSender == 1 })
}

// TestNetRestrict checks that packets from outside NetRestrict are dropped.
func TestNetRestrict(t *testing.T) {
	udp := startNode(t, "127.0.0.1", func(c *Config) {
		quiet(c)
		c.NetRestrict = &netutil.Netlist{netip.MustParsePrefix("127.0.0.2/32")}
	})
	te := newTester(t, "127.0.0.1", nil, udp)
	te.ping()
	te.expectNone()
	waitStats(t, udp, func(s Stats) bool { return s.NetRestrict == 1 })
}

// TestNeighborsChunks checks that 16 nodes come in two Neighbors packets.
func TestNeighborsChunks(t *testing.T) {
	udp := startNode(t, "127.0.0.1", quiet)
	for range 200 {
		udp.tab.addInbound(enode.NewV4(&testutil.NewKey(t).PublicKey, []byte{127, 0, 1, 1}, 30303, 30303))
	}
	te := newTester(t, "127.0.0.1", nil, udp)
	te.bond(false)
	te.send(&v4wire.Findnode{Expiration: future()})
	var sizes []int
	for len(sizes) < 2 {
		p, _, err := te.read(time.Second)
		if err != nil {
			t.Fatalf("after %v: %v", sizes, err)
		}
		if nb, ok := p.(*v4wire.Neighbors); ok {
			sizes = append(sizes, len(nb.Nodes))
		}
	}
	if sizes[0] != v4wire.MaxNeighbors || sizes[1] != bucketSize-v4wire.MaxNeighbors {
		t.Fatalf("packet sizes %v", sizes)
	}
}

// TestRequests runs the request methods between two nodes.
func TestRequests(t *testing.T) {
	a := startNode(t, "127.0.0.1", nil)
	b := startNode(t, "127.0.0.2", nil)
	ctx := context.Background()
	bn := b.Self()

	if err := a.Ping(ctx, bn); err != nil {
		t.Fatal("ping:", err)
	}
	rn, err := a.RequestENR(ctx, bn)
	if err != nil {
		t.Fatal("requestENR:", err)
	}
	if rn.ID() != bn.ID() || rn.Seq() != bn.Seq() {
		t.Fatalf("got record %v, want %v", rn, bn)
	}
	if got := a.Resolve(ctx, bn); got.ID() != bn.ID() {
		t.Fatalf("resolve: %v", got)
	}
	// b pinged a back on a's first ping; both now have each other.
	waitFor(t, func() bool { return len(b.TableNodes()) == 1 && len(a.TableNodes()) == 1 })
	nodes, err := b.findnode(ctx, a.Self(), randomTarget())
	if len(nodes) != 0 || err == nil { // a knows only b, which is not sent back to b itself
		t.Logf("findnode: %v, %v", nodes, err)
	}
	s := a.Stats()
	if s.Dropped() != 0 {
		t.Fatalf("drops: %+v", s)
	}

	// A dead node times out.
	b.Close()
	if err := a.Ping(ctx, bn); err != ErrTimeout {
		t.Fatalf("ping closed node: %v", err)
	}
	// Requests after Close fail.
	a.Close()
	if err := a.Ping(ctx, bn); err == nil {
		t.Fatal("ping after close succeeded")
	}
	if err := a.Close(); err != nil {
		t.Fatal("second close:", err)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestUnseededNodeStaysQuiet checks that a node without bootnodes or seeds
// does not look up the nodes that ping it: its table refreshes at
// RefreshInterval only, as go-ethereum's does (the devp2p discv4 test suite
// fails a node that sends FINDNODE while it waits for NEIGHBORS). A seeded
// node with a small table retries after 1 s, 2 s, 4 s...
func TestUnseededNodeStaysQuiet(t *testing.T) {
	udp := startNode(t, "127.0.0.1", func(c *Config) { c.PingInterval = time.Hour })
	te := newTester(t, "127.0.0.1", nil, udp)
	te.bond(false)
	deadline := time.Now().Add(2500 * time.Millisecond)
	for time.Now().Before(deadline) {
		p, _, err := te.read(time.Until(deadline))
		if err == errNoPacket {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Kind() == v4wire.FindnodePacket {
			t.Fatal("an unseeded node sent FINDNODE to a node that bonded with it")
		}
	}
}
