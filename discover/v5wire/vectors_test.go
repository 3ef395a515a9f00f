package v5wire

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"reflect"
	"strconv"
	"testing"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// The packet vectors of discv5-wire-test-vectors.md, in testdata. Every
// packet goes from node A to node B.
var packetVectors = []string{
	"v5.1-ping-message.txt",
	"v5.1-whoareyou.txt",
	"v5.1-ping-handshake.txt",
	"v5.1-ping-handshake-enr.txt",
}

// TestVectorNodeIDs checks that the vector keys give the vector node IDs.
func TestVectorNodeIDs(t *testing.T) {
	tp := newTestPair(t)
	v := loadVector(t, packetVectors[0])
	if got, want := tp.a.id(), enode.ID(v.bytes(t, "src-node-id")); got != want {
		t.Errorf("node A ID %v, want %v", got, want)
	}
	if got, want := tp.b.id(), enode.ID(v.bytes(t, "dest-node-id")); got != want {
		t.Errorf("node B ID %v, want %v", got, want)
	}
	if tp.a.node().Seq() != 1 {
		t.Errorf("node A seq %d, want 1", tp.a.node().Seq())
	}
}

func vectorPing(tb testing.TB, v vector) *Ping {
	seq, err := strconv.ParseUint(v.params["ping.enr-seq"], 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return &Ping{ReqID: v.bytes(tb, "ping.req-id"), ENRSeq: seq}
}

func vectorWhoareyou(tb testing.TB, v vector) *Whoareyou {
	seq, err := strconv.ParseUint(v.params["whoareyou.enr-seq"], 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return &Whoareyou{
		Nonce:         Nonce(v.bytes(tb, "whoareyou.request-nonce")),
		IDNonce:       [16]byte(v.bytes(tb, "whoareyou.id-nonce")),
		RecordSeq:     seq,
		ChallengeData: v.bytes(tb, "whoareyou.challenge-data"),
	}
}

// setupVectorDecode gives node B what it needs to decode vector v from A:
// the session for a message packet, the challenge for a handshake.
func setupVectorDecode(tb testing.TB, tp *testPair, name string, v vector) {
	k := newSessionID(tp.a.id(), tp.a.addr)
	switch name {
	case "v5.1-ping-message.txt":
		rk := [16]byte(v.bytes(tb, "read-key"))
		tp.b.c.sc.storeSession(k, newSession(k.id, [16]byte{}, rk, tp.a.node()))
	case "v5.1-ping-handshake.txt", "v5.1-ping-handshake-enr.txt":
		w := vectorWhoareyou(tb, v)
		if w.RecordSeq > 0 {
			// B knows A's record at this seq.
			if tp.a.node().Seq() != w.RecordSeq {
				tb.Fatalf("node A seq %d, challenge has %d", tp.a.node().Seq(), w.RecordSeq)
			}
			w.Node = tp.a.node()
		}
		tp.b.c.sc.storeChallenge(k, w)
	}
}

func TestVectorsDecode(t *testing.T) {
	for _, name := range packetVectors {
		t.Run(name, func(t *testing.T) {
			v := loadVector(t, name)
			tp := newTestPair(t)
			setupVectorDecode(t, tp, name, v)
			input := bytes.Clone(v.packet)
			src, node, p, err := tp.b.c.Decode(input, tp.a.addr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(input, v.packet) {
				t.Fatal("Decode modified its input")
			}
			switch name {
			case "v5.1-whoareyou.txt":
				want := vectorWhoareyou(t, v)
				if !reflect.DeepEqual(p, want) {
					t.Fatalf("got %+v\nwant %+v", p, want)
				}
				if src != (enode.ID{}) || node != nil {
					t.Fatalf("WHOAREYOU from %v with node %v", src, node)
				}
				return
			case "v5.1-ping-message.txt":
				if node != nil {
					t.Fatal("message packet returned a node")
				}
			default:
				if node == nil || node.ID() != tp.a.id() || node.Seq() != 1 {
					t.Fatalf("handshake node %v", node)
				}
				s := tp.b.c.sc.session(newSessionID(tp.a.id(), tp.a.addr))
				if s == nil {
					t.Fatal("no session after the handshake")
				}
				if rk := v.bytes(t, "read-key"); !bytes.Equal(s.readKey[:], rk) {
					t.Fatalf("session read key %x, want %x", s.readKey, rk)
				}
				if tp.b.c.CurrentChallenge(tp.a.id(), tp.a.addr) != nil {
					t.Fatal("challenge left after the handshake")
				}
				if got := tp.b.c.SessionNode(tp.a.id(), tp.a.addr); got != node {
					t.Fatalf("SessionNode %v, want %v", got, node)
				}
			}
			if src != tp.a.id() {
				t.Fatalf("source %v, want %v", src, tp.a.id())
			}
			if want := vectorPing(t, v); !reflect.DeepEqual(p, want) {
				t.Fatalf("got %+v, want %+v", p, want)
			}
		})
	}
}

// TestVectorsEncode encodes each vector with its nonce, masking IV (zero)
// and ephemeral key, and compares the bytes.
func TestVectorsEncode(t *testing.T) {
	for _, name := range packetVectors {
		t.Run(name, func(t *testing.T) {
			v := loadVector(t, name)
			tp := newTestPair(t)
			k := newSessionID(tp.b.id(), tp.b.addr)
			var iv [sizeofMaskingIV]byte
			copy(iv[:], v.packet)
			var (
				enc []byte
				err error
			)
			switch name {
			case "v5.1-whoareyou.txt":
				w := vectorWhoareyou(t, v)
				w.ChallengeData = nil
				enc, _, err = tp.a.c.encodeWhoareyou(k, w, &iv)
				if err == nil && !bytes.Equal(w.ChallengeData, v.bytes(t, "whoareyou.challenge-data")) {
					t.Errorf("challenge data %x", w.ChallengeData)
				}
			case "v5.1-ping-message.txt":
				wk := [16]byte(v.bytes(t, "read-key"))
				s := newSession(k.id, wk, [16]byte{}, tp.b.node())
				nonce := Nonce(v.bytes(t, "nonce"))
				enc, _, err = tp.a.c.encodeMessage(k, s, vectorPing(t, v), &iv, &nonce)
			default:
				eph, err := scalarFromBytes(v.bytes(t, "ephemeral-key"))
				if err != nil {
					t.Fatal(err)
				}
				if pub := publicKey(eph); !bytes.Equal(pub[:], v.bytes(t, "ephemeral-pubkey")) {
					t.Fatalf("ephemeral public key %x", pub)
				}
				challenge := vectorWhoareyou(t, v)
				challenge.Node = tp.b.node()
				nonce := Nonce(v.bytes(t, "nonce"))
				enc, _, err = tp.a.c.encodeHandshake(k, vectorPing(t, v), challenge, &iv, eph, &nonce)
				if err != nil {
					t.Fatal(err)
				}
				s := tp.a.c.sc.session(k)
				if s == nil || !bytes.Equal(s.writeKey[:], v.bytes(t, "read-key")) {
					t.Fatalf("session %+v, want write key %s", s, v.params["read-key"])
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, v.packet) {
				t.Fatalf("encoding differs\n got %x\nwant %x", enc, v.packet)
			}
		})
	}
}

func TestVectorECDH(t *testing.T) {
	pub, err := decodePubkey(unhex(t, "039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := scalarFromBytes(unhex(t, "fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736"))
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "033b11a2a1f214567e1537ce5e509ffd9b21373247f2a3ff6841f4976f53165e7e")
	if got := ecdh(priv, pub); !bytes.Equal(got[:], want) {
		t.Fatalf("shared secret %x, want %x", got, want)
	}
}

func TestVectorKeyDerivation(t *testing.T) {
	eph, err := scalarFromBytes(unhex(t, "fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736"))
	if err != nil {
		t.Fatal(err)
	}
	dest, err := decodePubkey(unhex(t, "0317931e6e0840220642f230037d285d122bc59063221ef3226b1f403ddc69ca91"))
	if err != nil {
		t.Fatal(err)
	}
	idA := enode.ID(unhex(t, "aaaa8419e9f49d0083561b48287df592939a8d19947d8c0ef88f2a4856a69fbb"))
	idB := enode.ID(unhex(t, "bbbb9d047f0488c0b5a93c1c3f2d8bafc7c8ff337024a55434a0d0555de64db9"))
	cdata := unhex(t, "000000000000000000000000000000006469736376350001010102030405060708090a0b0c00180102030405060708090a0b0c0d0e0f100000000000000000")
	secret := ecdh(eph, dest)
	ik, rk := deriveKeys(secret[:], cdata, idA, idB)
	if want := unhex(t, "dccc82d81bd610f4f76d3ebe97a40571"); !bytes.Equal(ik[:], want) {
		t.Errorf("initiator key %x, want %x", ik, want)
	}
	if want := unhex(t, "ac74bb8773749920b0d3a8881c173ec5"); !bytes.Equal(rk[:], want) {
		t.Errorf("recipient key %x, want %x", rk, want)
	}
}

func TestVectorIDSignature(t *testing.T) {
	key := mustKey(t, "fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736")
	cdata := unhex(t, "000000000000000000000000000000006469736376350001010102030405060708090a0b0c00180102030405060708090a0b0c0d0e0f100000000000000000")
	ephkey := unhex(t, "039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231")
	idB := enode.ID(unhex(t, "bbbb9d047f0488c0b5a93c1c3f2d8bafc7c8ff337024a55434a0d0555de64db9"))
	want := unhex(t, "94852a1e2318c4e5e9d422c98eaf19d1d90d876b29cd06ca7cb7546d0fff7b484fe86c09a064fe72bdbef73ba8e9c34df0cd2b53e9d65528c2c7f336d5dfc6e6")

	sig, err := makeIDSignature(key, cdata, ephkey, idB)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sig, want) {
		t.Fatalf("signature %x, want %x", sig, want)
	}

	// In reverse: the signature verifies for the key's node, and not with
	// any input changed.
	var r enr.Record
	if err := enode.SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	n, err := enode.New(enode.ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyIDSignature(want, n, cdata, ephkey, idB); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(cdata)
	bad[20] ^= 1
	if err := verifyIDSignature(want, n, bad, ephkey, idB); err != ErrInvalidNonceSig {
		t.Fatalf("changed challenge: %v", err)
	}
	if err := verifyIDSignature(want, n, cdata, ephkey, enode.ID{}); err != ErrInvalidNonceSig {
		t.Fatalf("changed destination: %v", err)
	}
}

func TestVectorAESGCM(t *testing.T) {
	key := [16]byte(unhex(t, "9f2d77db7004bf8a1a85107ac686990b"))
	nonce := unhex(t, "27b5af763c446acd2749fe8e")
	pt := unhex(t, "01c20101")
	ad := unhex(t, "93a7400fa0d6a694ebc24d5cf570f65d04215b6ac00757875e3f3a5f42107903")
	want := unhex(t, "a5d12a2d94b8ccb3ba55558229867dc13bfa3648")
	g := newGCM(&key)
	if got := g.Seal(nil, nonce, pt, ad); !bytes.Equal(got, want) {
		t.Fatalf("ciphertext %x, want %x", got, want)
	}
	got, err := g.Open(nil, nonce, want, ad)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("decrypted %x, %v", got, err)
	}
}

// TestMaskingCTR compares the masking with the standard library's CTR
// mode, at every offset and across a counter carry.
func TestMaskingCTR(t *testing.T) {
	block := maskingBlock(enode.ID{1, 2, 3})
	var m masker
	for _, iv := range [][]byte{
		make([]byte, 16),
		bytes.Repeat([]byte{0xff}, 16),
		binary.BigEndian.AppendUint64(bytes.Repeat([]byte{0x11}, 8), ^uint64(0)-1),
	} {
		data := bytes.Repeat([]byte{0xa5}, 100)
		want := make([]byte, len(data))
		stdCTR(block, iv, want, data)
		for off := range len(data) {
			got := bytes.Clone(data)
			m.xor(block, iv, got[:off], 0)
			m.xor(block, iv, got[off:], off)
			if !bytes.Equal(got, want) {
				t.Fatalf("iv %x, split at %d:\n got %x\nwant %x", iv, off, got, want)
			}
		}
	}
}

func stdCTR(block cipher.Block, iv, dst, src []byte) {
	cipher.NewCTR(block, iv).XORKeyStream(dst, src)
}
