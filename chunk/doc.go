// Package chunk sends payloads larger than one devp2p message over a
// sub-protocol: Send cuts the payload into chunk messages, each well below
// p2p.MaxMessageSize (the largest payload one RLPx frame holds, just under
// 16 MiB), and Receive writes them to an io.Writer as they come, checking
// their order, the size and a SHA-256 checksum. The receiver holds about one
// chunk in memory whatever the size of the whole.
//
// A transfer uses one message code of the protocol, which the protocol
// chooses; the kind of each message is told inside its payload. A protocol
// using this package gives Send and Receive that code and nothing else of it.
//
// # Wire layout
//
// Every message of a transfer is an RLP list whose first element is its
// kind:
//
//	header:  [0, total: uint64, chunkSize: uint64]
//	chunk:   [1, index: uint64, data: bytes]
//	trailer: [2, sha256: 32 bytes]
//
// A transfer is one header, then ceil(total/chunkSize) chunks with indexes
// 0, 1, 2, ... in that order, each of exactly chunkSize bytes but the last,
// which holds the rest (total 0 means no chunks), then one trailer holding
// the SHA-256 of the whole payload. chunkSize is at least 1 and at most
// MaxChunkSize, so that a chunk message fits in one frame. The checksum is in
// the trailer rather than the header so that Send can stream from any
// io.Reader in one pass; the receiver hashes what it writes and compares at
// the end.
//
// # Limits
//
//   - The chunk size is 1 to MaxChunkSize bytes (a chunk message is at most
//     32 bytes larger, so it fits in one message); Send uses
//     DefaultChunkSize, 256 KiB less those 32 bytes, unless told otherwise.
//   - A transfer is at most limit bytes, Receive's argument (at most 1<<63-1
//     in any case); the receiver's chunk size is at most
//     Config.MaxChunkSize.
//   - Receive's memory is one buffer as large as the largest message of the
//     transfer, allocated when that message arrives, plus the message the
//     connection holds (p2p reads each message whole): with the default
//     chunk size, about 512 KiB whatever the total. Sending 40 MiB from one
//     Server to another in the same process raised the heap in use by 5 to
//     8 MiB, most of it the transport's pooled buffers of both sides.
//
// # What callers must know
//
//   - Receive refuses a header announcing more than its limit argument before
//     any data, and a chunk size above Config.MaxChunkSize.
//   - Receive writes chunks to dst before the checksum can be known: when it
//     fails, dst holds unverified (or partial) bytes, which the caller must
//     throw away. Write to a temporary file and rename it on success.
//   - Every error of Receive caused by what the peer sent (a malformed
//     message, a chunk out of order, a wrong size or checksum, a message of
//     the transfer's code in the wrong place) wraps p2p.ErrInvalidMsg, so a
//     Run function that returns it drops the peer with DiscProtocolError.
//     A connection that ends mid-transfer gives ErrTruncated, which wraps
//     p2p.ErrInvalidMsg and the read error (io.EOF).
//   - While Receive runs it reads every message of the connection. Messages of
//     other codes go to Config.Other when it is set, in the order they
//     arrive; without it such a message fails the transfer (ErrUnexpectedMsg).
//     So a peer must not send a second transfer of the same code before the
//     trailer of the first, nor anything else the receiver's Other does not
//     take.
//   - After an error the two sides are out of step (the rest of a transfer
//     may still be on its way): end the connection, as returning the error
//     from Run does. The same holds for Send when its reader fails or ends
//     early: the peer has a header and a part of the chunks.
//   - Send and Receive check their context between messages; a WriteMsg or
//     ReadMsg that blocks ends when the connection does.
package chunk
