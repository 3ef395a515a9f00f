// Package discover implements the Node Discovery Protocols v4 and v5.1,
// through which devp2p nodes find each other over UDP: the state machines on
// top of the packet codecs of packages v4wire and v5wire. Both are
// wire-compatible with go-ethereum, and both versions keep their nodes in
// the same kind of Kademlia table (table.go), revalidated and refreshed by
// the same loop, with lookups walked by the same code (lookup.go).
//
// # Use
//
// ListenV4 starts discovery v4 on a UDP socket for a LocalNode. The
// returned UDPv4 answers other nodes, keeps a Kademlia table of the nodes it
// learns about and offers lookups: LookupPubkey, Resolve, RequestENR, Ping,
// and RandomNodes, an endless iterator of lookup results that feeds a
// dialer. Close stops everything and closes the socket.
//
// ListenV5 starts discovery v5.1 the same way; the returned UDPv5 has
// go-ethereum's API (v1.17.10): Ping, RequestENR, Findnode, Resolve, Lookup,
// RandomNodes, AllNodes, TalkRequest and RegisterTalkHandler, Self,
// LocalNode, Close. To run both versions on one socket, as go-ethereum
// does, start v4 with a Config.Unhandled channel and v5 on
// NewSharedConn(conn, that channel); see NewSharedConn.
//
// # Discovery v4
//
// Every v4 packet goes through these checks, and a packet that fails one is
// dropped without reply and counted in Stats under that reason: size (at
// most 1280 bytes), Config.NetRestrict, decoding (hash, type, data), the
// signature, expiration (Ping, Pong, Findnode, Neighbors and ENRRequest
// carry one; a past one drops the packet, Expired, and so does one more
// than 10 minutes ahead of our clock, FarExpiration: our packets live 20 s,
// so this tolerates a sender's clock up to 9 min 40 s ahead, and bounds how
// long a captured packet can be replayed; go-ethereum has no such bound).
// Then:
//
//   - A Ping is answered with a Pong that echoes its hash. If the sender has
//     not answered a Ping of ours from that IP within 24 hours, we ping it
//     back, and it joins the table once it answers. To such an unverified
//     sender, the Pong and the ping back go out only within the reply
//     budget (below); go-ethereum answers and pings back every Ping.
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
// # Replies to unverified senders (v4)
//
// A sender that has not proved its endpoint may be spoofing its address,
// so what we send it must not exceed what came from that address: else
// discovery amplifies traffic towards a victim. Only a Ping gets an answer
// from such a sender, and the answer (a Pong of at most 171 bytes, and a
// ping back of at most 163) is larger than the smallest valid Ping (113
// bytes; go-ethereum's are about 135). So replies to unverified senders
// are paid from a budget kept per address block, a /24 for IPv4 and a /48
// for IPv6 (the subnets of the table's IP limits):
//
//   - Every Ping from an unverified sender, and every Pong from one (the
//     answer to our ping back), credits its block with its size, up to 4096
//     bytes not yet spent.
//   - A reply of n bytes is paid from that credit first; the rest from the
//     block's allowance (4096 bytes, refilled at 256 bytes per second) and
//     the global allowance (8192 bytes, refilled at 2048 bytes per second),
//     both of which must hold it. The Pong is paid first; the ping back only
//     if the Pong went out and the ping back fits too.
//
// LAN and loopback senders are exempt unless Config.LimitLAN is set, as
// they are from the table's IP limits: their addresses cannot be spoofed
// from outside the LAN, and a local network of many nodes on one /24 (a
// test network on 127.0.0.1) would otherwise bond at the budget's pace.
//
// So over any T seconds, the bytes sent to a block's unverified senders
// are at most the bytes they sent us plus 4096 + 256·T, and for all blocks
// together the bytes all of them sent plus 8192 + 2048·T. An honest node
// that bonds pays its way: its Ping and its Pong to our ping back weigh
// about what our Pong and ping back do. Pings not answered for lack of
// budget count as PongLimited, ping backs not sent as PingBackLimited; at
// most 128 ping backs wait for their Pong at once (beyond: PingBackLimited).
// The budget tracks at most 4096 blocks: when full, it forgets those whose
// allowance has refilled, and while none has, a new block gets only what it
// sends. Replies to bonded senders (Pong, Neighbors, ENRResponse) are not
// limited: they proved their endpoint. TestPingFlood measures a flood.
//
// # Discovery v5
//
// Every v5 packet goes through these checks, and a packet that fails one is
// dropped without reply and counted in V5Stats under that reason:
// Config.NetRestrict; the header (size, masking and protocol id: packets
// that are not v5 for us go to Config.Unhandled if it is set, as go-ethereum
// does); version, flag and authdata size; for a handshake, the pending
// challenge, the ephemeral key, the record and the ID signature; the GCM
// tag; the nonce (a replay of one of the session's last 64 messages); the
// message. Then:
//
//   - A message packet that we cannot decrypt (no session with that node at
//     that address, or a wrong tag) is answered with WHOAREYOU: the
//     challenge pending for that node and address if there is one, else a
//     new one. This is the only packet sent to an address that has not
//     completed a handshake, and at 63 bytes it is smaller than any message
//     packet: no reply to an unauthenticated address is larger than its
//     request. FuzzHandlePacketV5 checks this for every packet kind that
//     such an address can send (message packets of each type, WHOAREYOU,
//     handshakes answering no challenge of ours, garbage): every reply is
//     at most as large as the packet it answers.
//   - PING is answered with PONG, which tells the sender the endpoint it
//     came from. If the PING announces a newer record of a table node, we
//     fetch it with FINDNODE for distance 0.
//   - FINDNODE is answered with the table's nodes at the requested log
//     distances (0 is our own record), only those that answered us (a
//     revalidation ping, or a handshake from their record's endpoint)
//     unless Config.NoFindnodeLivenessCheck, at most 16, in NODES packets
//     of at most 1000 record bytes, so that each stays under 1280 bytes.
//   - TALKREQ goes to the handler registered for its protocol, in a
//     goroutine of its own; a protocol without one gets an empty TALKRESP.
//   - PONG, NODES and TALKRESP are accepted only as the response to the
//     request of ours to that node at that address with that request ID;
//     WHOAREYOU only for the packet of ours it names, from its address.
//     Other responses are unsolicited.
//
// Our requests to one node go one at a time, in order. A request answered
// by WHOAREYOU is sent again in a handshake packet, once: a second
// WHOAREYOU fails it (ErrSecondWhoareyou). Each response is awaited for
// Config.V5RespTimeout (700 ms, go-ethereum's); a FINDNODE takes at most 5
// NODES packets, whatever total they announce. Records in NODES must
// verify, lie at a requested distance, pass the relay rules of v4 (above)
// and have a UDP port above 1024.
//
// A completed handshake adds its node to the table: as live if it came from
// the endpoint of the node's record, else unverified. The table pings nodes
// that no revalidation has checked yet on a fast round, every
// PingInterval/8 on average, besides the usual revalidation.
//
// Lookups ask each node for 3 distances: the log distance between the node
// and the target, then those next to it (go-ethereum's lookupDistances).
//
// # Bounds of discovery v5
//
// Nothing a remote node sends makes state grow without bound:
//
//   - Sessions: at most 1024, least recently used evicted
//     (v5wire.DefaultMaxSessions), and at most 128 with nodes at one IP,
//     the least recently used of that IP evicted
//     (v5wire.DefaultMaxSessionsPerIP). A session needs a handshake, which
//     needs a WHOAREYOU of ours, so one IP creates at most as many per
//     second as it gets WHOAREYOUs.
//   - WHOAREYOU challenges pending: at most 1024, oldest evicted, each valid
//     for 1 s (v5wire.DefaultMaxChallenges, DefaultChallengeTimeout). They
//     are sent at most 16 per second per source IP (bursts of 64) and 512
//     per second in all (bursts of 1024), so one IP holds at most 80
//     pending challenges; the limiter tracks at most 4096 IPs (it forgets
//     those whose bucket has refilled, and refuses new ones while full).
//   - TALKREQ handlers: at most 128 running, 16 of them for requests from
//     one IP; a request that finds no slot is dropped (TalkOverload).
//   - Our requests: at most 2048 queued or waiting, 256 to one IP, 32 to
//     one node (ErrTooManyCalls beyond). Record fetches after PING: 16.
//   - FINDNODE: at most 16 distances (more: dropped, TooManyDistances);
//     at most 16 nodes in the answer.
//   - NODES: at most 5 packets per request; a node's records are checked
//     only for the request they answer.
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
// In each version one goroutine reads and handles packets; the table runs
// one loop for revalidation and refresh; request methods run in their
// callers' goroutines. The table's buckets are guarded by a mutex, the
// pending replies (v4) or the codec and calls (v5) by another; v5 runs
// TALKREQ handlers and record fetches in goroutines of their own, bounded
// as above. All exported methods are safe for concurrent use. Logs go to
// Config.Log (silent by default); the clock of timestamps and challenges is
// Config.Clock, and timers use the time package (tests use testing/synctest).
package discover
