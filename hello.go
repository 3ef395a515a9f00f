package p2p

import (
	"bytes"
	"crypto/ecdsa"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/rlp"
	"github.com/seednet/p2p/rlpx"
)

// The devp2p base protocol ("p2p"), which owns message codes 0x00–0x0f.
const (
	baseProtocolVersion    = 5
	baseProtocolLength     = 16
	baseProtocolMaxMsgSize = 2 * 1024 // the largest Hello or Disconnect we read

	// snappyProtocolVersion is the first base protocol version whose
	// messages are snappy-compressed (EIP-706).
	snappyProtocolVersion = 5

	handshakeMsg = 0x00 // Hello
	discMsg      = 0x01
	pingMsg      = 0x02
	pongMsg      = 0x03
)

// Timeouts of a connection.
const (
	handshakeTimeout  = 5 * time.Second  // RLPx handshake and Hello exchange
	pingInterval      = 15 * time.Second // we ping a peer this often
	frameReadTimeout  = 30 * time.Second // a peer silent this long is dropped
	frameWriteTimeout = 20 * time.Second // a write blocked this long drops the peer
	discWriteTimeout  = 1 * time.Second  // for sending a Disconnect
	// stopWriteGrace is how long a stopping peer's writes (what is buffered,
	// then the Disconnect) may take before the connection is closed.
	stopWriteGrace = 500 * time.Millisecond
)

// helloMsg is the Hello message:
// [protocolVersion, clientId, capabilities, listenPort, nodeKey, ...].
type helloMsg struct {
	Version    uint64
	Name       string
	Caps       []Cap
	ListenPort uint64
	ID         []byte         // secp256k1 public key, 64 bytes: X || Y
	Rest       []rlp.RawValue `rlp:"tail"` // later versions may add fields
}

// emptyList is the payload of Ping and Pong.
var emptyList = []byte{0xC0}

// exchangeHello sends our Hello and reads the peer's. The peer's key from
// the RLPx handshake must match the ID in its Hello. Our Hello is small
// enough for the socket buffer, so sending first cannot deadlock.
// Both messages are counted in traffic.
func exchangeHello(conn *rlpx.Conn, ours []byte, remote *ecdsa.PublicKey, traffic *trafficCounters) (*helloMsg, error) {
	n, err := conn.Write(handshakeMsg, ours)
	if err != nil {
		// A node that refuses us right after the RLPx handshake sends a
		// Disconnect and closes; our Hello can then meet the closed
		// connection. Its reason is still in our receive buffer (TCP hands
		// out data received before a reset), and it is the better error:
		// "too many peers" rather than a failed handshake.
		if code, data, _, rerr := conn.Read(); rerr == nil && code == discMsg {
			return nil, &RemoteDisconnectError{decodeDisconnect(data)}
		}
		return nil, err
	}
	traffic.sent(handshakeMsg, n)
	code, data, wireSize, err := conn.Read()
	if err != nil {
		return nil, err
	}
	traffic.received(code, wireSize)
	if len(data) > baseProtocolMaxMsgSize {
		return nil, newProtoError(DiscProtocolError, "hello of %d bytes is over the %d-byte limit", len(data), baseProtocolMaxMsgSize)
	}
	switch code {
	case handshakeMsg:
	case discMsg:
		// The peer refused us; its reason is our error.
		return nil, &RemoteDisconnectError{decodeDisconnect(data)}
	default:
		return nil, newProtoError(DiscProtocolError, "expected hello, got message code %#x", code)
	}
	var hello helloMsg
	if err := rlp.DecodeBytes(data, &hello); err != nil {
		return nil, newProtoError(DiscProtocolError, "invalid hello: %v", err)
	}
	if len(hello.ID) != 64 || bytes.Equal(hello.ID, make([]byte, 64)) {
		return nil, DiscInvalidIdentity
	}
	if !bytes.Equal(crypto.FromECDSAPub(remote)[1:], hello.ID) {
		return nil, DiscUnexpectedIdentity
	}
	return &hello, nil
}

// encodeHello encodes our Hello.
func encodeHello(name string, caps []Cap, listenPort int, key *ecdsa.PrivateKey) ([]byte, error) {
	return rlp.EncodeToBytes(&helloMsg{
		Version:    baseProtocolVersion,
		Name:       name,
		Caps:       caps,
		ListenPort: uint64(listenPort),
		ID:         crypto.FromECDSAPub(&key.PublicKey)[1:],
	})
}

// decodeDisconnect reads the reason of a Disconnect message. The spec
// sends [reason]; go-ethereum v1.10.17 to v1.14 sent the bare reason; both
// are accepted. A payload that is neither gives DiscProtocolError: the
// peer is leaving either way.
func decodeDisconnect(data []byte) DiscReason {
	kind, content, _, err := rlp.Split(data)
	if err != nil {
		return DiscProtocolError
	}
	if kind == rlp.List {
		if len(content) == 0 {
			return DiscRequested // [] : no reason given
		}
		kind, content, _, err = rlp.Split(content)
		if err != nil {
			return DiscProtocolError
		}
	}
	if kind == rlp.List || len(content) > 1 {
		return DiscProtocolError
	}
	if len(content) == 0 {
		return DiscRequested
	}
	return DiscReason(content[0])
}

// encodeDisconnect encodes a Disconnect message: [reason].
func encodeDisconnect(reason DiscReason) []byte {
	if reason == 0 {
		return []byte{0xC1, 0x80}
	}
	if reason < 0x80 {
		return []byte{0xC1, byte(reason)}
	}
	return []byte{0xC2, 0x81, byte(reason)}
}
