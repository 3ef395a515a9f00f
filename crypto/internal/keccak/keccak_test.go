package keccak

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/sha3"
)

// referenceSum is the textbook sponge over keccakF1600Generic: pad the
// whole message, then absorb block by block. The tests hold State, with
// whichever permutation the build selected, to it and to x/crypto.
func referenceSum(msg []byte, outLen int) []byte {
	padded := append([]byte(nil), msg...)
	padded = append(padded, padFirst)
	for len(padded)%Rate != 0 {
		padded = append(padded, 0)
	}
	padded[len(padded)-1] |= padLast
	var a [200]byte
	for ; len(padded) > 0; padded = padded[Rate:] {
		for i := range Rate {
			a[i] ^= padded[i]
		}
		keccakF1600Generic(&a)
	}
	var out []byte
	for {
		out = append(out, a[:Rate]...)
		if len(out) >= outLen {
			return out[:outLen]
		}
		keccakF1600Generic(&a)
	}
}

func xcryptoSum(msg []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(msg)
	return h.Sum(nil)
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestKnownAnswers(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"abc", "abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
		{"56 bytes", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			"45d3b367a6904e6e8d502ee04999a7c27647f91fa845d456525fd352ae3d7371"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			s.Write([]byte(tt.in))
			if got := hex.EncodeToString(s.Sum(nil)); got != tt.want {
				t.Errorf("Sum = %s, want %s", got, tt.want)
			}
			if got := hex.EncodeToString(referenceSum([]byte(tt.in), Size)); got != tt.want {
				t.Errorf("referenceSum = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPermutation holds the selected permutation (assembly where the CPU
// has it) to the portable one on random states, alone and through absorb.
func TestPermutation(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		var a, b [200]byte
		copy(a[:], randomBytes(r, 200))
		b = a
		permute(&a)
		keccakF1600Generic(&b)
		if a != b {
			t.Fatalf("permute = %x\nwant %x", a, b)
		}
	}
	for blocks := range 20 {
		var a, b [200]byte
		copy(a[:], randomBytes(r, 200))
		b = a
		p := randomBytes(r, blocks*Rate)
		absorb(&a, p)
		absorbGeneric(&b, p)
		if a != b {
			t.Fatalf("%d blocks: absorb = %x\nwant %x", blocks, a, b)
		}
	}
}

func TestAgainstXCrypto(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	lengths := make([]int, 0, 1010)
	for n := range 1001 {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 4096, 64<<10, 1<<20+7, 10*Rate, 10*Rate-1, 10*Rate+1)
	var s State
	for _, n := range lengths {
		msg := randomBytes(r, n)
		want := xcryptoSum(msg)
		s.Reset()
		s.Write(msg)
		if got := s.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("len %d: Sum = %x, want %x", n, got, want)
		}
		if n <= 1000 {
			if got := referenceSum(msg, Size); !bytes.Equal(got, want) {
				t.Fatalf("len %d: referenceSum = %x, want %x", n, got, want)
			}
		}
		// Byte by byte, and in random pieces.
		if n <= 1000 {
			s.Reset()
			for i := range msg {
				s.Write(msg[i : i+1])
			}
			if got := s.Sum256(); !bytes.Equal(got[:], want) {
				t.Fatalf("len %d, bytewise: Sum256 = %x, want %x", n, got, want)
			}
		}
		s.Reset()
		writeSplit(&s, msg, r)
		var got [Size]byte
		s.Read(got[:])
		if !bytes.Equal(got[:], want) {
			t.Fatalf("len %d, split: Read = %x, want %x", n, got, want)
		}
	}
}

// writeSplit writes msg to s in random pieces.
func writeSplit(s *State, msg []byte, r *rand.Rand) {
	for len(msg) > 0 {
		k := r.IntN(min(len(msg), 3*Rate) + 1)
		s.Write(msg[:k])
		msg = msg[k:]
	}
}

// TestRunningDigest takes digests of a running state, as RLPx does, and
// compares each with x/crypto's.
func TestRunningDigest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var s State
	x := sha3.NewLegacyKeccak256()
	for range 2000 {
		p := randomBytes(r, r.IntN(300))
		s.Write(p)
		x.Write(p)
		want := x.Sum(nil)
		if got := s.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("Sum = %x, want %x", got, want)
		}
		if got := s.Sum256(); !bytes.Equal(got[:], want) {
			t.Fatalf("Sum256 = %x, want %x", got, want)
		}
	}
}

// TestRead squeezes long outputs in pieces and
// compares the stream with x/crypto's.
func TestRead(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 135, 136, 137, 500} {
		msg := randomBytes(r, n)
		var s State
		s.Write(msg)
		x := sha3.NewLegacyKeccak256().(interface {
			Write([]byte) (int, error)
			Read([]byte) (int, error)
		})
		x.Write(msg)
		for range 30 {
			k := r.IntN(2 * Rate)
			got, want := make([]byte, k), make([]byte, k)
			s.Read(got)
			x.Read(want)
			if !bytes.Equal(got, want) {
				t.Fatalf("len %d: Read(%d) = %x, want %x", n, k, got, want)
			}
		}
		// The whole stream matches the reference sponge.
		s.Reset()
		s.Write(msg)
		out := make([]byte, 1000)
		s.Read(out)
		if want := referenceSum(msg, len(out)); !bytes.Equal(out, want) {
			t.Fatalf("len %d: output stream differs from reference", n)
		}
	}
}

func TestAfterRead(t *testing.T) {
	tests := []struct {
		name string
		f    func(*State)
	}{
		{"Write", func(s *State) { s.Write([]byte{1}) }},
		{"Sum", func(s *State) { s.Sum(nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s after Read did not panic", tt.name)
				}
			}()
			var s State
			s.Read(make([]byte, 1))
			tt.f(&s)
		})
	}
}

func TestAllocs(t *testing.T) {
	var s State
	data := make([]byte, 1000)
	out := make([]byte, 0, 64)
	buf := make([]byte, 32)
	tests := []struct {
		name string
		f    func()
	}{
		{"Write", func() { s.Write(data[:100]) }},
		{"Write blocks", func() { s.Write(data) }},
		{"Sum", func() { s.Sum(out[:0]) }},
		{"Sum256", func() { s.Sum256() }},
		{"Reset+Write+Read", func() { s.Reset(); s.Write(data); s.Read(buf) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tt.f); got != 0 {
				t.Errorf("%v allocations, want 0", got)
			}
		})
	}
}

// FuzzState hashes arbitrary input written in arbitrary pieces, and holds
// the result and a running digest to the reference sponge over the
// portable permutation and to x/crypto.
func FuzzState(f *testing.F) {
	f.Add([]byte(""), []byte{})
	f.Add([]byte("abc"), []byte{1, 1})
	f.Add(bytes.Repeat([]byte{0xa5}, 3*Rate+5), []byte{135, 2, 200, 0, 1})
	f.Fuzz(func(t *testing.T, msg, splits []byte) {
		var s State
		x := sha3.NewLegacyKeccak256()
		rest := msg
		for _, k := range splits {
			k := min(int(k), len(rest))
			s.Write(rest[:k])
			x.Write(rest[:k])
			rest = rest[k:]
			if got, want := s.Sum256(), x.Sum(nil); !bytes.Equal(got[:], want) {
				t.Fatalf("running digest = %x, want %x", got, want)
			}
		}
		s.Write(rest)
		want := referenceSum(msg, 2*Rate+7)
		if got := s.Sum(nil); !bytes.Equal(got, want[:Size]) {
			t.Fatalf("Sum = %x, reference %x", got, want[:Size])
		}
		if got := xcryptoSum(msg); !bytes.Equal(got, want[:Size]) {
			t.Fatalf("x/crypto = %x, reference %x", got, want[:Size])
		}
		out := make([]byte, len(want))
		s.Read(out[:3])
		s.Read(out[3:])
		if !bytes.Equal(out, want) {
			t.Fatalf("Read = %x, reference %x", out, want)
		}
	})
}
