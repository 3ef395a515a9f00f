// Package crypto provides the public-key cryptography and hashing of devp2p:
// secp256k1 keys, recoverable ECDSA signatures, ECDH, and legacy Keccak-256.
// Package crypto/ecies builds the RLPx handshake encryption on it.
//
// # Keys and encodings
//
// Keys are the standard library's *ecdsa.PrivateKey and *ecdsa.PublicKey with
// Curve set to [S256], so code written against go-ethereum's crypto package
// moves over unchanged. The byte forms are:
//
//	secret key           32 bytes, big-endian scalar in [1, N-1]
//	public key           65 bytes, 0x04 || X || Y            (FromECDSAPub, UnmarshalPubkey)
//	compressed key       33 bytes, 0x02/0x03 || X            (CompressPubkey, DecompressPubkey)
//	raw public key       64 bytes, X || Y                    (RLPx, node IDs; RecoverRaw, ECDHRaw)
//	signature            65 bytes, R || S || V, V in 0..3    (Sign, Ecrecover, SigToPub)
//	signature for verify 64 bytes, R || S                    (VerifySignature)
//	key file             64 hex digits                       (LoadECDSA, SaveECDSA)
//
// Every function that parses bytes checks them: wrong lengths, public keys
// not on the curve, secret keys that are zero or not below N, R or S zero or
// not below N, and recovery ids above 3 are errors (see [ErrInvalidPublicKey]
// and the other sentinels, for errors.Is), never panics. Points are always
// checked to be on the curve before a secret key multiplies them, which is
// what stops invalid-curve attacks on ECDH.
//
// Signatures are deterministic (RFC 6979) and always have S in the lower half
// of the group order. [VerifySignature] rejects high-S signatures, like
// go-ethereum; [Ecrecover] accepts them, like go-ethereum and libsecp256k1.
//
// # Backends
//
// The curve arithmetic comes from one of two backends, chosen at build time:
//
//   - By default, pure Go on github.com/decred/dcrd/dcrec/secp256k1/v4. The
//     default build compiles no cgo code.
//   - With the build tag libsecp256k1, the system's libsecp256k1 (Debian
//     package libsecp256k1-dev, with the recovery and ecdh modules), linked
//     through a small cgo wrapper. Its context is created once, randomized,
//     and shared by all goroutines.
//
// Both return identical bytes for every operation (a test under the tag
// checks signatures, recovered keys, verification results and shared secrets
// on random and malformed inputs). libsecp256k1 is about three to four times
// faster for ECDH, recovery and verification, and 1.3 to 1.7 times faster for
// signing and key generation. Building with the tag but without cgo
// (CGO_ENABLED=0) fails rather than silently falling back to pure Go.
//
// # Security notes
//
// The decred backend is not constant-time where it handles secrets. Its field
// and scalar arithmetic is constant-time, but its only point multiplications
// are variable-time: k*G (public key derivation and the signing nonce) adds
// entries of a precomputed table selected by the bytes of k, and k*P (ECDH)
// uses a windowed method that branches on the digits of k. Signing also
// inverts the nonce with a variable-time inversion. A local attacker who can
// time these operations or watch cache behaviour, such as another tenant on
// the same machine, may learn bits of secret keys and nonces. For remote
// network peers this leak is much harder to exploit, but it exists.
//
// The libsecp256k1 backend derives public keys, signs and computes ECDH in
// constant time, with blinding of the base point multiplication seeded from
// crypto/rand when the context is created. Its verification and recovery are
// variable-time, which is fine: they only handle public data.
//
// Copies of secret keys and shared secrets that this package makes are
// cleared after use, but *ecdsa.PrivateKey keeps the scalar in a
// big.Int, whose memory can be neither locked nor reliably wiped.
//
// [S256] returns the curve as an elliptic.Curve for key structs and
// IsOnCurve checks. Its Add, Double and ScalarMult are variable-time generic
// code; use the functions of this package for anything involving secrets.
package crypto
