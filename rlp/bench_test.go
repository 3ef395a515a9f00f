package rlp

// The benchmarks use only EncodeToBytes and DecodeBytes and plain Go types, so
// that the same file runs against go-ethereum's rlp package by changing the
// package clause and adding its import.

import (
	"math/big"
	"testing"
)

type benchStruct struct {
	A uint64
	B string
	C []byte
	D *big.Int
	E []uint64
	F [32]byte
	G bool
}

func newBenchStruct() *benchStruct {
	s := &benchStruct{
		A: 0x0123456789abcdef,
		B: "the quick brown fox jumps over the lazy dog",
		C: make([]byte, 100),
		D: new(big.Int).Lsh(big.NewInt(0xdeadbeef), 200),
		E: make([]uint64, 10),
		G: true,
	}
	for i := range s.C {
		s.C[i] = byte(i * 7)
	}
	for i := range s.E {
		s.E[i] = uint64(i) * 1000003
	}
	for i := range s.F {
		s.F[i] = byte(255 - i)
	}
	return s
}

func newBenchBytes() []byte {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(i * 31)
	}
	return b
}

func newBenchUints() []uint64 {
	u := make([]uint64, 100)
	for i := range u {
		u[i] = uint64(i) * 0x9e3779b97f4a7c15 >> (i % 64)
	}
	return u
}

func benchEncode(b *testing.B, val any) {
	enc, err := EncodeToBytes(val)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := EncodeToBytes(val); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeStruct(b *testing.B)  { benchEncode(b, newBenchStruct()) }
func BenchmarkEncodeBytes4K(b *testing.B) { benchEncode(b, newBenchBytes()) }
func BenchmarkEncodeUint64s(b *testing.B) { benchEncode(b, newBenchUints()) }

func BenchmarkDecodeStruct(b *testing.B) {
	enc, err := EncodeToBytes(newBenchStruct())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		var v benchStruct
		if err := DecodeBytes(enc, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBytes4K(b *testing.B) {
	enc, err := EncodeToBytes(newBenchBytes())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		var v []byte
		if err := DecodeBytes(enc, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUint64s(b *testing.B) {
	enc, err := EncodeToBytes(newBenchUints())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		var v []uint64
		if err := DecodeBytes(enc, &v); err != nil {
			b.Fatal(err)
		}
	}
}
