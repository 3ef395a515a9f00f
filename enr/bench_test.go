package enr

import (
	"testing"

	"github.com/seednet/p2p/rlp"
)

func BenchmarkDecode(b *testing.B) {
	raw := specBytes(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var r Record
		if err := rlp.DecodeBytes(raw, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	var r Record
	if err := rlp.DecodeBytes(specBytes(b), &r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rlp.EncodeToBytes(&r); err != nil {
			b.Fatal(err)
		}
	}
}
