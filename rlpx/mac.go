package rlpx

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"

	"github.com/seednet/p2p/crypto"
)

// macState is one direction's frame authentication: a running Keccak-256
// state over all ciphertext sent that way, and AES-256 keyed with the
// mac-secret, which scrambles the digest before it is fed back.
//
// A digest costs a Keccak permutation, the unit of work that bounds the
// transport's speed. Each frame needs the digest of the state as the
// previous frame's MAC left it, which is exactly the digest that MAC
// computed; sum keeps it, so that each frame costs three digests, not four.
type macState struct {
	block cipher.Block
	hash  crypto.KeccakState
	sum   [32]byte // the digest of the current state, when fresh
	fresh bool
	seed  [16]byte
}

func newMACState(block cipher.Block, hash crypto.KeccakState) macState {
	return macState{block: block, hash: hash}
}

// write absorbs b.
func (m *macState) write(b []byte) {
	m.hash.Write(b)
	m.fresh = false
}

func (m *macState) digest() []byte {
	if !m.fresh {
		m.hash.Sum(m.sum[:0])
		m.fresh = true
	}
	return m.sum[:]
}

// header absorbs a header ciphertext and returns the header MAC. The result
// is valid until the next call on m.
//
//	header-mac-seed = aes(mac-secret, digest[:16]) ^ header-ciphertext
//	header-mac      = digest after absorbing header-mac-seed, first 16 bytes
func (m *macState) header(headerCT []byte) []byte {
	m.block.Encrypt(m.seed[:], m.digest())
	subtle.XORBytes(m.seed[:], m.seed[:], headerCT[:16])
	m.write(m.seed[:])
	return m.digest()[:16]
}

// frame returns the frame MAC, after the frame ciphertext has been written
// with write. The result is valid until the next call on m.
//
//	frame-mac-seed = aes(mac-secret, digest[:16]) ^ digest[:16]
//	frame-mac      = digest after absorbing frame-mac-seed, first 16 bytes
func (m *macState) frame() []byte {
	d := m.digest()
	m.block.Encrypt(m.seed[:], d)
	subtle.XORBytes(m.seed[:], m.seed[:], d[:16])
	m.write(m.seed[:])
	return m.digest()[:16]
}

// direction is the cipher state of one direction of a connection.
type direction struct {
	stream cipher.Stream // AES-256-CTR keyed with aes-secret, zero IV
	mac    macState
}

// sessionKeys are what a handshake produces.
type sessionKeys struct {
	aesSecret, macSecret []byte
	egressMAC            crypto.KeccakState
	ingressMAC           crypto.KeccakState
}

// directions builds the egress and ingress cipher states. Both directions
// use the same AES key and a zero IV: that is what the protocol specifies.
func (k *sessionKeys) directions() (egress, ingress direction, err error) {
	block, err := aes.NewCipher(k.aesSecret)
	if err != nil {
		return egress, ingress, err
	}
	iv := make([]byte, block.BlockSize())
	egress.stream = cipher.NewCTR(block, iv)
	ingress.stream = cipher.NewCTR(block, iv)
	// The two directions' MACs use the same key too. A cipher.Block is
	// stateless, so they share one (and so do the two CTR streams above),
	// which saves an idle connection two AES key schedules.
	macBlock, err := aes.NewCipher(k.macSecret)
	if err != nil {
		return egress, ingress, err
	}
	egress.mac = newMACState(macBlock, k.egressMAC)
	ingress.mac = newMACState(macBlock, k.ingressMAC)
	return egress, ingress, nil
}
