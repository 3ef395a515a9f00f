// Package secp is the seam between package crypto and the secp256k1
// implementations it can run on.
//
// Every backend works on fixed-size byte arrays: 32-byte secret keys and
// hashes, 64-byte public keys (X || Y, big-endian, without the 0x04 prefix),
// 64-byte signatures (R || S) and 65-byte recoverable signatures
// (R || S || V, V the recovery id in 0..3). Backends validate all of their
// inputs and report bad ones with the errors below, so that two backends given
// the same input return the same bytes or fail alike. The conformance tests in
// this package hold them to that.
//
// [Voi] (pure Go, on gitlab.com/yawning/secp256k1-voi, signing through
// Decred) and [Decred] (pure Go, on github.com/decred/dcrd/dcrec/secp256k1/v4)
// are always compiled; Voi is the default, Decred its reference in the
// differential tests. [LibSecp256k1] (cgo, on the system's libsecp256k1) is
// compiled only with the build tag libsecp256k1. [Active] names the one
// package crypto uses in this build.
package secp

import "errors"

// Errors returned by backends. Package crypto re-exports them.
var (
	ErrInvalidPrivateKey = errors.New("invalid private key")
	ErrInvalidPublicKey  = errors.New("invalid public key")
	ErrInvalidSignature  = errors.New("invalid signature")
	ErrInvalidRecoveryID = errors.New("invalid signature recovery id")
)

// Backend is a secp256k1 implementation.
type Backend interface {
	// Name identifies the backend in test and benchmark output.
	Name() string

	// PublicKey returns the public key of seckey. It fails with
	// ErrInvalidPrivateKey unless 0 < seckey < N.
	PublicKey(seckey *[32]byte) ([64]byte, error)

	// Sign makes a deterministic (RFC 6979) ECDSA signature of hash with
	// seckey. S is normalised to the lower half of the order, and V is the
	// recovery id matching that S.
	Sign(hash, seckey *[32]byte) ([65]byte, error)

	// Recover returns the public key that made sig over hash. V must be in
	// 0..3 (ErrInvalidRecoveryID); R and S in [1, N-1] (ErrInvalidSignature).
	// S in the upper half of the order is accepted.
	Recover(hash *[32]byte, sig *[65]byte) ([64]byte, error)

	// Verify reports whether sig is a valid signature of hash by pub. It
	// returns false for S in the upper half of the order, for R or S out of
	// range and for a public key that is not on the curve.
	Verify(pub *[64]byte, hash *[32]byte, sig *[64]byte) bool

	// ECDH returns the x coordinate of seckey * pub. It fails with
	// ErrInvalidPrivateKey or ErrInvalidPublicKey (pub not on the curve).
	ECDH(seckey *[32]byte, pub *[64]byte) ([32]byte, error)
}
