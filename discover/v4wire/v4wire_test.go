package v4wire

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// The key that signed the EIP-8 vectors.
const eip8Key = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

// eip8Vectors are the discovery packets of EIP-8 that implementations must
// accept, with their contents; "ping-v4-plain" is the same ping without the
// extra element, as go-ethereum tests it.
var eip8Vectors = []struct {
	name  string
	input string
	want  Packet
}{
	{
		name:  "ping-v4-plain",
		input: "71dbda3a79554728d4f94411e42ee1f8b0d561c10e1e5f5893367948c6a7d70bb87b235fa28a77070271b6c164a2dce8c7e13a5739b53b5e96f2e5acb0e458a02902f5965d55ecbeb2ebb6cabb8b2b232896a36b737666c55265ad0a68412f250001ea04cb847f000001820cfa8215a8d790000000000000000000000000000000018208ae820d058443b9a355",
		want: &Ping{
			Version:    4,
			From:       Endpoint{IP: net.IP{127, 0, 0, 1}, UDP: 3322, TCP: 5544},
			To:         Endpoint{IP: net.ParseIP("::1"), UDP: 2222, TCP: 3333},
			Expiration: 1136239445,
		},
	},
	{
		name: "ping-v4-extra-elements",
		input: "e9614ccfd9fc3e74360018522d30e1419a143407ffcce748de3e22116b7e8dc92ff74788c0b6663a" +
			"aa3d67d641936511c8f8d6ad8698b820a7cf9e1be7155e9a241f556658c55428ec0563514365799a" +
			"4be2be5a685a80971ddcfa80cb422cdd0101ec04cb847f000001820cfa8215a8d790000000000000" +
			"000000000000000000018208ae820d058443b9a3550102",
		want: &Ping{
			Version:    4,
			From:       Endpoint{IP: net.IP{127, 0, 0, 1}, UDP: 3322, TCP: 5544},
			To:         Endpoint{IP: net.ParseIP("::1"), UDP: 2222, TCP: 3333},
			Expiration: 1136239445,
			ENRSeq:     1, // the first extra element reads as an EIP-868 enr-seq
			Rest:       []rlp.RawValue{{0x02}},
		},
	},
	{
		name: "ping-v555-extra-elements-and-data",
		input: "577be4349c4dd26768081f58de4c6f375a7a22f3f7adda654d1428637412c3d7fe917cadc56d4e5e" +
			"7ffae1dbe3efffb9849feb71b262de37977e7c7a44e677295680e9e38ab26bee2fcbae207fba3ff3" +
			"d74069a50b902a82c9903ed37cc993c50001f83e82022bd79020010db83c4d001500000000abcdef" +
			"12820cfa8215a8d79020010db885a308d313198a2e037073488208ae82823a8443b9a355c5010203" +
			"040531b9019afde696e582a78fa8d95ea13ce3297d4afb8ba6433e4154caa5ac6431af1b80ba7602" +
			"3fa4090c408f6b4bc3701562c031041d4702971d102c9ab7fa5eed4cd6bab8f7af956f7d565ee191" +
			"7084a95398b6a21eac920fe3dd1345ec0a7ef39367ee69ddf092cbfe5b93e5e568ebc491983c09c7" +
			"6d922dc3",
		want: &Ping{
			Version:    555,
			From:       Endpoint{IP: net.ParseIP("2001:db8:3c4d:15::abcd:ef12"), UDP: 3322, TCP: 5544},
			To:         Endpoint{IP: net.ParseIP("2001:db8:85a3:8d3:1319:8a2e:370:7348"), UDP: 2222, TCP: 33338},
			Expiration: 1136239445,
			Rest:       []rlp.RawValue{unhex("c50102030405")},
		},
	},
	{
		name: "pong-extra-elements-and-data",
		input: "09b2428d83348d27cdf7064ad9024f526cebc19e4958f0fdad87c15eb598dd61d08423e0bf66b206" +
			"9869e1724125f820d851c136684082774f870e614d95a2855d000f05d1648b2d5945470bc187c2d2" +
			"216fbe870f43ed0909009882e176a46b0102f846d79020010db885a308d313198a2e037073488208" +
			"ae82823aa0fbc914b16819237dcd8801d7e53f69e9719adecb3cc0e790c57e91ca4461c9548443b9" +
			"a355c6010203c2040506a0c969a58f6f9095004c0177a6b47f451530cab38966a25cca5cb58f0555" +
			"42124e",
		want: &Pong{
			To:         Endpoint{IP: net.ParseIP("2001:db8:85a3:8d3:1319:8a2e:370:7348"), UDP: 2222, TCP: 33338},
			ReplyTok:   unhex("fbc914b16819237dcd8801d7e53f69e9719adecb3cc0e790c57e91ca4461c954"),
			Expiration: 1136239445,
			Rest:       []rlp.RawValue{unhex("c6010203c20405"), {0x06}},
		},
	},
	{
		name: "findnode-extra-elements-and-data",
		input: "c7c44041b9f7c7e41934417ebac9a8e1a4c6298f74553f2fcfdcae6ed6fe53163eb3d2b52e39fe91" +
			"831b8a927bf4fc222c3902202027e5e9eb812195f95d20061ef5cd31d502e47ecb61183f74a504fe" +
			"04c51e73df81f25c4d506b26db4517490103f84eb840ca634cae0d49acb401d8a4c6b6fe8c55b70d" +
			"115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be0081290476" +
			"7bf5ccd1fc7f8443b9a35582999983999999280dc62cc8255c73471e0a61da0c89acdc0e035e260a" +
			"dd7fc0c04ad9ebf3919644c91cb247affc82b69bd2ca235c71eab8e49737c937a2c396",
		want: &Findnode{
			Target:     pubkey("ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f"),
			Expiration: 1136239445,
			Rest:       []rlp.RawValue{{0x82, 0x99, 0x99}, {0x83, 0x99, 0x99, 0x99}},
		},
	},
	{
		name: "neighbours-extra-elements-and-data",
		input: "c679fc8fe0b8b12f06577f2e802d34f6fa257e6137a995f6f4cbfc9ee50ed3710faf6e66f932c4c8" +
			"d81d64343f429651328758b47d3dbc02c4042f0fff6946a50f4a49037a72bb550f3a7872363a83e1" +
			"b9ee6469856c24eb4ef80b7535bcf99c0004f9015bf90150f84d846321163782115c82115db84031" +
			"55e1427f85f10a5c9a7755877748041af1bcd8d474ec065eb33df57a97babf54bfd2103575fa8291" +
			"15d224c523596b401065a97f74010610fce76382c0bf32f84984010203040101b840312c55512422" +
			"cf9b8a4097e9a6ad79402e87a15ae909a4bfefa22398f03d20951933beea1e4dfa6f968212385e82" +
			"9f04c2d314fc2d4e255e0d3bc08792b069dbf8599020010db83c4d001500000000abcdef12820d05" +
			"820d05b84038643200b172dcfef857492156971f0e6aa2c538d8b74010f8e140811d53b98c765dd2" +
			"d96126051913f44582e8c199ad7c6d6819e9a56483f637feaac9448aacf8599020010db885a308d3" +
			"13198a2e037073488203e78203e8b8408dcab8618c3253b558d459da53bd8fa68935a719aff8b811" +
			"197101a4b2b47dd2d47295286fc00cc081bb542d760717d1bdd6bec2c37cd72eca367d6dd3b9df73" +
			"8443b9a355010203b525a138aa34383fec3d2719a0",
		want: &Neighbors{
			Nodes: []Node{
				{
					IP: net.IP{99, 33, 22, 55}, UDP: 4444, TCP: 4445,
					ID: pubkey("3155e1427f85f10a5c9a7755877748041af1bcd8d474ec065eb33df57a97babf54bfd2103575fa829115d224c523596b401065a97f74010610fce76382c0bf32"),
				},
				{
					IP: net.IP{1, 2, 3, 4}, UDP: 1, TCP: 1,
					ID: pubkey("312c55512422cf9b8a4097e9a6ad79402e87a15ae909a4bfefa22398f03d20951933beea1e4dfa6f968212385e829f04c2d314fc2d4e255e0d3bc08792b069db"),
				},
				{
					IP: net.ParseIP("2001:db8:3c4d:15::abcd:ef12"), UDP: 3333, TCP: 3333,
					ID: pubkey("38643200b172dcfef857492156971f0e6aa2c538d8b74010f8e140811d53b98c765dd2d96126051913f44582e8c199ad7c6d6819e9a56483f637feaac9448aac"),
				},
				{
					IP: net.ParseIP("2001:db8:85a3:8d3:1319:8a2e:370:7348"), UDP: 999, TCP: 1000,
					ID: pubkey("8dcab8618c3253b558d459da53bd8fa68935a719aff8b811197101a4b2b47dd2d47295286fc00cc081bb542d760717d1bdd6bec2c37cd72eca367d6dd3b9df73"),
				},
			},
			Expiration: 1136239445,
			Rest:       []rlp.RawValue{{0x01}, {0x02}, {0x03}},
		},
	},
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func pubkey(s string) (k Pubkey) {
	if copy(k[:], unhex(s)) != len(k) {
		panic("wrong key length")
	}
	return k
}

func mustKey(t testing.TB, h string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(h)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEIP8Vectors(t *testing.T) {
	wantKey := EncodePubkey(&mustKey(t, eip8Key).PublicKey)
	for _, v := range eip8Vectors {
		t.Run(v.name, func(t *testing.T) {
			input := unhex(v.input)
			p, from, hash, err := Decode(input)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(p, v.want) {
				t.Errorf("packet\n got %#v\nwant %#v", p, v.want)
			}
			if from != wantKey {
				t.Errorf("sender key %x, want %x", from, wantKey)
			}
			if !bytes.Equal(hash, input[:32]) {
				t.Errorf("hash %x, want %x", hash, input[:32])
			}
			if from.ID() != enode.PubkeyToIDV4(&mustKey(t, eip8Key).PublicKey) {
				t.Error("Pubkey.ID differs from enode.PubkeyToIDV4")
			}
		})
	}
}

// testPackets are packets of every type, for round trips and the tests of
// bad input.
func testPackets(t testing.TB) []Packet {
	key := mustKey(t, eip8Key)
	var rec enr.Record
	rec.SetSeq(7)
	rec.Set(enr.IPv4Addr(netip.MustParseAddr("10.0.0.1")))
	rec.Set(enr.UDP(30303))
	if err := enode.SignV4(&rec, key); err != nil {
		t.Fatal(err)
	}
	hash := bytes.Repeat([]byte{0xab}, 32)
	return []Packet{
		&Ping{
			Version:    4,
			From:       Endpoint{IP: net.IP{10, 0, 0, 1}, UDP: 30303, TCP: 30303},
			To:         Endpoint{IP: net.ParseIP("2001:db8::1"), UDP: 1, TCP: 0},
			Expiration: 1700000000,
			ENRSeq:     9,
		},
		&Ping{Version: 4, From: Endpoint{IP: net.IP{}}, To: Endpoint{IP: net.IP{1, 2, 3, 4}}, Expiration: 1},
		&Ping{Version: 4, From: Endpoint{IP: net.IP{}}, To: Endpoint{IP: net.IP{}}, Rest: []rlp.RawValue{{0x05}, {0xc0}}},
		&Pong{To: Endpoint{IP: net.IP{127, 0, 0, 1}, UDP: 30303}, ReplyTok: hash, Expiration: 1700000000, ENRSeq: 1 << 40},
		&Pong{To: Endpoint{IP: net.IP{}}, ReplyTok: hash, Rest: []rlp.RawValue{{0xc1, 0x01}}},
		&Findnode{Target: EncodePubkey(&key.PublicKey), Expiration: ^uint64(0)},
		&Neighbors{Nodes: maxNeighbors(), Expiration: ^uint64(0)},
		&Neighbors{Nodes: []Node{}, Expiration: 5, Rest: []rlp.RawValue{{0x01}}},
		&ENRRequest{Expiration: 1700000000},
		&ENRResponse{ReplyTok: hash, Record: rec},
	}
}

// maxNeighbors returns MaxNeighbors nodes of the largest encoding.
func maxNeighbors() []Node {
	nodes := make([]Node, MaxNeighbors)
	for i := range nodes {
		nodes[i] = Node{IP: net.ParseIP("2001:db8::ffff:ffff"), UDP: 0xffff, TCP: 0xffff}
		for j := range nodes[i].ID {
			nodes[i].ID[j] = byte(i + j)
		}
	}
	return nodes
}

func TestRoundTrip(t *testing.T) {
	key := mustKey(t, eip8Key)
	wantKey := EncodePubkey(&key.PublicKey)
	for i, p := range testPackets(t) {
		t.Run(p.Name(), func(t *testing.T) {
			enc, hash, err := Encode(key, p)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if len(enc) > MaxPacketSize {
				t.Fatalf("packet %d has %d bytes", i, len(enc))
			}
			if enc[headSize] != p.Kind() {
				t.Errorf("type byte %d, want %d", enc[headSize], p.Kind())
			}
			dec, from, dhash, err := Decode(enc)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(dec, p) {
				t.Errorf("round trip\n got %#v\nwant %#v", dec, p)
			}
			if from != wantKey {
				t.Errorf("sender key %x", from)
			}
			if !bytes.Equal(hash, dhash) || !bytes.Equal(hash, enc[:32]) {
				t.Errorf("hash %x, decoded %x, in packet %x", hash, dhash, enc[:32])
			}
			// The decoded packet must not alias the input.
			clear(enc)
			if !reflect.DeepEqual(dec, p) {
				t.Error("decoded packet changed with the input")
			}
		})
	}
}

// TestEncodeSeqOmitted checks that a Ping and a Pong without enr-seq encode
// as before EIP-868, with four and three elements.
func TestEncodeSeqOmitted(t *testing.T) {
	for _, tc := range []struct {
		p    Packet
		want int
	}{
		{&Ping{Version: 4}, 4},
		{&Ping{Version: 4, ENRSeq: 1}, 5},
		{&Ping{Version: 4, Rest: []rlp.RawValue{{0x01}}}, 6},
		{&Pong{}, 3},
		{&Pong{ENRSeq: 1}, 4},
	} {
		b, err := rlp.EncodeToBytes(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		content, _, err := rlp.SplitList(b)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := rlp.CountValues(content); n != tc.want {
			t.Errorf("%#v: %d elements, want %d", tc.p, n, tc.want)
		}
	}
}

// TestSeqPosition checks the Ping and Pong element in the place of enr-seq:
// integers are the sequence number, anything else extra data.
func TestSeqPosition(t *testing.T) {
	ep := Endpoint{IP: net.IP{1, 2, 3, 4}, UDP: 1, TCP: 2}
	head, err := rlp.EncodeToBytes([]any{uint(4), ep, ep, uint64(99)})
	if err != nil {
		t.Fatal(err)
	}
	content, _, _ := rlp.SplitList(head)
	for _, tc := range []struct {
		name     string
		extra    string
		wantSeq  uint64
		wantRest []rlp.RawValue
	}{
		{"none", "", 0, nil},
		{"zero", "80", 0, nil},
		{"small", "05", 5, nil},
		{"max", "88ffffffffffffffff", ^uint64(0), nil},
		{"too-big", "89010000000000000000", 0, []rlp.RawValue{unhex("89010000000000000000")}},
		{"non-canonical", "00", 0, []rlp.RawValue{{0x00}}},
		{"leading-zero", "820001", 0, []rlp.RawValue{unhex("820001")}},
		{"list", "c0", 0, []rlp.RawValue{{0xc0}}},
		{"seq-and-more", "0102", 1, []rlp.RawValue{{0x02}}},
		{"list-and-int", "c002", 0, []rlp.RawValue{{0xc0}, {0x02}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := append(append([]byte{}, content...), unhex(tc.extra)...)
			enc := rlp.AppendListHeader(nil, uint64(len(body)))
			enc = append(enc, body...)
			var p Ping
			if err := rlp.DecodeBytes(enc, &p); err != nil {
				t.Fatal(err)
			}
			if p.ENRSeq != tc.wantSeq || !reflect.DeepEqual(p.Rest, tc.wantRest) {
				t.Errorf("got seq %d rest %x, want %d %x", p.ENRSeq, p.Rest, tc.wantSeq, tc.wantRest)
			}
			// Encoding and decoding again gives the same packet.
			re, err := rlp.EncodeToBytes(&p)
			if err != nil {
				t.Fatal(err)
			}
			var p2 Ping
			if err := rlp.DecodeBytes(re, &p2); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, p2) {
				t.Errorf("re-decoded %#v, want %#v", p2, p)
			}
		})
	}
}

// resign recomputes the hash of a packet whose content was changed, so that
// the decoder gets past the hash check.
func resign(packet []byte) []byte {
	h := crypto.Keccak256Hash(packet[hashSize:])
	copy(packet, h[:])
	return packet
}

// TestTruncated checks that every strict prefix of every packet fails,
// with the hash as it was (ErrBadHash) and with a correct hash (the packet
// data is then invalid).
func TestTruncated(t *testing.T) {
	key := mustKey(t, eip8Key)
	for _, p := range testPackets(t) {
		enc, _, err := Encode(key, p)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(enc) {
			prefix := append([]byte{}, enc[:n]...)
			if _, _, _, err := Decode(prefix); err == nil {
				t.Fatalf("%s: prefix of %d bytes decoded", p.Name(), n)
			}
			if n < minPacket {
				if _, _, _, err := Decode(prefix); !errors.Is(err, ErrPacketTooSmall) {
					t.Fatalf("%s: prefix of %d bytes: %v, want ErrPacketTooSmall", p.Name(), n, err)
				}
				continue
			}
			_, _, hash, err := Decode(resign(prefix))
			if !errors.Is(err, ErrInvalidPacket) {
				t.Fatalf("%s: rehashed prefix of %d bytes: %v, want ErrInvalidPacket", p.Name(), n, err)
			}
			if !bytes.Equal(hash, prefix[:hashSize]) {
				t.Fatalf("%s: no hash with the error", p.Name())
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	key := mustKey(t, eip8Key)
	ping, _, err := Encode(key, &Ping{Version: 4, Expiration: 1})
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte) []byte) []byte {
		return f(append([]byte{}, ping...))
	}
	for _, tc := range []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty", nil, ErrPacketTooSmall},
		{"header-only", ping[:headSize], ErrPacketTooSmall},
		{"too-large", make([]byte, MaxPacketSize+1), ErrPacketTooLarge},
		{"bad-hash", edit(func(b []byte) []byte { b[0] ^= 1; return b }), ErrBadHash},
		{"changed-data", edit(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), ErrBadHash},
		{"recovery-id", edit(func(b []byte) []byte { b[headSize-1] = 4; return resign(b) }), ErrBadSignature},
		{"zero-r", edit(func(b []byte) []byte { clear(b[hashSize : hashSize+32]); return resign(b) }), ErrBadSignature},
		{"r-too-big", edit(func(b []byte) []byte {
			for i := hashSize; i < hashSize+32; i++ {
				b[i] = 0xff
			}
			return resign(b)
		}), ErrBadSignature},
		{"type-0", edit(func(b []byte) []byte { b[headSize] = 0; return resign(b) }), ErrUnknownPacket},
		{"type-7", edit(func(b []byte) []byte { b[headSize] = 7; return resign(b) }), ErrUnknownPacket},
		{"type-255", edit(func(b []byte) []byte { b[headSize] = 255; return resign(b) }), ErrUnknownPacket},
		{"not-a-list", edit(func(b []byte) []byte { return resign(append(b[:headSize+1], 0x80)) }), ErrInvalidPacket},
		{"wrong-type", edit(func(b []byte) []byte { b[headSize] = ENRResponsePacket; return resign(b) }), ErrInvalidPacket},
		{"huge-list-header", edit(func(b []byte) []byte {
			return resign(append(b[:headSize+1], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
		}), ErrInvalidPacket},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, _, err := Decode(tc.input)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if p != nil {
				t.Fatalf("packet %#v with error", p)
			}
		})
	}
}

// TestChangedSignature checks that a valid but different signature gives
// another sender, never the signer's key.
func TestChangedSignature(t *testing.T) {
	key := mustKey(t, eip8Key)
	ping, _, err := Encode(key, &Ping{Version: 4, Expiration: 1})
	if err != nil {
		t.Fatal(err)
	}
	ping[hashSize+31] ^= 1
	_, from, _, err := Decode(resign(ping))
	if err == nil && from == EncodePubkey(&key.PublicKey) {
		t.Fatal("changed signature still gives the signer's key")
	}
}

func TestMaxNeighbors(t *testing.T) {
	key := mustKey(t, eip8Key)
	p := &Neighbors{Nodes: maxNeighbors(), Expiration: ^uint64(0)}
	enc, _, err := Encode(key, p)
	if err != nil {
		t.Fatalf("%d nodes: %v", MaxNeighbors, err)
	}
	t.Logf("%d largest nodes: %d bytes", MaxNeighbors, len(enc))
	p.Nodes = append(p.Nodes, p.Nodes[0])
	if _, _, err := Encode(key, p); !errors.Is(err, ErrPacketTooLarge) {
		t.Fatalf("%d nodes: %v, want ErrPacketTooLarge", MaxNeighbors+1, err)
	}
}

type badPacket struct{}

func (badPacket) Name() string { return "BAD" }
func (badPacket) Kind() byte   { return 9 }

func TestEncodeErrors(t *testing.T) {
	key := mustKey(t, eip8Key)
	if _, _, err := Encode(key, badPacket{}); !errors.Is(err, ErrUnknownPacket) {
		t.Errorf("unknown type: %v", err)
	}
	if _, _, err := Encode(key, &ENRResponse{ReplyTok: make([]byte, 32)}); err == nil {
		t.Error("unsigned record encoded")
	}
	big := &Findnode{Rest: []rlp.RawValue{rlp.AppendBytes(nil, make([]byte, MaxPacketSize))}}
	if _, _, err := Encode(key, big); !errors.Is(err, ErrPacketTooLarge) {
		t.Errorf("large packet: %v", err)
	}
}

func TestExpiredAt(t *testing.T) {
	now := time.Unix(1000, 0)
	for _, tc := range []struct {
		ts   uint64
		now  time.Time
		want bool
	}{
		{999, now, true},
		{1000, now, false},
		{1000, now.Add(time.Nanosecond), true},
		{1001, now.Add(999 * time.Millisecond), false},
		{^uint64(0), now, true},         // -1 as go-ethereum reads it
		{uint64(1<<63 - 1), now, false}, // the largest future time
		{^uint64(2000) + 1, now, true},  // a negated future time, as devp2p's test suite sends
		{0, now, true},
		{0, time.Unix(-5, 0), false},
	} {
		if got := ExpiredAt(tc.ts, tc.now); got != tc.want {
			t.Errorf("ExpiredAt(%d, %v) = %v, want %v", tc.ts, tc.now, got, tc.want)
		}
	}
	if Expired(Expiration(time.Now(), time.Minute)) {
		t.Error("expiration a minute ahead has expired")
	}
	if !Expired(Expiration(time.Now(), -time.Minute)) {
		t.Error("expiration a minute ago has not expired")
	}
}

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		in     netip.AddrPort
		wantIP net.IP
	}{
		{netip.MustParseAddrPort("1.2.3.4:5"), net.IP{1, 2, 3, 4}},
		{netip.MustParseAddrPort("[::ffff:1.2.3.4]:5"), net.IP{1, 2, 3, 4}},
		{netip.MustParseAddrPort("[2001:db8::1]:5"), net.ParseIP("2001:db8::1")},
		{netip.AddrPort{}, net.IP{}},
	} {
		e := NewEndpoint(tc.in, 7)
		if !bytes.Equal(e.IP, tc.wantIP) || e.UDP != tc.in.Port() || e.TCP != 7 {
			t.Errorf("NewEndpoint(%v) = %+v", tc.in, e)
		}
		addr, ok := e.Addr()
		if ok != tc.in.IsValid() || ok && addr != tc.in.Addr().Unmap() {
			t.Errorf("%+v: Addr() = %v, %v", e, addr, ok)
		}
	}
	if _, ok := (Node{IP: net.IP{1, 2, 3}}).Addr(); ok {
		t.Error("3-byte IP is an address")
	}
}

func TestNewNode(t *testing.T) {
	key := mustKey(t, eip8Key)
	n := enode.NewV4(&key.PublicKey, net.IP{10, 1, 2, 3}, 30303, 30301)
	wn, err := NewNode(n)
	if err != nil {
		t.Fatal(err)
	}
	want := Node{IP: net.IP{10, 1, 2, 3}, UDP: 30301, TCP: 30303, ID: EncodePubkey(&key.PublicKey)}
	if !reflect.DeepEqual(wn, want) {
		t.Errorf("NewNode = %+v, want %+v", wn, want)
	}
	if wn.ID.ID() != n.ID() {
		t.Error("node ID differs")
	}
	pub, err := DecodePubkey(wn.ID)
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Errorf("DecodePubkey: %v", err)
	}
	if _, err := DecodePubkey(Pubkey{1}); !errors.Is(err, ErrBadPoint) {
		t.Errorf("DecodePubkey of a bad point: %v", err)
	}
}

func TestNames(t *testing.T) {
	seen := map[byte]bool{}
	for _, p := range []Packet{new(Ping), new(Pong), new(Findnode), new(Neighbors), new(ENRRequest), new(ENRResponse)} {
		if seen[p.Kind()] || !strings.HasSuffix(p.Name(), "/v4") {
			t.Errorf("%T: kind %d name %q", p, p.Kind(), p.Name())
		}
		seen[p.Kind()] = true
	}
}
