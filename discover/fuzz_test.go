package discover

import (
	"bytes"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
)

// FuzzHandlePacket feeds arbitrary packets to the packet handler: it must
// not panic, and must send nothing for a packet that does not decode.
func FuzzHandlePacket(f *testing.F) {
	key, _ := crypto.GenerateKey()
	for _, p := range []v4wire.Packet{
		&v4wire.Ping{Version: 4, Expiration: future()},
		&v4wire.Pong{ReplyTok: make([]byte, 32), Expiration: future()},
		&v4wire.Findnode{Expiration: future()},
		&v4wire.Neighbors{Nodes: []v4wire.Node{{IP: []byte{127, 0, 0, 1}, UDP: 30303}}, Expiration: future()},
		&v4wire.ENRRequest{Expiration: future()},
	} {
		packet, _, _ := v4wire.Encode(key, p)
		f.Add(packet)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 98))

	conn := newMemConn()
	udpKey, _ := crypto.GenerateKey()
	udp, err := ListenV4(conn, enode.NewLocalNode(nil, udpKey), Config{PrivateKey: udpKey})
	if err != nil {
		f.Fatal(err)
	}
	defer udp.Close()
	// Each input comes from an address of its own: a valid Ping's ping
	// back goes out asynchronously, and may land while a later input is
	// handled, so writes are told apart by their destination.
	var inputs atomic.Uint32
	f.Fuzz(func(t *testing.T, data []byte) {
		i := inputs.Add(1)
		from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, byte(i >> 16), byte(i >> 8), byte(i)}), 30303)
		udp.handlePacket(data, from)
		if _, _, _, err := v4wire.Decode(data); err != nil && conn.writesTo(from) != 0 {
			t.Fatalf("sent a packet in answer to garbage (%v)", err)
		}
	})
}

// FuzzHandlePacketV5 feeds arbitrary packets from a loopback address to a
// running UDPv5's packet handler: it must not panic, and must never answer
// with more bytes than it got (the sender has not completed a handshake,
// which needs a WHOAREYOU of ours that the fuzzer never sees).
func FuzzHandlePacketV5(f *testing.F) {
	conn := newMemConn()
	key, _ := crypto.GenerateKey()
	ln := enode.NewLocalNode(nil, key)
	udp, err := ListenV5(conn, ln, Config{PrivateKey: key, PingInterval: time.Hour, RefreshInterval: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	defer udp.Close()
	from := netip.MustParseAddrPort("127.0.0.9:30303")

	// Seeds: what a node without a session sends (every message type),
	// a WHOAREYOU, and a handshake answering a challenge the node never
	// sent.
	tkey, _ := crypto.GenerateKey()
	tln := enode.NewLocalNode(nil, tkey)
	tc := v5wire.NewCodec(tln, tkey, nil, nil)
	self := udp.Self()
	addr, _ := self.UDPEndpoint()
	seed := func(p v5wire.Packet, challenge *v5wire.Whoareyou) {
		enc, _, err := tc.Encode(self.ID(), addr, p, challenge)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.Clone(enc))
	}
	for _, p := range []v5wire.Packet{
		&v5wire.Ping{ReqID: []byte{1}, ENRSeq: 1},
		&v5wire.Findnode{ReqID: []byte{1}, Distances: []uint{0, 256}},
		&v5wire.TalkRequest{ReqID: []byte{1}, Protocol: "x"},
	} {
		seed(p, nil)
	}
	seed(&v5wire.Whoareyou{Nonce: v5wire.Nonce{1}}, nil)
	// A challenge from a third codec, so that the handshake is well
	// formed but answers nothing the node sent.
	okey, _ := crypto.GenerateKey()
	oc := v5wire.NewCodec(enode.NewLocalNode(nil, okey), okey, nil, nil)
	if _, _, err := oc.Encode(tln.ID(), from, &v5wire.Whoareyou{Nonce: v5wire.Nonce{2}}, nil); err == nil {
		w := oc.CurrentChallenge(tln.ID(), from)
		c := *w
		c.Node = self
		seed(&v5wire.Ping{ReqID: []byte{2}}, &c)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 63))

	f.Fuzz(func(t *testing.T, data []byte) {
		before := conn.numWrites()
		udp.handlePacket(data, from)
		conn.mu.Lock()
		defer conn.mu.Unlock()
		for _, w := range conn.writes[before:] {
			if len(w) > len(data) {
				t.Fatalf("answered %d bytes with %d", len(data), len(w))
			}
		}
	})
}
