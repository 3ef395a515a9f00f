package crypto

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/seednet/p2p/crypto/internal/secp"
)

// ECDH returns the x coordinate of prv * pub, 32 bytes, the shared secret of
// RLPx and ECIES. It fails if pub is not on the curve (an invalid-curve
// attack would otherwise learn bits of prv) or prv is not a valid key.
//
// The result is not uniformly random; derive keys from it with a KDF or
// hash.
func ECDH(prv *ecdsa.PrivateKey, pub *ecdsa.PublicKey) ([]byte, error) {
	p, err := rawPubkey(pub)
	if err != nil {
		return nil, err
	}
	s, err := ecdhRaw(prv, &p)
	if err != nil {
		return nil, err
	}
	return s[:], nil
}

// ECDHRaw is ECDH with the public key given as 64 bytes X || Y, the form
// RLPx carries them in; it saves a conversion and does not allocate.
func ECDHRaw(prv *ecdsa.PrivateKey, pub []byte) ([32]byte, error) {
	if len(pub) != RawPublicKeyLength {
		return [32]byte{}, fmt.Errorf("%w: length %d, want %d", ErrInvalidPublicKey, len(pub), RawPublicKeyLength)
	}
	return ecdhRaw(prv, (*[64]byte)(pub))
}

func ecdhRaw(prv *ecdsa.PrivateKey, pub *[64]byte) ([32]byte, error) {
	k, err := seckeyBytes(prv)
	if err != nil {
		return [32]byte{}, err
	}
	defer clear(k[:])
	return secp.Active{}.ECDH(&k, pub)
}
