package nodedb

import (
	"errors"
	"net/netip"
	"time"

	"github.com/seednet/p2p/enode"
)

// Expiry defaults.
const (
	// NodeExpiration is how long entries are kept after a node was last
	// seen.
	NodeExpiration = 24 * time.Hour
	// ExpireInterval is how often ExpireLoop deletes old entries.
	ExpireInterval = time.Hour
	// DefaultFlushThreshold is the number of buffered writes at which the
	// bbolt implementation commits them.
	DefaultFlushThreshold = 512
)

// Errors.
var (
	// ErrClosed is returned by writes after Close.
	ErrClosed = errors.New("nodedb: database closed")
	// ErrInvalidIP is returned by writes for an invalid (zero) address.
	ErrInvalidIP = errors.New("nodedb: invalid IP address")
	// ErrNilNode is returned by UpdateNode for a nil node.
	ErrNilNode = errors.New("nodedb: nil node")
)

// DB is a node database. Implementations must be safe for concurrent use;
// nodedbtest.Run checks that an implementation behaves like ours.
type DB interface {
	// LocalSeq and StoreLocalSeq keep our own record's sequence number
	// (enode.SeqStore). StoreLocalSeq is durable when it returns if the
	// database is.
	enode.SeqStore

	// Node returns the stored node with the given ID, nil if none.
	Node(id enode.ID) *enode.Node
	// UpdateNode stores a node, unless a node with a higher record sequence
	// number is stored already, and marks the node as seen now.
	UpdateNode(n *enode.Node) error
	// DeleteNode deletes a node and everything stored about it.
	DeleteNode(id enode.ID) error

	// LastPingReceived returns when the node last pinged us from ip, the
	// zero time if never.
	LastPingReceived(id enode.ID, ip netip.Addr) time.Time
	// UpdateLastPingReceived stores when the node last pinged us from ip;
	// the zero time deletes it.
	UpdateLastPingReceived(id enode.ID, ip netip.Addr, t time.Time) error
	// LastPongReceived returns when the node at ip last answered our ping,
	// the zero time if never.
	LastPongReceived(id enode.ID, ip netip.Addr) time.Time
	// UpdateLastPongReceived stores when the node at ip last answered our
	// ping; the zero time deletes it.
	UpdateLastPongReceived(id enode.ID, ip netip.Addr, t time.Time) error
	// FindFails returns the number of failed FINDNODE queries to the node
	// at ip since the last success.
	FindFails(id enode.ID, ip netip.Addr) int
	// UpdateFindFails stores that number; zero deletes it.
	UpdateFindFails(id enode.ID, ip netip.Addr, fails int) error

	// QuerySeeds returns up to n stored nodes, chosen at random, whose last
	// pong from their current IP address is no older than maxAge, for
	// seeding the discovery table. It may return fewer than n even when more
	// would qualify.
	QuerySeeds(n int, maxAge time.Duration) []*enode.Node
	// ExpireBefore deletes everything about the nodes not seen since t
	// (no ping, pong or UpdateNode), and the ping, pong and failure data of
	// the addresses from which no ping or pong was received since t. It
	// returns the number of nodes deleted.
	ExpireBefore(t time.Time) (int, error)

	// Close releases the database. It is idempotent.
	Close() error
}

// Config configures Open, OpenBolt and NewMemory. The zero value is an
// in-memory database with the system clock.
type Config struct {
	// Path is the database file, created with its directory if missing.
	// Empty means an in-memory database.
	Path string
	// Now is the clock, for UpdateNode's time seen and QuerySeeds. Nil
	// means time.Now.
	Now func() time.Time
	// FlushThreshold is the number of buffered writes at which a
	// persistent database commits them. Zero means DefaultFlushThreshold;
	// 1 commits every write at once.
	FlushThreshold int
	// LockTimeout is how long OpenBolt waits for the file lock that another
	// process holds. Zero means one second.
	LockTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.FlushThreshold <= 0 {
		c.FlushThreshold = DefaultFlushThreshold
	}
	if c.LockTimeout <= 0 {
		c.LockTimeout = time.Second
	}
	return c
}

// Open opens the database at cfg.Path with bbolt, or makes an in-memory
// database if the path is empty.
func Open(cfg Config) (DB, error) {
	if cfg.Path == "" {
		return NewMemory(cfg), nil
	}
	return OpenBolt(cfg)
}

// ipKey returns the normal form of an address: IPv4 unmapped, no zone.
func ipKey(ip netip.Addr) (netip.Addr, bool) {
	if !ip.IsValid() {
		return netip.Addr{}, false
	}
	return ip.Unmap().WithZone(""), true
}

// normTime drops the monotonic reading and location, and rounds to what
// both implementations store: nanoseconds since 1970 in an int64.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano())
}
