// Package faultnet wraps network connections to inject the faults of a
// hostile network into tests: delay with jitter, a bandwidth limit, bit
// flips, truncation, resets, and for datagrams drops, duplicates and
// reordering.
//
// Conn wraps a net.Conn (a TCP connection, or one end of net.Pipe);
// PacketConn wraps a net.PacketConn (a UDP socket) and also has the
// ReadFromUDPAddrPort and WriteToUDPAddrPort methods that discovery's
// UDPConn needs. Listener wraps the connections a net.Listener accepts,
// and Dialer those it dials. What each does is said by a Config: a Seed,
// and the Faults of each direction (Write for what this side sends, Read
// for what it receives). The zero Faults injects nothing, so a wrapper
// with a zero Config is a transparent pass-through.
//
//	c := faultnet.Wrap(tcpConn, faultnet.Config{Seed: 1,
//		Write: faultnet.Faults{Delay: 5 * time.Millisecond, Jitter: 5 * time.Millisecond}})
//
// # Determinism
//
// Every random choice comes from a math/rand/v2 PCG source seeded with
// Config.Seed, one per direction, so a test that makes the same calls in
// the same order sees the same faults. Timing is not deterministic: what
// the peer makes of a delay depends on the scheduler.
//
// # Streams
//
// On a stream the faults work on the bytes of one direction, counted from
// the first: CorruptAt flips a bit at given offsets, ResetAfter resets
// the connection (TCP RST, through SetLinger(0) when the wrapped
// connection is a *net.TCPConn; a plain close otherwise) once that many
// bytes have passed, TruncateAfter closes it (FIN) there instead. Corrupt
// and Truncate are probabilities per Write or Read call. Delay and the
// bandwidth limit make the calling goroutine wait; the wait honours the
// deadlines set on the Conn and ends when it is closed.
//
// # Datagrams
//
// On a PacketConn each packet is on its own: Drop, Duplicate, Reorder,
// Corrupt and Truncate are probabilities per packet and CorruptAt are
// offsets within each packet. A write with a delay returns at once and
// the packet goes out later, from a timer, so packets with jitter overtake
// each other as on a real network; a reordered packet is held back until
// the next packet has gone out, or for 50 ms if none comes first.
// On reads, a delay holds up the reader.
//
// # Accounting
//
// Every injected fault is counted; Stats returns the counts of one
// wrapper, and Listener.Stats and Dialer.Stats the sums over the
// connections they made. Close stops every timer and waits for those
// already firing, so a closed wrapper leaves no goroutine behind. All
// methods are safe for concurrent use, within the rules of the wrapped
// connection.
package faultnet
