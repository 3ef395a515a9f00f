//go:build !amd64 || purego

package keccak

// permute applies Keccak-f[1600] to a.
func permute(a *[200]byte) { keccakF1600Generic(a) }

// absorb XORs each block of p into a and permutes; len(p) is a multiple
// of Rate.
func absorb(a *[200]byte, p []byte) { absorbGeneric(a, p) }
