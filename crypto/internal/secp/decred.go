package secp

import (
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// Decred is the pure-Go backend on github.com/decred/dcrd/dcrec/secp256k1/v4.
//
// Its field and scalar arithmetic is constant-time, but every point
// multiplication it offers is variable-time (ScalarBaseMultNonConst indexes a
// precomputed table by secret key bytes, ScalarMultNonConst branches on the
// scalar's digits), and the nonce inverse in signing uses InverseValNonConst.
// Deriving a public key, signing and ECDH therefore take time and touch
// memory depending on secret values.
type Decred struct{}

var _ Backend = Decred{}

// Name implements Backend.
func (Decred) Name() string { return "decred" }

// parseSeckey loads seckey into k, rejecting 0 and values >= N.
func parseSeckey(k *secp256k1.ModNScalar, seckey *[32]byte) error {
	overflow := k.SetBytes(seckey)
	if overflow != 0 || k.IsZero() {
		k.Zero()
		return ErrInvalidPrivateKey
	}
	return nil
}

// parsePubkey loads pub as a point, rejecting coordinates >= P and points
// that are not on the curve.
func parsePubkey(pub *[64]byte) (*secp256k1.PublicKey, error) {
	var x, y secp256k1.FieldVal
	if x.SetByteSlice(pub[:32]) || y.SetByteSlice(pub[32:]) {
		return nil, ErrInvalidPublicKey
	}
	p := secp256k1.NewPublicKey(&x, &y)
	if !p.IsOnCurve() {
		return nil, ErrInvalidPublicKey
	}
	return p, nil
}

// putPoint writes the affine point p as X || Y.
func putPoint(out *[64]byte, p *secp256k1.JacobianPoint) {
	p.X.Normalize()
	p.Y.Normalize()
	p.X.PutBytesUnchecked(out[:32])
	p.Y.PutBytesUnchecked(out[32:])
}

// PublicKey implements Backend.
func (Decred) PublicKey(seckey *[32]byte) ([64]byte, error) {
	var out [64]byte
	var k secp256k1.ModNScalar
	if err := parseSeckey(&k, seckey); err != nil {
		return out, err
	}
	var p secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&k, &p)
	k.Zero()
	p.ToAffine()
	putPoint(&out, &p)
	return out, nil
}

// Sign implements Backend.
func (Decred) Sign(hash, seckey *[32]byte) ([65]byte, error) {
	var out [65]byte
	var k secp256k1.ModNScalar
	if err := parseSeckey(&k, seckey); err != nil {
		return out, err
	}
	key := secp256k1.NewPrivateKey(&k)
	// SignCompact returns [27 + V] || R || S.
	compact := ecdsa.SignCompact(key, hash[:], false)
	key.Zero()
	k.Zero()
	copy(out[:64], compact[1:])
	out[64] = compact[0] - 27
	return out, nil
}

// Recover implements Backend.
func (Decred) Recover(hash *[32]byte, sig *[65]byte) ([64]byte, error) {
	var out [64]byte
	v := sig[64]
	if v > 3 {
		return out, ErrInvalidRecoveryID
	}
	var compact [65]byte
	compact[0] = 27 + v
	copy(compact[1:], sig[:64])
	pub, _, err := ecdsa.RecoverCompact(compact[:], hash[:])
	if err != nil {
		return out, ErrInvalidSignature
	}
	var p secp256k1.JacobianPoint
	pub.AsJacobian(&p)
	putPoint(&out, &p)
	return out, nil
}

// Verify implements Backend.
func (Decred) Verify(pub *[64]byte, hash *[32]byte, sig *[64]byte) bool {
	p, err := parsePubkey(pub)
	if err != nil {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || r.IsZero() || s.SetByteSlice(sig[32:]) || s.IsZero() {
		return false
	}
	if s.IsOverHalfOrder() {
		return false
	}
	return ecdsa.NewSignature(&r, &s).Verify(hash[:], p)
}

// ECDH implements Backend.
func (Decred) ECDH(seckey *[32]byte, pub *[64]byte) ([32]byte, error) {
	var out [32]byte
	var k secp256k1.ModNScalar
	if err := parseSeckey(&k, seckey); err != nil {
		return out, err
	}
	p, err := parsePubkey(pub)
	if err != nil {
		k.Zero()
		return out, err
	}
	var point, result secp256k1.JacobianPoint
	p.AsJacobian(&point)
	secp256k1.ScalarMultNonConst(&k, &point, &result)
	k.Zero()
	// k is in [1, N-1] and the group has prime order N, so the result is
	// never the point at infinity.
	result.ToAffine()
	result.X.PutBytes(&out)
	return out, nil
}
