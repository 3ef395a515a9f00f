package enr

import (
	"bytes"
	"testing"

	"github.com/seednet/p2p/rlp"
)

// FuzzRecordDecode checks that decoding never panics and that every record
// it accepts encodes back to the same bytes, both as stored and when built
// anew from its entries.
func FuzzRecordDecode(f *testing.F) {
	f.Add(specBytes(f))
	sig := make([]byte, 64)
	f.Add(rawRecord(f, sig, 1))
	f.Add(rawRecord(f, sig, 0, "id", "v4"))
	f.Add(rawRecord(f, []byte{}, 1<<40, "a", []any{"x", []any{}}, "b", rlp.RawValue{0x00}))
	f.Add(rawRecord(f, sig, 1, "id", "v4", "id", "v4"))
	f.Add(rawRecord(f, sig, 1, "udp", uint16(1), "ip", []byte{1, 2, 3, 4}))
	f.Add(rawRecord(f, sig, 1, "ip", []byte{1, 2, 3, 4}, "ip6", make([]byte, 16), "tcp", uint16(30303)))
	f.Add([]byte{0xc0})
	f.Add([]byte{0xf9, 0x01, 0x2c})
	f.Fuzz(func(t *testing.T, in []byte) {
		var r Record
		if err := rlp.DecodeBytes(in, &r); err != nil {
			return
		}
		enc, err := rlp.EncodeToBytes(&r)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		if !bytes.Equal(enc, in) {
			t.Fatalf("encoding differs:\n  in %x\n out %x", in, enc)
		}
		if got := rebuild(t, &r); !bytes.Equal(got, in) {
			t.Fatalf("rebuilt encoding differs:\n  in %x\n out %x", in, got)
		}
		// Reading the entries must not panic, whatever their values.
		_ = r.IdentityScheme()
		_ = r.VerifySignature(SchemeMap{"v4": testV4{}})
		for _, e := range []Entry{new(IP), new(IPv4), new(IPv6), new(IPv4Addr), new(IPv6Addr), new(Secp256k1), new(TCP), new(UDP6)} {
			_ = r.Load(e)
		}
		if r.Size() != uint64(len(in)) {
			t.Fatalf("Size() = %d, want %d", r.Size(), len(in))
		}
	})
}
