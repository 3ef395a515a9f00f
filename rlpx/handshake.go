package rlpx

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"github.com/seednet/p2p/crypto/ecies"
	"io"

	"github.com/seednet/p2p/crypto"
)

// handshake is the state of one side of the RLPx handshake.
type handshake struct {
	initiator bool
	random    io.Reader

	remote          *ecdsa.PublicKey // the remote node's static key
	ephemeral       *ecdsa.PrivateKey
	remoteEphemeral *ecdsa.PublicKey
	initNonce       [32]byte
	respNonce       [32]byte
}

// runInitiator performs the initiator's side on conn: send auth, read ack.
//
// The auth's ECIES key agreement does not depend on the auth's content, so
// it runs in a second goroutine while this one signs the auth: on a machine
// with a spare core that takes the cost of one ECDH off the handshake.
func (h *handshake) runInitiator(conn io.ReadWriter, prv *ecdsa.PrivateKey, buf []byte) (sessionKeys, error) {
	sealer := prepareSeal(h.random, h.remote)
	auth, err := h.makeAuth(prv)
	s := <-sealer
	if err != nil {
		return sessionKeys{}, err
	}
	if s.err != nil {
		return sessionKeys{}, s.err
	}
	authPacket, err := sealEIP8(h.random, s.sealer, auth)
	if err != nil {
		return sessionKeys{}, err
	}
	if _, err := conn.Write(authPacket); err != nil {
		return sessionKeys{}, err
	}
	var ack ackMsg
	ackPacket, _, err := readHandshakeMsg(conn, buf, prv, encAckLenV4, ack.decodePlain, &ack)
	if err != nil {
		return sessionKeys{}, fmt.Errorf("reading ack: %w", err)
	}
	if err := h.handleAck(&ack); err != nil {
		return sessionKeys{}, err
	}
	return h.secrets(authPacket, ackPacket)
}

type sealResult struct {
	sealer *ecies.Sealer
	err    error
}

// prepareSeal does the key agreement of an ECIES encryption to pub in a new
// goroutine. The caller must receive from the channel.
func prepareSeal(random io.Reader, pub *ecdsa.PublicKey) <-chan sealResult {
	c := make(chan sealResult, 1)
	go func() {
		s, err := ecies.Prepare(random, pub)
		c <- sealResult{s, err}
	}()
	return c
}

// runRecipient performs the recipient's side on conn: read auth, send ack.
// A pre-EIP-8 auth gets a pre-EIP-8 ack, an EIP-8 auth an EIP-8 one.
//
// The ack does not depend on the initiator's ephemeral key, so it is
// encrypted in a second goroutine while this one recovers that key from the
// auth's signature; the ECDH that needs it comes after the ack is sent.
func (h *handshake) runRecipient(conn io.ReadWriter, prv *ecdsa.PrivateKey, buf []byte) (sessionKeys, error) {
	var auth authMsg
	authPacket, eip8, err := readHandshakeMsg(conn, buf, prv, encAuthLenV4, auth.decodePlain, &auth)
	if err != nil {
		return sessionKeys{}, fmt.Errorf("reading auth: %w", err)
	}
	remote, err := importPublicKey(auth.InitiatorPubkey[:])
	if err != nil {
		return sessionKeys{}, fmt.Errorf("%w: initiator key: %w", ErrBadHandshake, err)
	}
	h.remote = remote
	ackc := make(chan sealResult, 1)
	var ackPacket []byte
	go func() {
		var err error
		ackPacket, err = h.sealAck(eip8)
		ackc <- sealResult{err: err}
	}()
	err = h.handleAuth(&auth, prv)
	if r := <-ackc; err == nil {
		err = r.err
	}
	if err != nil {
		return sessionKeys{}, err
	}
	if _, err := conn.Write(ackPacket); err != nil {
		return sessionKeys{}, err
	}
	return h.secrets(authPacket, ackPacket)
}

// sealAck makes and encrypts the ack, in the form of the auth.
func (h *handshake) sealAck(eip8 bool) ([]byte, error) {
	ack, err := h.makeAck()
	if err != nil {
		return nil, err
	}
	if eip8 {
		s, err := ecies.Prepare(h.random, h.remote)
		if err != nil {
			return nil, err
		}
		return sealEIP8(h.random, s, ack)
	}
	return sealPlain(h.random, ack.encodePlain(), h.remote)
}

// makeAuth builds the auth message. The initiator proves it holds the
// ephemeral key by signing static-shared-secret ^ initiator-nonce with it.
func (h *handshake) makeAuth(prv *ecdsa.PrivateKey) (*authMsg, error) {
	if err := h.fillRandom(&h.initNonce); err != nil {
		return nil, err
	}
	if err := h.makeEphemeral(); err != nil {
		return nil, err
	}
	token, err := crypto.ECDH(prv, h.remote)
	if err != nil {
		return nil, err
	}
	subtle.XORBytes(token, token, h.initNonce[:])
	sig, err := crypto.Sign(token, h.ephemeral)
	if err != nil {
		return nil, err
	}
	msg := &authMsg{Version: handshakeVersion, Nonce: h.initNonce}
	copy(msg.Signature[:], sig)
	msg.InitiatorPubkey = exportPublicKey(&prv.PublicKey)
	return msg, nil
}

// handleAuth takes in the initiator's auth message and recovers its
// ephemeral key from the signature.
func (h *handshake) handleAuth(msg *authMsg, prv *ecdsa.PrivateKey) error {
	if h.remote == nil {
		remote, err := importPublicKey(msg.InitiatorPubkey[:])
		if err != nil {
			return fmt.Errorf("%w: initiator key: %w", ErrBadHandshake, err)
		}
		h.remote = remote
	}
	h.initNonce = msg.Nonce
	token, err := crypto.ECDH(prv, h.remote)
	if err != nil {
		return err
	}
	subtle.XORBytes(token, token, h.initNonce[:])
	h.remoteEphemeral, err = crypto.SigToPub(token, msg.Signature[:])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

func (h *handshake) makeAck() (*ackMsg, error) {
	if err := h.fillRandom(&h.respNonce); err != nil {
		return nil, err
	}
	if err := h.makeEphemeral(); err != nil {
		return nil, err
	}
	return &ackMsg{
		EphemeralPubkey: exportPublicKey(&h.ephemeral.PublicKey),
		Nonce:           h.respNonce,
		Version:         handshakeVersion,
	}, nil
}

func (h *handshake) handleAck(msg *ackMsg) error {
	pub, err := importPublicKey(msg.EphemeralPubkey[:])
	if err != nil {
		return fmt.Errorf("%w: ephemeral key: %w", ErrBadHandshake, err)
	}
	h.remoteEphemeral = pub
	h.respNonce = msg.Nonce
	return nil
}

// makeEphemeral generates the ephemeral key unless a test has set it.
func (h *handshake) makeEphemeral() error {
	if h.ephemeral != nil {
		return nil
	}
	var err error
	h.ephemeral, err = crypto.GenerateKey()
	return err
}

// fillRandom fills a nonce unless a test has set it already.
func (h *handshake) fillRandom(nonce *[32]byte) error {
	if *nonce != ([32]byte{}) {
		return nil
	}
	_, err := io.ReadFull(h.random, nonce[:])
	return err
}

// secrets derives the session keys from the exchanged messages:
//
//	shared-secret = keccak256(ephemeral-key || keccak256(resp-nonce || init-nonce))
//	aes-secret    = keccak256(ephemeral-key || shared-secret)
//	mac-secret    = keccak256(ephemeral-key || aes-secret)
//
// and seeds the two MAC states with (mac-secret ^ nonce) || message.
func (h *handshake) secrets(auth, ack []byte) (sessionKeys, error) {
	ecdhe, err := crypto.ECDH(h.ephemeral, h.remoteEphemeral)
	if err != nil {
		return sessionKeys{}, err
	}
	shared := crypto.Keccak256(ecdhe, crypto.Keccak256(h.respNonce[:], h.initNonce[:]))
	k := sessionKeys{aesSecret: crypto.Keccak256(ecdhe, shared)}
	k.macSecret = crypto.Keccak256(ecdhe, k.aesSecret)

	var seed [32]byte
	mac1 := crypto.NewKeccakState()
	subtle.XORBytes(seed[:], k.macSecret, h.respNonce[:])
	mac1.Write(seed[:])
	mac1.Write(auth)
	mac2 := crypto.NewKeccakState()
	subtle.XORBytes(seed[:], k.macSecret, h.initNonce[:])
	mac2.Write(seed[:])
	mac2.Write(ack)
	if h.initiator {
		k.egressMAC, k.ingressMAC = mac1, mac2
	} else {
		k.egressMAC, k.ingressMAC = mac2, mac1
	}
	return k, nil
}

// newHandshake prepares a handshake; the ephemeral key is made when needed.
func newHandshake(initiator bool, remote *ecdsa.PublicKey) (*handshake, error) {
	return &handshake{initiator: initiator, remote: remote, random: rand.Reader}, nil
}
