package crypto

import (
	"hash"

	"github.com/seednet/p2p/crypto/internal/keccak"
)

// KeccakState is a Keccak-256 hasher that can also squeeze output with Read.
// Sum copies only the 200-byte state, so digests of a running state are
// cheap. After Read, Write and Sum must not be called again until Reset.
type KeccakState interface {
	hash.Hash
	Read([]byte) (int, error)
}

// NewKeccakState returns a new legacy Keccak-256 hasher (the original Keccak
// padding that Ethereum uses, not SHA3-256). Write, Sum and Read on it do
// not allocate.
func NewKeccakState() KeccakState {
	return new(keccak.State)
}

// HashData resets kh, hashes data with it and returns the hash. With a state
// from NewKeccakState it does not allocate, so a caller hashing many values
// can reuse one state.
func HashData(kh KeccakState, data []byte) [32]byte {
	if s, ok := kh.(*keccak.State); ok {
		s.Reset()
		s.Write(data)
		return s.Sum256()
	}
	// Another implementation of KeccakState: its Read gets a heap buffer.
	kh.Reset()
	kh.Write(data)
	buf := make([]byte, 32)
	kh.Read(buf)
	return [32]byte(buf)
}

// Keccak256Hash returns the legacy Keccak-256 hash of the concatenation of
// data.
func Keccak256Hash(data ...[]byte) [32]byte {
	var s keccak.State // on the stack: nothing in it escapes
	for _, b := range data {
		s.Write(b)
	}
	return s.Sum256()
}

// Keccak256 returns the legacy Keccak-256 hash of the concatenation of data,
// as a new 32-byte slice.
func Keccak256(data ...[]byte) []byte {
	h := Keccak256Hash(data...)
	return h[:]
}
