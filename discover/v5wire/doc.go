// Package v5wire encodes and decodes the packets of the Node Discovery
// Protocol v5.1, the encrypted UDP protocol through which devp2p nodes find
// each other. It is only the codec: it opens no sockets, starts no
// goroutines or timers and logs nothing (the time comes from an injected
// clock). The protocol's state machine is built on top of it and decides
// what to send and what to do with each packet.
//
// A Codec belongs to one local node. Besides encoding, it keeps the state
// the packets depend on: the sessions (keys agreed by a handshake) and the
// WHOAREYOU challenges we sent, each in a bounded LRU cache keyed by node ID
// and UDP endpoint (Config.MaxSessions, Config.MaxSessionsPerIP,
// Config.MaxChallenges).
//
// # Packet layout
//
// A packet is 63 to 1280 bytes:
//
//	offset  size  field
//	0       16    masking-iv     random, unique per packet
//	16      6     protocol-id    "discv5"                      ┐ static header
//	22      2     version        0x0001                        │
//	24      1     flag           0 message, 1 WHOAREYOU,       │
//	                             2 handshake                   │
//	25      12    nonce          (Nonce)                       │
//	37      2     authdata-size  big-endian                    ┘
//	39      n     authdata       by flag, below
//	39+n    rest  message        AES-128-GCM ciphertext and 16-byte tag;
//	                             empty in WHOAREYOU
//
// The static header and authdata are masked: XORed with the AES-128-CTR key
// stream of the first 16 bytes of the destination's node ID, with the
// masking IV as the initial counter. The message is encrypted with the
// session key, the nonce, and the unmasked bytes before it (masking-iv,
// static header and authdata) as associated data. Its plaintext is the
// message type byte (PingMsg ...) followed by an RLP list:
//
//	0x01 PING      [request-id, enr-seq]
//	0x02 PONG      [request-id, enr-seq, recipient-ip, recipient-port]
//	0x03 FINDNODE  [request-id, [distance, ...]]
//	0x04 NODES     [request-id, total, [record, ...]]
//	0x05 TALKREQ   [request-id, protocol, request]
//	0x06 TALKRESP  [request-id, response]
//
// where request-id is at most 8 bytes.
//
// The authdata of a message packet (flag 0) is the sender's node ID, 32
// bytes. A packet sent without a session carries random bytes instead of a
// message; the recipient cannot decrypt it and answers with WHOAREYOU.
//
// The authdata of a WHOAREYOU (flag 1), 24 bytes:
//
//	0   16  id-nonce   random
//	16  8   enr-seq    seq of the record we know of the recipient, 0 if none
//
// Its nonce is that of the packet it answers. The whole unmasked packet
// (63 bytes) is the challenge-data of the handshake.
//
// The authdata of a handshake packet (flag 2), 34 + sig-size + eph-key-size
// + record bytes:
//
//	0            32            src-id        sender's node ID
//	32           1             sig-size      64 for "v4"
//	33           1             eph-key-size  33 for "v4"
//	34           sig-size      id-signature  R || S over sha256("discovery v5
//	                                         identity proof" || challenge-data
//	                                         || eph-pubkey || dest-id)
//	34+sig-size  eph-key-size  eph-pubkey    compressed secp256k1 point
//	...          rest          record        sender's record, if the
//	                                         WHOAREYOU's enr-seq was older
//
// The session keys come from the ECDH of the ephemeral key and the
// recipient's static key (the compressed point, 33 bytes) through
// HKDF-SHA256, with the challenge-data as salt and
// "discovery v5 key agreement" || src-id || dest-id as info: the first 16
// bytes encrypt from the handshake's sender, the next 16 towards it.
//
// # What callers must know
//
//   - Decode never panics on input and never allocates more than the
//     1280-byte packet justifies. Every reason to drop a packet is an
//     exported error for errors.Is (ErrPacketTooSmall ... ErrInvalidReqID),
//     so that the caller can count drops by reason. IsInvalidHeader tells
//     the errors of packets that are not discovery v5 for us.
//   - A message packet from a node we have no session with (at that
//     address), or whose session key does not open it, is not an error:
//     Decode returns an *Unknown, whose Reason says which, and the caller
//     answers with WHOAREYOU (Encode of a *Whoareyou with Unknown.Nonce).
//   - A handshake must answer the unexpired challenge we sent to that node
//     ID at that address; it is used up by the first handshake that
//     completes, so a replayed handshake fails with ErrUnexpectedHandshake.
//     The record in a handshake is verified against Config.ValidSchemes and
//     must be the sender's. Records in NODES are checked for their form by
//     Decode and verified by Nodes.VerifiedNodes.
//   - A session remembers the nonces of its last 64 received messages: a
//     message packet that repeats one fails with ErrReplayedNonce.
//   - The packet Encode returns is valid until the next Encode; packets
//     Decode returns do not alias its input or buffers.
//   - A Codec is not safe for concurrent use.
//
// # Differences from go-ethereum's v5wire
//
// The API follows go-ethereum's package of the same name, so that code
// moving over needs few changes. Where it differs, it is on purpose:
//
//   - Endpoints are netip.AddrPort, not strings: no formatting per packet,
//     and one key per endpoint (an IPv4-mapped address counts as IPv4).
//   - The clock is a func() time.Time, as everywhere in this library.
//   - The session cache is internal (go-ethereum exports SessionCache and
//     NewSessionCache, but nothing outside its package can use them); its
//     bounds are in Config. Challenges are bounded too, not only timed out.
//   - Every decoding error is an exported sentinel, and Unknown has a
//     Reason.
//   - Nodes.VerifiedNodes verifies the records of a NODES response against
//     the codec's identity schemes (Config.ValidSchemes), when the protocol
//     has matched the response to its request: not in Decode, where a node
//     with a session could make us check a dozen signatures per packet.
//   - Encode returns errors instead of panicking on a Whoareyou or
//     challenge without its Node; Encode and Decode refuse packets over
//     1280 bytes.
//   - Packet has AppendLogAttrs (for slog) besides AppendLogInfo.
//   - A handshake that fails keeps the challenge (go-ethereum deletes it),
//     so that a forged handshake from a spoofed address cannot cancel the
//     real one; the first one that completes uses it up.
//   - The handshake message that authenticates but does not decode still
//     establishes the session (go-ethereum drops it, and the peer has to
//     handshake again).
//   - go-ethereum's Header, StaticHeader, EncodeRaw, EncodePubkey and
//     DecodePubkey, which only its tests use, and its RequestTicketMsg and
//     TicketMsg constants, of an older draft, have no counterpart.
//   - Replayed message packets are refused (ErrReplayedNonce); go-ethereum
//     decodes them again.
//   - A new session keeps the one it replaced for opening messages, and a
//     message that only the old one opens makes it current again: when two
//     nodes handshake with each other at the same time, each ends with the
//     session of the handshake it received last, and go-ethereum's requests
//     then time out until a new handshake.
//   - Message bodies are written and read by hand, not by reflection, and
//     the ciphers of a session are kept with it: a message packet costs one
//     allocation to decode and none to encode.
package v5wire

// Packet sizes and the offsets of the header fields.
const (
	// MinPacketSize is the smallest packet: a WHOAREYOU.
	MinPacketSize = sizeofStaticPacketData + sizeofWhoareyouAuthData
	// MaxPacketSize is the largest packet Encode makes and Decode accepts.
	MaxPacketSize = 1280

	sizeofMaskingIV         = 16
	sizeofStaticHeader      = 23 // protocol-id, version, flag, nonce, authdata-size
	sizeofStaticPacketData  = sizeofMaskingIV + sizeofStaticHeader
	sizeofMessageAuthData   = 32 // src-id
	sizeofWhoareyouAuthData = 24 // id-nonce, enr-seq
	sizeofHandshakeAuthHead = 34 // src-id, sig-size, eph-key-size

	offsetProtocolID = sizeofMaskingIV
	offsetVersion    = offsetProtocolID + 6
	offsetFlag       = offsetVersion + 2
	offsetNonce      = offsetFlag + 1
	offsetAuthSize   = offsetNonce + gcmNonceSize

	// minMessageSize is the least a message or handshake packet has after
	// its static header: a message packet's authdata and a GCM tag.
	minMessageSize = sizeofMessageAuthData + gcmTagSize
	// randomPacketMsgSize is the size of the random message of a packet
	// sent without a session.
	randomPacketMsgSize = 20
)

// Header values.
const (
	version    = 1 // the version we send
	minVersion = 1 // the least version we accept

	flagMessage   = 0
	flagWhoareyou = 1
	flagHandshake = 2
)
