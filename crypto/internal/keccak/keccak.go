// Package keccak implements the legacy Keccak-256 hash that Ethereum uses:
// the Keccak sponge with capacity 512 bits (rate 136 bytes), 32 bytes of
// output, and the original multi-rate padding (first pad byte 0x01), not
// the 0x06 of SHA3-256.
//
// The RLPx transport feeds every frame through a running Keccak-256 state
// and takes digests of it several times a frame, so both matter here: bulk
// absorption, which goes a whole run of blocks per call into the
// permutation, and [State.Sum], which copies only the 200-byte state to the
// stack, pads and permutes it there, and allocates nothing.
//
// On amd64 with AVX-512 (AVX512F and AVX512VL) the permutation is assembly
// (keccakf_amd64.s); elsewhere, or with the purego build tag, it is
// portable Go (keccakf_generic.go). Both are written by _gen/main.go.
package keccak

//go:generate go run ./_gen

import (
	"crypto/subtle"
	"encoding/binary"
)

const (
	// Rate is the block size in bytes: the part of the state that input
	// is absorbed into and output squeezed from.
	Rate = 136
	// Size is the length of a Keccak-256 hash in bytes.
	Size = 32

	// padFirst and padLast are the legacy Keccak padding: 0x01 after the
	// message and 0x80 in the last byte of the block.
	padFirst = 0x01
	padLast  = 0x80
)

// State is a Keccak-256 sponge. Its zero value is an empty state, ready
// for Write. It is a plain value: copying it forks the hash.
//
// Write absorbs input; Sum and Sum256 return the hash of everything
// written so far and leave the state unchanged; Read squeezes output
// bytes, any number, after which Write and Sum panic until Reset.
type State struct {
	// a is the sponge state. Lane x+5y is the little-endian word at byte
	// 8(x+5y); input is XORed into it directly, so there is no separate
	// block buffer.
	a [200]byte
	// n is the number of bytes of the current block absorbed (before
	// Read) or already squeezed (after), 0 <= n < Rate while absorbing
	// and 0 <= n <= Rate while squeezing.
	n         int
	squeezing bool
}

// Size returns the hash length, 32.
func (s *State) Size() int { return Size }

// BlockSize returns the rate, 136.
func (s *State) BlockSize() int { return Rate }

// Reset empties the state.
func (s *State) Reset() { *s = State{} }

// Write absorbs p. It never fails. It panics after Read.
func (s *State) Write(p []byte) (int, error) {
	if s.squeezing {
		panic("keccak: Write after Read")
	}
	written := len(p)
	if s.n > 0 {
		k := subtle.XORBytes(s.a[s.n:Rate], s.a[s.n:Rate], p)
		s.n += k
		p = p[k:]
		if s.n < Rate {
			return written, nil
		}
		permute(&s.a)
		s.n = 0
	}
	if full := len(p) - len(p)%Rate; full > 0 {
		absorb(&s.a, p[:full])
		p = p[full:]
	}
	if len(p) > 0 {
		s.n = subtle.XORBytes(s.a[:len(p)], s.a[:len(p)], p)
	}
	return written, nil
}

// pad finishes absorbing: it pads the last block and permutes.
func (s *State) pad() {
	s.a[s.n] ^= padFirst
	s.a[Rate-1] ^= padLast
	permute(&s.a)
	s.n = 0
	s.squeezing = true
}

// Read squeezes len(p) bytes of output into p. The first Read finishes
// absorption; later Reads continue the output stream. It never fails.
func (s *State) Read(p []byte) (int, error) {
	if !s.squeezing {
		s.pad()
	}
	read := len(p)
	for len(p) > 0 {
		if s.n == Rate {
			permute(&s.a)
			s.n = 0
		}
		k := copy(p, s.a[s.n:Rate])
		s.n += k
		p = p[k:]
	}
	return read, nil
}

// Sum256 returns the hash of what was written so far, without changing
// s: it copies the state only, and pads and permutes the copy. It panics
// after Read, like x/crypto's Sum.
func (s *State) Sum256() [Size]byte {
	if s.squeezing {
		panic("keccak: Sum after Read")
	}
	a := s.a
	a[s.n] ^= padFirst
	a[Rate-1] ^= padLast
	permute(&a)
	return [Size]byte(a[:Size])
}

// Sum appends the hash of what was written so far to b and returns the
// result, without changing s. It panics after Read.
func (s *State) Sum(b []byte) []byte {
	h := s.Sum256()
	return append(b, h[:]...)
}

// absorbGeneric absorbs the whole blocks of p, whose length is a multiple
// of Rate, with the portable permutation.
func absorbGeneric(a *[200]byte, p []byte) {
	for ; len(p) >= Rate; p = p[Rate:] {
		for i := 0; i < Rate; i += 8 {
			v := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(p[i:])
			binary.LittleEndian.PutUint64(a[i:], v)
		}
		keccakF1600Generic(a)
	}
}
