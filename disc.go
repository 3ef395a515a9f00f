package p2p

import (
	"errors"
	"fmt"
)

// DiscReason is the reason a peer gives for closing the connection, as
// sent in the base protocol's Disconnect message. It is also an error: the
// error a peer ends with when it was disconnected for that reason.
type DiscReason uint8

// The disconnect reasons of the devp2p base protocol, with their wire codes.
const (
	DiscRequested           DiscReason = 0x00 // disconnect requested
	DiscNetworkError        DiscReason = 0x01 // TCP sub-system error
	DiscProtocolError       DiscReason = 0x02 // breach of protocol, e.g. a malformed message
	DiscUselessPeer         DiscReason = 0x03 // useless peer: no capability in common
	DiscTooManyPeers        DiscReason = 0x04 // too many peers
	DiscAlreadyConnected    DiscReason = 0x05 // already connected
	DiscIncompatibleVersion DiscReason = 0x06 // incompatible p2p protocol version
	DiscInvalidIdentity     DiscReason = 0x07 // invalid node identity
	DiscQuitting            DiscReason = 0x08 // client quitting
	DiscUnexpectedIdentity  DiscReason = 0x09 // unexpected identity in handshake
	DiscSelf                DiscReason = 0x0a // connected to self
	DiscReadTimeout         DiscReason = 0x0b // ping timeout
	DiscSubprotocolError    DiscReason = 0x10 // some other reason specific to a subprotocol
)

var discReasonText = map[DiscReason]string{
	DiscRequested:           "disconnect requested",
	DiscNetworkError:        "network error",
	DiscProtocolError:       "breach of protocol",
	DiscUselessPeer:         "useless peer",
	DiscTooManyPeers:        "too many peers",
	DiscAlreadyConnected:    "already connected",
	DiscIncompatibleVersion: "incompatible p2p protocol version",
	DiscInvalidIdentity:     "invalid node identity",
	DiscQuitting:            "client quitting",
	DiscUnexpectedIdentity:  "unexpected identity",
	DiscSelf:                "connected to self",
	DiscReadTimeout:         "read timeout",
	DiscSubprotocolError:    "subprotocol error",
}

func (d DiscReason) String() string {
	if s, ok := discReasonText[d]; ok {
		return s
	}
	return fmt.Sprintf("unknown disconnect reason %d", uint8(d))
}

func (d DiscReason) Error() string { return d.String() }

// DiscReasonFor returns the reason a peer is disconnected with when it
// ends with err, such as what a protocol's Run returned. The mapping,
// which Protocol.Run documents:
//
//   - a DiscReason, or an error wrapping one: that reason;
//   - ErrInvalidMsg or ErrInvalidMsgCode, wrapped or not (Msg.Decode's
//     errors, WriteMsg's code-range error), and breaches of the base
//     protocol: DiscProtocolError;
//   - nil (Run returned nil) or ErrProtocolReturned: DiscQuitting;
//   - anything else: DiscSubprotocolError.
func DiscReasonFor(err error) DiscReason {
	if err == nil {
		return DiscQuitting
	}
	return discReasonFor(err)
}

func discReasonFor(err error) DiscReason {
	var reason DiscReason
	var perr *protoError
	switch {
	case errors.As(err, &reason):
		return reason
	case errors.As(err, &perr), errors.Is(err, ErrInvalidMsg), errors.Is(err, ErrInvalidMsgCode):
		return DiscProtocolError
	case errors.Is(err, ErrProtocolReturned):
		return DiscQuitting
	}
	return DiscSubprotocolError
}

// RemoteDisconnectError is the error of a connection that the remote peer
// ended: it sent a Disconnect message with Reason. Every other error a
// peer ends with (in PeerEvent.Err, for one) means that we ended it.
//
//	var rd *p2p.RemoteDisconnectError
//	if errors.As(ev.Err, &rd) { /* the peer left, saying rd.Reason */ }
//
// It unwraps to Reason, so errors.Is(err, p2p.DiscTooManyPeers) holds
// whichever side gave that reason.
type RemoteDisconnectError struct {
	Reason DiscReason
}

func (e *RemoteDisconnectError) Error() string { return "disconnected by peer: " + e.Reason.String() }
func (e *RemoteDisconnectError) Unwrap() error { return e.Reason }

// protoError is a breach of the base protocol or of a sub-protocol's
// message framing by the remote peer: the peer is disconnected with
// DiscProtocolError.
type protoError struct {
	msg string
	err error
}

func (e *protoError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *protoError) Unwrap() error { return e.err }

func newProtoError(err error, format string, args ...any) error {
	return &protoError{msg: fmt.Sprintf(format, args...), err: err}
}

// Errors a peer can end with.
var (
	// ErrProtocolReturned: a protocol's Run function returned nil while the
	// peer was still connected.
	ErrProtocolReturned = errors.New("p2p: protocol returned")
	// ErrServerStopped is returned by SetupConn when the server is not
	// running.
	ErrServerStopped = errors.New("p2p: server not running")
	// ErrPipeClosed is returned by a closed MsgPipe end.
	ErrPipeClosed = errors.New("p2p: read or write on closed message pipe")
)
