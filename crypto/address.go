package crypto

import (
	"crypto/ecdsa"
	"encoding/hex"
	"math/big"
)

// AddressLength is the size of an Ethereum account address.
const AddressLength = 20

// Address is an Ethereum account address: the last 20 bytes of the
// Keccak-256 hash of a public key (see PubkeyToAddress). It is
// go-ethereum's common.Address, which devp2p code meets in signed node
// announcements; here it lives in package crypto so that this module needs
// no package common.
type Address [AddressLength]byte

// PubkeyToAddress returns the address of p: the last 20 bytes of the
// Keccak-256 hash of its 64-byte uncompressed form X || Y. A key whose
// coordinates are missing, negative or longer than 32 bytes gives the zero
// address (go-ethereum panics on a nil key).
func PubkeyToAddress(p ecdsa.PublicKey) Address {
	raw, err := rawPubkey(&p)
	if err != nil {
		return Address{}
	}
	h := Keccak256Hash(raw[:])
	return Address(h[32-AddressLength:])
}

// Bytes returns the address as a new 20-byte slice.
func (a Address) Bytes() []byte { return a[:] }

// Hex returns the address as "0x" and 40 hex digits in the mixed-case
// checksum encoding of EIP-55: a letter digit is upper case when the
// matching 4-bit nibble of the Keccak-256 hash of the lower-case hex form
// (without "0x") is 8 or more.
func (a Address) Hex() string {
	var buf [2 + 2*AddressLength]byte
	buf[0], buf[1] = '0', 'x'
	digits := buf[2:]
	hex.Encode(digits, a[:])
	h := Keccak256Hash(digits)
	for i, c := range digits {
		nibble := h[i/2] >> 4
		if i%2 == 1 {
			nibble = h[i/2] & 0x0f
		}
		if c >= 'a' && nibble >= 8 {
			digits[i] = c - 'a' + 'A'
		}
	}
	return string(buf[:])
}

// String returns Hex.
func (a Address) String() string { return a.Hex() }

// secp256k1N and secp256k1HalfN are the group order N and N/2 (rounded
// down).
var (
	secp256k1N     = new(big.Int).SetBytes(curveN[:])
	secp256k1HalfN = new(big.Int).Rsh(secp256k1N, 1)
)

// ValidateSignatureValues reports whether v, r and s can form a valid
// signature, with go-ethereum's semantics: r and s in [1, N-1], v (the
// recovery id, without any offset such as 27) 0 or 1, and, if homestead is
// true, s at most N/2 (the rule of Ethereum's Homestead fork, which made
// each signature's encoding unique). Nil r or s give false. The trailing
// bool is go-ethereum's signature, kept so that migrating code compiles.
func ValidateSignatureValues(v byte, r, s *big.Int, homestead bool) bool {
	if r == nil || s == nil || r.Sign() < 1 || s.Sign() < 1 {
		return false
	}
	if homestead && s.Cmp(secp256k1HalfN) > 0 {
		return false
	}
	return r.Cmp(secp256k1N) < 0 && s.Cmp(secp256k1N) < 0 && (v == 0 || v == 1)
}
