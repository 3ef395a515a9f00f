package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/seednet/p2p/crypto/internal/secp"
)

// Sign makes a recoverable ECDSA signature of hash, which must be 32 bytes:
// R || S || V, 65 bytes. The nonce is derived deterministically (RFC 6979),
// S is in the lower half of the group order (as VerifySignature requires),
// and V is the recovery id Ecrecover needs. V is 0 or 1 except with
// negligible probability (about 2^-127), when the nonce point's x coordinate
// exceeds N and V is 2 or 3.
//
// Sign signs the 32 bytes as given: the caller hashes the message first
// (devp2p uses Keccak256).
func Sign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	if len(hash) != DigestLength {
		return nil, fmt.Errorf("%w: got %d bytes", ErrInvalidHashLength, len(hash))
	}
	k, err := seckeyBytes(prv)
	if err != nil {
		return nil, err
	}
	defer clear(k[:])
	sig, err := secp.Active{}.Sign((*[32]byte)(hash), &k)
	if err != nil {
		return nil, err
	}
	return sig[:], nil
}

// Ecrecover returns the uncompressed public key (65 bytes, 0x04 || X || Y)
// that made the recoverable signature sig (R || S || V) over hash.
//
// V must be the recovery id 0..3 as Sign produces it; the Ethereum
// transaction forms 27/28 and EIP-155 values are rejected with
// ErrInvalidRecoveryID. R and S must be in [1, N-1]. S in the upper half of
// the order is accepted, as go-ethereum and libsecp256k1 do: recovery does not
// rely on it, and a caller that needs non-malleable signatures checks S or
// uses VerifySignature.
func Ecrecover(hash, sig []byte) ([]byte, error) {
	p, err := RecoverRaw(hash, sig)
	if err != nil {
		return nil, err
	}
	out := make([]byte, PublicKeyLength)
	out[0] = 0x04
	copy(out[1:], p[:])
	return out, nil
}

// SigToPub is Ecrecover returning the key as *ecdsa.PublicKey.
func SigToPub(hash, sig []byte) (*ecdsa.PublicKey, error) {
	p, err := RecoverRaw(hash, sig)
	if err != nil {
		return nil, err
	}
	return rawToECDSA(&p), nil
}

// RecoverRaw is Ecrecover returning the public key as 64 bytes X || Y, the
// form RLPx and node IDs use; it saves a conversion and does not allocate.
func RecoverRaw(hash, sig []byte) ([64]byte, error) {
	if len(hash) != DigestLength {
		return [64]byte{}, fmt.Errorf("%w: got %d bytes", ErrInvalidHashLength, len(hash))
	}
	if len(sig) != SignatureLength {
		return [64]byte{}, fmt.Errorf("%w: length %d, want %d", ErrInvalidSignature, len(sig), SignatureLength)
	}
	if v := sig[RecoveryIDOffset]; v > 3 {
		return [64]byte{}, fmt.Errorf("%w: V = %d, want 0..3", ErrInvalidRecoveryID, v)
	}
	if err := checkRS(sig[:64]); err != nil {
		return [64]byte{}, err
	}
	p, err := secp.Active{}.Recover((*[32]byte)(hash), (*[65]byte)(sig))
	if err != nil {
		return [64]byte{}, fmt.Errorf("%w: no public key recovers from it", err)
	}
	return p, nil
}

// checkRS returns a detailed error unless R and S of sig (R || S) are both in
// [1, N-1].
func checkRS(sig []byte) error {
	var zero [32]byte
	for i, name := range []string{"R", "S"} {
		v := sig[32*i : 32*i+32]
		if bytes.Equal(v, zero[:]) {
			return fmt.Errorf("%w: %s is zero", ErrInvalidSignature, name)
		}
		if bytes.Compare(v, curveN[:]) >= 0 {
			return fmt.Errorf("%w: %s is not below the curve order", ErrInvalidSignature, name)
		}
	}
	return nil
}

// rawToECDSA builds an *ecdsa.PublicKey from a point a backend returned.
func rawToECDSA(p *[64]byte) *ecdsa.PublicKey {
	return &ecdsa.PublicKey{
		Curve: S256(),
		X:     new(big.Int).SetBytes(p[:32]),
		Y:     new(big.Int).SetBytes(p[32:]),
	}
}

// VerifySignature reports whether signature (64 bytes, R || S, no V) is a
// valid signature of hash by pubkey, given in the 33-byte compressed or
// 65-byte uncompressed form. Signatures with S in the upper half of the group
// order are rejected (as in go-ethereum), so each message and key has one
// valid encoding per nonce. Malformed input of any kind yields false.
func VerifySignature(pubkey, hash, signature []byte) bool {
	if len(hash) != DigestLength || len(signature) != 64 {
		return false
	}
	var p [64]byte
	switch {
	case len(pubkey) == PublicKeyLength && pubkey[0] == 0x04:
		copy(p[:], pubkey[1:])
	case len(pubkey) == CompressedPublicKeyLength:
		pub, err := DecompressPubkey(pubkey)
		if err != nil {
			return false
		}
		p, _ = rawPubkey(pub)
	default:
		return false
	}
	return secp.Active{}.Verify(&p, (*[32]byte)(hash), (*[64]byte)(signature))
}
