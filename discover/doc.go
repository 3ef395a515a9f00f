// Package discover implements the Node Discovery Protocol v4, through which
// devp2p nodes find each other over UDP: the state machine on top of the
// packet codec of package v4wire. It is wire-compatible with go-ethereum.
//
// # Use
//
// ListenV4 starts discovery on a UDP socket for a LocalNode. The returned
// UDPv4 answers other nodes, keeps a Kademlia table of the nodes it learns
// about and offers lookups: LookupPubkey, Resolve, RequestENR, Ping, and
// RandomNodes, an endless iterator of lookup results that feeds a dialer.
// Close stops everything and closes the socket.
//
// # Packet handling
//
// Every packet goes through these checks, and a packet that fails one is
// dropped without reply and counted in Stats under that reason: size (at
// most 1280 bytes), Config.NetRestrict, decoding (hash, type, data), the
// signature, expiration (Ping, Pong, Findnode, Neighbors and ENRRequest
// carry one; a past one drops the packet). Then:
//
//   - A Ping is answered with a Pong that echoes its hash. If the sender has
//     not answered a Ping of ours from that IP within 24 hours, we ping it
//     back, and it joins the table once it answers.
//   - A Pong, Neighbors or ENRResponse is accepted only as the reply to a
//     request of ours to that node at that IP: a Pong must carry the hash of
//     our Ping and an ENRResponse that of our ENRRequest. Other replies are
//     unsolicited. Replies are awaited for 500 ms; the nodes of a FINDNODE
//     answer are collected from several Neighbors packets, up to 16.
//   - A Findnode or ENRRequest is answered only if the sender proved its
//     endpoint: it answered our Ping, from the IP the request comes from,
//     within 24 hours (the pong times are kept in the nodedb.DB). This is
//     what keeps discovery from amplifying traffic towards spoofed
//     addresses.
//
// Nodes that others relay to us (Neighbors, records) are accepted only with
// a UDP port above 1024 and an address that fits the sender: no loopback
// address from a non-loopback host, no LAN address from outside the LAN.
//
// Before querying a node, we make sure that it holds an endpoint proof for
// us: unless it pinged us within 24 hours, we ping it and wait for its ping.
//
// # Table
//
// The table has 17 buckets of 16 nodes by log distance from our ID (nodes
// at distance 239 or less share the first bucket), each with 10
// replacements. A subnet (/24 for IPv4, /48 for IPv6) may hold 2 nodes of a
// bucket and 10 of the table, replacements included; LAN and loopback
// addresses are exempt. The table is seeded from the database and the
// bootnodes, revalidated by ping (dead nodes give way to replacements, newer
// records are fetched with ENRRequest) and refreshed by lookups; see
// table_reval.go. Lookups ask 3 nodes at a time and return the 16 closest.
//
// # Concurrency
//
// One goroutine reads and handles packets; the table runs one loop for
// revalidation and refresh; request methods run in their callers'
// goroutines. The table's buckets are guarded by a mutex, the pending replies
// by another. All exported methods are safe for concurrent use.
package discover
