package discover

import (
	"crypto/ecdsa"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/netutil"
	"github.com/seednet/p2p/nodedb"
)

// Protocol constants. They follow go-ethereum, whose nodes we talk to.
const (
	// bucketSize is the number of nodes in a bucket and in a lookup result.
	bucketSize = 16
	// maxReplacements is the length of a bucket's replacement list.
	maxReplacements = 10
	// nBuckets is the number of buckets. Nodes at log distance
	// bucketMinDistance or less share the first bucket.
	nBuckets          = 17
	bucketMinDistance = 256 - nBuckets
	// bucketIPLimit and tableIPLimit cap the nodes (replacements included)
	// from one subnet in a bucket and in the whole table.
	bucketIPLimit = 2
	tableIPLimit  = 10
	// alpha is the number of concurrent queries of a lookup.
	alpha = 3
	// respTimeout is how long we wait for a reply.
	respTimeout = 500 * time.Millisecond
	// expiration is the lifetime we give our packets.
	expiration = 20 * time.Second
	// bondExpiration is how long an endpoint proof is valid.
	bondExpiration = 24 * time.Hour
	// maxFindnodeFailures is the number of failed FINDNODE queries after
	// which a node leaves the table.
	maxFindnodeFailures = 5
	// seedCount and seedMaxAge select the nodes that seed the table from
	// the database.
	seedCount  = 30
	seedMaxAge = 5 * 24 * time.Hour
	// maxPingBacks caps the goroutines that ping back unknown pingers.
	maxPingBacks = 128
)

// Config defaults; see Config.
const (
	DefaultPingInterval    = 10 * time.Second
	DefaultRefreshInterval = 30 * time.Minute
)

// UDPConn is the socket discovery runs on. *net.UDPConn implements it;
// ListenV4 takes ownership and closes it in Close.
type UDPConn interface {
	ReadFromUDPAddrPort(b []byte) (n int, addr netip.AddrPort, err error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	Close() error
	LocalAddr() net.Addr
}

// ReadPacket is a packet that discovery v4 could not decode, passed on
// through Config.Unhandled so that another protocol (discovery v5) can
// share the socket.
type ReadPacket struct {
	Data []byte
	Addr netip.AddrPort
}

// Config configures ListenV4. Only PrivateKey is required.
type Config struct {
	// PrivateKey is the node's key; it must match the LocalNode's.
	PrivateKey *ecdsa.PrivateKey

	// NetRestrict, if not nil or empty, limits the nodes we talk to:
	// packets from other addresses are dropped and nodes elsewhere are not
	// added to the table. Nil or empty means no restriction. The check is
	// (*netutil.Netlist).Permits, the one p2p.Server uses too. The list
	// must not change after ListenV4.
	NetRestrict *netutil.Netlist

	// Bootnodes seed the table when it is empty and at every refresh.
	// Nil means none; the table then relies on the database and on nodes
	// that contact us.
	Bootnodes []*enode.Node

	// DB stores endpoint proofs and known nodes. Nil means an in-memory
	// database that Close discards; a DB given here is not closed.
	DB nodedb.DB

	// Log receives debug logs. Nil means silent.
	Log *slog.Logger

	// Clock gives the time for packet expiration and the database's
	// timestamps. Nil means time.Now. Timers use the time package, so
	// tests that control them run under testing/synctest.
	Clock func() time.Time

	// ValidSchemes are the identity schemes accepted in ENRResponse
	// records. Nil means enode.ValidSchemes.
	ValidSchemes enr.IdentityScheme

	// PingInterval is the mean interval between revalidation pings of
	// table nodes. Zero means DefaultPingInterval.
	PingInterval time.Duration

	// RefreshInterval is the interval between table refreshes (a lookup of
	// our own ID and random lookups). Zero means DefaultRefreshInterval.
	RefreshInterval time.Duration

	// Unhandled, if not nil, receives the packets that do not decode as
	// discovery v4. Sends do not block: packets are dropped when the
	// channel is full. Nil means such packets are only counted.
	Unhandled chan<- ReadPacket
}

// withDefaults returns a copy of cfg with every zero field filled in.
// The second result is the database that ListenV4 created, if any.
func (cfg Config) withDefaults() (Config, nodedb.DB, error) {
	if cfg.PrivateKey == nil {
		return cfg, nil, errors.New("discover: Config.PrivateKey is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	var own nodedb.DB
	if cfg.DB == nil {
		own = nodedb.NewMemory(nodedb.Config{Now: cfg.Clock})
		cfg.DB = own
	}
	if cfg.ValidSchemes == nil {
		cfg.ValidSchemes = enode.ValidSchemes
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	return cfg, own, nil
}

// allowed reports whether ip passes NetRestrict.
func (cfg *Config) allowed(ip netip.Addr) bool {
	return cfg.NetRestrict.Permits(ip)
}
