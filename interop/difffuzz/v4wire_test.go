package difffuzz

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"testing"

	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethv4 "github.com/ethereum/go-ethereum/p2p/discover/v4wire"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover/v4wire"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// fixedKey is the node key of every seed: the same 32 bytes in both
// libraries' representations.
var fixedKeyBytes = bytes.Repeat([]byte{0x42}, 32)

func ourKey(tb testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(fixedKeyBytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func gethKey(tb testing.TB) *ecdsa.PrivateKey {
	k, err := gethcrypto.ToECDSA(fixedKeyBytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// FuzzV4Decode gives a discovery v4 packet to both libraries' Decode. Both
// must accept or reject it; accepted, they must agree on the kind, sender
// key and hash, and the packets must re-encode (each with its own RLP
// encoder) to the same bytes.
//
// So that mutations reach the packet body, fix can repair the packet
// first: with bit 1 the input is a body (type byte and RLP) that is signed
// with the fixed key; with bit 0 the leading hash is recomputed (the
// signature, mutated or not, stays).
func FuzzV4Decode(f *testing.F) {
	gkey := gethKey(f)
	for _, s := range v4Seeds(f) {
		f.Add(s, byte(0))
		if len(s) > 97 {
			f.Add(s[97:], byte(2))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, fix byte) {
		switch {
		case fix&2 != 0:
			in = signV4(t, gkey, in)
		case fix&1 != 0 && len(in) >= 32:
			copy(in, gethcrypto.Keccak256(in[32:]))
		}
		pO, keyO, hashO, errO := v4wire.Decode(in)
		pG, keyG, hashG, errG := gethv4.Decode(in)
		if len(in) > 98 && knownCanonDiff(in[98:], errO, errG) {
			return
		}
		if len(in) > v4wire.MaxPacketSize && errors.Is(errO, v4wire.ErrPacketTooLarge) && errG == nil {
			// Known difference D8: ours rejects packets over 1280 bytes.
			return
		}
		if errO == nil && errG != nil && knownSeqDiff(pO) {
			return
		}
		if !sameOutcome(t, "v4wire.Decode", in, errO, errG) || errO != nil {
			return
		}
		if pO.Kind() != pG.Kind() {
			t.Fatalf("v4wire.Decode(%x): kind ours %d, geth %d", in, pO.Kind(), pG.Kind())
		}
		if keyO != v4wire.Pubkey(keyG) {
			t.Fatalf("v4wire.Decode(%x): sender ours %x, geth %x", in, keyO, keyG)
		}
		if !bytes.Equal(hashO, hashG) {
			t.Fatalf("v4wire.Decode(%x): hash ours %x, geth %x", in, hashO, hashG)
		}
		encO, err := rlp.EncodeToBytes(pO)
		if err != nil {
			t.Fatalf("re-encoding our %#v: %v", pO, err)
		}
		encG, err := gethrlp.EncodeToBytes(pG)
		if err != nil {
			t.Fatalf("re-encoding geth's %#v: %v", pG, err)
		}
		if !bytes.Equal(encO, encG) {
			t.Fatalf("v4wire.Decode(%x): ours %#v re-encodes as %x, geth %#v as %x", in, pO, encO, pG, encG)
		}
	})
}

func v4Seeds(tb testing.TB) [][]byte {
	key, gkey := ourKey(tb), gethKey(tb)
	var rec enr.Record
	rec.Set(enr.IPv4Addr(netip.MustParseAddr("10.0.0.1")))
	if err := enode.SignV4(&rec, key); err != nil {
		tb.Fatal(err)
	}
	var grec gethenr.Record
	if err := gethrlp.DecodeBytes(mustRLP(tb, &rec), &grec); err != nil {
		tb.Fatal(err)
	}
	ep := v4wire.Endpoint{IP: net.IP{127, 0, 0, 1}, UDP: 30303, TCP: 30304}
	gep := gethv4.Endpoint{IP: net.IP{127, 0, 0, 1}, UDP: 30303, TCP: 30304}
	var target v4wire.Pubkey
	copy(target[:], bytes.Repeat([]byte{7}, 64))
	ours := []v4wire.Packet{
		&v4wire.Ping{Version: 4, From: ep, To: ep, Expiration: 1 << 40},
		&v4wire.Ping{Version: 4, From: ep, To: v4wire.Endpoint{IP: net.IPv6loopback}, Expiration: 1, ENRSeq: 9},
		&v4wire.Pong{To: ep, ReplyTok: make([]byte, 32), Expiration: 1 << 40, ENRSeq: 3},
		&v4wire.Findnode{Target: target, Expiration: 1 << 40},
		&v4wire.Neighbors{Nodes: []v4wire.Node{{IP: net.IP{1, 2, 3, 4}, UDP: 1, TCP: 2, ID: target}}, Expiration: 1 << 40},
		&v4wire.ENRRequest{Expiration: 1 << 40},
		&v4wire.ENRResponse{ReplyTok: make([]byte, 32), Record: rec},
	}
	geth := []gethv4.Packet{
		&gethv4.Ping{Version: 4, From: gep, To: gep, Expiration: 1 << 40, ENRSeq: 1},
		&gethv4.Pong{To: gep, ReplyTok: make([]byte, 32), Expiration: 1 << 40},
		&gethv4.Findnode{Target: gethv4.Pubkey(target), Expiration: 1 << 40},
		&gethv4.Neighbors{Nodes: []gethv4.Node{{IP: net.IPv6loopback, UDP: 1, TCP: 2, ID: gethv4.Pubkey(target)}}, Expiration: 1},
		&gethv4.ENRRequest{Expiration: 1 << 40},
		&gethv4.ENRResponse{ReplyTok: make([]byte, 32), Record: grec},
	}
	var seeds [][]byte
	for _, p := range ours {
		b, _, err := v4wire.Encode(key, p)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, p := range geth {
		b, _, err := gethv4.Encode(gkey, p)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	// Unknown kind, extra list elements, trailing bytes: signed properly so
	// that the checks after the signature are reached.
	for _, body := range [][]byte{
		{0x09, 0xc0},
		{0x01, 0xc5, 0x04, 0xc0, 0xc0, 0x01, 0x80},
		append([]byte{0x05}, append(mustRLP(tb, &v4wire.ENRRequest{Expiration: 5}), 0x00)...),
		{0x05, 0xc3, 0x01, 0x02, 0x03},
		{0x03},
	} {
		seeds = append(seeds, signV4(tb, gkey, body))
	}
	seeds = append(seeds, nil, make([]byte, 97), make([]byte, 98))
	return seeds
}

// signV4 frames a packet body (type byte and RLP) as a v4 packet:
// hash || signature || body, signed with key.
func signV4(tb testing.TB, key *ecdsa.PrivateKey, body []byte) []byte {
	sig, err := gethcrypto.Sign(gethcrypto.Keccak256(body), key)
	if err != nil {
		tb.Fatal(err)
	}
	h := gethcrypto.Keccak256(sig, body)
	return append(append(h, sig...), body...)
}

func mustRLP(tb testing.TB, v any) []byte {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func hexPub(k *ecdsa.PrivateKey) string {
	return hex.EncodeToString(gethcrypto.FromECDSAPub(&k.PublicKey)[1:])
}

// knownSeqDiff reports whether a packet that ours accepted and geth
// rejected is known difference D7: a Ping or Pong whose element in the
// place of the enr-seq is not a canonical integer. Ours (as its package doc
// says) then leaves ENRSeq zero and keeps the element in Rest; geth fails
// to decode ENRSeq.
func knownSeqDiff(p v4wire.Packet) bool {
	var seq uint64
	var rest []rlp.RawValue
	switch p := p.(type) {
	case *v4wire.Ping:
		seq, rest = p.ENRSeq, p.Rest
	case *v4wire.Pong:
		seq, rest = p.ENRSeq, p.Rest
	default:
		return false
	}
	if seq != 0 || len(rest) == 0 {
		return false
	}
	_, tail, err := gethrlp.SplitUint64(rest[0])
	return err != nil || len(tail) > 0
}
