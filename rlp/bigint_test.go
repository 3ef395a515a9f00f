package rlp

import (
	"bytes"
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// TestAppendBigWords checks the word-by-word big-endian writer against
// big.Int.FillBytes for every bit length from 65 to 600 (the encoder uses
// it above 64 bits).
func TestAppendBigWords(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(1, 2))
	for bitLen := 65; bitLen <= 600; bitLen++ {
		for range 4 {
			raw := make([]byte, (bitLen+7)/8)
			for i := range raw {
				raw[i] = byte(rng.Uint32())
			}
			v := new(big.Int).SetBytes(raw)
			v.SetBit(v, bitLen-1, 1) // exactly bitLen bits
			for i := bitLen; i < len(raw)*8; i++ {
				v.SetBit(v, i, 0)
			}
			n := (bitLen + 7) / 8
			want := v.FillBytes(make([]byte, n))
			got := appendBigWords([]byte{0xAA}, v.Bits(), n)
			if !bytes.Equal(got[1:], want) || got[0] != 0xAA {
				t.Fatalf("%d bits: got %x, want %x", bitLen, got[1:], want)
			}
			enc, err := EncodeToBytes(v)
			if err != nil {
				t.Fatal(err)
			}
			var back big.Int
			if err := DecodeBytes(enc, &back); err != nil || back.Cmp(v) != 0 {
				t.Fatalf("%d bits: round trip gave %v, %v", bitLen, &back, err)
			}
		}
	}
}
