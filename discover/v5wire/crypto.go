package v5wire

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	voi "gitlab.com/yawning/secp256k1-voi"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
)

// Sizes of the cryptographic values.
const (
	aesKeySize   = 16 // AES-128 keys: masking key, session keys
	gcmNonceSize = 12 // AES-GCM nonce, the header's nonce
	gcmTagSize   = 16 // AES-GCM authentication tag, after the ciphertext
	idSigSize    = 64 // "v4" ID signature, R || S
	pubkeySize   = 33 // "v4" ephemeral key, compressed secp256k1 point
)

// Texts mixed into the handshake's hashes.
const (
	idSignatureText  = "discovery v5 identity proof"
	keyAgreementText = "discovery v5 key agreement"
)

// Nonce is the nonce of a message packet: the AES-GCM nonce of its message,
// which a WHOAREYOU repeats to name the packet it answers.
type Nonce [12]byte

// masker applies the header masking, AES-128-CTR, with scratch space kept
// between packets so that it does not allocate.
type masker struct {
	ctr, stream [aes.BlockSize]byte
}

// xor applies the key stream of block and iv, from byte off of the stream
// on, to data. The counter is the IV as a 128-bit big-endian number, as in
// crypto/cipher's CTR mode.
func (m *masker) xor(block cipher.Block, iv []byte, data []byte, off int) {
	hi := binary.BigEndian.Uint64(iv[:8])
	lo := binary.BigEndian.Uint64(iv[8:16])
	next := lo + uint64(off/aes.BlockSize)
	if next < lo {
		hi++
	}
	lo = next
	skip := off % aes.BlockSize
	for len(data) > 0 {
		binary.BigEndian.PutUint64(m.ctr[:8], hi)
		binary.BigEndian.PutUint64(m.ctr[8:], lo)
		block.Encrypt(m.stream[:], m.ctr[:])
		n := subtle.XORBytes(data, data, m.stream[skip:])
		data = data[n:]
		skip = 0
		if lo++; lo == 0 {
			hi++
		}
	}
}

// maskingBlock returns the masking cipher of packets to id: AES-128 keyed
// with the first 16 bytes of the node ID.
func maskingBlock(id enode.ID) cipher.Block {
	b, err := aes.NewCipher(id[:aesKeySize])
	if err != nil {
		panic(err) // cannot happen: the key has a valid size
	}
	return b
}

// newGCM returns AES-128-GCM with 12-byte nonces for key.
func newGCM(key *[aesKeySize]byte) cipher.AEAD {
	b, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // cannot happen: the key has a valid size
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic(err) // cannot happen: AES has 16-byte blocks
	}
	return g
}

// idNonceHash is the hash that the ID signature signs:
// sha256("discovery v5 identity proof" || challenge-data || ephemeral-pubkey || node-id-B).
func idNonceHash(challenge, ephkey []byte, destID enode.ID) [32]byte {
	h := sha256.New()
	h.Write([]byte(idSignatureText))
	h.Write(challenge)
	h.Write(ephkey)
	h.Write(destID[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// makeIDSignature signs the identity proof with our static key: R || S.
func makeIDSignature(key *ecdsa.PrivateKey, challenge, ephkey []byte, destID enode.ID) ([]byte, error) {
	h := idNonceHash(challenge, ephkey, destID)
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return nil, err
	}
	return sig[:idSigSize], nil
}

// s256raw loads a record's "secp256k1" entry, the compressed key, without
// parsing it.
type s256raw []byte

func (s256raw) ENRKey() string { return "secp256k1" }

// verifyIDSignature checks the identity proof of a handshake from node n.
// Only the "v4" scheme has one.
func verifyIDSignature(sig []byte, n *enode.Node, challenge, ephkey []byte, destID enode.ID) error {
	var scheme enr.ID
	if err := n.Load(&scheme); err != nil || scheme != "v4" {
		return fmt.Errorf("%w: identity scheme %q cannot sign a handshake", ErrInvalidNonceSig, string(scheme))
	}
	var key s256raw
	if err := n.Load(&key); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidNonceSig, err)
	}
	if len(sig) != idSigSize {
		return fmt.Errorf("%w: %d bytes, want %d", ErrInvalidNonceSig, len(sig), idSigSize)
	}
	h := idNonceHash(challenge, ephkey, destID)
	if !crypto.VerifySignature(key, h[:], sig) {
		return ErrInvalidNonceSig
	}
	return nil
}

// Package crypto exposes ECDH only as the x coordinate (what RLPx needs);
// discovery v5 uses the whole point, compressed, so the handshake computes
// it here with secp256k1-voi, the pure-Go backend of package crypto, whose
// multiplication by a secret scalar is constant-time.

// scalarFromKey converts a static private key.
func scalarFromKey(key *ecdsa.PrivateKey) (*voi.Scalar, error) {
	d := crypto.FromECDSA(key)
	if d == nil {
		return nil, crypto.ErrInvalidPrivateKey
	}
	return scalarFromBytes(d)
}

// scalarFromBytes parses a 32-byte secret key in [1, N-1].
func scalarFromBytes(d []byte) (*voi.Scalar, error) {
	if len(d) != 32 {
		return nil, crypto.ErrInvalidPrivateKey
	}
	s, err := voi.NewScalarFromCanonicalBytes((*[32]byte)(d))
	if err != nil || s.IsZero() != 0 {
		return nil, crypto.ErrInvalidPrivateKey
	}
	return s, nil
}

// generateEphemeralKey draws an ephemeral secret key from r.
func generateEphemeralKey(r io.Reader) (*voi.Scalar, error) {
	var b [32]byte
	for range 16 {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, err
		}
		if s, err := scalarFromBytes(b[:]); err == nil {
			clear(b[:])
			return s, nil
		}
	}
	return nil, errors.New("v5wire: no valid ephemeral key from random source")
}

// publicKey returns the compressed public key of secret key s.
func publicKey(s *voi.Scalar) [pubkeySize]byte {
	return [pubkeySize]byte(voi.NewIdentityPoint().ScalarBaseMult(s).CompressedBytes())
}

// decodePubkey parses a compressed secp256k1 public key.
func decodePubkey(b []byte) (*voi.Point, error) {
	if len(b) != pubkeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidAuthKey, len(b), pubkeySize)
	}
	p, err := voi.NewPointFromBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidAuthKey, err)
	}
	return p, nil
}

// ecdh returns the shared secret of the handshake: the point priv * pub in
// compressed form. priv is never zero and the group has prime order, so
// the point is never the identity.
func ecdh(priv *voi.Scalar, pub *voi.Point) [pubkeySize]byte {
	return [pubkeySize]byte(voi.NewIdentityPoint().ScalarMult(priv, pub).CompressedBytes())
}

// deriveKeys derives the session keys from the shared secret: HKDF-SHA256
// with the challenge data as salt and
// "discovery v5 key agreement" || node-id-A || node-id-B as info, A being
// the initiator (who sent the handshake). The first key encrypts from A to
// B, the second from B to A.
func deriveKeys(secret, challenge []byte, idA, idB enode.ID) (initiator, recipient [aesKeySize]byte) {
	var info [len(keyAgreementText) + 2*len(enode.ID{})]byte
	n := copy(info[:], keyAgreementText)
	n += copy(info[n:], idA[:])
	copy(info[n:], idB[:])
	okm, err := hkdf.Key(sha256.New, secret, challenge, string(info[:]), 2*aesKeySize)
	if err != nil {
		panic(err) // cannot happen: 32 bytes are well within HKDF's limit
	}
	copy(initiator[:], okm[:aesKeySize])
	copy(recipient[:], okm[aesKeySize:])
	clear(okm)
	return initiator, recipient
}
