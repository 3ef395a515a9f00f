// Package memnet is an in-memory network for tests and simulations: hosts,
// each with an IP address, that listen, dial and send datagrams to each
// other through links with latency, jitter, a bandwidth limit and packet
// loss, which a test can change while it runs, cut with a partition and
// heal.
//
// A *Host implements the interfaces a p2p.Server takes for its sockets
// (p2p.Network: Listen and ListenUDP) and its outbound connections
// (p2p.NodeDialer: Dial), so a server, with its discovery, runs on memnet
// unchanged:
//
//	nw := memnet.New(memnet.Config{Seed: 1, Link: memnet.Link{Latency: 20 * time.Millisecond}})
//	defer nw.Close()
//	h := nw.NewHost() // 10.0.0.1
//	srv := &p2p.Server{ListenAddr: h.Addr().String() + ":30303", Network: h, Dialer: h, ...}
//
// Connections report *net.TCPAddr addresses and datagram sockets
// *net.UDPAddr ones, as the operating system's do.
//
// # Streams
//
// A connection (Conn) is reliable and ordered, like TCP. Each direction
// holds at most Config.StreamBuffer bytes that were written and not yet
// read (in flight or arrived): a writer that finds it full blocks, which is
// the backpressure of a TCP window. Every Write is cut into segments of at
// most 16 KiB; a segment is due at the reader after its serialisation
// time at the link's bandwidth (shared by everything sent the same way
// between the two hosts, datagrams included), the link's latency and a
// random jitter, but never before the segment written before it: jitter
// does not reorder a stream. Close sends a FIN: the peer reads what was
// sent before it, then io.EOF; the peer's later writes fail with
// ECONNRESET. Deadlines work as on a net.Conn: a Read or Write past its
// deadline fails with an error that wraps os.ErrDeadlineExceeded.
//
// # Datagrams
//
// A PacketConn sends datagrams that are each delayed on their own (so
// jitter reorders them), lost with the link's Loss probability, and dropped
// when the receiving socket's queue (Config.PacketQueue packets, in flight
// included) is full, or when nothing listens at the destination.
//
// # Links and partitions
//
// Config.Link is the link between any two hosts; SetLink overrides it for
// one pair (both directions) and takes effect for what is sent next.
// Partition splits the hosts into groups that cannot reach each other:
// datagrams between them are lost, dials fail with EHOSTUNREACH, and the
// connections already open between them are reset (both ends read
// ECONNRESET), as a firewall that answers with RST would do. Heal joins
// them again. A host's traffic to itself has no delay and is never cut.
//
// # NAT
//
// SetNAT puts a host behind a NAT of one of the kinds of RFC 4787
// (FullCone, RestrictedCone, Symmetric): nobody may dial it, and a
// datagram reaches it only if the filtering of its kind lets it through
// (see NATType). Addresses are not translated: a host behind a NAT keeps
// its address; only what reaches it is filtered.
//
// # Time, randomness and goroutines
//
// memnet starts no goroutine of its own: a reader waits, with one timer,
// for the first segment or datagram to come due, so nothing runs per
// packet. Deadlines use time.AfterFunc. Every wait is on a channel or a
// timer, so code on memnet runs inside a testing/synctest bubble, where
// time is fake and latencies cost nothing (create the Network inside the
// bubble). Jitter and loss come from a PCG generator seeded with
// Config.Seed; the draws are the same for the same sequence of sends,
// which is the case in a synctest bubble or with one sender, not between
// runs of concurrent senders.
//
// Close closes every listener, connection and socket of the network and
// stops their timers; nothing of the network keeps running after it.
package memnet
