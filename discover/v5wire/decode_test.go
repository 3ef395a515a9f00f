package v5wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/rlp"
)

// decodeErrors are the sentinels a decoding error must wrap one of.
var decodeErrors = []error{
	ErrPacketTooSmall, ErrPacketTooLarge, ErrInvalidHeader, ErrInvalidVersion,
	ErrInvalidFlag, ErrInvalidAuthSize, ErrMsgTooShort, ErrUnexpectedHandshake,
	ErrInvalidAuthKey, ErrInvalidNonceSig, ErrNoRecord, ErrInvalidRecord,
	ErrRecordMismatch, ErrMessageDecrypt, ErrEmptyMessage, ErrUnknownMessage,
	ErrInvalidMessage, ErrInvalidReqID, ErrReplayedNonce,
}

func isDecodeError(err error) bool {
	for _, e := range decodeErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// TestDecodeErrorsDistinct: the sentinels are all different errors.
func TestDecodeErrorsDistinct(t *testing.T) {
	for i, a := range decodeErrors {
		for j, b := range decodeErrors {
			if i != j && (errors.Is(a, b) || a.Error() == b.Error()) {
				t.Errorf("%v and %v are not distinct", a, b)
			}
		}
	}
}

// rawPacket writes a packet field by field, so that tests can make the ones
// Encode would not.
type rawPacket struct {
	version  uint16
	flag     byte
	nonce    Nonce
	authsize int // -1: len(auth)
	auth     []byte
	msg      []byte
	key      *[16]byte // if set, msg is encrypted with it; else sent as it is
}

func (r rawPacket) encode(dest enode.ID) []byte {
	b := make([]byte, sizeofMaskingIV, MaxPacketSize*2)
	b[3] = 0x77
	b = append(b, DefaultProtocolID[:]...)
	b = binary.BigEndian.AppendUint16(b, r.version)
	b = append(b, r.flag)
	b = append(b, r.nonce[:]...)
	size := r.authsize
	if size < 0 {
		size = len(r.auth)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(size))
	b = append(b, r.auth...)
	hlen := len(b)
	if r.key != nil {
		b = newGCM(r.key).Seal(b, r.nonce[:], r.msg, b[:hlen])
	} else {
		b = append(b, r.msg...)
	}
	var m masker
	m.xor(maskingBlock(dest), b[:sizeofMaskingIV], b[sizeofMaskingIV:hlen], 0)
	return b
}

// messageTo returns a message packet from A to B with the given plaintext,
// encrypted under A's session.
func (tp *testPair) messageTo(tb testing.TB, plaintext []byte) []byte {
	s := tp.a.c.sc.session(newSessionID(tp.b.id(), tp.b.addr))
	if s == nil {
		tb.Fatal("no session")
	}
	id := tp.a.id()
	return rawPacket{version: 1, flag: flagMessage, authsize: -1, auth: id[:], msg: plaintext, key: &s.writeKey, nonce: Nonce{9}}.encode(tp.b.id())
}

// handshakePacket returns a handshake packet from A to B that answers the
// challenge B stored. The challenge asks for A's record if recordSeq is 0.
func (tp *testPair) handshakePacket(tb testing.TB, recordSeq uint64) []byte {
	tb.Helper()
	_, _, got, err := send(tb, tp.a, tp.b, &Ping{}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	w := &Whoareyou{Nonce: got.(*Unknown).Nonce, RecordSeq: recordSeq}
	if recordSeq > 0 {
		w.Node = tp.a.node()
	}
	// To the ID A's codec claims, which a test may have changed.
	enc, _, err := tp.b.c.Encode(tp.a.c.localID, tp.a.addr, w, nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, _, got, err = tp.a.c.Decode(enc, tp.b.addr)
	if err != nil {
		tb.Fatal(err)
	}
	challenge := got.(*Whoareyou)
	challenge.Node = tp.b.node()
	enc, _, err = tp.a.c.Encode(tp.b.id(), tp.b.addr, &Ping{ReqID: []byte{1}}, challenge)
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Clone(enc)
}

// Offsets in a handshake packet.
const (
	hsSigSize = sizeofStaticPacketData + 32
	hsKeySize = hsSigSize + 1
	hsSig     = hsKeySize + 1
	hsKey     = hsSig + idSigSize
	hsRecord  = hsKey + pubkeySize
)

// flip returns a copy of b with the bits of mask flipped at off. Masking is
// an XOR, so this flips the same bits of the unmasked header.
func flip(b []byte, off int, mask byte) []byte {
	c := bytes.Clone(b)
	c[off] ^= mask
	return c
}

func TestDecodeErrors(t *testing.T) {
	idB := enode.HexID("bbbb9d047f0488c0b5a93c1c3f2d8bafc7c8ff337024a55434a0d0555de64db9")
	src := make([]byte, 32)
	tests := []struct {
		name  string
		setup func(t *testing.T, tp *testPair) []byte
		want  error
	}{
		{"too small", func(*testing.T, *testPair) []byte { return make([]byte, MinPacketSize-1) }, ErrPacketTooSmall},
		{"too large", func(*testing.T, *testPair) []byte { return make([]byte, MaxPacketSize+1) }, ErrPacketTooLarge},
		{"not discv5", func(*testing.T, *testPair) []byte { return bytes.Repeat([]byte{0x5a}, 100) }, ErrInvalidHeader},
		{"masked for another node", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: flagMessage, authsize: -1, auth: src, msg: make([]byte, 20)}.encode(enode.ID{1})
		}, ErrInvalidHeader},
		{"version 0", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 0, flag: flagMessage, authsize: -1, auth: src, msg: make([]byte, 20)}.encode(idB)
		}, ErrInvalidVersion},
		{"flag 3", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: 3, authsize: -1, auth: src, msg: make([]byte, 20)}.encode(idB)
		}, ErrInvalidFlag},
		{"message authdata 31", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: flagMessage, authsize: -1, auth: src[:31], msg: make([]byte, 20)}.encode(idB)
		}, ErrInvalidAuthSize},
		{"WHOAREYOU authdata 25", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: flagWhoareyou, authsize: -1, auth: make([]byte, 25)}.encode(idB)
		}, ErrInvalidAuthSize},
		{"WHOAREYOU authdata 23", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: flagWhoareyou, authsize: -1, auth: make([]byte, 23), msg: []byte{0}}.encode(idB)
		}, ErrInvalidAuthSize},
		{"authdata past end", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: flagMessage, authsize: 1000, auth: src, msg: make([]byte, 20)}.encode(idB)
		}, ErrInvalidAuthSize},
		{"message packet too short", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: flagMessage, authsize: -1, auth: src, msg: make([]byte, 15)}.encode(idB)
		}, ErrMsgTooShort},
		{"handshake authdata 33", func(t *testing.T, tp *testPair) []byte {
			return rawPacket{version: 1, flag: flagHandshake, authsize: -1, auth: make([]byte, 33), msg: make([]byte, 20)}.encode(idB)
		}, ErrInvalidAuthSize},
		{"handshake sizes past authdata", func(t *testing.T, tp *testPair) []byte {
			return flip(tp.handshakePacket(t, 0), hsSigSize, 0x80)
		}, ErrInvalidAuthSize},
		{"handshake without message", func(t *testing.T, tp *testPair) []byte {
			auth := append(bytes.Clone(src), 0, 0)
			auth = append(auth, make([]byte, 20)...)
			return rawPacket{version: 1, flag: flagHandshake, authsize: -1, auth: auth, msg: make([]byte, 15)}.encode(idB)
		}, ErrMsgTooShort},
		{"handshake without challenge", func(t *testing.T, tp *testPair) []byte {
			p := tp.handshakePacket(t, 0)
			tp.b.c.sc.deleteChallenge(newSessionID(tp.a.id(), tp.a.addr))
			return p
		}, ErrUnexpectedHandshake},
		{"ephemeral key size 32", func(t *testing.T, tp *testPair) []byte {
			return flip(tp.handshakePacket(t, 0), hsKeySize, 33^32)
		}, ErrInvalidAuthKey},
		{"ephemeral key prefix", func(t *testing.T, tp *testPair) []byte {
			return flip(tp.handshakePacket(t, 0), hsKey, 0x04)
		}, ErrInvalidAuthKey},
		{"ID signature", func(t *testing.T, tp *testPair) []byte {
			return flip(tp.handshakePacket(t, 0), hsSig+5, 0x01)
		}, ErrInvalidNonceSig},
		{"ephemeral key not signed", func(t *testing.T, tp *testPair) []byte {
			// Another valid point: the key flips between the two points
			// with this X, so the signature does not cover it.
			return flip(tp.handshakePacket(t, 0), hsKey, 0x01)
		}, ErrInvalidNonceSig},
		{"record signature", func(t *testing.T, tp *testPair) []byte {
			return flip(tp.handshakePacket(t, 0), hsRecord+10, 0x01)
		}, ErrInvalidRecord},
		{"record encoding", func(t *testing.T, tp *testPair) []byte {
			return flip(tp.handshakePacket(t, 0), hsRecord, 0x40)
		}, ErrInvalidRecord},
		{"message tag", func(t *testing.T, tp *testPair) []byte {
			p := tp.handshakePacket(t, 0)
			return flip(p, len(p)-1, 0x01)
		}, ErrMessageDecrypt},
		{"no record", func(t *testing.T, tp *testPair) []byte {
			p := tp.handshakePacket(t, 100)
			tp.b.c.CurrentChallenge(tp.a.id(), tp.a.addr).Node = nil
			return p
		}, ErrNoRecord},
		{"record of another node", func(t *testing.T, tp *testPair) []byte {
			// A claims another ID in its packets but sends its record.
			tp.a.c.localID = enode.ID{0xee}
			tp.a.c.unmask = maskingBlock(tp.a.c.localID)
			return tp.handshakePacket(t, 0)
		}, ErrRecordMismatch},
		{"known node of another ID", func(t *testing.T, tp *testPair) []byte {
			p := tp.handshakePacket(t, 100)
			tp.b.c.CurrentChallenge(tp.a.id(), tp.a.addr).Node = tp.b.node()
			return p
		}, ErrRecordMismatch},
		{"empty message", func(t *testing.T, tp *testPair) []byte {
			tp.handshake(t, &Ping{})
			return tp.messageTo(t, nil)
		}, ErrEmptyMessage},
		{"unknown message type", func(t *testing.T, tp *testPair) []byte {
			tp.handshake(t, &Ping{})
			return tp.messageTo(t, []byte{0x09, 0xc1, 0x01})
		}, ErrUnknownMessage},
		{"invalid message", func(t *testing.T, tp *testPair) []byte {
			tp.handshake(t, &Ping{})
			return tp.messageTo(t, []byte{PingMsg, 0xc1})
		}, ErrInvalidMessage},
		{"long request ID", func(t *testing.T, tp *testPair) []byte {
			tp.handshake(t, &Ping{})
			return tp.messageTo(t, append([]byte{PingMsg}, mustRLP(t, []any{make([]byte, 9), uint64(1)})...))
		}, ErrInvalidReqID},
		{"malformed record in NODES", func(t *testing.T, tp *testPair) []byte {
			tp.handshake(t, &Ping{})
			rec := rlp.RawValue{0xc3, 0x80, 0x01, 0x80} // [sig, seq, key] without value
			return tp.messageTo(t, append([]byte{NodesMsg}, mustRLP(t, []any{[]byte{1}, uint64(1), []rlp.RawValue{rec}})...))
		}, ErrInvalidRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newTestPair(t)
			if tp.b.id() != idB {
				t.Fatal("node B has the wrong ID")
			}
			input := tt.setup(t, tp)
			src, node, p, err := tp.b.c.Decode(input, tp.a.addr)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v (packet %v)", err, tt.want, p)
			}
			if p != nil || node != nil {
				t.Fatalf("packet %v, node %v with the error", p, node)
			}
			if errors.Is(err, ErrMessageDecrypt) && src != tp.a.id() {
				t.Fatalf("source %v with the error", src)
			}
		})
	}
}

func mustRLP(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestDecodeMessageErrors checks the RLP of each message type.
func TestDecodeMessageErrors(t *testing.T) {
	tests := []struct {
		ptype byte
		body  string
		want  error
	}{
		{0, "c0", ErrUnknownMessage},
		{7, "c0", ErrUnknownMessage},
		{PingMsg, "", ErrInvalidMessage},
		{PingMsg, "c0", rlp.ErrTooFewElements},
		{PingMsg, "c101", rlp.ErrTooFewElements},
		{PingMsg, "c3010101", rlp.ErrTooManyElements},
		{PingMsg, "c20101" + "00", rlp.ErrMoreThanOneValue},
		{PingMsg, "c20100", rlp.ErrCanonInt},
		{PingMsg, "c3018101", rlp.ErrCanonSize},
		{PingMsg, "c2c001", rlp.ErrExpectedString},
		{PingMsg, "cb0189010203040506070809", rlp.ErrUintOverflow},
		{PingMsg, "cb89010203040506070809" + "01", ErrInvalidReqID},
		{PingMsg, "0101", rlp.ErrExpectedList},
		{PingMsg, "c501", rlp.ErrValueTooLarge},
		{PongMsg, "c401018083", rlp.ErrValueTooLarge},
		{PongMsg, "cb0101840102030483010000", rlp.ErrUintOverflow},
		{FindnodeMsg, "c20101", rlp.ErrExpectedList},
		{FindnodeMsg, "c301c100", rlp.ErrCanonInt},
		{FindnodeMsg, "c401c2c001", rlp.ErrExpectedString},
		{NodesMsg, "c501820100c0", rlp.ErrUintOverflow},
		{NodesMsg, "c3010101", rlp.ErrExpectedList},
		{NodesMsg, "c40101c101", ErrInvalidRecord},
		{NodesMsg, "c40101c1c0", ErrInvalidRecord},
		{TalkRequestMsg, "c20101", rlp.ErrTooFewElements},
		{TalkRequestMsg, "c30101c0", rlp.ErrExpectedString},
		{TalkResponseMsg, "c3010101", rlp.ErrTooManyElements},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%s", tt.ptype, tt.body), func(t *testing.T) {
			p, err := DecodeMessage(tt.ptype, unhex(t, tt.body))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !isDecodeError(err) {
				t.Fatalf("error %v wraps none of the sentinels", err)
			}
			if p != nil {
				t.Fatalf("packet %v with error", p)
			}
		})
	}
}

// TestMessageRoundTrip encodes and decodes every message type without the
// packet around it; a decoded message does not alias its input.
func TestMessageRoundTrip(t *testing.T) {
	for _, m := range testMessages(t) {
		t.Run(m.Name(), func(t *testing.T) {
			enc, err := appendMessage(nil, m)
			if err != nil {
				t.Fatal(err)
			}
			if enc[0] != m.Kind() {
				t.Fatalf("type byte %d", enc[0])
			}
			p, err := DecodeMessage(enc[0], enc[1:])
			if err != nil {
				t.Fatal(err)
			}
			checkDecoded(t, p, m)
			clear(enc)
			checkDecoded(t, p, m)
			if !bytes.Equal(mustRLPMessage(t, p)[1:], mustReflectRLP(t, m)) {
				t.Fatal("hand-written encoding differs from package rlp's")
			}
		})
	}
}

func mustRLPMessage(tb testing.TB, p Packet) []byte {
	enc, err := appendMessage(nil, p)
	if err != nil {
		tb.Fatal(err)
	}
	return enc
}

// mustReflectRLP encodes a message with package rlp, field by field, as
// go-ethereum does: the reference for the hand-written encoder.
func mustReflectRLP(tb testing.TB, p Packet) []byte {
	var v any
	switch p := p.(type) {
	case *Ping:
		v = []any{p.ReqID, p.ENRSeq}
	case *Pong:
		v = []any{p.ReqID, p.ENRSeq, []byte(p.ToIP), p.ToPort}
	case *Findnode:
		v = []any{p.ReqID, p.Distances}
	case *Nodes:
		v = []any{p.ReqID, p.RespCount, p.Nodes}
	case *TalkRequest:
		v = []any{p.ReqID, p.Protocol, p.Message}
	case *TalkResponse:
		v = []any{p.ReqID, p.Message}
	}
	return mustRLP(tb, v)
}

// validPackets returns packets that B decodes from A, each with the setup
// that makes it valid, and whether a changed copy may still decode
// (WHOAREYOU has no integrity protection).
func validPackets(t *testing.T) []struct {
	name      string
	setup     func(*testing.T) (*testPair, []byte)
	malleable bool
} {
	type vp = struct {
		name      string
		setup     func(*testing.T) (*testPair, []byte)
		malleable bool
	}
	var out []vp
	for _, name := range packetVectors {
		out = append(out, vp{"vector/" + name, func(t *testing.T) (*testPair, []byte) {
			v := loadVector(t, name)
			tp := newTestPair(t)
			setupVectorDecode(t, tp, name, v)
			return tp, v.packet
		}, name == "v5.1-whoareyou.txt"})
	}
	for _, m := range testMessages(t) {
		out = append(out, vp{"message/" + m.Name(), func(t *testing.T) (*testPair, []byte) {
			tp := newTestPair(t)
			tp.handshake(t, &Ping{})
			enc, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, m, nil)
			if err != nil {
				t.Fatal(err)
			}
			return tp, bytes.Clone(enc)
		}, false})
	}
	out = append(out, vp{"handshake", func(t *testing.T) (*testPair, []byte) {
		tp := newTestPair(t)
		return tp, tp.handshakePacket(t, 0)
	}, false})
	return out
}

// checkFailure checks the result of decoding a broken packet: an error that
// wraps a sentinel and nothing else, or an Unknown packet.
func checkFailure(t *testing.T, what string, node *enode.Node, p Packet, err error) {
	t.Helper()
	if err == nil {
		if _, ok := p.(*Unknown); !ok {
			t.Fatalf("%s: decoded %T without error", what, p)
		}
		return
	}
	if !isDecodeError(err) {
		t.Fatalf("%s: error %v wraps no sentinel", what, err)
	}
	if p != nil {
		t.Fatalf("%s: packet %T with error %v", what, p, err)
	}
}

// TestTruncated: every proper prefix of a valid packet fails cleanly.
func TestTruncated(t *testing.T) {
	for _, vp := range validPackets(t) {
		t.Run(vp.name, func(t *testing.T) {
			tp, packet := vp.setup(t)
			for n := range len(packet) {
				_, node, p, err := tp.b.c.Decode(packet[:n], tp.a.addr)
				checkFailure(t, fmt.Sprintf("%d of %d bytes", n, len(packet)), node, p, err)
			}
			// The whole packet still decodes: failures changed nothing.
			if _, _, p, err := tp.b.c.Decode(packet, tp.a.addr); err != nil {
				t.Fatalf("whole packet: %v", err)
			} else if _, ok := p.(*Unknown); ok {
				t.Fatal("whole packet: Unknown")
			}
		})
	}
}

// TestBitFlips: a packet with a bit flipped fails cleanly, but WHOAREYOU,
// which has no integrity protection, may decode to another challenge.
func TestBitFlips(t *testing.T) {
	for _, vp := range validPackets(t) {
		t.Run(vp.name, func(t *testing.T) {
			tp, packet := vp.setup(t)
			step := 1
			if testing.Short() || raceEnabled || vp.name == "handshake" || vp.name == "vector/v5.1-ping-handshake-enr.txt" {
				step = 7 // a different bit in each byte; handshakes are slow
			}
			for bit := 0; bit < 8*len(packet); bit += step {
				input := flip(packet, bit/8, 1<<(bit%8))
				_, node, p, err := tp.b.c.Decode(input, tp.a.addr)
				if vp.malleable && err == nil {
					if p.Kind() != WhoareyouPacket {
						t.Fatalf("bit %d: decoded %T", bit, p)
					}
					continue
				}
				checkFailure(t, fmt.Sprintf("bit %d", bit), node, p, err)
			}
		})
	}
}
