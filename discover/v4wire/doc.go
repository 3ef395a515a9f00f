// Package v4wire encodes and decodes the packets of the Node Discovery
// Protocol v4, the UDP protocol through which devp2p nodes find each other.
// It is only the codec: it opens no sockets, starts no timers and logs
// nothing. The discovery state machine (table, transport, lookups) is built
// on top of it and decides what to do with each packet.
//
// # Packet layout
//
// Every packet is at most MaxPacketSize (1280) bytes:
//
//	offset  size  field
//	0       32    hash        Keccak-256(signature || type || data)
//	32      65    signature   R || S || V over Keccak-256(type || data)
//	97      1     type        PingPacket ... ENRResponsePacket
//	98      rest  data        RLP list, the packet's fields in order
//
// The hash only lets a receiver drop corrupted packets cheaply; anyone can
// compute it. The signature identifies the sender: Decode recovers the
// sender's public key from it, and the sender's node ID is that key's hash
// (Pubkey.ID). A reply names the packet it answers by that packet's hash
// (Pong.ReplyTok, ENRResponse.ReplyTok).
//
// The packet data, by type:
//
//	1 Ping        [version, from, to, expiration, enr-seq?, ...]
//	2 Pong        [to, ping-hash, expiration, enr-seq?, ...]
//	3 Findnode    [target, expiration, ...]
//	4 Neighbors   [[node, ...], expiration, ...]
//	5 ENRRequest  [expiration, ...]
//	6 ENRResponse [request-hash, record, ...]
//
// where an endpoint is [ip, udp-port, tcp-port], a node is
// [ip, udp-port, tcp-port, public-key], ip is 4 or 16 bytes, public-key and
// target are 64-byte uncompressed secp256k1 keys without the 0x04 prefix,
// expiration is a Unix time in seconds, and record an EIP-778 node record.
// The enr-seq fields are those of EIP-868.
//
// # Forward compatibility (EIP-8)
//
// Decode ignores what it does not know, as EIP-8 requires: list elements
// after the known fields are kept in each packet's Rest field, and bytes after
// the packet's RLP list are dropped. The Ping version is not checked. The
// enr-seq field of Ping and Pong is optional; when the element in its place is
// not an integer (packets from before EIP-868 that carried other extra
// elements, like the EIP-8 test vectors), ENRSeq is zero and the element goes
// to Rest. Encode writes Rest back after the known fields, so forwarding a
// decoded packet keeps its extra elements.
//
// # What callers must know
//
// Decode never panics and never reads past its input; it rejects packets
// larger than MaxPacketSize or shorter than a header, with a wrong hash, an
// invalid signature, an unknown type or malformed data, with errors that
// errors.Is matches against the exported sentinels. It checks the hash and
// parses the data before the comparatively expensive public-key recovery.
// The decoded packet does not alias the input, so the caller may reuse its
// read buffer.
//
// Decode does not check expiration, endpoint proofs or record signatures:
// the state machine drops packets whose Expiration is in the past (Expired,
// ExpiredAt), checks ENRResponse records with enode.New and
// enode.ValidSchemes, and checks Endpoint and Node addresses before using
// them (Endpoint.Addr, Node.Addr).
//
// Encode signs with the given key and fails with ErrPacketTooLarge rather
// than produce a packet that receivers would drop; at most MaxNeighbors nodes
// fit in one Neighbors packet whatever their addresses.
package v4wire
