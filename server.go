package p2p

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/metrics"
	"github.com/seednet/p2p/nat"
	"github.com/seednet/p2p/netutil"
)

// Defaults of the Server's settings, filled in where a field is zero.
const (
	DefaultMaxPendingPeers     = 50
	DefaultDialRatio           = 3
	DefaultInboundThrottleTime = 30 * time.Second
	DefaultName                = "seednet-p2p"
	DefaultPeerSendBuffer      = 256 << 10
	defaultDialTimeout         = 15 * time.Second
)

// Server manages the peer-to-peer connections of a node: it listens for
// and dials peers, runs the RLPx and Hello handshakes, admits peers within
// its limits and runs the sub-protocols with them.
//
// Configure it with a struct literal and call Start:
//
//	srv := p2p.Server{MaxPeers: 10, PrivateKey: key, Name: "my node",
//		ListenAddr: ":30303", Protocols: []p2p.Protocol{proto}}
//	if err := srv.Start(); err != nil { ... }
//	defer srv.Stop()
//
// The settings must not change while the server runs. A stopped server can
// be started again; it keeps its settings and starts with no peers.
type Server struct {
	// PrivateKey is the node's key, which is its identity. Required.
	PrivateKey *ecdsa.PrivateKey

	// Name is the client name announced to peers in Hello. Empty means
	// DefaultName.
	Name string

	// MaxPeers is the most peers the server keeps connected, inbound and
	// outbound together (trusted peers do not count against it). Must be
	// positive.
	MaxPeers int

	// MaxPendingPeers is the most inbound connections that may be in the
	// handshakes at once, and separately the most dials under way (a dial
	// lasts until its handshakes are over). Zero means
	// DefaultMaxPendingPeers. When the inbound slots are all taken, one
	// subnet's connections keep no more than a fair share of them: see
	// admission.go.
	MaxPendingPeers int

	// DialRatio sets the share of outbound peers: at most MaxPeers/DialRatio
	// of the peers are dialed by us (static peers aside), and the rest of
	// the slots are kept for inbound peers. Zero means DefaultDialRatio.
	// With NoDial every slot is for inbound peers.
	DialRatio int

	// ListenAddr is the TCP address to listen on, such as ":30303" or
	// "127.0.0.1:0". Empty means the server does not listen. Start sets it
	// to the address bound ("127.0.0.1:0" becomes "127.0.0.1:41234").
	ListenAddr string

	// Protocols are the sub-protocols the server runs with peers. A peer
	// with none of them in common is rejected with DiscUselessPeer (when
	// the list is not empty).
	Protocols []Protocol

	// StaticNodes are dialed at start and redialed, with backoff, whenever
	// the connection is lost. Nil means none. AddPeer adds more.
	StaticNodes []*enode.Node

	// TrustedNodes may connect even when the peer limits are reached. Nil
	// means none. AddTrustedPeer adds more.
	TrustedNodes []*enode.Node

	// NetRestrict, if not nil, limits inbound and outbound connections,
	// and discovery, to these networks. Nil means no restriction. Build it
	// with netutil.ParseNetlist("10.0.0.0/8, 192.168.0.0/16") or as a
	// literal: &netutil.Netlist{netip.MustParsePrefix("10.0.0.0/8")}.
	NetRestrict *netutil.Netlist

	// NoDial stops the server from dialing any node, static ones included.
	NoDial bool

	// NoDiscovery turns node discovery off: both versions, which otherwise
	// run on one socket, the UDP port of ListenAddr. The server then finds
	// peers only through StaticNodes, AddPeer and the protocols'
	// DialCandidates.
	NoDiscovery bool

	// NoDiscoveryV4 and NoDiscoveryV5 turn one version of discovery off.
	// Both run by default (go-ethereum has DiscoveryV4 and DiscoveryV5
	// switches that are off by default; here the zero value is the
	// recommended setting, so a struct literal without them gets both).
	NoDiscoveryV4, NoDiscoveryV5 bool

	// BootstrapNodes are the nodes discovery starts from. Nil means none:
	// the node then relies on its database and on nodes that contact it.
	BootstrapNodes []*enode.Node

	// BootstrapNodesV5 are the nodes discovery v5 starts from (enr: or
	// enode: URLs work). Nil means BootstrapNodes.
	BootstrapNodesV5 []*enode.Node

	// NodeDatabase is the path of the node database, which keeps the
	// nodes discovery found and the sequence number of our node record
	// across restarts. Empty means an in-memory database.
	NodeDatabase string

	// Network provides the listening sockets, TCP and UDP. Nil means the
	// operating system's. An in-memory network (the simulator's) plugs in
	// here, with Dialer, so that a Server runs on it unchanged.
	Network Network

	// Dialer makes outbound connections. Nil means a net.Dialer with a 15 s
	// timeout, dialing the node's IP and TCP port.
	Dialer NodeDialer

	// DNSDiscoveryURLs are DNS node lists (EIP-1459), as
	// enrtree://<key>@<domain> URLs, whose nodes are dialed alongside those
	// discovery finds. Their TXT records are looked up with Resolver. Nil
	// means none.
	DNSDiscoveryURLs []string

	// NAT, if not nil, makes the node reachable from outside a home router:
	// the server maps its TCP port and discovery's UDP port on the gateway
	// at Start, renews the mappings, deletes them at Stop, and puts the
	// external address and ports in its record and enode URL. Use
	// nat.Parse("any"), nat.UPnP(), nat.PMP(nil), nat.STUN("") or
	// nat.ExtIP(ip). Nil means none. NodeInfo shows the mappings.
	NAT nat.Interface

	// Resolver looks up the host names of enode URLs that have one (such
	// as enode://<id>@node.example.org:30303): a static node's before each
	// dial, a bootnode's at Start. Nil means net.DefaultResolver.
	Resolver enode.HostResolver

	// InboundThrottleTime is how long an IP address must wait before it may
	// connect again. Zero means DefaultInboundThrottleTime; negative turns
	// the throttle off. Addresses on the LAN and loopback are exempt unless
	// ThrottleLAN is set.
	InboundThrottleTime time.Duration

	// ThrottleLAN applies the defences meant for the internet to LAN and
	// loopback addresses too: the inbound throttle, MaxPeersPerSubnet,
	// automatic IP bans and discovery's reply budget for unverified
	// senders (discover.Config.LimitLAN).
	ThrottleLAN bool

	// Reputation decides which offenses (protocol errors, bad messages,
	// timeouts, useless peers, failed handshakes) get a node or its
	// address banned; see reputation.go. Nil means a NewScorePolicy;
	// NoBans bans nobody automatically. Trusted and static nodes are
	// never banned automatically, nor are LAN addresses unless
	// ThrottleLAN is set.
	Reputation ReputationPolicy

	// MaxPeersPerSubnet is the most inbound peers from one subnet (IPv4
	// /24, IPv6 /64), so that one place cannot take every slot with many
	// identities. Trusted peers do not count against it, and LAN
	// addresses are exempt unless ThrottleLAN is set. Zero means a
	// quarter of the inbound slots (MaxInboundConns), at least 2;
	// negative means no limit.
	MaxPeersPerSubnet int

	// Bandwidth sets budgets for the whole server, each peer and each
	// protocol, inbound and outbound; see bandwidth.go. The zero value
	// sets none.
	Bandwidth Bandwidth

	// PeerSendBuffer is the size of each connection's kernel send buffer
	// (SO_SNDBUF; Linux doubles it for its bookkeeping): what a peer that
	// does not read can hold of our memory once our writes to it block.
	// Such a peer is dropped when a write has been blocked for 20 s.
	// Zero means DefaultPeerSendBuffer; negative leaves the system's
	// autotuning, which on Linux lets a buffer grow to the maximum of
	// net.ipv4.tcp_wmem (4 MiB by default). A smaller buffer caps the
	// throughput to one peer at about PeerSendBuffer per round trip.
	PeerSendBuffer int

	// EnableMsgEvents makes the server report every message sent and
	// received to SubscribeEvents subscribers.
	EnableMsgEvents bool

	// Logger receives the server's logs. Nil means no logging.
	Logger *slog.Logger

	// Metrics receives the server's metrics (named p2p_..., listed in
	// doc.go) and those of its discovery. Nil means none are reported.
	// metrics.NewRegistry serves them in Prometheus's format without any
	// dependency; github.com/seednet/p2p/metrics/prometheus reports to a
	// registry of Prometheus's client library. Give each Server its own
	// provider, or label them apart (the prometheus adapter takes
	// constant labels): two servers reporting to one provider add up
	// their counters, and their figures read at collection time replace
	// each other's.
	Metrics metrics.Provider

	mu    sync.Mutex // guards run
	run   *serverRun // the state of the running server; nil when stopped
	feed  eventFeed
	stats serverStats

	bans              banList // outlives a run
	defaultPolicyOnce sync.Once
	defaultPolicy     ReputationPolicy
}

// NodeDialer makes outbound connections to nodes.
type NodeDialer interface {
	Dial(ctx context.Context, node *enode.Node) (net.Conn, error)
}

// TCPDialer dials nodes over TCP with a net.Dialer. The zero value, with
// no Dialer, dials with a zero net.Dialer (the context bounds the time).
type TCPDialer struct{ *net.Dialer }

// Dial connects to the node's IP and TCP port.
func (d TCPDialer) Dial(ctx context.Context, node *enode.Node) (net.Conn, error) {
	ep, ok := node.TCPEndpoint()
	if !ok {
		return nil, fmt.Errorf("p2p: node %s has no TCP endpoint", node.ID().TerminalString())
	}
	nd := d.Dialer
	if nd == nil {
		nd = new(net.Dialer)
	}
	return nd.DialContext(ctx, "tcp", ep.String())
}

// Errors of Start.
var (
	ErrServerRunning = errors.New("p2p: server already running")
)

// ConfigError is Start's error for a setting that is wrong or cannot be
// used (an address that cannot be listened on, a database that cannot be
// opened). Field names the Server field, such as "MaxPeers", "ListenAddr"
// or "Protocols[2]", so that a program can tell its user which of its own
// flags or keys to fix.
type ConfigError struct {
	Field string
	Err   error // the underlying error, if any
	msg   string
}

func (e *ConfigError) Error() string { return e.msg }
func (e *ConfigError) Unwrap() error { return e.Err }

func configError(field string, err error, format string, args ...any) error {
	return &ConfigError{Field: field, Err: err, msg: fmt.Sprintf(format, args...)}
}

var discardLogger = slog.New(slog.DiscardHandler)

func (srv *Server) logger() *slog.Logger {
	if srv == nil || srv.Logger == nil {
		return discardLogger
	}
	return srv.Logger
}

// Start starts the server: it listens (if ListenAddr is set) and dials the
// static nodes. It returns an error that says what to fix when a setting is
// wrong or the address cannot be listened on.
func (srv *Server) Start() error {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.run != nil {
		return ErrServerRunning
	}
	if err := srv.check(); err != nil {
		return err
	}
	srv.stats.setMetrics(newServerMetrics(srv.Metrics, &srv.stats, &srv.bans))
	r, err := newServerRun(srv)
	if err != nil {
		return err
	}
	srv.run = r
	if r.listener != nil {
		// As go-ethereum does: ":0" becomes the port the system chose.
		srv.ListenAddr = r.listener.Addr().String()
	}
	r.start()
	return nil
}

func (srv *Server) check() error {
	switch {
	case srv.PrivateKey == nil:
		return configError("PrivateKey", nil, "p2p: Server.PrivateKey must be set (use crypto.GenerateKey or crypto.LoadECDSA)")
	case srv.MaxPeers <= 0:
		return configError("MaxPeers", nil, "p2p: Server.MaxPeers must be positive, is %d", srv.MaxPeers)
	case srv.MaxPendingPeers < 0:
		return configError("MaxPendingPeers", nil, "p2p: Server.MaxPendingPeers must not be negative, is %d", srv.MaxPendingPeers)
	case srv.DialRatio < 0:
		return configError("DialRatio", nil, "p2p: Server.DialRatio must not be negative, is %d", srv.DialRatio)
	}
	for i, u := range srv.DNSDiscoveryURLs {
		if _, _, err := dnsdisc.ParseURL(u); err != nil {
			return configError(fmt.Sprintf("DNSDiscoveryURLs[%d]", i), err, "p2p: Server.DNSDiscoveryURLs[%d] (%q): %v", i, u, err)
		}
	}
	for i, p := range srv.Protocols {
		if p.Name == "" || p.Run == nil || p.Length == 0 {
			return configError(fmt.Sprintf("Protocols[%d]", i), nil, "p2p: Server.Protocols[%d] (%q) needs a Name, a Run function and a Length above zero", i, p.Name)
		}
	}
	return nil
}

// Stop disconnects every peer, stops listening and dialing, cancels the
// handshakes under way, and returns once all of the server's goroutines
// have ended. A peer that does not read gets about half a second to take
// what was sent to it and the Disconnect, so Stop returns within about a
// second whatever the peers do (with NAT set, it also waits for the
// gateway to delete the port mappings, at most a few seconds when the
// gateway does not answer). It returns the errors of closing the
// listener, discovery and the node database. Stopping a stopped server
// does nothing.
func (srv *Server) Stop() error {
	srv.mu.Lock()
	r := srv.run
	srv.run = nil
	srv.mu.Unlock()
	if r == nil {
		return nil
	}
	return r.stop()
}

// running returns the state of the running server, or nil.
func (srv *Server) running() *serverRun {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.run
}

// Self returns the local node, or nil when the server is not running.
func (srv *Server) Self() *enode.Node {
	if r := srv.running(); r != nil {
		return r.local.Node()
	}
	return nil
}

// LocalNode returns the local node, whose record the server keeps, or nil
// when the server is not running. Protocols may set entries on it.
func (srv *Server) LocalNode() *enode.LocalNode {
	if r := srv.running(); r != nil {
		return r.local
	}
	return nil
}

// DiscoveryV4 returns the discovery v4 instance, or nil when discovery is
// off or the server is not running.
func (srv *Server) DiscoveryV4() *discover.UDPv4 {
	if r := srv.running(); r != nil {
		return r.disc
	}
	return nil
}

// SetupConn hands the server a connection made outside it: it runs the
// RLPx and Hello handshakes on fd and adds the peer if the server's limits
// admit it. dialDest is the node that was dialed, or nil for a connection
// that the remote side opened (then InboundConn is implied). flags may add
// TrustedConn, StaticDialedConn or DynDialedConn, with their meaning for
// the limits. It returns nil once the peer runs, and otherwise why the
// connection was refused, with fd closed.
func (srv *Server) SetupConn(fd net.Conn, flags ConnFlag, dialDest *enode.Node) error {
	r := srv.running()
	if r == nil || !r.enter() {
		fd.Close()
		return ErrServerStopped
	}
	defer r.leave()
	if dialDest == nil {
		flags |= InboundConn
	} else {
		flags &^= InboundConn
	}
	_, err := r.setupConn(r.ctx, fd, flags, dialDest, nil)
	return err
}

// DiscoveryV5 returns the discovery v5 instance, or nil when it is off or
// the server is not running.
func (srv *Server) DiscoveryV5() *discover.UDPv5 {
	if r := srv.running(); r != nil {
		return r.disc5
	}
	return nil
}

// DiscoveryNodes returns the nodes in the discovery tables (of v4 and v5,
// each node once), or nil when discovery is off or the server is not
// running.
func (srv *Server) DiscoveryNodes() []*enode.Node {
	r := srv.running()
	if r == nil {
		return nil
	}
	var nodes []*enode.Node
	seen := make(map[enode.ID]bool)
	add := func(ns []*enode.Node) {
		for _, n := range ns {
			if !seen[n.ID()] {
				seen[n.ID()] = true
				nodes = append(nodes, n)
			}
		}
	}
	if r.disc != nil {
		add(r.disc.TableNodes())
	}
	if r.disc5 != nil {
		add(r.disc5.AllNodes())
	}
	return nodes
}

// Peers returns the connected peers.
func (srv *Server) Peers() []*Peer {
	if r := srv.running(); r != nil {
		return r.peerList()
	}
	return nil
}

// PeerCount returns the number of connected peers.
func (srv *Server) PeerCount() int {
	if r := srv.running(); r != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.peers)
	}
	return 0
}

// AddPeer adds node to the static nodes: the server dials it, and redials
// it with backoff whenever the connection is lost, until RemovePeer.
func (srv *Server) AddPeer(node *enode.Node) {
	if r := srv.running(); r != nil {
		r.dialer.addStatic(node)
	}
}

// RemovePeer removes node from the static nodes and disconnects it.
func (srv *Server) RemovePeer(node *enode.Node) {
	if r := srv.running(); r != nil {
		r.dialer.removeStatic(node.ID())
		if p := r.peer(node.ID()); p != nil {
			p.Disconnect(DiscRequested)
		}
	}
}

// AddTrustedPeer marks node as trusted: it may connect beyond the limits.
func (srv *Server) AddTrustedPeer(node *enode.Node) {
	if r := srv.running(); r != nil {
		r.setTrusted(node.ID(), true)
	}
}

// RemoveTrustedPeer removes node from the trusted set.
func (srv *Server) RemoveTrustedPeer(node *enode.Node) {
	if r := srv.running(); r != nil {
		r.setTrusted(node.ID(), false)
	}
}

// MaxInboundConns returns the most inbound peers the server admits: the
// MaxPeers slots that are not kept for dialing (all of them with NoDial).
// Trusted peers do not count.
func (srv *Server) MaxInboundConns() int { return srv.MaxPeers - srv.MaxDialedConns() }

// MaxDialedConns returns the most peers the server dials from discovery
// and the protocols' DialCandidates: MaxPeers/DialRatio, or none with
// NoDial. Static peers do not count.
func (srv *Server) MaxDialedConns() int {
	if srv.NoDial {
		return 0
	}
	ratio := srv.DialRatio
	if ratio == 0 {
		ratio = DefaultDialRatio
	}
	return srv.MaxPeers / ratio
}

// discoveryOn reports whether a version of discovery runs.
func (srv *Server) discoveryOn() bool {
	return !srv.NoDiscovery && !(srv.NoDiscoveryV4 && srv.NoDiscoveryV5)
}

func (srv *Server) name() string {
	if srv.Name == "" {
		return DefaultName
	}
	return srv.Name
}

func (srv *Server) dialer() NodeDialer {
	if srv.Dialer != nil {
		return srv.Dialer
	}
	return TCPDialer{&net.Dialer{Timeout: defaultDialTimeout}}
}

func (srv *Server) throttleTime() time.Duration {
	if srv.InboundThrottleTime == 0 {
		return DefaultInboundThrottleTime
	}
	return srv.InboundThrottleTime
}

func (srv *Server) maxPending() int {
	if srv.MaxPendingPeers == 0 {
		return DefaultMaxPendingPeers
	}
	return srv.MaxPendingPeers
}

// allowed reports whether NetRestrict admits ip.
func (srv *Server) allowed(ip netip.Addr) bool { return srv.NetRestrict.Permits(ip) }

// limitSendBuffer sets fd's kernel send buffer to PeerSendBuffer.
func (srv *Server) limitSendBuffer(fd net.Conn) {
	size := srv.PeerSendBuffer
	if size == 0 {
		size = DefaultPeerSendBuffer
	}
	if sb, ok := fd.(interface{ SetWriteBuffer(int) error }); ok && size > 0 {
		sb.SetWriteBuffer(size)
	}
}

// maxPeersPerSubnet returns the limit of inbound peers from one subnet, 0
// for none.
func (srv *Server) maxPeersPerSubnet() int {
	switch {
	case srv.MaxPeersPerSubnet < 0:
		return 0
	case srv.MaxPeersPerSubnet > 0:
		return srv.MaxPeersPerSubnet
	}
	return max(2, srv.MaxInboundConns()/4)
}

// Network provides a Server's listening sockets.
type Network interface {
	// Listen listens for TCP connections at address ("host:port").
	Listen(address string) (net.Listener, error)
	// ListenUDP opens the UDP socket for discovery at address.
	ListenUDP(address string) (discover.UDPConn, error)
}

// osNetwork is the operating system's network.
type osNetwork struct{}

func (osNetwork) Listen(address string) (net.Listener, error) { return net.Listen("tcp", address) }

func (osNetwork) ListenUDP(address string) (discover.UDPConn, error) {
	c, err := net.ListenPacket("udp", address)
	if err != nil {
		return nil, err
	}
	return c.(*net.UDPConn), nil
}

func (srv *Server) network() Network {
	if srv.Network == nil {
		return osNetwork{}
	}
	return srv.Network
}
