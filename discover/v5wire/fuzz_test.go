package v5wire

import (
	"bytes"
	"net/netip"
	"testing"
)

// fuzzTarget is node B with three endpoints of node A it knows: one with
// the session and challenge of a real handshake, two with those of the test
// vectors. Each input is decoded from all, after their state is restored.
type fuzzTarget struct {
	tp    *testPair
	ends  []fuzzEndpoint
	seeds [][]byte
}

type fuzzEndpoint struct {
	k         sessionID
	session   *session
	challenge *Whoareyou
}

var (
	addrVectors  = netip.MustParseAddrPort("10.0.0.3:30303")
	addrVectors2 = netip.MustParseAddrPort("10.0.0.4:30303")
)

func newFuzzTarget(tb testing.TB) *fuzzTarget {
	ft := &fuzzTarget{tp: newTestPair(tb)}
	tp := ft.tp

	// Seeds: the vectors, decodable at addrVectors, or for the handshake
	// without record at addrVectors2.
	vec := fuzzEndpoint{k: newSessionID(tp.a.id(), addrVectors)}
	vec2 := fuzzEndpoint{k: newSessionID(tp.a.id(), addrVectors2)}
	for _, name := range packetVectors {
		v := loadVector(tb, name)
		ft.seeds = append(ft.seeds, v.packet)
		switch name {
		case "v5.1-ping-message.txt":
			vec.session = newSession(vec.k.id, [16]byte{}, [16]byte(v.bytes(tb, "read-key")), tp.a.node())
			vec2.session = vec.session
		case "v5.1-ping-handshake-enr.txt":
			vec.challenge = vectorWhoareyou(tb, v)
		case "v5.1-ping-handshake.txt":
			vec2.challenge = vectorWhoareyou(tb, v)
			vec2.challenge.Node = tp.a.node()
		}
	}

	// Seeds from the encoder: a handshake packet, WHOAREYOU, and a
	// message packet of each type, decodable at A's address.
	hs := tp.handshakePacket(tb, 0)
	real := fuzzEndpoint{k: newSessionID(tp.a.id(), tp.a.addr)}
	real.challenge = tp.b.c.CurrentChallenge(tp.a.id(), tp.a.addr)
	ft.seeds = append(ft.seeds, hs)
	if _, _, _, err := tp.b.c.Decode(hs, tp.a.addr); err != nil {
		tb.Fatal(err)
	}
	real.session = tp.b.c.sc.session(real.k)
	w, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, &Whoareyou{Nonce: Nonce{2}, IDNonce: [16]byte{3}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	ft.seeds = append(ft.seeds, bytes.Clone(w))
	for _, m := range testMessages(tb) {
		enc, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, m, nil)
		if err != nil {
			tb.Fatal(err)
		}
		ft.seeds = append(ft.seeds, bytes.Clone(enc))
	}
	ft.ends = []fuzzEndpoint{real, vec, vec2}
	return ft
}

// decode decodes input from each endpoint and checks the results.
func (ft *fuzzTarget) decode(t *testing.T, input []byte) {
	c := ft.tp.b.c
	orig := bytes.Clone(input)
	for _, e := range ft.ends {
		// Every input meets the session as new: no nonce seen yet.
		e.session.recent, e.session.next = [replayWindow]Nonce{}, 0
		c.sc.storeSession(e.k, e.session)
		c.sc.storeChallenge(e.k, e.challenge)
		_, node, p, err := c.Decode(input, e.k.addr)
		if !bytes.Equal(input, orig) {
			t.Fatal("Decode modified its input")
		}
		if err != nil {
			if p != nil {
				t.Fatalf("packet %T with error %v", p, err)
			}
			if !isDecodeError(err) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			continue
		}
		if p == nil {
			t.Fatal("no packet and no error")
		}
		if node != nil && p.Kind() > TalkResponseMsg {
			t.Fatalf("node with %T", p)
		}
		switch p.Kind() {
		case UnknownPacket, WhoareyouPacket:
			continue
		}
		// A decoded message encodes to what decodes to the same.
		enc, err := appendMessage(nil, p)
		if err != nil {
			t.Fatalf("re-encoding %s: %v", p.Name(), err)
		}
		p2, err := DecodeMessage(enc[0], enc[1:])
		if err != nil {
			t.Fatalf("decoding the re-encoded %s: %v", p.Name(), err)
		}
		if !bytes.Equal(mustRLPMessage(t, p2), enc) {
			t.Fatalf("%s changed in a round trip", p.Name())
		}
	}
}

// FuzzDecode checks that Decode never panics or fails without a sentinel
// error, leaves its input alone, and that the messages it returns
// round-trip.
func FuzzDecode(f *testing.F) {
	ft := newFuzzTarget(f)
	for _, s := range ft.seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		ft.decode(t, input)
	})
}

// TestFuzzSeeds: every seed decodes without error at one endpoint, so the
// fuzzer starts from packets that reach the end of the decoder.
func TestFuzzSeeds(t *testing.T) {
	ft := newFuzzTarget(t)
	c := ft.tp.b.c
	for i, s := range ft.seeds {
		ok := false
		for _, e := range ft.ends {
			// Every input meets the session as new: no nonce seen yet.
			e.session.recent, e.session.next = [replayWindow]Nonce{}, 0
			c.sc.storeSession(e.k, e.session)
			c.sc.storeChallenge(e.k, e.challenge)
			_, _, p, err := c.Decode(s, e.k.addr)
			if err == nil && p.Kind() != UnknownPacket {
				ok = true
			}
		}
		if !ok {
			t.Errorf("seed %d decodes nowhere", i)
		}
		ft.decode(t, s)
	}
}
