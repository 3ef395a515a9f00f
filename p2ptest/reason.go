package p2ptest

import (
	"errors"
	"fmt"

	"github.com/seednet/p2p"
)

// discReason returns the reason a server disconnects a peer with when the
// protocol's Run returns err, following the table in p2p.Protocol.Run's
// doc, in the order the server applies it:
//
//   - nil: DiscQuitting (the server substitutes ErrProtocolReturned);
//   - a DiscReason, or an error wrapping one: that reason;
//   - ErrInvalidMsg or ErrInvalidMsgCode, wrapped or not: DiscProtocolError;
//   - ErrProtocolReturned: DiscQuitting;
//   - anything else: DiscSubprotocolError.
//
// The server's own function is unexported; Msg.Decode's errors, the only
// other errors it maps to DiscProtocolError that a Run function can see,
// wrap ErrInvalidMsg.
func discReason(err error) p2p.DiscReason {
	if err == nil {
		err = p2p.ErrProtocolReturned
	}
	var reason p2p.DiscReason
	switch {
	case errors.As(err, &reason):
		return reason
	case errors.Is(err, p2p.ErrInvalidMsg), errors.Is(err, p2p.ErrInvalidMsgCode):
		return p2p.DiscProtocolError
	case errors.Is(err, p2p.ErrProtocolReturned):
		return p2p.DiscQuitting
	}
	return p2p.DiscSubprotocolError
}

// describeReason names a reason with its wire code: "breach of protocol
// (0x02)".
func describeReason(r p2p.DiscReason) string {
	return fmt.Sprintf("%v (0x%02x)", r, uint8(r))
}
