package v5wire

import (
	"bytes"
	"net"
	"testing"
)

// TestAllocs holds the hot paths to their allocations: none to encode a
// message packet, one (the message with its request ID) to decode one.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	tp := newTestPair(t)
	tp.handshake(t, &Ping{})
	ping := &Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 9}
	pong := &Pong{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 9, ToIP: net.IP{1, 2, 3, 4}, ToPort: 30303}
	encode := func(p Packet) []byte {
		enc, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(enc)
	}
	pingPacket, pongPacket := encode(ping), encode(pong)
	randomPacket := func() []byte {
		enc, _, err := tp.b.c.Encode(tp.a.id(), netipAddr("10.1.1.1:1"), ping, nil)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(enc)
	}()
	whoareyou := func() []byte {
		enc, _, err := tp.b.c.Encode(tp.a.id(), netipAddr("10.1.1.1:1"), &Whoareyou{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(enc)
	}()
	tests := []struct {
		name string
		max  float64
		op   func()
	}{
		{"encode PING", 0, func() { tp.a.c.Encode(tp.b.id(), tp.b.addr, ping, nil) }},
		{"encode PONG", 0, func() { tp.a.c.Encode(tp.b.id(), tp.b.addr, pong, nil) }},
		{"decode PING", 1, func() { tp.b.c.Decode(pingPacket, tp.a.addr) }},
		{"decode PONG", 1, func() { tp.b.c.Decode(pongPacket, tp.a.addr) }},
		{"decode unknown", 1, func() { tp.a.c.Decode(randomPacket, netipAddr("10.1.1.1:1")) }},
		{"decode WHOAREYOU", 1, func() { tp.a.c.Decode(whoareyou, tp.b.addr) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tt.op); got > tt.max {
				t.Fatalf("%v allocations, want at most %v", got, tt.max)
			}
		})
	}
}

func BenchmarkEncodeMessage(b *testing.B) {
	tp := newTestPair(b)
	tp.handshake(b, &Ping{})
	for _, p := range []Packet{
		&Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 9},
		&Findnode{ReqID: []byte{1, 2, 3, 4}, Distances: []uint{256, 255, 254}},
	} {
		b.Run(p.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, p, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeMessage(b *testing.B) {
	tp := newTestPair(b)
	tp.handshake(b, &Ping{})
	for _, p := range []Packet{
		&Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 9},
		&Findnode{ReqID: []byte{1, 2, 3, 4}, Distances: []uint{256, 255, 254}},
		&Nodes{ReqID: []byte{1, 2, 3, 4}, RespCount: 1, Nodes: testRecords(b, 3)},
	} {
		b.Run(p.Name(), func(b *testing.B) {
			enc, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, p, nil)
			if err != nil {
				b.Fatal(err)
			}
			enc = bytes.Clone(enc)
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := tp.b.c.Decode(enc, tp.a.addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeHandshake decodes the handshake packets of the test
// vectors, storing the challenge again before each.
func BenchmarkDecodeHandshake(b *testing.B) {
	for _, name := range []string{"v5.1-ping-handshake.txt", "v5.1-ping-handshake-enr.txt"} {
		b.Run(name, func(b *testing.B) {
			v := loadVector(b, name)
			tp := newTestPair(b)
			k := newSessionID(tp.a.id(), tp.a.addr)
			w := vectorWhoareyou(b, v)
			if w.RecordSeq > 0 {
				w.Node = tp.a.node()
			}
			b.ReportAllocs()
			for b.Loop() {
				tp.b.c.sc.storeChallenge(k, w)
				if _, _, _, err := tp.b.c.Decode(v.packet, tp.a.addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodeHandshake encodes handshake packets: a fresh ephemeral
// key, ECDH and an ID signature each.
func BenchmarkEncodeHandshake(b *testing.B) {
	v := loadVector(b, "v5.1-ping-handshake.txt")
	tp := newTestPair(b)
	w := vectorWhoareyou(b, v)
	w.Node = tp.b.node()
	ping := &Ping{ReqID: []byte{1}}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := tp.a.c.Encode(tp.b.id(), tp.b.addr, ping, w); err != nil {
			b.Fatal(err)
		}
	}
}
