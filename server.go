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

	"github.com/seednet/p2p/enode"
)

// Defaults of the Server's settings, filled in where a field is zero.
const (
	DefaultMaxPendingPeers     = 50
	DefaultDialRatio           = 3
	DefaultInboundThrottleTime = 30 * time.Second
	DefaultName                = "seednet-p2p"
	defaultDialTimeout         = 15 * time.Second
	maxActiveDials             = 16
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
	// handshake at once. Zero means DefaultMaxPendingPeers.
	MaxPendingPeers int

	// DialRatio sets the share of outbound peers: at most MaxPeers/DialRatio
	// of the peers are dialed by us (static peers aside), and the rest of
	// the slots are kept for inbound peers. Zero means DefaultDialRatio.
	DialRatio int

	// ListenAddr is the TCP address to listen on, such as ":30303" or
	// "127.0.0.1:0". Empty means the server does not listen.
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

	// NetRestrict, if not empty, limits inbound and outbound connections to
	// these networks.
	NetRestrict []netip.Prefix

	// NoDial stops the server from dialing any node, static ones included.
	NoDial bool

	// NoDiscovery turns node discovery (discovery v4, on the UDP port of
	// ListenAddr) off. The server then finds peers only through
	// StaticNodes, AddPeer and the protocols' DialCandidates.
	NoDiscovery bool

	// BootstrapNodes are the nodes discovery starts from. Nil means none:
	// the node then relies on its database and on nodes that contact it.
	BootstrapNodes []*enode.Node

	// NodeDatabase is the path of the node database, which keeps the
	// nodes discovery found and the sequence number of our node record
	// across restarts. Empty means an in-memory database.
	NodeDatabase string

	// Dialer makes outbound connections. Nil means a net.Dialer with a 15 s
	// timeout, dialing the node's IP and TCP port.
	Dialer NodeDialer

	// InboundThrottleTime is how long an IP address must wait before it may
	// connect again. Zero means DefaultInboundThrottleTime; negative turns
	// the throttle off. Addresses on the LAN and loopback are exempt unless
	// ThrottleLAN is set.
	InboundThrottleTime time.Duration

	// ThrottleLAN applies the inbound throttle to LAN and loopback
	// addresses too.
	ThrottleLAN bool

	// EnableMsgEvents makes the server report every message sent and
	// received to SubscribeEvents subscribers.
	EnableMsgEvents bool

	// Logger receives the server's logs. Nil means no logging.
	Logger *slog.Logger

	mu    sync.Mutex // guards run
	run   *serverRun // the state of the running server; nil when stopped
	feed  eventFeed
	stats serverStats
}

// NodeDialer makes outbound connections to nodes.
type NodeDialer interface {
	Dial(ctx context.Context, node *enode.Node) (net.Conn, error)
}

// TCPDialer dials nodes over TCP with a net.Dialer.
type TCPDialer struct{ *net.Dialer }

// Dial connects to the node's IP and TCP port.
func (d TCPDialer) Dial(ctx context.Context, node *enode.Node) (net.Conn, error) {
	ep, ok := node.TCPEndpoint()
	if !ok {
		return nil, fmt.Errorf("p2p: node %s has no TCP endpoint", node.ID().TerminalString())
	}
	return d.DialContext(ctx, "tcp", ep.String())
}

// Errors of Start.
var (
	ErrServerRunning = errors.New("p2p: server already running")
)

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
	r, err := newServerRun(srv)
	if err != nil {
		return err
	}
	srv.run = r
	r.start()
	return nil
}

func (srv *Server) check() error {
	switch {
	case srv.PrivateKey == nil:
		return errors.New("p2p: Server.PrivateKey must be set (use crypto.GenerateKey or crypto.LoadECDSA)")
	case srv.MaxPeers <= 0:
		return fmt.Errorf("p2p: Server.MaxPeers must be positive, is %d", srv.MaxPeers)
	case srv.MaxPendingPeers < 0:
		return fmt.Errorf("p2p: Server.MaxPendingPeers must not be negative, is %d", srv.MaxPendingPeers)
	case srv.DialRatio < 0:
		return fmt.Errorf("p2p: Server.DialRatio must not be negative, is %d", srv.DialRatio)
	}
	for i, p := range srv.Protocols {
		if p.Name == "" || p.Run == nil || p.Length == 0 {
			return fmt.Errorf("p2p: Server.Protocols[%d] (%q) needs a Name, a Run function and a Length above zero", i, p.Name)
		}
	}
	return nil
}

// Stop disconnects every peer, stops listening and dialing, and returns
// once all of the server's goroutines have ended. Stopping a stopped
// server does nothing.
func (srv *Server) Stop() error {
	srv.mu.Lock()
	r := srv.run
	srv.run = nil
	srv.mu.Unlock()
	if r == nil {
		return nil
	}
	r.stop()
	return nil
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

// DiscoveryNodes returns the nodes in the discovery table, or nil when
// discovery is off or the server is not running.
func (srv *Server) DiscoveryNodes() []*enode.Node {
	if r := srv.running(); r != nil && r.disc != nil {
		return r.disc.TableNodes()
	}
	return nil
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

// maxInbound returns the most inbound peers allowed.
func (srv *Server) maxInbound() int { return srv.MaxPeers - srv.maxDialed() }

// maxDialed returns the most peers we dial ourselves (static ones aside).
func (srv *Server) maxDialed() int {
	ratio := srv.DialRatio
	if ratio == 0 {
		ratio = DefaultDialRatio
	}
	return srv.MaxPeers / ratio
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
func (srv *Server) allowed(ip netip.Addr) bool {
	if len(srv.NetRestrict) == 0 {
		return true
	}
	ip = ip.Unmap()
	for _, p := range srv.NetRestrict {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
