package crypto

import (
	"bytes"
	"encoding/hex"
	"testing"

	"golang.org/x/crypto/sha3"
)

func TestKeccak256(t *testing.T) {
	// Legacy Keccak-256, which differs from SHA3-256 in its padding byte.
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"abc", "abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
		{"56 bytes", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			"45d3b367a6904e6e8d502ee04999a7c27647f91fa845d456525fd352ae3d7371"},
	}
	kh := NewKeccakState()
	foreign := sha3.NewLegacyKeccak256().(KeccakState)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, _ := hex.DecodeString(tt.want)
			if got := Keccak256([]byte(tt.in)); !bytes.Equal(got, want) {
				t.Errorf("Keccak256 = %x, want %x", got, want)
			}
			if got := Keccak256Hash([]byte(tt.in)); !bytes.Equal(got[:], want) {
				t.Errorf("Keccak256Hash = %x, want %x", got, want)
			}
			if got := HashData(kh, []byte(tt.in)); !bytes.Equal(got[:], want) {
				t.Errorf("HashData = %x, want %x", got, want)
			}
			if got := HashData(foreign, []byte(tt.in)); !bytes.Equal(got[:], want) {
				t.Errorf("HashData(x/crypto state) = %x, want %x", got, want)
			}
			// Split input: the pieces are hashed as their concatenation.
			half := len(tt.in) / 2
			if got := Keccak256([]byte(tt.in[:half]), nil, []byte(tt.in[half:])); !bytes.Equal(got, want) {
				t.Errorf("Keccak256(pieces) = %x, want %x", got, want)
			}
		})
	}
}

// TestKeccakRunningDigest takes digests of a running state, as the RLPx
// MAC does, through the KeccakState interface, and compares them with
// x/crypto's.
func TestKeccakRunningDigest(t *testing.T) {
	kh := NewKeccakState()
	ref := sha3.NewLegacyKeccak256()
	data := make([]byte, 300)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for n := range len(data) {
		kh.Write(data[:n])
		ref.Write(data[:n])
		if got, want := kh.Sum(nil), ref.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("after %d-byte write: Sum = %x, want %x", n, got, want)
		}
	}
	var got, want [32]byte
	kh.Read(got[:])
	ref.(KeccakState).Read(want[:])
	if got != want {
		t.Fatalf("Read = %x, want %x", got, want)
	}
}

func TestKeccakAllocs(t *testing.T) {
	kh := NewKeccakState()
	data := make([]byte, 1000)
	out := make([]byte, 0, 32)
	tests := []struct {
		name string
		f    func()
		want float64
	}{
		{"HashData", func() { HashData(kh, data) }, 0},
		{"Keccak256Hash", func() { Keccak256Hash(data, data) }, 0},
		{"Keccak256", func() { Keccak256(data) }, 1}, // the result slice
		{"Write", func() { kh.Write(data[:100]) }, 0},
		{"Sum", func() { kh.Sum(out[:0]) }, 0},
		{"Reset+Write+Read", func() { kh.Reset(); kh.Write(data); kh.Read(out[:32]) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tt.f); got > tt.want {
				t.Errorf("%v allocations, want %v", got, tt.want)
			}
		})
	}
}

// BenchmarkKeccakDigest takes the digest of a running state through the
// KeccakState interface, as the RLPx MAC does several times a frame.
func BenchmarkKeccakDigest(b *testing.B) {
	kh := NewKeccakState()
	kh.Write(make([]byte, 100))
	out := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		kh.Sum(out[:0])
	}
}
