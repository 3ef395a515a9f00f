package enode

import (
	"encoding/base64"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// BenchmarkDecodeVerify decodes the spec record and builds a verified Node,
// as discovery does for each record it receives.
func BenchmarkDecodeVerify(b *testing.B) {
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(specText, "enr:"))
	b.ReportAllocs()
	for b.Loop() {
		var r enr.Record
		if err := rlp.DecodeBytes(raw, &r); err != nil {
			b.Fatal(err)
		}
		if _, err := New(ValidSchemes, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignEncode signs a typical record and encodes it.
func BenchmarkSignEncode(b *testing.B) {
	key := testKey(b, 0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var r enr.Record
		r.SetSeq(uint64(i))
		r.Set(enr.IPv4Addr(netip.MustParseAddr("10.0.0.1")))
		r.Set(enr.TCP(30303))
		r.Set(enr.UDP(30303))
		if err := SignV4(&r, key); err != nil {
			b.Fatal(err)
		}
		if _, err := rlp.EncodeToBytes(&r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseV4(b *testing.B) {
	url := NewV4(&testKey(b, 0).PublicKey, []byte{10, 0, 0, 1}, 30303, 30301).URLv4()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseV4(url); err != nil {
			b.Fatal(err)
		}
	}
}

func benchIDs() (target ID, ids []ID) {
	r := rand.New(rand.NewPCG(5, 6))
	target = randID(r)
	for range 1024 {
		ids = append(ids, randID(r))
	}
	return target, ids
}

func BenchmarkDistCmp(b *testing.B) {
	target, ids := benchIDs()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		DistCmp(target, ids[i%1024], ids[(i+1)%1024])
	}
}

func BenchmarkLogDist(b *testing.B) {
	target, ids := benchIDs()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		LogDist(target, ids[i%1024])
	}
}

func BenchmarkRandomID(b *testing.B) {
	target, _ := benchIDs()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		RandomID(target, 240+i%17)
	}
}

// BenchmarkLocalNodeUpdate measures a change followed by re-signing.
func BenchmarkLocalNodeUpdate(b *testing.B) {
	ln := NewLocalNode(nil, testKey(b, 0))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ln.Set(enr.TCP(uint16(i)))
		ln.Node()
	}
}
