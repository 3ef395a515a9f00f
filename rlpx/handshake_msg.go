package rlpx

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/crypto/ecies"
	"github.com/seednet/p2p/rlp"
)

// Sizes of the handshake messages.
//
// Pre-EIP-8 auth body (194 bytes), ECIES-encrypted to 307 bytes:
//
//	signature (65) || keccak256(ephemeral-pubk) (32) || initiator-pubk (64) || nonce (32) || 0x00
//
// Pre-EIP-8 ack body (97 bytes), ECIES-encrypted to 210 bytes:
//
//	ephemeral-pubk (64) || nonce (32) || 0x00
//
// EIP-8 messages are size (2 bytes, big endian) || ECIES(rlp-list || padding),
// where the size prefix is the ECIES shared MAC data.
const (
	plainAuthLen = 65 + 32 + 64 + 32 + 1
	plainAckLen  = 64 + 32 + 1
	encAuthLenV4 = plainAuthLen + ecies.Overhead // 307
	encAckLenV4  = plainAckLen + ecies.Overhead  // 210

	// maxHandshakeSize is the largest EIP-8 size prefix accepted. geth
	// sends messages of a few hundred bytes; the limit keeps what a peer can
	// make us read and decrypt before it has authenticated small.
	maxHandshakeSize = 2048

	handshakeVersion = 4

	// minPadding and maxPadding bound the random padding of the EIP-8
	// messages we send. Padding lets a future version add fields without
	// the messages becoming recognisable by size.
	minPadding = 100
	maxPadding = 200
)

// Errors of the handshake.
var (
	ErrHandshakeTooLarge = errors.New("rlpx: handshake message larger than 2048 bytes")
	ErrBadHandshake      = errors.New("rlpx: malformed handshake message")
	ErrBadSignature      = errors.New("rlpx: invalid auth signature")
)

// authMsg is the initiator's first message: [sig, initiator-pubk, nonce, version, ...].
type authMsg struct {
	Signature       [65]byte
	InitiatorPubkey [64]byte
	Nonce           [32]byte
	Version         uint
	Rest            []rlp.RawValue `rlp:"tail"` // EIP-8: later versions may add elements
}

// ackMsg is the recipient's answer: [ephemeral-pubk, nonce, version, ...].
type ackMsg struct {
	EphemeralPubkey [64]byte
	Nonce           [32]byte
	Version         uint
	Rest            []rlp.RawValue `rlp:"tail"`
}

func (m *authMsg) decodePlain(b []byte) {
	copy(m.Signature[:], b[:65])
	// b[65:97] is keccak256(ephemeral-pubk), redundant with the signature:
	// it is ignored, as every implementation does.
	copy(m.InitiatorPubkey[:], b[97:161])
	copy(m.Nonce[:], b[161:193])
	m.Version = handshakeVersion
}

func (m *ackMsg) decodePlain(b []byte) {
	copy(m.EphemeralPubkey[:], b[:64])
	copy(m.Nonce[:], b[64:96])
	m.Version = handshakeVersion
}

func (m *ackMsg) encodePlain() []byte {
	b := make([]byte, plainAckLen)
	copy(b, m.EphemeralPubkey[:])
	copy(b[64:], m.Nonce[:])
	return b
}

// sealEIP8 encodes msg as an EIP-8 handshake message, encrypted with s.
func sealEIP8(random io.Reader, s *ecies.Sealer, msg any) ([]byte, error) {
	body, err := rlp.EncodeToBytes(msg)
	if err != nil {
		return nil, err
	}
	pad := minPadding + mrand.IntN(maxPadding-minPadding+1)
	plain := make([]byte, len(body)+pad)
	copy(plain, body)
	if _, err := io.ReadFull(random, plain[len(body):]); err != nil {
		return nil, err
	}
	size := len(plain) + ecies.Overhead
	prefix := binary.BigEndian.AppendUint16(make([]byte, 0, 2+size), uint16(size))
	enc, err := s.Seal(plain, nil, prefix)
	if err != nil {
		return nil, err
	}
	return append(prefix, enc...), nil
}

// sealPlain encrypts a pre-EIP-8 message body.
func sealPlain(random io.Reader, plain []byte, pub *ecdsa.PublicKey) ([]byte, error) {
	return ecies.Encrypt(random, pub, plain, nil, nil)
}

// readHandshakeMsg reads one auth or ack message from r into buf and
// decrypts it with prv. plainSize is the encrypted size of the pre-EIP-8
// form of the message (307 for auth, 210 for ack); decodePlain decodes that
// form, and msg receives the EIP-8 form. It returns the whole message as it
// was on the wire (needed to seed the MACs) and whether it was EIP-8.
//
// Both forms can start with the byte 0x04: a pre-EIP-8 message is an ECIES
// ciphertext, which starts with an uncompressed public key, and an EIP-8
// size prefix between 1024 and 1279 does too. So when the first byte is
// 0x04, the pre-EIP-8 form is tried first (both forms are at least
// plainSize bytes long then, so reading that many cannot block on a shorter
// message); any other first byte can only be EIP-8, which saves an ECDH.
func readHandshakeMsg(r io.Reader, buf []byte, prv *ecdsa.PrivateKey, plainSize int, decodePlain func([]byte), msg any) (packet []byte, eip8 bool, err error) {
	if _, err := io.ReadFull(r, buf[:2]); err != nil {
		return nil, false, err
	}
	have := 2
	if buf[0] == 0x04 {
		if _, err := io.ReadFull(r, buf[2:plainSize]); err != nil {
			return nil, false, err
		}
		have = plainSize
		if plain, err := ecies.Decrypt(prv, buf[:plainSize], nil, nil); err == nil {
			if len(plain) != plainSize-ecies.Overhead {
				return nil, false, ErrBadHandshake
			}
			decodePlain(plain)
			return buf[:plainSize], false, nil
		}
	}
	size := int(binary.BigEndian.Uint16(buf[:2]))
	if size > maxHandshakeSize {
		return nil, true, ErrHandshakeTooLarge
	}
	total := 2 + size
	if total < have {
		return nil, true, ErrBadHandshake
	}
	if _, err := io.ReadFull(r, buf[have:total]); err != nil {
		return nil, true, err
	}
	plain, err := ecies.Decrypt(prv, buf[2:total], nil, buf[:2])
	if err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrBadHandshake, err)
	}
	// The body is followed by padding: decode the first value only.
	s := rlp.NewStream(bytes.NewReader(plain), uint64(len(plain)))
	if err := s.Decode(msg); err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrBadHandshake, err)
	}
	return buf[:total], true, nil
}

// importPublicKey parses a 64-byte public key (X || Y, no 0x04 prefix) as
// the handshake messages carry them.
func importPublicKey(b []byte) (*ecdsa.PublicKey, error) {
	var full [65]byte
	full[0] = 4
	copy(full[1:], b)
	return crypto.UnmarshalPubkey(full[:])
}

func exportPublicKey(pub *ecdsa.PublicKey) (out [64]byte) {
	copy(out[:], crypto.FromECDSAPub(pub)[1:])
	return out
}
