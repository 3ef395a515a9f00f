package discover

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/rlp"
)

// v5tester is a raw discovery v5 endpoint with a codec of its own that
// crafts packets to a node under test, like go-ethereum's devp2p suite.
type v5tester struct {
	t      testing.TB
	conn   *net.UDPConn
	key    *ecdsa.PrivateKey
	ln     *enode.LocalNode
	codec  *v5wire.Codec
	node   *UDPv5
	remote *enode.Node
	raddr  netip.AddrPort
}

// newV5Tester makes a tester on ip for node; its record has its endpoint.
func newV5Tester(t testing.TB, ip string, node *UDPv5) *v5tester {
	t.Helper()
	key := testutil.NewKey(t)
	conn := listenUDP(t, ip)
	t.Cleanup(func() { conn.Close() })
	ln := enode.NewLocalNode(nil, key)
	laddr := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	ln.SetStaticIP(laddr.Addr())
	ln.Set(enr.UDP(laddr.Port()))
	raddr, _ := node.Self().UDPEndpoint()
	return &v5tester{
		t: t, conn: conn, key: key, ln: ln,
		codec:  v5wire.NewCodec(ln, key, nil, nil),
		node:   node,
		remote: node.Self(),
		raddr:  raddr,
	}
}

func (te *v5tester) self() *enode.Node { return te.ln.Node() }

// encode encodes p to the node and returns a copy of the packet.
func (te *v5tester) encode(p v5wire.Packet, challenge *v5wire.Whoareyou) ([]byte, v5wire.Nonce) {
	te.t.Helper()
	enc, nonce, err := te.codec.Encode(te.remote.ID(), te.raddr, p, challenge)
	if err != nil {
		te.t.Fatal(err)
	}
	return bytes.Clone(enc), nonce
}

// write encodes p to the node and sends it; it returns the packet.
func (te *v5tester) write(p v5wire.Packet, challenge *v5wire.Whoareyou) []byte {
	te.t.Helper()
	enc, _ := te.encode(p, challenge)
	te.writeRaw(enc)
	return enc
}

func (te *v5tester) writeRaw(b []byte) {
	te.t.Helper()
	if _, err := te.conn.WriteToUDPAddrPort(b, te.raddr); err != nil {
		te.t.Fatal(err)
	}
}

// read reads and decodes one packet; size is its length on the wire.
func (te *v5tester) read(timeout time.Duration) (p v5wire.Packet, size int, err error) {
	buf := make([]byte, 1500)
	te.conn.SetReadDeadline(time.Now().Add(timeout))
	n, from, err := te.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, 0, errNoPacket
		}
		return nil, 0, err
	}
	_, _, p, err = te.codec.Decode(buf[:n], from)
	return p, n, err
}

// expect reads a packet of the given kind.
func (te *v5tester) expect(kind byte) v5wire.Packet {
	te.t.Helper()
	p, _, err := te.read(2 * time.Second)
	if err != nil {
		te.t.Fatalf("reading: %v", err)
	}
	if p.Kind() != kind {
		te.t.Fatalf("got %s, want kind %d", p.Name(), kind)
	}
	return p
}

// expectNone checks that no packet comes within a short while.
func (te *v5tester) expectNone() {
	te.t.Helper()
	if p, _, err := te.read(300 * time.Millisecond); err != errNoPacket {
		te.t.Fatalf("expected no packet, got %v (err %v)", p, err)
	}
}

// handshake pings the node and completes the handshake; it returns the
// handshake packet.
func (te *v5tester) handshake() []byte {
	te.t.Helper()
	ping := &v5wire.Ping{ReqID: []byte{1}, ENRSeq: te.ln.Seq()}
	te.write(ping, nil)
	w := te.expect(v5wire.WhoareyouPacket).(*v5wire.Whoareyou)
	w.Node = te.remote
	hs := te.write(ping, w)
	te.expect(v5wire.PongMsg)
	return hs
}

// readRaw reads one packet as it is.
func (te *v5tester) readRaw() []byte {
	te.t.Helper()
	buf := make([]byte, 1500)
	te.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := te.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		te.t.Fatal(err)
	}
	return buf[:n]
}

// packetNonce unmasks the nonce of a packet to dest.
func packetNonce(dest enode.ID, pkt []byte) v5wire.Nonce {
	block, _ := aes.NewCipher(dest[:16])
	hdr := make([]byte, 23)
	cipher.NewCTR(block, pkt[:16]).XORKeyStream(hdr, pkt[16:39])
	return v5wire.Nonce(hdr[9:21])
}

// answerCall serves one call of the node: it challenges the node's first
// packet, and returns the request in its handshake.
func (te *v5tester) answerCall() v5wire.Packet {
	te.t.Helper()
	p := te.expect(v5wire.UnknownPacket).(*v5wire.Unknown)
	te.write(&v5wire.Whoareyou{Nonce: p.Nonce}, nil)
	req, _, err := te.read(2 * time.Second)
	if err != nil {
		te.t.Fatal(err)
	}
	return req
}

// TestV5PacketHandling sends crafted packets to a node and checks its
// answers (or silence) and its drop counters.
func TestV5PacketHandling(t *testing.T) {
	tests := []struct {
		name  string
		run   func(t *testing.T, te *v5tester)
		check func(V5Stats) bool
	}{
		{
			name: "unknown session gets a 63-byte WHOAREYOU",
			run: func(t *testing.T, te *v5tester) {
				req := te.write(&v5wire.Ping{ReqID: []byte{1}}, nil)
				p, size, err := te.read(time.Second)
				if err != nil || p.Kind() != v5wire.WhoareyouPacket {
					t.Fatalf("got %v, %v", p, err)
				}
				if size != 63 || size >= len(req) {
					t.Fatalf("WHOAREYOU of %d bytes to a %d-byte request", size, len(req))
				}
			},
			check: func(s V5Stats) bool { return s.UnknownSession == 1 && s.WhoareyouSent == 1 && s.Dropped() == 0 },
		},
		{
			name: "handshake then ping",
			run: func(t *testing.T, te *v5tester) {
				te.handshake()
				te.write(&v5wire.Ping{ReqID: []byte{2}}, nil)
				te.expect(v5wire.PongMsg)
			},
			check: func(s V5Stats) bool { return s.Handled == 3 && s.Dropped() == 0 },
		},
		{
			name: "second request before the handshake gets the same challenge",
			run: func(t *testing.T, te *v5tester) {
				te.write(&v5wire.Ping{ReqID: []byte{1}}, nil)
				w1 := te.expect(v5wire.WhoareyouPacket).(*v5wire.Whoareyou)
				te.write(&v5wire.Ping{ReqID: []byte{2}}, nil)
				w2 := te.expect(v5wire.WhoareyouPacket).(*v5wire.Whoareyou)
				if !bytes.Equal(w1.ChallengeData, w2.ChallengeData) {
					t.Fatal("challenge changed")
				}
			},
			check: func(s V5Stats) bool { return s.WhoareyouSent == 2 && s.Dropped() == 0 },
		},
		{
			name: "bad masking is dropped",
			run: func(t *testing.T, te *v5tester) {
				te.writeRaw(bytes.Repeat([]byte{0x55}, 100))
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.NotV5 == 1 && s.Handled == 0 },
		},
		{
			name: "too short is dropped",
			run: func(t *testing.T, te *v5tester) {
				te.writeRaw([]byte{1, 2, 3})
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.NotV5 == 1 },
		},
		{
			name: "bad header flag is dropped",
			run: func(t *testing.T, te *v5tester) {
				pkt, _ := te.encode(&v5wire.Ping{ReqID: []byte{1}}, nil)
				pkt[24] ^= 0x04 // flag 0 becomes 4 under the masking
				te.writeRaw(pkt)
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.BadHeader == 1 && s.Handled == 0 },
		},
		{
			name: "bad GCM tag gets WHOAREYOU",
			run: func(t *testing.T, te *v5tester) {
				te.handshake()
				pkt, _ := te.encode(&v5wire.Ping{ReqID: []byte{2}}, nil)
				pkt[len(pkt)-1] ^= 1
				te.writeRaw(pkt)
				te.expect(v5wire.WhoareyouPacket)
			},
			check: func(s V5Stats) bool { return s.DecryptFailed == 1 && s.WhoareyouSent == 2 },
		},
		{
			name: "replayed nonce is dropped",
			run: func(t *testing.T, te *v5tester) {
				te.handshake()
				pkt := te.write(&v5wire.Ping{ReqID: []byte{2}}, nil)
				te.expect(v5wire.PongMsg)
				te.writeRaw(pkt)
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.Replayed == 1 },
		},
		{
			name: "replayed handshake is dropped",
			run: func(t *testing.T, te *v5tester) {
				hs := te.handshake()
				te.writeRaw(hs)
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.UnexpectedHandshake == 1 },
		},
		{
			name: "handshake with a bad signature is dropped",
			run: func(t *testing.T, te *v5tester) {
				ping := &v5wire.Ping{ReqID: []byte{1}}
				te.write(ping, nil)
				w := te.expect(v5wire.WhoareyouPacket).(*v5wire.Whoareyou)
				w.Node = te.remote
				hs, _ := te.encode(ping, w)
				hs[39+34+10] ^= 1 // a byte of the ID signature
				te.writeRaw(hs)
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.BadHandshake == 1 },
		},
		{
			name: "handshake with another node's record is dropped",
			run: func(t *testing.T, te *v5tester) {
				ping := &v5wire.Ping{ReqID: []byte{1}}
				te.write(ping, nil)
				w := te.expect(v5wire.WhoareyouPacket).(*v5wire.Whoareyou)
				w.Node = te.remote
				hs, _ := te.encode(ping, w)
				// Swap our record for another node's of the same
				// size; the masking is XOR, so XOR in the difference.
				own, _ := rlp.EncodeToBytes(te.self().Record())
				other := newV5Tester(t, "127.0.0.1", te.node)
				other.ln.SetStaticIP(te.self().IPAddr())
				other.ln.Set(enr.UDP(te.self().UDP()))
				theirs, _ := rlp.EncodeToBytes(other.self().Record())
				if len(own) != len(theirs) {
					t.Fatalf("records of %d and %d bytes", len(own), len(theirs))
				}
				at := 39 + 34 + 64 + 33
				if at+len(own) > len(hs) {
					t.Fatal("no record in the handshake")
				}
				for i := range own {
					hs[at+i] ^= own[i] ^ theirs[i]
				}
				te.writeRaw(hs)
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.BadHandshakeRecord == 1 },
		},
		{
			name: "findnode for 300 distances is dropped",
			run: func(t *testing.T, te *v5tester) {
				te.handshake()
				ds := make([]uint, 300)
				for i := range ds {
					ds[i] = uint(256 - i%256)
				}
				te.write(&v5wire.Findnode{ReqID: []byte{2}, Distances: ds}, nil)
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.TooManyDistances == 1 },
		},
		{
			name: "findnode distance 0 gives our record",
			run: func(t *testing.T, te *v5tester) {
				te.handshake()
				te.write(&v5wire.Findnode{ReqID: []byte{2}, Distances: []uint{0, 0, 300}}, nil)
				nodes := te.expect(v5wire.NodesMsg).(*v5wire.Nodes)
				if nodes.RespCount != 1 || len(nodes.Nodes) != 1 || nodes.Nodes[0].Seq() != te.remote.Seq() {
					t.Fatalf("got %+v", nodes)
				}
			},
			check: func(s V5Stats) bool { return s.Dropped() == 0 },
		},
		{
			name: "unsolicited responses are dropped",
			run: func(t *testing.T, te *v5tester) {
				te.handshake()
				te.write(&v5wire.Pong{ReqID: []byte{9}, ToIP: net.IP{127, 0, 0, 1}, ToPort: 1}, nil)
				te.write(&v5wire.Nodes{ReqID: []byte{9}, RespCount: 1, Nodes: []*enr.Record{te.self().Record()}}, nil)
				te.write(&v5wire.TalkResponse{ReqID: []byte{9}}, nil)
				te.write(&v5wire.Whoareyou{Nonce: v5wire.Nonce{1}}, nil)
				te.expectNone()
			},
			check: func(s V5Stats) bool { return s.UnsolicitedResponse == 3 && s.UnsolicitedWhoareyou == 1 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := startV5(t, "127.0.0.1", quiet)
			te := newV5Tester(t, "127.0.0.2", node)
			tt.run(t, te)
			waitV5Stats(t, node, tt.check)
		})
	}
}

// TestV5Calls checks how calls of the node deal with answers a tester
// crafts: NODES totals over the limit, a second WHOAREYOU, timeouts.
func TestV5Calls(t *testing.T) {
	t.Run("nodes total over the limit", func(t *testing.T) {
		node := startV5(t, "127.0.0.1", quiet)
		te := newV5Tester(t, "127.0.0.2", node)
		type result struct {
			nodes []*enode.Node
			err   error
		}
		res := make(chan result, 1)
		go func() {
			nodes, err := node.Findnode(te.self(), []uint{256})
			res <- result{nodes, err}
		}()
		req := te.answerCall().(*v5wire.Findnode)
		// Eight packets, each with one node at distance 256 from the
		// tester, announcing a total of 200.
		var sent []*enode.Node
		for range 8 {
			var n *enode.Node
			for {
				k := testutil.NewKey(t)
				ln := enode.NewLocalNode(nil, k)
				ln.SetStaticIP(netip.MustParseAddr("127.0.0.3"))
				ln.Set(enr.UDP(30303))
				if n = ln.Node(); enode.LogDist(n.ID(), te.self().ID()) == 256 {
					break
				}
			}
			sent = append(sent, n)
			te.write(&v5wire.Nodes{ReqID: req.ReqID, RespCount: 200, Nodes: []*enr.Record{n.Record()}}, nil)
		}
		r := <-res
		if r.err != nil || len(r.nodes) != totalNodesResponseLimit {
			t.Fatalf("got %d nodes, %v; want %d", len(r.nodes), r.err, totalNodesResponseLimit)
		}
		waitV5Stats(t, node, func(s V5Stats) bool {
			return s.NodesTotalCapped == 1 && s.UnsolicitedResponse == 8-totalNodesResponseLimit
		})
	})
	t.Run("second WHOAREYOU fails the call", func(t *testing.T) {
		node := startV5(t, "127.0.0.1", quiet)
		te := newV5Tester(t, "127.0.0.2", node)
		errc := make(chan error, 1)
		go func() {
			_, err := node.Ping(te.self())
			errc <- err
		}()
		p := te.expect(v5wire.UnknownPacket).(*v5wire.Unknown)
		te.write(&v5wire.Whoareyou{Nonce: p.Nonce}, nil)
		// The handshake packet comes; challenge it again.
		raw := te.readRaw()
		if _, _, p, err := te.codec.Decode(raw, te.raddr); err != nil || p.Kind() != v5wire.PingMsg {
			t.Fatalf("handshake: %v, %v", p, err)
		}
		te.write(&v5wire.Whoareyou{Nonce: packetNonce(te.self().ID(), raw)}, nil)
		if err := <-errc; !errors.Is(err, ErrSecondWhoareyou) {
			t.Fatalf("got %v", err)
		}
		waitV5Stats(t, node, func(s V5Stats) bool { return s.RepeatedWhoareyou == 1 })
	})
	t.Run("timeout", func(t *testing.T) {
		node := startV5(t, "127.0.0.1", func(c *Config) {
			quiet(c)
			c.V5RespTimeout = 50 * time.Millisecond
		})
		te := newV5Tester(t, "127.0.0.2", node)
		start := time.Now()
		if _, err := node.Ping(te.self()); !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("timeout after %v", d)
		}
	})
}
