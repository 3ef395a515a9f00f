// Package nodedb stores what discovery learns about other nodes, so that a
// restarted node finds the network again quickly: their records, when each
// last pinged us and answered our pings (per node and IP address, which is
// the endpoint proof of discovery v4), how often their FINDNODE queries
// failed, and the sequence number of our own record.
//
// # Implementations
//
// DB is the interface discovery uses. Open returns one of two
// implementations: with a Config.Path, a database file kept with bbolt
// (OpenBolt); without, a map in memory that is gone when the process exits
// (NewMemory). Users may supply their own; package nodedbtest has the
// conformance suite that both of ours pass.
//
// # Why bbolt
//
// The store must be pure Go, since the library builds without cgo, and
// embedded, since a node runs as one process. go.etcd.io/bbolt is the
// maintained successor of BoltDB, used by etcd, Consul and containerd: a
// single file, ACID transactions, a B+tree whose sorted keys give the range
// deletes and random seeks this package needs, and no background goroutines
// or compaction. Its weakness is write cost: each transaction commits with
// an fsync. The discovery loop writes a ping or pong time for nearly every
// packet, so the bbolt implementation buffers writes in memory (reads see
// them) and commits them in one transaction when Config.FlushThreshold of
// them have accumulated, when Flush or Close is called, or before reads that
// scan the file (QuerySeeds, ExpireBefore). A crash loses at most the
// unflushed writes, which for a cache of the network means a few pings to
// redo. Our own record's sequence number is written through at once, since
// losing it would make the next record older than one already published.
// LevelDB ports (goleveldb) have cheaper writes but are unmaintained and run
// compaction goroutines; SQLite in pure Go is far heavier than needed.
//
// # Expiry
//
// Nothing runs in the background. Entries not seen for NodeExpiration (a
// day) are deleted by ExpireBefore, which the discovery loop calls, or by
// ExpireLoop, a blocking helper that calls it every ExpireInterval in a
// goroutine that the caller starts and stops with a context. A node is seen
// when it pings us, answers our ping or its record is stored (UpdateNode);
// everything about a node goes when it was not seen since the cut-off, and
// the data kept per IP address of a node goes when neither a ping nor a pong
// was received from that address since the cut-off.
//
// # What callers must know
//
// Times are stored with nanosecond precision and come back in the local
// time zone without monotonic clock reading; compare them with Equal,
// Before and After. IPv4 addresses and their IPv4-mapped IPv6 forms are the
// same key; IPv6 zones are ignored. Methods that read return the zero value
// (nil, zero time, 0) for missing entries, also after Close. Stored records
// are trusted when read back and not verified again, as they were verified
// before they were stored. All methods are safe for concurrent use.
package nodedb
