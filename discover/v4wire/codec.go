package v4wire

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlp"
)

// Sizes of the packet frame.
const (
	// MaxPacketSize is the largest packet, header included, that Encode
	// produces and Decode accepts.
	MaxPacketSize = 1280
	// MaxNeighbors is the most nodes a Neighbors packet can carry when
	// every node has an IPv6 address and the largest ports and the
	// expiration is the largest integer; more would exceed MaxPacketSize.
	MaxNeighbors = 12

	hashSize  = 32
	sigSize   = 65
	headSize  = hashSize + sigSize // hash and signature
	minPacket = headSize + 1       // and the type byte
)

// Errors of Decode and Encode. Decode wraps the errors of rlp, crypto and
// enr, which errors.Is also matches, in ErrInvalidPacket or
// ErrBadSignature.
var (
	ErrPacketTooSmall = errors.New("v4wire: packet too small")
	ErrPacketTooLarge = errors.New("v4wire: packet too large")
	ErrBadHash        = errors.New("v4wire: bad hash")
	ErrBadSignature   = errors.New("v4wire: bad signature")
	ErrBadPoint       = errors.New("v4wire: invalid curve point")
	ErrUnknownPacket  = errors.New("v4wire: unknown packet type")
	ErrInvalidPacket  = errors.New("v4wire: invalid packet data")
)

// Encode makes a packet of p signed with priv. It returns the packet and
// its hash, which replies to it will carry as ReplyTok. It fails with
// ErrPacketTooLarge for a packet over MaxPacketSize.
func Encode(priv *ecdsa.PrivateKey, p Packet) (packet, hash []byte, err error) {
	kind := p.Kind()
	if kind < PingPacket || kind > ENRResponsePacket {
		return nil, nil, fmt.Errorf("%w: %d", ErrUnknownPacket, kind)
	}
	var buf bytes.Buffer
	buf.Grow(MaxPacketSize)
	buf.Write(make([]byte, headSize))
	buf.WriteByte(kind)
	if err := rlp.Encode(&buf, p); err != nil {
		return nil, nil, fmt.Errorf("v4wire: encoding %s: %w", p.Name(), err)
	}
	packet = buf.Bytes()
	if len(packet) > MaxPacketSize {
		return nil, nil, fmt.Errorf("%w: %s of %d bytes", ErrPacketTooLarge, p.Name(), len(packet))
	}
	sighash := crypto.Keccak256Hash(packet[headSize:])
	sig, err := crypto.Sign(sighash[:], priv)
	if err != nil {
		return nil, nil, fmt.Errorf("v4wire: signing %s: %w", p.Name(), err)
	}
	copy(packet[hashSize:], sig)
	h := crypto.Keccak256Hash(packet[hashSize:])
	copy(packet, h[:])
	return packet, h[:], nil
}

// Decode reads a packet. It returns the packet, the sender's public key and
// the packet's hash. The hash is returned once it has been checked, also
// with later errors; the key only with a packet. Neither the packet nor the
// hash alias input.
func Decode(input []byte) (Packet, Pubkey, []byte, error) {
	if len(input) < minPacket {
		return nil, Pubkey{}, nil, fmt.Errorf("%w: %d bytes", ErrPacketTooSmall, len(input))
	}
	if len(input) > MaxPacketSize {
		return nil, Pubkey{}, nil, fmt.Errorf("%w: %d bytes", ErrPacketTooLarge, len(input))
	}
	hash, sig, signed := input[:hashSize], input[hashSize:headSize], input[headSize:]
	want := crypto.Keccak256Hash(input[hashSize:])
	if !bytes.Equal(hash, want[:]) {
		return nil, Pubkey{}, nil, ErrBadHash
	}
	hash = want[:]

	var p Packet
	switch kind := signed[0]; kind {
	case PingPacket:
		p = new(Ping)
	case PongPacket:
		p = new(Pong)
	case FindnodePacket:
		p = new(Findnode)
	case NeighborsPacket:
		p = new(Neighbors)
	case ENRRequestPacket:
		p = new(ENRRequest)
	case ENRResponsePacket:
		p = new(ENRResponse)
	default:
		return nil, Pubkey{}, hash, fmt.Errorf("%w: %d", ErrUnknownPacket, kind)
	}
	// A Stream rather than DecodeBytes: data after the list is ignored.
	data := signed[1:]
	s := rlp.NewStream(bytes.NewReader(data), uint64(len(data)))
	if err := s.Decode(p); err != nil {
		return nil, Pubkey{}, hash, fmt.Errorf("%w: %s: %w", ErrInvalidPacket, p.Name(), err)
	}

	sighash := crypto.Keccak256Hash(signed)
	key, err := crypto.RecoverRaw(sighash[:], sig)
	if err != nil {
		return nil, Pubkey{}, hash, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return p, Pubkey(key), hash, nil
}

// DecodeRLP implements rlp.Decoder; see decodeSeqAndRest.
func (p *Ping) DecodeRLP(s *rlp.Stream) error {
	var dec Ping
	if _, err := s.List(); err != nil {
		return err
	}
	v, err := s.Uint64()
	if err != nil {
		return fmt.Errorf("version: %w", err)
	}
	dec.Version = uint(v)
	if uint64(dec.Version) != v {
		return fmt.Errorf("version: %w", rlp.ErrUintOverflow)
	}
	if err := s.Decode(&dec.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := s.Decode(&dec.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	if dec.Expiration, err = s.Uint64(); err != nil {
		return fmt.Errorf("expiration: %w", err)
	}
	if dec.ENRSeq, dec.Rest, err = decodeSeqAndRest(s); err != nil {
		return err
	}
	*p = dec
	return nil
}

// DecodeRLP implements rlp.Decoder; see decodeSeqAndRest.
func (p *Pong) DecodeRLP(s *rlp.Stream) error {
	var dec Pong
	if _, err := s.List(); err != nil {
		return err
	}
	if err := s.Decode(&dec.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	var err error
	if dec.ReplyTok, err = s.Bytes(); err != nil {
		return fmt.Errorf("reply token: %w", err)
	}
	if dec.Expiration, err = s.Uint64(); err != nil {
		return fmt.Errorf("expiration: %w", err)
	}
	if dec.ENRSeq, dec.Rest, err = decodeSeqAndRest(s); err != nil {
		return err
	}
	*p = dec
	return nil
}

// decodeSeqAndRest reads the end of a Ping or Pong list: the optional
// enr-seq and the extra elements, and leaves the list. An element in the
// place of enr-seq that is not an integer belongs to the extra elements:
// packets from before EIP-868 may carry anything there.
func decodeSeqAndRest(s *rlp.Stream) (seq uint64, rest []rlp.RawValue, err error) {
	for first := true; s.MoreDataInList(); first = false {
		raw, err := s.Raw()
		if err != nil {
			return 0, nil, err
		}
		if first {
			if v, tail, err := rlp.SplitUint64(raw); err == nil && len(tail) == 0 {
				seq = v
				continue
			}
		}
		rest = append(rest, raw)
	}
	return seq, rest, s.ListEnd()
}
