package crypto

import (
	"hash"
	"sync"

	"golang.org/x/crypto/sha3"
)

// KeccakState is a Keccak-256 hasher that can also squeeze output with Read,
// which, unlike Sum, does not copy the state. After Read, Write must not be
// called again until Reset.
type KeccakState interface {
	hash.Hash
	Read([]byte) (int, error)
}

// NewKeccakState returns a new legacy Keccak-256 hasher (the original Keccak
// padding that Ethereum uses, not SHA3-256).
func NewKeccakState() KeccakState {
	return &keccakState{KeccakState: sha3.NewLegacyKeccak256().(KeccakState)}
}

// keccakState wraps the x/crypto hasher with an output buffer. Reading into a
// buffer of the caller's through the interface would make it escape to the
// heap; the state's own buffer is already there.
type keccakState struct {
	KeccakState
	out [32]byte
}

// HashData resets kh, hashes data with it and returns the hash. With a state
// from NewKeccakState it does not allocate, so a caller hashing many values
// can reuse one state.
func HashData(kh KeccakState, data []byte) [32]byte {
	kh.Reset()
	kh.Write(data)
	return squeeze(kh)
}

// squeeze reads a 32-byte hash from kh.
func squeeze(kh KeccakState) [32]byte {
	if s, ok := kh.(*keccakState); ok {
		s.Read(s.out[:])
		return s.out
	}
	// Another implementation of KeccakState: its Read gets a heap buffer.
	buf := make([]byte, 32)
	kh.Read(buf)
	return [32]byte(buf)
}

// keccakPool recycles hashers for Keccak256 and Keccak256Hash.
var keccakPool = sync.Pool{New: func() any { return NewKeccakState() }}

// Keccak256Hash returns the legacy Keccak-256 hash of the concatenation of
// data.
func Keccak256Hash(data ...[]byte) [32]byte {
	kh := keccakPool.Get().(KeccakState)
	kh.Reset()
	for _, b := range data {
		kh.Write(b)
	}
	h := squeeze(kh)
	keccakPool.Put(kh)
	return h
}

// Keccak256 returns the legacy Keccak-256 hash of the concatenation of data,
// as a new 32-byte slice.
func Keccak256(data ...[]byte) []byte {
	h := Keccak256Hash(data...)
	return h[:]
}
