// Package ecies implements the Elliptic Curve Integrated Encryption Scheme
// exactly as the RLPx handshake uses it to encrypt its auth and ack messages
// (devp2p rlpx.md, "ECIES Encryption"; EIP-8).
//
// The scheme is fixed, with no parameter negotiation:
//
//   - secp256k1 ECDH between a fresh ephemeral key r and the recipient's key
//     K; the shared secret S is the x coordinate of r*K.
//   - The NIST SP 800-56 concatenation KDF with SHA-256 derives 32 bytes
//     from S and the shared information s1: kE || kM = SHA-256(00000001 || S || s1).
//   - The message is encrypted with AES-128-CTR under kE with a random IV.
//   - The tag is HMAC-SHA256 with key SHA-256(kM) over IV || ciphertext || s2.
//
// A ciphertext is
//
//	R (65 bytes, 0x04 || X || Y of r*G) || IV (16) || AES-128-CTR(m) || tag (32)
//
// so it is always len(m) + [Overhead] bytes. RLPx passes s1 = nil; for EIP-8
// messages, s2 is the 2-byte big-endian size prefix sent before the
// ciphertext, and for the older format s2 = nil.
//
// # Security notes
//
// Decrypt checks that R is on the curve before using the recipient's secret
// key, which defeats invalid-curve attacks, and compares tags in constant
// time before decrypting anything. The tag does not cover R, and the shared
// secret depends only on the x coordinate of the shared point, so replacing
// R by -R (the same X with Y negated) yields another ciphertext that
// decrypts to the same message: ciphertexts are malleable in that one bit,
// as in every implementation of this RLPx scheme. Whether the curve
// arithmetic is constant-time depends on the backend of package crypto;
// see its documentation.
package ecies

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/crypto/internal/secp"
)

// Layout of a ciphertext.
const (
	pubLen = 65 // uncompressed ephemeral public key R
	ivLen  = aes.BlockSize
	tagLen = sha256.Size
	keyLen = 16 // AES-128

	// Overhead is how much longer a ciphertext is than its plaintext.
	Overhead = pubLen + ivLen + tagLen
)

// Errors returned by Encrypt and Decrypt, for use with errors.Is. The
// returned errors may wrap them with details.
var (
	// ErrInvalidMessage: a ciphertext shorter than Overhead.
	ErrInvalidMessage = errors.New("ecies: ciphertext too short")

	// ErrInvalidMAC: the tag does not match, because the ciphertext was
	// altered, is for another key, or s1 or s2 differ from the sender's.
	ErrInvalidMAC = errors.New("ecies: invalid message authentication code")

	// ErrInvalidPublicKey: the recipient's key (Encrypt) or the ephemeral key
	// R in a ciphertext (Decrypt) is malformed or not on the curve. It is the
	// same value as crypto.ErrInvalidPublicKey.
	ErrInvalidPublicKey = crypto.ErrInvalidPublicKey

	// ErrInvalidPrivateKey: the key passed to Decrypt is not a valid
	// secp256k1 key. It is the same value as crypto.ErrInvalidPrivateKey.
	ErrInvalidPrivateKey = crypto.ErrInvalidPrivateKey
)

// Encrypt encrypts m to pub, reading the ephemeral key (32 bytes, more in
// the rare case they are not a valid key) and then the IV (16 bytes) from
// rand. s1 is the KDF shared information and s2 the shared MAC data; both
// may be nil and must be given to Decrypt again. The result is
// len(m) + Overhead bytes.
func Encrypt(rand io.Reader, pub *ecdsa.PublicKey, m, s1, s2 []byte) ([]byte, error) {
	s, err := Prepare(rand, pub)
	if err != nil {
		return nil, err
	}
	return s.Seal(m, s1, s2)
}

// Sealer is one ECIES encryption whose elliptic curve work (the ephemeral
// key and the ECDH with the recipient's key) is done and whose message is
// not yet known. Prepare does the expensive part, Seal the cheap symmetric
// part, so a caller can overlap the first with other work (the RLPx
// handshake does, while it signs the message it will seal). A Sealer is
// for one message: Seal wipes it.
type Sealer struct {
	rand io.Reader
	R    [64]byte // the ephemeral public key, X || Y
	z    [32]byte // the shared secret
	used bool
}

// Prepare generates the ephemeral key for an encryption to pub and agrees
// on the shared secret.
func Prepare(rand io.Reader, pub *ecdsa.PublicKey) (*Sealer, error) {
	enc := crypto.FromECDSAPub(pub)
	if enc == nil {
		return nil, fmt.Errorf("ecies: %w", ErrInvalidPublicKey)
	}
	var recipient [64]byte
	copy(recipient[:], enc[1:])
	s := &Sealer{rand: rand}
	var r [32]byte
	defer clear(r[:])
	var err error
	if s.R, err = ephemeralKey(rand, &r); err != nil {
		return nil, err
	}
	if s.z, err = (secp.Active{}).ECDH(&r, &recipient); err != nil {
		return nil, fmt.Errorf("ecies: recipient key: %w", err)
	}
	return s, nil
}

// Seal encrypts m as Encrypt does, with the prepared key agreement.
func (s *Sealer) Seal(m, s1, s2 []byte) ([]byte, error) {
	if s.used {
		return nil, errors.New("ecies: Sealer used twice")
	}
	s.used = true
	ke, km := deriveKeys(&s.z, s1)
	clear(s.z[:])
	defer clear(ke[:])
	defer clear(km[:])

	ct := make([]byte, pubLen+ivLen+len(m)+tagLen)
	ct[0] = 0x04
	copy(ct[1:pubLen], s.R[:])
	iv := ct[pubLen : pubLen+ivLen]
	if _, err := io.ReadFull(s.rand, iv); err != nil {
		return nil, fmt.Errorf("ecies: reading IV: %w", err)
	}
	body := ct[pubLen+ivLen : len(ct)-tagLen]
	if err := xorKeyStream(body, m, &ke, iv); err != nil {
		return nil, err
	}
	tag := messageTag(&km, ct[pubLen:len(ct)-tagLen], s2)
	copy(ct[len(ct)-tagLen:], tag)
	return ct, nil
}

// Decrypt checks and decrypts a ciphertext made by Encrypt for prv's public
// key, with the same s1 and s2.
func Decrypt(prv *ecdsa.PrivateKey, c, s1, s2 []byte) ([]byte, error) {
	if len(c) < Overhead {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrInvalidMessage, len(c), Overhead)
	}
	if c[0] != 0x04 {
		return nil, fmt.Errorf("ecies: ephemeral key: %w: prefix %#02x, want 0x04", ErrInvalidPublicKey, c[0])
	}
	d := crypto.FromECDSA(prv)
	if d == nil {
		return nil, fmt.Errorf("ecies: %w", ErrInvalidPrivateKey)
	}
	k := [32]byte(d)
	clear(d)
	defer clear(k[:])
	z, err := secp.Active{}.ECDH(&k, (*[64]byte)(c[1:pubLen]))
	switch {
	case errors.Is(err, ErrInvalidPublicKey):
		return nil, fmt.Errorf("ecies: ephemeral key: %w", err)
	case err != nil:
		return nil, fmt.Errorf("ecies: %w", err)
	}
	ke, km := deriveKeys(&z, s1)
	defer clear(ke[:])
	defer clear(km[:])

	authenticated := c[pubLen : len(c)-tagLen] // IV || ciphertext
	if !hmac.Equal(messageTag(&km, authenticated, s2), c[len(c)-tagLen:]) {
		return nil, ErrInvalidMAC
	}
	m := make([]byte, len(authenticated)-ivLen)
	if err := xorKeyStream(m, authenticated[ivLen:], &ke, authenticated[:ivLen]); err != nil {
		return nil, err
	}
	return m, nil
}

// ephemeralKey draws a secret key from rand into r and returns its public key.
func ephemeralKey(rand io.Reader, r *[32]byte) ([64]byte, error) {
	// A 32-byte draw is not a valid key with probability about 2^-128, so
	// running out of attempts means the reader is broken.
	for range 16 {
		if _, err := io.ReadFull(rand, r[:]); err != nil {
			return [64]byte{}, fmt.Errorf("ecies: reading ephemeral key: %w", err)
		}
		R, err := secp.Active{}.PublicKey(r)
		if err == nil {
			return R, nil
		}
	}
	return [64]byte{}, errors.New("ecies: randomness source keeps returning invalid keys")
}

// deriveKeys returns the AES key kE and the MAC key SHA-256(kM) for the
// shared secret z, and clears z.
func deriveKeys(z *[32]byte, s1 []byte) (ke [keyLen]byte, km [sha256.Size]byte) {
	var k [2 * keyLen]byte
	concatKDF(k[:], z[:], s1)
	clear(z[:])
	copy(ke[:], k[:keyLen])
	km = sha256.Sum256(k[keyLen:])
	clear(k[:])
	return ke, km
}

// concatKDF fills out with the NIST SP 800-56A concatenation KDF on SHA-256:
// SHA-256(counter || z || s1) for counter = 1, 2, ... as 32-bit big-endian
// numbers, concatenated.
func concatKDF(out, z, s1 []byte) {
	h := sha256.New()
	var counter [4]byte
	var block [sha256.Size]byte
	for i := uint32(1); len(out) > 0; i++ {
		binary.BigEndian.PutUint32(counter[:], i)
		h.Reset()
		h.Write(counter[:])
		h.Write(z)
		h.Write(s1)
		h.Sum(block[:0])
		out = out[copy(out, block[:]):]
	}
	clear(block[:])
}

// messageTag returns HMAC-SHA256(km, ivAndCiphertext || s2).
func messageTag(km *[sha256.Size]byte, ivAndCiphertext, s2 []byte) []byte {
	mac := hmac.New(sha256.New, km[:])
	mac.Write(ivAndCiphertext)
	mac.Write(s2)
	return mac.Sum(nil)
}

// xorKeyStream writes AES-128-CTR(ke, iv) of src to dst.
func xorKeyStream(dst, src []byte, ke *[keyLen]byte, iv []byte) error {
	block, err := aes.NewCipher(ke[:])
	if err != nil {
		return fmt.Errorf("ecies: %w", err)
	}
	cipher.NewCTR(block, iv).XORKeyStream(dst, src)
	return nil
}
