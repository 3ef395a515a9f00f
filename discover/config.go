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
	"github.com/seednet/p2p/metrics"
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
	// DefaultV5RespTimeout is go-ethereum's timeout of v5 requests.
	DefaultV5RespTimeout = 700 * time.Millisecond
)

// UDPConn is the socket discovery runs on. *net.UDPConn implements it;
// ListenV4 and ListenV5 take ownership and close it in Close.
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

// Config configures ListenV4 and ListenV5. Only PrivateKey is required.
// Fields named V5 only matter to ListenV5; Bootnodes are those of the
// protocol version started with the Config.
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

	// Metrics receives the figures listed in metrics.go (table size,
	// packets, drops by reason, lookup durations). Nil means none.
	Metrics metrics.Provider

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

	// LimitLAN applies the v4 reply budget for senders that have not
	// proven their endpoint (see "Replies to unverified senders" in the
	// package doc) to LAN and loopback addresses too. False exempts them,
	// as the table's IP limits do.
	LimitLAN bool

	// Unhandled, if not nil, receives the packets that do not decode as
	// discovery v4 (ListenV4), or whose header is not discovery v5 for us
	// (ListenV5). Sends do not block: packets are dropped when the channel
	// is full. Nil means such packets are only counted. See NewSharedConn
	// for running both versions on one socket.
	Unhandled chan<- ReadPacket

	// V5ProtocolID replaces "discv5" in the header of discovery v5
	// packets, to keep a test network apart. Nil means "discv5".
	V5ProtocolID *[6]byte

	// V5RespTimeout is how long a discovery v5 request waits for each
	// response packet. Zero means DefaultV5RespTimeout.
	V5RespTimeout time.Duration

	// NoFindnodeLivenessCheck makes discovery v5 answer FINDNODE with
	// table nodes that have not answered a ping of ours yet. False means
	// only nodes that did are returned, as go-ethereum does by default.
	NoFindnodeLivenessCheck bool
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
	if cfg.V5RespTimeout <= 0 {
		cfg.V5RespTimeout = DefaultV5RespTimeout
	}
	return cfg, own, nil
}

// allowed reports whether ip passes NetRestrict.
func (cfg *Config) allowed(ip netip.Addr) bool {
	return cfg.NetRestrict.Permits(ip)
}
