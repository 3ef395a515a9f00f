package difffuzz

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/mclock"
	gethv5 "github.com/ethereum/go-ethereum/p2p/discover/v5wire"
	gethenode "github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/discover/v5wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/rlp"
)

// v5 packets come from remoteAddr to the local node (fixed key), whose
// codecs (ours and go-ethereum's) hold no session and no challenge: Decode
// does not change them for such input, so one pair serves every run.
var (
	v5Remote     = netip.MustParseAddrPort("127.0.0.1:30303")
	v5RemoteText = v5Remote.String()
	v5Now        = time.Unix(1_700_000_000, 0)
)

type v5Codecs struct {
	localID enode.ID
	ours    *v5wire.Codec
	geth    *gethv5.Codec
}

func newV5Codecs(tb testing.TB) *v5Codecs {
	key, gkey := ourKey(tb), gethKey(tb)
	db, err := gethenode.OpenDB("")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(db.Close)
	gln := gethenode.NewLocalNode(db, gkey)
	gln.SetStaticIP(net.IP{127, 0, 0, 2})
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(netip.AddrFrom4([4]byte{127, 0, 0, 2}))
	clock := new(mclock.Simulated)
	return &v5Codecs{
		localID: ln.ID(),
		ours:    v5wire.NewCodec(ln, key, func() time.Time { return v5Now }, nil),
		geth:    gethv5.NewCodec(gln, gkey, clock, nil),
	}
}

// FuzzV5Decode gives a discovery v5 packet addressed to the local node to
// both codecs. Both must accept or reject it; accepted, they must agree
// on the source ID and the packet: a WHOAREYOU's nonce, ID nonce, record
// seq and challenge data, an undecryptable message packet's nonce.
// With mask set, the input is an unmasked packet (masking IV, static
// header, authdata, message) that the harness masks for the local node,
// so that mutations reach the header fields.
func FuzzV5Decode(f *testing.F) {
	c := newV5Codecs(f)
	for _, s := range v5Seeds(f, c.localID) {
		f.Add(s, false)
		f.Add(unmaskV5(c.localID, s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, mask bool) {
		if mask {
			in = maskV5(c.localID, in)
		}
		srcO, nO, pO, errO := c.ours.Decode(in, v5Remote)
		srcG, nG, pG, errG := c.geth.Decode(in, v5RemoteText)
		if len(in) > v5wire.MaxPacketSize && errors.Is(errO, v5wire.ErrPacketTooLarge) && errG == nil {
			// Known difference D8: ours rejects packets over the
			// protocol's 1280 bytes, geth decodes them.
			return
		}
		if !sameOutcome(t, "v5wire Decode", in, errO, errG) || errO != nil {
			// The source ID that comes with an error is not compared:
			// the libraries check in different orders.
			return
		}
		if srcO != enode.ID(srcG) {
			t.Fatalf("v5wire Decode(%x): source ours %v, geth %v", in, srcO, srcG)
		}
		if (nO == nil) != (nG == nil) {
			t.Fatalf("v5wire Decode(%x): node ours %v, geth %v", in, nO, nG)
		}
		if pO.Kind() != pG.Kind() {
			t.Fatalf("v5wire Decode(%x): kind ours %d, geth %d", in, pO.Kind(), pG.Kind())
		}
		switch pO := pO.(type) {
		case *v5wire.Whoareyou:
			pG := pG.(*gethv5.Whoareyou)
			if pO.Nonce != v5wire.Nonce(pG.Nonce) || pO.IDNonce != pG.IDNonce || pO.RecordSeq != pG.RecordSeq ||
				!bytes.Equal(pO.ChallengeData, pG.ChallengeData) {
				t.Fatalf("v5wire Decode(%x): ours %+v, geth %+v", in, pO, pG)
			}
		case *v5wire.Unknown:
			if pO.Nonce != v5wire.Nonce(pG.(*gethv5.Unknown).Nonce) {
				t.Fatalf("v5wire Decode(%x): ours %+v, geth %+v", in, pO, pG)
			}
		default:
			compareV5Messages(t, in, pO, pG)
		}
	})
}

// FuzzV5Message decodes a message body (the plaintext of a message
// packet, without its type byte) of type ptype with both libraries'
// DecodeMessage. Both must accept or reject; accepted, the messages must
// be of the same kind and have the same fields (see compareV5Messages).
func FuzzV5Message(f *testing.F) {
	for _, m := range []gethv5.Packet{
		&gethv5.Ping{ReqID: []byte{1}, ENRSeq: 5},
		&gethv5.Pong{ReqID: []byte{1, 2, 3, 4, 5, 6, 7, 8}, ENRSeq: 1, ToIP: net.IP{1, 2, 3, 4}, ToPort: 9},
		&gethv5.Pong{ReqID: []byte{}, ToIP: net.IPv6loopback},
		&gethv5.Findnode{ReqID: []byte{9}, Distances: []uint{0, 255, 256}},
		&gethv5.TalkRequest{ReqID: []byte{1}, Protocol: "test", Message: []byte("hi")},
		&gethv5.TalkResponse{ReqID: []byte{1}, Message: nil},
	} {
		b, err := gethrlp.EncodeToBytes(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(m.Kind(), b)
	}
	var rec []byte
	for _, s := range enrSeeds(f) {
		if len(s) > 0 && s[0] >= 0xc0 {
			rec = s
			break
		}
	}
	nodes := append([]byte{0x01, 0x02}, rlp.AppendListHeader(nil, uint64(len(rec)))...)
	nodes = append(nodes, rec...)
	f.Add(v5wire.NodesMsg, append(rlp.AppendListHeader(nil, uint64(len(nodes))), nodes...))
	f.Add(byte(0), []byte{0xc0})
	f.Add(v5wire.PingMsg, []byte{0xc1, 0x80})
	f.Add(v5wire.PingMsg, []byte{0xca, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80})
	f.Add(v5wire.PingMsg, []byte{0xc3, 0x80, 0x80, 0x80})
	f.Add(v5wire.FindnodeMsg, []byte{0xc4, 0x80, 0xc2, 0x82, 0x01})
	f.Fuzz(func(t *testing.T, ptype byte, body []byte) {
		pO, errO := v5wire.DecodeMessage(ptype, body)
		pG, errG := gethv5.DecodeMessage(ptype, body)
		if knownCanonDiff(body, errO, errG) {
			return
		}
		if !sameOutcome(t, "DecodeMessage", append([]byte{ptype}, body...), errO, errG) || errO != nil {
			return
		}
		compareV5Messages(t, append([]byte{ptype}, body...), pO, pG)
	})
}

func compareV5Messages(t *testing.T, in []byte, pO v5wire.Packet, pG gethv5.Packet) {
	t.Helper()
	if pO.Kind() != pG.Kind() {
		t.Fatalf("message %x: kind ours %d, geth %d", in, pO.Kind(), pG.Kind())
	}
	if !bytes.Equal(pO.RequestID(), pG.RequestID()) {
		t.Fatalf("message %x: request ID ours %x, geth %x", in, pO.RequestID(), pG.RequestID())
	}
	// Our messages have no exported encoder (the codec encodes them by
	// hand), so ours is copied field by field into go-ethereum's type and
	// both are encoded by go-ethereum's RLP.
	conv := toGethMessage(t, pO)
	encO, errO := gethrlp.EncodeToBytes(conv)
	encG, errG := gethrlp.EncodeToBytes(pG)
	if !sameOutcome(t, "re-encoding a message", in, errO, errG) || errO != nil {
		return
	}
	if !bytes.Equal(encO, encG) {
		t.Fatalf("message %x: ours %+v (as %+v) encodes as %x, geth %+v as %x", in, pO, conv, encO, pG, encG)
	}
}

// toGethMessage copies our message into go-ethereum's type.
func toGethMessage(t *testing.T, p v5wire.Packet) gethv5.Packet {
	switch p := p.(type) {
	case *v5wire.Ping:
		return &gethv5.Ping{ReqID: p.ReqID, ENRSeq: p.ENRSeq}
	case *v5wire.Pong:
		return &gethv5.Pong{ReqID: p.ReqID, ENRSeq: p.ENRSeq, ToIP: p.ToIP, ToPort: p.ToPort}
	case *v5wire.Findnode:
		return &gethv5.Findnode{ReqID: p.ReqID, Distances: p.Distances}
	case *v5wire.TalkRequest:
		return &gethv5.TalkRequest{ReqID: p.ReqID, Protocol: p.Protocol, Message: p.Message}
	case *v5wire.TalkResponse:
		return &gethv5.TalkResponse{ReqID: p.ReqID, Message: p.Message}
	case *v5wire.Nodes:
		g := &gethv5.Nodes{ReqID: p.ReqID, RespCount: p.RespCount}
		for _, r := range p.Nodes {
			var gr gethenr.Record
			if err := gethrlp.DecodeBytes(mustRLP(t, r), &gr); err != nil {
				t.Fatalf("geth cannot decode our record %x: %v", mustRLP(t, r), err)
			}
			g.Nodes = append(g.Nodes, &gr)
		}
		return g
	}
	t.Fatalf("unexpected message %T", p)
	return nil
}

// v5Seeds are packets to localID made by go-ethereum's codec and ours on
// a remote node: message packets without a session (random content),
// WHOAREYOU, and a handshake that answers a challenge neither fuzzed codec
// sent (so both must reject it).
func v5Seeds(tb testing.TB, localID enode.ID) [][]byte {
	remoteKey := keyFrom(0x55)
	db, err := gethenode.OpenDB("")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rln := gethenode.NewLocalNode(db, remoteKey)
	remote := gethv5.NewCodec(rln, remoteKey, new(mclock.Simulated), nil)
	// A codec of the local node apart from the fuzzed ones sends the
	// challenge that remote answers.
	key := ourKey(tb)
	ln := enode.NewLocalNode(nil, key)
	other := v5wire.NewCodec(ln, key, func() time.Time { return v5Now }, nil)
	gID := gethenode.ID(localID)
	rAddr := netip.MustParseAddrPort("127.0.0.1:1")
	localNode := gethenode.MustParse(ln.Node().String())

	var seeds [][]byte
	add := func(b []byte, _ any, err error) {
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, bytes.Clone(b))
	}
	add(remote.Encode(gID, "127.0.0.2:30303", &gethv5.Ping{ReqID: []byte{1}}, nil))
	add(remote.Encode(gID, "127.0.0.2:30303", &gethv5.Whoareyou{Nonce: gethv5.Nonce{1}, RecordSeq: 3, Node: localNode}, nil))
	w, _, err := other.Encode(enode.ID(rln.ID()), rAddr, &v5wire.Whoareyou{Nonce: v5wire.Nonce{2}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, _, p, err := remote.Decode(w, "127.0.0.2:30303")
	if err != nil {
		tb.Fatal("remote decoding our WHOAREYOU:", err)
	}
	challenge := p.(*gethv5.Whoareyou)
	challenge.Node = localNode
	add(remote.Encode(gID, "127.0.0.2:30303", &gethv5.Findnode{ReqID: []byte{2}, Distances: []uint{256}}, challenge))
	seeds = append(seeds, w) // a WHOAREYOU to remote, not to us: garbage after unmasking
	seeds = append(seeds, nil, make([]byte, 63), make([]byte, 1281))
	return seeds
}

// maskV5 masks an unmasked packet for destID: the static header and the
// authdata (as long as the static header says, within the input) are
// encrypted with AES-128-CTR, key destID[:16], IV the first 16 bytes.
func maskV5(destID enode.ID, in []byte) []byte {
	const ivSize, staticSize = 16, 23
	if len(in) < ivSize+staticSize {
		return in
	}
	out := bytes.Clone(in)
	end := min(len(in), ivSize+staticSize+int(binary.BigEndian.Uint16(in[ivSize+21:])))
	block, _ := aes.NewCipher(destID[:16])
	cipher.NewCTR(block, in[:ivSize]).XORKeyStream(out[ivSize:end], in[ivSize:end])
	return out
}

// unmaskV5 is the inverse of maskV5.
func unmaskV5(destID enode.ID, in []byte) []byte {
	const ivSize, staticSize = 16, 23
	if len(in) < ivSize+staticSize {
		return in
	}
	out := bytes.Clone(in)
	block, _ := aes.NewCipher(destID[:16])
	s := cipher.NewCTR(block, in[:ivSize])
	s.XORKeyStream(out[ivSize:ivSize+staticSize], in[ivSize:ivSize+staticSize])
	end := min(len(in), ivSize+staticSize+int(binary.BigEndian.Uint16(out[ivSize+21:])))
	s.XORKeyStream(out[ivSize+staticSize:end], in[ivSize+staticSize:end])
	return out
}
