//go:build amd64 && !purego

package keccak

import "golang.org/x/sys/cpu"

// useAVX512 selects the assembly permutation. It needs EVEX encodings of
// 128-bit instructions (AVX512VL) on top of AVX512F; x/sys/cpu also checks
// that the operating system saves the AVX-512 registers.
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// keccakF1600AVX512 applies Keccak-f[1600] to a.
//
//go:noescape
func keccakF1600AVX512(a *[200]byte)

// absorbAVX512 XORs each whole block of p into a and permutes, keeping
// the state in registers from block to block. len(p) is a multiple of
// Rate.
//
//go:noescape
func absorbAVX512(a *[200]byte, p []byte)

// permute applies Keccak-f[1600] to a.
func permute(a *[200]byte) {
	if useAVX512 {
		keccakF1600AVX512(a)
	} else {
		keccakF1600Generic(a)
	}
}

// absorb XORs each block of p into a and permutes; len(p) is a multiple
// of Rate.
func absorb(a *[200]byte, p []byte) {
	if useAVX512 {
		absorbAVX512(a, p)
	} else {
		absorbGeneric(a, p)
	}
}
