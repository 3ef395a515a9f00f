package crypto

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/seednet/p2p/crypto/internal/secp"
)

// Sizes of the byte encodings used by this package.
const (
	// PrivateKeyLength is the size of a secret key: a big-endian scalar.
	PrivateKeyLength = 32
	// PublicKeyLength is the size of an uncompressed public key:
	// 0x04 || X || Y.
	PublicKeyLength = 65
	// CompressedPublicKeyLength is the size of a compressed public key:
	// 0x02 or 0x03 (the parity of Y) || X.
	CompressedPublicKeyLength = 33
	// RawPublicKeyLength is the size of a public key as RLPx and node IDs
	// carry it: X || Y, without the 0x04 prefix.
	RawPublicKeyLength = 64
	// SignatureLength is the size of a recoverable signature: R || S || V.
	SignatureLength = 65
	// RecoveryIDOffset is the index of V in a recoverable signature.
	RecoveryIDOffset = 64
	// DigestLength is the size of the hashes Sign and Ecrecover work on.
	DigestLength = 32
)

// S256 returns the secp256k1 curve. Keys of this package carry it in their
// Curve field. It is meant for that and for checks such as IsOnCurve; it is
// not constant-time and the package's own functions do not use its
// arithmetic.
func S256() elliptic.Curve {
	return secp256k1.S256()
}

// GenerateKey returns a new secp256k1 key from crypto/rand.
func GenerateKey() (*ecdsa.PrivateKey, error) {
	seckey, err := generateSeckey(rand.Reader)
	if err != nil {
		return nil, err
	}
	defer clear(seckey[:])
	return toECDSA(&seckey)
}

// generateSeckey draws secret keys from r until one is in [1, N-1]; a
// 32-byte draw misses that range with probability about 2^-128.
func generateSeckey(r io.Reader) ([32]byte, error) {
	var k [32]byte
	for range 16 {
		if _, err := io.ReadFull(r, k[:]); err != nil {
			return [32]byte{}, fmt.Errorf("crypto: reading randomness: %w", err)
		}
		if validSeckey(&k) {
			return k, nil
		}
	}
	return [32]byte{}, fmt.Errorf("crypto: randomness source keeps returning invalid keys")
}

// curveN is the order N of the secp256k1 group, big-endian.
var curveN = [32]byte{
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
}

// validSeckey reports whether 0 < k < N, in constant time.
func validSeckey(k *[32]byte) bool {
	var s secp256k1.ModNScalar
	overflow := s.SetBytes(k)
	ok := overflow == 0 && !s.IsZero()
	s.Zero()
	return ok
}

// toECDSA builds a key from a valid secret key.
func toECDSA(seckey *[32]byte) (*ecdsa.PrivateKey, error) {
	pub, err := secp.Active{}.PublicKey(seckey)
	if err != nil {
		return nil, err
	}
	return &ecdsa.PrivateKey{
		PublicKey: ecdsa.PublicKey{
			Curve: S256(),
			X:     new(big.Int).SetBytes(pub[:32]),
			Y:     new(big.Int).SetBytes(pub[32:]),
		},
		D: new(big.Int).SetBytes(seckey[:]),
	}, nil
}

// seckeyBytes returns the secret scalar of prv as 32 bytes. It fails for nil
// keys and scalars that do not fit; the range check against N is left to
// the backend.
func seckeyBytes(prv *ecdsa.PrivateKey) ([32]byte, error) {
	var k [32]byte
	if prv == nil || prv.D == nil || prv.D.Sign() <= 0 || prv.D.BitLen() > 256 {
		return k, ErrInvalidPrivateKey
	}
	prv.D.FillBytes(k[:])
	return k, nil
}

// rawPubkey returns the coordinates of pub as X || Y. It fails for nil keys
// and coordinates that do not fit; the on-curve check is left to the
// backend.
func rawPubkey(pub *ecdsa.PublicKey) ([64]byte, error) {
	var p [64]byte
	if pub == nil || pub.X == nil || pub.Y == nil || pub.X.Sign() < 0 || pub.Y.Sign() < 0 ||
		pub.X.BitLen() > 256 || pub.Y.BitLen() > 256 {
		return p, ErrInvalidPublicKey
	}
	pub.X.FillBytes(p[:32])
	pub.Y.FillBytes(p[32:])
	return p, nil
}

// ToECDSA returns the key with secret scalar d, a 32-byte big-endian number
// in [1, N-1].
func ToECDSA(d []byte) (*ecdsa.PrivateKey, error) {
	if len(d) != PrivateKeyLength {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrInvalidPrivateKey, len(d), PrivateKeyLength)
	}
	k := [32]byte(d)
	defer clear(k[:])
	if !validSeckey(&k) {
		return nil, fmt.Errorf("%w: scalar is zero or not below the curve order", ErrInvalidPrivateKey)
	}
	return toECDSA(&k)
}

// FromECDSA returns the secret scalar of prv as 32 bytes, or nil if prv is nil
// or its scalar is negative or does not fit in 32 bytes.
func FromECDSA(prv *ecdsa.PrivateKey) []byte {
	k, err := seckeyBytes(prv)
	if err != nil {
		return nil
	}
	return k[:]
}

// HexToECDSA parses a secret key written as 64 hex digits (no 0x prefix).
func HexToECDSA(hexkey string) (*ecdsa.PrivateKey, error) {
	if len(hexkey) != 2*PrivateKeyLength {
		return nil, fmt.Errorf("%w: %d hex digits, want %d", ErrInvalidPrivateKey, len(hexkey), 2*PrivateKeyLength)
	}
	var k [32]byte
	defer clear(k[:])
	if _, err := hex.Decode(k[:], []byte(hexkey)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPrivateKey, err)
	}
	return ToECDSA(k[:])
}

// FromECDSAPub returns pub in the 65-byte uncompressed form 0x04 || X || Y,
// or nil if pub is nil or a coordinate is negative or does not fit in
// 32 bytes. It does not check that the point is on the curve.
func FromECDSAPub(pub *ecdsa.PublicKey) []byte {
	p, err := rawPubkey(pub)
	if err != nil {
		return nil
	}
	out := make([]byte, PublicKeyLength)
	out[0] = 0x04
	copy(out[1:], p[:])
	return out
}

// UnmarshalPubkey parses a public key in the 65-byte uncompressed form
// 0x04 || X || Y. It rejects other lengths and prefixes (including the hybrid
// forms 0x06 and 0x07), coordinates not below the field prime and points not
// on the curve.
func UnmarshalPubkey(pub []byte) (*ecdsa.PublicKey, error) {
	if len(pub) != PublicKeyLength {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrInvalidPublicKey, len(pub), PublicKeyLength)
	}
	if pub[0] != 0x04 {
		return nil, fmt.Errorf("%w: prefix %#02x, want 0x04", ErrInvalidPublicKey, pub[0])
	}
	return parsePubkey(pub)
}

// parsePubkey parses a 33-byte compressed or 65-byte uncompressed key whose
// prefix the caller has checked.
func parsePubkey(pub []byte) (*ecdsa.PublicKey, error) {
	p, err := secp256k1.ParsePubKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPublicKey, err)
	}
	return p.ToECDSA(), nil
}

// UnmarshalRawPubkey parses a 64-byte public key X || Y, the form RLPx and
// node IDs use. The point must be on the curve.
func UnmarshalRawPubkey(pub []byte) (*ecdsa.PublicKey, error) {
	if len(pub) != RawPublicKeyLength {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrInvalidPublicKey, len(pub), RawPublicKeyLength)
	}
	var buf [PublicKeyLength]byte
	buf[0] = 0x04
	copy(buf[1:], pub)
	return parsePubkey(buf[:])
}

// CompressPubkey returns pub in the 33-byte compressed form, or nil if pub
// is nil or a coordinate does not fit in 32 bytes.
func CompressPubkey(pub *ecdsa.PublicKey) []byte {
	p, err := rawPubkey(pub)
	if err != nil {
		return nil
	}
	out := make([]byte, CompressedPublicKeyLength)
	out[0] = 0x02 | p[63]&1
	copy(out[1:], p[:32])
	return out
}

// DecompressPubkey parses a public key in the 33-byte compressed form. It
// rejects other lengths, prefixes other than 0x02 and 0x03, and X coordinates
// that are not on the curve.
func DecompressPubkey(pub []byte) (*ecdsa.PublicKey, error) {
	if len(pub) != CompressedPublicKeyLength {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrInvalidPublicKey, len(pub), CompressedPublicKeyLength)
	}
	if pub[0] != 0x02 && pub[0] != 0x03 {
		return nil, fmt.Errorf("%w: prefix %#02x, want 0x02 or 0x03", ErrInvalidPublicKey, pub[0])
	}
	return parsePubkey(pub)
}
