package crypto

import (
	"errors"

	"github.com/seednet/p2p/crypto/internal/secp"
)

// Errors returned by this package, for use with errors.Is. Returned errors
// usually wrap one of these with details.
var (
	// ErrInvalidPrivateKey: a secret key of the wrong length, zero, or not
	// below the curve order N.
	ErrInvalidPrivateKey = secp.ErrInvalidPrivateKey

	// ErrInvalidPublicKey: a public key of the wrong length or format, with
	// a coordinate not below the field prime, or not on the curve.
	ErrInvalidPublicKey = secp.ErrInvalidPublicKey

	// ErrInvalidSignature: a signature of the wrong length, with R or S zero
	// or not below N, or from which no public key can be recovered.
	ErrInvalidSignature = secp.ErrInvalidSignature

	// ErrInvalidRecoveryID: a recoverable signature whose V is not 0..3.
	ErrInvalidRecoveryID = secp.ErrInvalidRecoveryID

	// ErrInvalidHashLength: a hash to sign or recover from that is not
	// 32 bytes long.
	ErrInvalidHashLength = errors.New("hash must be 32 bytes")
)
