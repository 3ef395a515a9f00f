package keccak

import (
	"hash"
	"testing"

	"golang.org/x/crypto/sha3"
)

var benchSizes = []struct {
	name string
	n    int
}{{"32B", 32}, {"256B", 256}, {"4KiB", 4 << 10}, {"64KiB", 64 << 10}}

// BenchmarkKeccak256 hashes whole messages with State (assembly, or
// portable Go with -tags purego) and with x/crypto.
func BenchmarkKeccak256(b *testing.B) {
	for _, size := range benchSizes {
		data := make([]byte, size.n)
		b.Run("impl=ours/"+size.name, func(b *testing.B) {
			var s State
			b.ReportAllocs()
			b.SetBytes(int64(size.n))
			for b.Loop() {
				s.Reset()
				s.Write(data)
				s.Sum256()
			}
		})
		b.Run("impl=xcrypto/"+size.name, func(b *testing.B) {
			h := sha3.NewLegacyKeccak256()
			out := make([]byte, 0, Size)
			b.ReportAllocs()
			b.SetBytes(int64(size.n))
			for b.Loop() {
				h.Reset()
				h.Write(data)
				h.Sum(out[:0])
			}
		})
	}
}

// BenchmarkDigest takes the digest of a running state, as the RLPx MAC
// does several times a frame.
func BenchmarkDigest(b *testing.B) {
	data := make([]byte, 100)
	run := func(b *testing.B, h hash.Hash) {
		h.Write(data)
		out := make([]byte, 0, Size)
		b.ReportAllocs()
		for b.Loop() {
			h.Sum(out[:0])
		}
	}
	b.Run("impl=ours", func(b *testing.B) { run(b, new(State)) })
	b.Run("impl=xcrypto", func(b *testing.B) { run(b, sha3.NewLegacyKeccak256()) })
}

// BenchmarkPermutation compares the selected permutation with the
// portable one.
func BenchmarkPermutation(b *testing.B) {
	var a [200]byte
	b.Run("impl=selected", func(b *testing.B) {
		b.SetBytes(Rate)
		for b.Loop() {
			permute(&a)
		}
	})
	b.Run("impl=generic", func(b *testing.B) {
		b.SetBytes(Rate)
		for b.Loop() {
			keccakF1600Generic(&a)
		}
	})
}
