package v4wire

import (
	"net"
	"testing"
)

func benchPackets() []Packet {
	return []Packet{
		&Ping{
			Version:    4,
			From:       Endpoint{IP: net.IP{10, 0, 0, 1}, UDP: 30303, TCP: 30303},
			To:         Endpoint{IP: net.IP{192, 0, 2, 7}, UDP: 30303},
			Expiration: 1700000000,
			ENRSeq:     12,
		},
		&Neighbors{Nodes: maxNeighbors(), Expiration: 1700000000},
	}
}

func BenchmarkEncode(b *testing.B) {
	key := mustKey(b, eip8Key)
	for _, p := range benchPackets() {
		b.Run(p.Name(), func(b *testing.B) {
			enc, _, err := Encode(key, p)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Encode(key, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	key := mustKey(b, eip8Key)
	for _, p := range benchPackets() {
		b.Run(p.Name(), func(b *testing.B) {
			enc, _, err := Encode(key, p)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
