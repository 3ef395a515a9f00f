// Package rlpx implements the RLPx transport protocol of devp2p: the
// encrypted, authenticated TCP connection that carries the devp2p base
// protocol and every sub-protocol above it.
//
// The protocol is specified in the devp2p repository (rlpx.md), with the
// handshake changes of EIP-8 and the message compression of EIP-706. A
// connection goes through two phases:
//
//  1. The handshake. The side that opened the TCP connection (the initiator)
//     knows the remote node's static public key and sends an ECIES-encrypted
//     auth message; the recipient answers with an ack. Both derive the session
//     secrets from an ephemeral ECDH agreement and the two nonces. This
//     package always sends the EIP-8 forms (a 16-bit size prefix that is
//     authenticated as ECIES shared data, and random padding) and accepts the
//     EIP-8 forms with higher versions and extra list elements as well as the
//     pre-EIP-8 fixed-size forms. A pre-EIP-8 auth is answered with a
//     pre-EIP-8 ack, as geth v1.9.7 (the p2p code inside Elastos ESC nodes)
//     does.
//
//  2. Framing. Every message is sent as one frame: a 16-byte header holding
//     the 24-bit frame size, the header MAC, the body (the RLP-encoded message
//     code followed by the payload, padded to 16 bytes) and the frame MAC. Both
//     header and body are encrypted with AES-256-CTR; the MACs come from two
//     running Keccak-256 states, one per direction. Once snappy is enabled
//     (after both sides announced base protocol version 5 or higher in their
//     Hello), payloads are snappy-compressed.
//
// # Using a Conn
//
// NewConn wraps a net.Conn; Handshake (or HandshakeContext) runs the
// handshake; then Read and Write exchange messages. After the handshake one
// goroutine may call Read while another calls Write, WriteBuffered or Flush;
// calls of each group must not overlap. SetSnappy must be called before that
// concurrent use starts (the server calls it right after the Hello exchange).
// Close and the deadline setters may be called at any time from any
// goroutine.
//
// Any error from Read, Write or Flush leaves the stream in an unknown state
// (a frame may be half read or half written, or a MAC check failed), so the
// connection is closed before the error is returned; later calls fail.
//
// # Batching
//
// Write sends one message in one write system call. WriteBuffered encrypts
// the message into the connection's write buffer without sending it, and
// Flush sends everything buffered at once, so a sender with several small
// messages pending pays for one system call instead of one per message. The
// buffer is flushed by itself when it fills (at 64 KiB), so a large message
// is sent in 64 KiB pieces and never needs a buffer of its own size.
//
// # Memory
//
// Buffers come from size-classed pools and go back when they are not needed:
// a connection that waits for its next frame holds no read buffer, and one
// that has flushed holds no write buffer. The data returned by Read stays
// valid until the next call to Read. Frames are limited to 2^24−1 bytes and
// a snappy payload whose header claims a decoded size over that limit is
// rejected before anything is decoded; a read buffer grows only as frame
// bytes actually arrive, so a header that claims a large frame costs nothing
// until the peer sends it.
package rlpx
