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
//	account address      20 bytes, last of Keccak256(X || Y) (PubkeyToAddress; Hex is EIP-55)
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
//   - By default, pure Go: gitlab.com/yawning/secp256k1-voi (fiat-crypto
//     field and scalar arithmetic on 64-bit limbs) for public keys, ECDH,
//     recovery and verification, and github.com/decred/dcrd/dcrec/secp256k1/v4
//     for signing (RFC 6979, low S). The default build compiles no cgo code.
//   - With the build tag libsecp256k1, the system's libsecp256k1 (Debian
//     package libsecp256k1-dev, with the recovery and ecdh modules), linked
//     through a small cgo wrapper. Its context is created once, randomized,
//     and shared by all goroutines.
//
// All return identical bytes for every operation: differential tests and
// fuzz targets hold the pure-Go backend to Decred's results, and Decred to
// libsecp256k1's under the tag (signatures, recovered keys, verification
// results and shared secrets, on random and malformed inputs). On the
// project machine the pure-Go default is 1.7 times faster than Decred alone
// at ECDH and 2 times at recovery; libsecp256k1 is about 1.6 to 2 times
// faster again. Building with the tag but without cgo (CGO_ENABLED=0) fails
// rather than silently falling back to pure Go.
//
// # Security notes
//
// In the default backend, public key derivation and ECDH are constant-time
// (fixed windows with constant-time table lookups and complete addition
// formulas); recovery and verification are variable-time, which is fine:
// they only handle public data. Signing goes through Decred, which is not
// constant-time: its k*G for the nonce adds entries of a precomputed table
// selected by the bytes of k, and it inverts the nonce with a variable-time
// inversion. A local attacker who can time signing or watch cache
// behaviour, such as another tenant on the same machine, may learn bits of
// nonces and so of the signing key. For remote network peers this leak is
// much harder to exploit, but it exists. (A node signs its RLPx auth
// messages with an ephemeral key, and its node record and discovery
// packets with its node key.)
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
