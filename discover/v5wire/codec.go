package v5wire

import (
	"crypto/cipher"
	"crypto/ecdsa"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	voi "gitlab.com/yawning/secp256k1-voi"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/rlp"
)

// Defaults of Config.
const (
	DefaultMaxSessions      = 1024
	DefaultMaxSessionsPerIP = 128
	DefaultMaxChallenges    = 1024
	DefaultChallengeTimeout = time.Second
)

// DefaultProtocolID is the protocol id of the static header.
var DefaultProtocolID = [6]byte{'d', 'i', 's', 'c', 'v', '5'}

// Config configures a Codec. The zero value is usable.
type Config struct {
	// ValidSchemes are the identity schemes that node records in
	// handshakes (and in NODES, see Nodes.VerifiedNodes) must verify
	// against. Nil means enode.ValidSchemes.
	ValidSchemes enr.IdentityScheme
	// Clock gives the time at which challenges are sent and expire. Nil
	// means time.Now.
	Clock func() time.Time
	// ProtocolID replaces "discv5" in the static header, to keep a test
	// network apart. Nil means DefaultProtocolID.
	ProtocolID *[6]byte
	// MaxSessions bounds the session cache; the least recently used
	// session goes when it is full. Zero means DefaultMaxSessions.
	MaxSessions int
	// MaxSessionsPerIP bounds the sessions with nodes at one IP address;
	// the least recently used of them goes when a new one would exceed
	// it. Zero means DefaultMaxSessionsPerIP.
	MaxSessionsPerIP int
	// MaxChallenges bounds the store of WHOAREYOU challenges we sent; the
	// oldest goes when it is full. Zero means DefaultMaxChallenges.
	MaxChallenges int
	// ChallengeTimeout is how long a challenge we sent can be answered by
	// a handshake. Zero means DefaultChallengeTimeout.
	ChallengeTimeout time.Duration
}

func (cfg Config) withDefaults() Config {
	if cfg.ValidSchemes == nil {
		cfg.ValidSchemes = enode.ValidSchemes
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.ProtocolID == nil {
		id := DefaultProtocolID
		cfg.ProtocolID = &id
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxSessionsPerIP <= 0 {
		cfg.MaxSessionsPerIP = DefaultMaxSessionsPerIP
	}
	if cfg.MaxChallenges <= 0 {
		cfg.MaxChallenges = DefaultMaxChallenges
	}
	if cfg.ChallengeTimeout <= 0 {
		cfg.ChallengeTimeout = DefaultChallengeTimeout
	}
	return cfg
}

// Codec encodes and decodes the packets of one local node, and keeps the
// sessions and challenges they establish. It is not safe for concurrent
// use: the protocol's loop owns it.
type Codec struct {
	ln         *enode.LocalNode
	key        *ecdsa.PrivateKey
	localID    enode.ID
	localKey   *voi.Scalar // key as a scalar, for the handshake's ECDH
	schemes    enr.IdentityScheme
	protocolID [6]byte
	sc         *sessionCache

	// rng gives masking IVs, the random part of nonces and random
	// messages: values that must be unique and unpredictable but are
	// not secret. Ephemeral keys come from crypto/rand.
	rng *rand.ChaCha8

	unmask cipher.Block // masking cipher of packets to us
	mask   masker       // scratch of the masking

	// Encode's buffers. The packet returned by Encode is encbuf.
	encbuf []byte
	msgbuf []byte // message plaintext

	// Decode's buffers.
	decbuf [MaxPacketSize]byte
	decmsg []byte // decrypted message
}

// NewCodec makes a codec for the local node ln with private key key, with
// the defaults of Config but for the clock and protocol id (nil for the
// defaults). It matches go-ethereum's constructor, with the clock of this
// library; NewCodecWithConfig takes all settings.
func NewCodec(ln *enode.LocalNode, key *ecdsa.PrivateKey, clock func() time.Time, protocolID *[6]byte) *Codec {
	return NewCodecWithConfig(ln, key, Config{Clock: clock, ProtocolID: protocolID})
}

// NewCodecWithConfig makes a codec for the local node ln with private key
// key, which must be ln's key. It panics if key is not a valid secp256k1
// key, a programming error.
func NewCodecWithConfig(ln *enode.LocalNode, key *ecdsa.PrivateKey, cfg Config) *Codec {
	cfg = cfg.withDefaults()
	s, err := scalarFromKey(key)
	if err != nil {
		panic(fmt.Sprintf("v5wire: invalid private key: %v", err))
	}
	var seed [32]byte
	crand.Read(seed[:])
	c := &Codec{
		ln:         ln,
		key:        key,
		localID:    ln.ID(),
		localKey:   s,
		schemes:    cfg.ValidSchemes,
		protocolID: *cfg.ProtocolID,
		sc:         newSessionCache(cfg.MaxSessions, cfg.MaxChallenges, cfg.ChallengeTimeout, cfg.Clock),
		rng:        rand.NewChaCha8(seed),
		unmask:     maskingBlock(ln.ID()),
		encbuf:     make([]byte, 0, MaxPacketSize+gcmTagSize),
		msgbuf:     make([]byte, 0, MaxPacketSize),
		decmsg:     make([]byte, 0, MaxPacketSize),
	}
	c.sc.maxPerIP = cfg.MaxSessionsPerIP
	return c
}

// CurrentChallenge returns the WHOAREYOU we sent to id at addr that is
// still waiting for its handshake, or nil. The protocol sends it again
// (Encode) when the node sends another message packet meanwhile.
func (c *Codec) CurrentChallenge(id enode.ID, addr netip.AddrPort) *Whoareyou {
	return c.sc.challenge(newSessionID(id, addr))
}

// SessionNode returns the record of the node that we have a session with at
// addr, as of the handshake, or nil if there is no session.
func (c *Codec) SessionNode(id enode.ID, addr netip.AddrPort) *enode.Node {
	if s := c.sc.session(newSessionID(id, addr)); s != nil {
		return s.node
	}
	return nil
}

// Encode makes a packet to node id at addr. It returns the packet, which
// stays valid until the next call of Encode, and its nonce, which a
// WHOAREYOU in answer will carry.
//
//   - A *Whoareyou is encoded as a WHOAREYOU packet and stored as the
//     challenge that a handshake from id at addr must answer (see
//     CurrentChallenge); its ChallengeData is set. A Whoareyou whose
//     ChallengeData is already set is sent again as it was.
//   - With a challenge (the WHOAREYOU that id sent us, with Node set to
//     id's record), p is sent in a handshake packet that establishes a
//     new session; our record goes with it if the challenge's RecordSeq
//     is older than ours.
//   - Otherwise p is sent in a message packet under the session with id
//     at addr. If there is none, the packet carries random data instead,
//     which id answers with WHOAREYOU: the caller then sends p again with
//     that challenge.
//
// Encode fails with ErrPacketTooLarge if p does not fit in a packet and
// with ErrInvalidReqID if its request ID is too long.
func (c *Codec) Encode(id enode.ID, addr netip.AddrPort, p Packet, challenge *Whoareyou) ([]byte, Nonce, error) {
	if p == nil {
		return nil, Nonce{}, errors.New("v5wire: nil packet")
	}
	k := newSessionID(id, addr)
	var iv [sizeofMaskingIV]byte
	c.rng.Read(iv[:])
	if w, ok := p.(*Whoareyou); ok {
		if len(w.ChallengeData) > 0 {
			return c.resendWhoareyou(id, w)
		}
		return c.encodeWhoareyou(k, w, &iv)
	}
	if p.Kind() == UnknownPacket {
		return nil, Nonce{}, errors.New("v5wire: cannot encode an Unknown packet")
	}
	var rnd [8]byte
	c.rng.Read(rnd[:])
	if challenge != nil {
		eph, err := generateEphemeralKey(crand.Reader)
		if err != nil {
			return nil, Nonce{}, err
		}
		// The nonce of a new session's first message.
		var nonce Nonce
		nonce[3] = 1
		copy(nonce[4:], rnd[:])
		return c.encodeHandshake(k, p, challenge, &iv, eph, &nonce)
	}
	s := c.sc.session(k)
	if s != nil {
		nonce, ok := s.nextNonce(rnd)
		if ok {
			return c.encodeMessage(k, s, p, &iv, &nonce)
		}
		// Every nonce of the session is used: start over.
		c.sc.deleteSession(k)
	}
	return c.encodeRandom(k, &iv)
}

// appendHeader appends the unmasked masking IV and static header.
func (c *Codec) appendHeader(b []byte, iv *[sizeofMaskingIV]byte, flag byte, nonce *Nonce, authsize int) []byte {
	b = append(b, iv[:]...)
	b = append(b, c.protocolID[:]...)
	b = binary.BigEndian.AppendUint16(b, version)
	b = append(b, flag)
	b = append(b, nonce[:]...)
	return binary.BigEndian.AppendUint16(b, uint16(authsize))
}

// maskHeader masks the header of packet b, which ends at hlen.
func (c *Codec) maskHeader(block cipher.Block, b []byte, hlen int) {
	c.mask.xor(block, b[:sizeofMaskingIV], b[sizeofMaskingIV:hlen], 0)
}

// encodeWhoareyou encodes a new challenge and stores it.
func (c *Codec) encodeWhoareyou(k sessionID, w *Whoareyou, iv *[sizeofMaskingIV]byte) ([]byte, Nonce, error) {
	if w.RecordSeq > 0 && w.Node == nil {
		return nil, Nonce{}, errors.New("v5wire: WHOAREYOU with RecordSeq but no Node")
	}
	b := c.appendHeader(c.encbuf[:0], iv, flagWhoareyou, &w.Nonce, sizeofWhoareyouAuthData)
	b = append(b, w.IDNonce[:]...)
	b = binary.BigEndian.AppendUint64(b, w.RecordSeq)
	w.ChallengeData = append([]byte(nil), b...)
	c.maskHeader(maskingBlock(k.id), b, len(b))
	c.encbuf = b
	c.sc.storeChallenge(k, w)
	return b, w.Nonce, nil
}

// resendWhoareyou masks a challenge again.
func (c *Codec) resendWhoareyou(id enode.ID, w *Whoareyou) ([]byte, Nonce, error) {
	if len(w.ChallengeData) != sizeofStaticPacketData+sizeofWhoareyouAuthData {
		return nil, Nonce{}, fmt.Errorf("v5wire: WHOAREYOU challenge data of %d bytes", len(w.ChallengeData))
	}
	b := append(c.encbuf[:0], w.ChallengeData...)
	c.maskHeader(maskingBlock(id), b, len(b))
	c.encbuf = b
	return b, w.Nonce, nil
}

// encodeRandom encodes a message packet with a random nonce and random
// message, which starts a handshake.
func (c *Codec) encodeRandom(k sessionID, iv *[sizeofMaskingIV]byte) ([]byte, Nonce, error) {
	var nonce Nonce
	c.rng.Read(nonce[:])
	b := c.appendHeader(c.encbuf[:0], iv, flagMessage, &nonce, sizeofMessageAuthData)
	b = append(b, c.localID[:]...)
	hlen := len(b)
	b = b[:hlen+randomPacketMsgSize]
	c.rng.Read(b[hlen:])
	c.maskHeader(maskingBlock(k.id), b, hlen)
	c.encbuf = b
	return b, nonce, nil
}

// encodeMessage encodes p in a message packet under session s.
func (c *Codec) encodeMessage(k sessionID, s *session, p Packet, iv *[sizeofMaskingIV]byte, nonce *Nonce) ([]byte, Nonce, error) {
	b := c.appendHeader(c.encbuf[:0], iv, flagMessage, nonce, sizeofMessageAuthData)
	b = append(b, c.localID[:]...)
	b, err := c.seal(b, s, p)
	if err != nil {
		return nil, Nonce{}, err
	}
	return b, *nonce, nil
}

// seal encrypts p under s after the header in b, masks the header and keeps
// b as the encoding buffer.
func (c *Codec) seal(b []byte, s *session, p Packet) ([]byte, error) {
	msg, err := appendMessage(c.msgbuf[:0], p)
	c.msgbuf = msg[:0]
	if err != nil {
		return nil, err
	}
	hlen := len(b)
	if size := hlen + len(msg) + gcmTagSize; size > MaxPacketSize {
		return nil, fmt.Errorf("%w: %s in %d bytes", ErrPacketTooLarge, p.Name(), size)
	}
	nonce := b[offsetNonce : offsetNonce+gcmNonceSize]
	b = s.writeAEAD.Seal(b, nonce, msg, b[:hlen])
	c.maskHeader(s.mask, b, hlen)
	c.encbuf = b
	return b, nil
}

// encodeHandshake encodes p in a handshake packet that answers challenge,
// with the given ephemeral key and nonce, and stores the new session.
func (c *Codec) encodeHandshake(k sessionID, p Packet, challenge *Whoareyou, iv *[sizeofMaskingIV]byte, eph *voi.Scalar, nonce *Nonce) ([]byte, Nonce, error) {
	if challenge.Node == nil {
		return nil, Nonce{}, errors.New("v5wire: challenge without the Node of its sender")
	}
	if len(challenge.ChallengeData) == 0 {
		return nil, Nonce{}, errors.New("v5wire: challenge without ChallengeData")
	}
	var remoteKey s256raw
	if err := challenge.Node.Load(&remoteKey); err != nil {
		return nil, Nonce{}, fmt.Errorf("v5wire: no secp256k1 key of the recipient: %w", err)
	}
	remotePub, err := decodePubkey(remoteKey)
	if err != nil {
		return nil, Nonce{}, fmt.Errorf("v5wire: recipient's key: %w", err)
	}
	cdata := challenge.ChallengeData
	ephPub := publicKey(eph)
	idsig, err := makeIDSignature(c.key, cdata, ephPub[:], k.id)
	if err != nil {
		return nil, Nonce{}, fmt.Errorf("v5wire: signing the handshake: %w", err)
	}
	secret := ecdh(eph, remotePub)
	wkey, rkey := deriveKeys(secret[:], cdata, c.localID, k.id)
	clear(secret[:])
	s := newSession(k.id, wkey, rkey, challenge.Node)
	s.nonceCounter = binary.BigEndian.Uint32(nonce[:4])

	var record []byte
	if self := c.ln.Node(); challenge.RecordSeq < self.Seq() {
		// The record lies in msgbuf until it is copied into the
		// packet; seal reuses msgbuf after that.
		w := appendWriter(c.msgbuf[:0])
		if err := self.Record().EncodeRLP(&w); err != nil {
			return nil, Nonce{}, fmt.Errorf("v5wire: encoding our record: %w", err)
		}
		record = w
	}
	authsize := sizeofHandshakeAuthHead + idSigSize + pubkeySize + len(record)
	b := c.appendHeader(c.encbuf[:0], iv, flagHandshake, nonce, authsize)
	b = append(b, c.localID[:]...)
	b = append(b, idSigSize, pubkeySize)
	b = append(b, idsig...)
	b = append(b, ephPub[:]...)
	b = append(b, record...)
	b, err = c.seal(b, s, p)
	if err != nil {
		return nil, Nonce{}, err
	}
	c.sc.storeSession(k, s)
	return b, *nonce, nil
}

// Decode reads a packet that came from addr. It returns the sender's node ID
// (zero for WHOAREYOU, which does not carry it), the sender's node if the
// packet completed a handshake, and the packet: a *Whoareyou, an *Unknown
// for a message packet that we cannot decrypt (the caller answers with
// WHOAREYOU), or a message. The packet does not alias input, which Decode
// does not modify.
//
// Errors wrap the sentinels of this package (see ErrPacketTooSmall and the
// others) for errors.Is; the source ID is returned with them when it is
// known. A handshake whose message is authenticated but does not decode
// still establishes the session and returns the node with the error.
func (c *Codec) Decode(input []byte, addr netip.AddrPort) (src enode.ID, n *enode.Node, p Packet, err error) {
	if len(input) < MinPacketSize {
		return src, nil, nil, fmt.Errorf("%w: %d bytes", ErrPacketTooSmall, len(input))
	}
	if len(input) > MaxPacketSize {
		return src, nil, nil, fmt.Errorf("%w: %d bytes", ErrPacketTooLarge, len(input))
	}
	b := c.decbuf[:len(input)]
	copy(b, input)
	iv := b[:sizeofMaskingIV]
	c.mask.xor(c.unmask, iv, b[sizeofMaskingIV:sizeofStaticPacketData], 0)
	if [6]byte(b[offsetProtocolID:]) != c.protocolID {
		return src, nil, nil, ErrInvalidHeader
	}
	if v := binary.BigEndian.Uint16(b[offsetVersion:]); v < minVersion {
		return src, nil, nil, fmt.Errorf("%w: %d", ErrInvalidVersion, v)
	}
	flag := b[offsetFlag]
	if flag > flagHandshake {
		return src, nil, nil, fmt.Errorf("%w: %d", ErrInvalidFlag, flag)
	}
	authsize := int(binary.BigEndian.Uint16(b[offsetAuthSize:]))
	remaining := len(b) - sizeofStaticPacketData
	if flag != flagWhoareyou && remaining < minMessageSize {
		return src, nil, nil, fmt.Errorf("%w: %d bytes after the static header", ErrMsgTooShort, remaining)
	}
	if authsize > remaining {
		return src, nil, nil, fmt.Errorf("%w: %d bytes, %d left in packet", ErrInvalidAuthSize, authsize, remaining)
	}
	hlen := sizeofStaticPacketData + authsize
	c.mask.xor(c.unmask, iv, b[sizeofStaticPacketData:hlen], sizeofStaticHeader)
	header, auth, msg := b[:hlen], b[sizeofStaticPacketData:hlen], b[hlen:]
	nonce := Nonce(b[offsetNonce:])
	k := newSessionID(enode.ID{}, addr)

	switch flag {
	case flagWhoareyou:
		w, err := decodeWhoareyou(header, auth, &nonce)
		if err != nil {
			return src, nil, nil, err
		}
		return src, nil, w, nil
	case flagMessage:
		if authsize != sizeofMessageAuthData {
			return src, nil, nil, fmt.Errorf("%w: %d bytes for a message packet", ErrInvalidAuthSize, authsize)
		}
		k.id = enode.ID(auth)
		p, err = c.decodeMessagePacket(k, header, msg, &nonce)
		return k.id, nil, p, err
	default:
		return c.decodeHandshake(k, header, auth, msg)
	}
}

// decodeWhoareyou reads the authdata of a WHOAREYOU. Bytes after it are
// ignored, as go-ethereum ignores them.
func decodeWhoareyou(header, auth []byte, nonce *Nonce) (*Whoareyou, error) {
	if len(auth) != sizeofWhoareyouAuthData {
		return nil, fmt.Errorf("%w: %d bytes for WHOAREYOU", ErrInvalidAuthSize, len(auth))
	}
	a := new(struct {
		w     Whoareyou
		cdata [sizeofStaticPacketData + sizeofWhoareyouAuthData]byte
	})
	a.w = Whoareyou{
		Nonce:         *nonce,
		IDNonce:       [16]byte(auth),
		RecordSeq:     binary.BigEndian.Uint64(auth[16:]),
		ChallengeData: a.cdata[:],
	}
	copy(a.cdata[:], header)
	return &a.w, nil
}

// decodeMessagePacket decrypts and decodes the message of a message packet.
func (c *Codec) decodeMessagePacket(k sessionID, header, msg []byte, nonce *Nonce) (Packet, error) {
	s := c.sc.session(k)
	if s == nil {
		return &Unknown{Nonce: *nonce, Reason: ErrUnknownSession}, nil
	}
	gcmNonce := header[offsetNonce : offsetNonce+gcmNonceSize]
	pt, err := s.readAEAD.Open(c.decmsg[:0], gcmNonce, msg, header)
	if err != nil && s.prev != nil {
		// The sender may use the session this one replaced (crossed
		// handshakes, see storeSession).
		if pt, err = s.prev.readAEAD.Open(c.decmsg[:0], gcmNonce, msg, header); err == nil {
			s = c.sc.promote(k, s)
		}
	}
	if err != nil {
		return &Unknown{Nonce: *nonce, Reason: ErrMessageDecrypt}, nil
	}
	if s.seen(nonce) {
		c.decmsg = pt[:0]
		return nil, ErrReplayedNonce
	}
	return c.decodePlaintext(pt)
}

// decodePlaintext decodes a decrypted message.
func (c *Codec) decodePlaintext(pt []byte) (Packet, error) {
	c.decmsg = pt[:0]
	if len(pt) == 0 {
		return nil, ErrEmptyMessage
	}
	return decodeMessage(pt[0], pt[1:], c.schemes)
}

// decodeHandshake checks a handshake packet against the challenge we sent,
// derives the session keys and decrypts its message.
func (c *Codec) decodeHandshake(k sessionID, header, auth, msg []byte) (enode.ID, *enode.Node, Packet, error) {
	if len(auth) < sizeofHandshakeAuthHead {
		return k.id, nil, nil, fmt.Errorf("%w: %d bytes for a handshake", ErrInvalidAuthSize, len(auth))
	}
	k.id = enode.ID(auth)
	sigsize, keysize := int(auth[32]), int(auth[33])
	vardata := auth[sizeofHandshakeAuthHead:]
	if sigsize+keysize > len(vardata) {
		return k.id, nil, nil, fmt.Errorf("%w: %d bytes for a %d-byte signature and %d-byte key", ErrInvalidAuthSize, len(auth), sigsize, keysize)
	}
	if len(msg) < gcmTagSize {
		return k.id, nil, nil, fmt.Errorf("%w: %d bytes of message", ErrMsgTooShort, len(msg))
	}
	sig, ephkey, record := vardata[:sigsize], vardata[sigsize:sigsize+keysize], vardata[sigsize+keysize:]

	challenge := c.sc.challenge(k)
	if challenge == nil {
		return k.id, nil, nil, ErrUnexpectedHandshake
	}
	ephPub, err := decodePubkey(ephkey)
	if err != nil {
		return k.id, nil, nil, err
	}
	node, err := c.handshakeNode(challenge.Node, k.id, record)
	if err != nil {
		return k.id, nil, nil, err
	}
	cdata := challenge.ChallengeData
	if err := verifyIDSignature(sig, node, cdata, ephkey, c.localID); err != nil {
		return k.id, nil, nil, err
	}
	secret := ecdh(c.localKey, ephPub)
	rkey, wkey := deriveKeys(secret[:], cdata, k.id, c.localID)
	clear(secret[:])
	s := newSession(k.id, wkey, rkey, node)

	nonce := header[offsetNonce : offsetNonce+gcmNonceSize]
	pt, err := s.readAEAD.Open(c.decmsg[:0], nonce, msg, header)
	if err != nil {
		return k.id, nil, nil, ErrMessageDecrypt
	}
	// The handshake is complete: the challenge is used up.
	s.seen((*Nonce)(nonce))
	c.sc.storeSession(k, s)
	c.sc.deleteChallenge(k)
	p, err := c.decodePlaintext(pt)
	return k.id, node, p, err
}

// handshakeNode returns the sender's node: from the record in the
// handshake, if there is one newer than what we know, else what we know.
func (c *Codec) handshakeNode(known *enode.Node, src enode.ID, record []byte) (*enode.Node, error) {
	if len(record) > 0 {
		var r enr.Record
		if err := rlp.DecodeBytes(record, &r); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
		}
		if known == nil || known.Seq() < r.Seq() {
			n, err := enode.New(c.schemes, &r)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
			}
			if n.ID() != src {
				return nil, fmt.Errorf("%w: record of %v from %v", ErrRecordMismatch, n.ID(), src)
			}
			return n, nil
		}
	}
	if known == nil {
		return nil, ErrNoRecord
	}
	if known.ID() != src {
		return nil, fmt.Errorf("%w: challenge's node %v, source %v", ErrRecordMismatch, known.ID(), src)
	}
	return known, nil
}
