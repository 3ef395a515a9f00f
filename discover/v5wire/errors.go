package v5wire

import "errors"

// Errors of Decode, one per reason a packet is dropped, for errors.Is (a
// caller counts drops by these). The returned error often wraps one of them
// with details, and sometimes an error of package rlp, enr or crypto too.
//
// The first three say that the input is not a discovery v5 packet for us;
// IsInvalidHeader reports them, so that the caller can hand such packets to
// another protocol sharing the socket (discovery v4).
var (
	// ErrPacketTooSmall: the packet is shorter than MinPacketSize.
	ErrPacketTooSmall = errors.New("v5wire: packet too short")
	// ErrPacketTooLarge: the packet is longer than MaxPacketSize. Encode
	// also returns it for a message that does not fit in a packet.
	ErrPacketTooLarge = errors.New("v5wire: packet too large")
	// ErrInvalidHeader: the unmasked header does not start with the
	// protocol id ("discv5"): the packet was masked for another node ID, was
	// corrupted, or is not discovery v5.
	ErrInvalidHeader = errors.New("v5wire: invalid packet header (bad masking or protocol id)")

	// ErrInvalidVersion: the header's version is below 1.
	ErrInvalidVersion = errors.New("v5wire: packet header version below minimum")
	// ErrInvalidFlag: the header's flag is none of message (0), WHOAREYOU
	// (1) and handshake (2).
	ErrInvalidFlag = errors.New("v5wire: invalid flag in packet header")
	// ErrInvalidAuthSize: the authdata-size does not fit the flag (32 for
	// a message packet, 24 for WHOAREYOU, at least 34 plus the signature
	// and key sizes it declares for a handshake) or runs past the end of
	// the packet.
	ErrInvalidAuthSize = errors.New("v5wire: invalid authdata size")
	// ErrMsgTooShort: a message or handshake packet has less than a
	// 16-byte GCM tag after its authdata.
	ErrMsgTooShort = errors.New("v5wire: message packet too short for its message")

	// ErrUnexpectedHandshake: a handshake packet answers no WHOAREYOU we
	// sent to that node ID and address, or the challenge expired, was
	// evicted, or was used by an earlier handshake (a replay).
	ErrUnexpectedHandshake = errors.New("v5wire: handshake without pending challenge")
	// ErrInvalidAuthKey: the ephemeral public key of a handshake is not a
	// 33-byte compressed secp256k1 point.
	ErrInvalidAuthKey = errors.New("v5wire: invalid ephemeral public key")
	// ErrInvalidNonceSig: the ID signature of a handshake does not verify,
	// has the wrong size, or the sender's identity scheme cannot sign one.
	ErrInvalidNonceSig = errors.New("v5wire: invalid ID nonce signature")
	// ErrNoRecord: a handshake carries no node record and the challenge we
	// sent had none of the sender (Whoareyou.Node) either.
	ErrNoRecord = errors.New("v5wire: handshake without node record")
	// ErrInvalidRecord: a node record in a handshake or a NODES message
	// does not decode, or does not verify against the identity schemes.
	// For a NODES message the error wraps ErrInvalidMessage too, so that
	// a caller can tell a bad message from a bad handshake.
	ErrInvalidRecord = errors.New("v5wire: invalid node record")
	// ErrRecordMismatch: the record in a handshake is of another node than
	// the packet's source ID.
	ErrRecordMismatch = errors.New("v5wire: node record does not match source ID")

	// ErrUnknownSession is the Reason of an Unknown packet whose sender we
	// have no session with (at that address). It is not returned as an
	// error: the caller answers with WHOAREYOU.
	ErrUnknownSession = errors.New("v5wire: no session with sender")
	// ErrMessageDecrypt: AES-GCM did not authenticate the message. It is
	// the error of a handshake packet, and the Reason of an Unknown packet
	// for an ordinary message packet (the caller answers with WHOAREYOU).
	ErrMessageDecrypt = errors.New("v5wire: cannot decrypt message")
	// ErrReplayedNonce: a message packet that decrypts under its session
	// carries the nonce of one of the session's last 64 messages received:
	// it is a replay (AES-GCM nonces are never reused by an honest sender).
	ErrReplayedNonce = errors.New("v5wire: replayed message nonce")
	// ErrEmptyMessage: the decrypted message is empty (no message type).
	ErrEmptyMessage = errors.New("v5wire: empty message")
	// ErrUnknownMessage: the message type is not one of PingMsg to
	// TalkResponseMsg.
	ErrUnknownMessage = errors.New("v5wire: unknown message type")
	// ErrInvalidMessage: the message data is not the RLP list its type
	// needs (too few or too many elements, wrong kinds, non-canonical
	// encoding, trailing bytes).
	ErrInvalidMessage = errors.New("v5wire: invalid message data")
	// ErrInvalidReqID: a request ID is longer than 8 bytes. Encode returns
	// it too.
	ErrInvalidReqID = errors.New("v5wire: request ID larger than 8 bytes")
)

// IsInvalidHeader reports whether err says that a packet is not discovery v5
// addressed to us (ErrPacketTooSmall, ErrPacketTooLarge, ErrInvalidHeader),
// so that it may belong to another protocol on the same socket.
func IsInvalidHeader(err error) bool {
	return errors.Is(err, ErrPacketTooSmall) || errors.Is(err, ErrPacketTooLarge) || errors.Is(err, ErrInvalidHeader)
}
