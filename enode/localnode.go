package enode

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/netutil"
	"github.com/seednet/p2p/rlp"
)

// Defaults of endpoint prediction, as in go-ethereum.
const (
	DefaultEndpointWindow = 5 * time.Minute
	DefaultContactWindow  = 10 * time.Minute
	DefaultMinStatements  = 10
)

// SeqStore keeps the sequence number of the local record across restarts, so
// that a restarted node publishes a record newer than the ones it published
// before. The node database implements it.
type SeqStore interface {
	// LocalSeq returns the stored sequence number for id, 0 if none.
	LocalSeq(id ID) uint64
	// StoreLocalSeq stores the sequence number for id.
	StoreLocalSeq(id ID, seq uint64)
}

// LocalNodeConfig configures a LocalNode. The zero value is usable.
type LocalNodeConfig struct {
	// SeqStore persists the record's sequence number. Nil means none: the
	// sequence number then starts at the current Unix time in milliseconds
	// and each new record takes max(seq+1, now in ms), which stays ahead of
	// earlier runs as long as the clock is right and records change less
	// than a thousand times a second on average. A typed nil pointer in
	// this interface is not nil; leave the field unset instead.
	SeqStore SeqStore
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger gets a debug line for each new record. Nil means silent.
	Logger *slog.Logger
	// EndpointWindow is how long endpoint statements count. Zero means
	// DefaultEndpointWindow.
	EndpointWindow time.Duration
	// ContactWindow is how long sent packets count for full-cone NAT
	// detection. Zero means DefaultContactWindow.
	ContactWindow time.Duration
	// MinStatements is how many distinct hosts must agree on our endpoint
	// before it is used. Zero means DefaultMinStatements.
	MinStatements int
}

func (cfg LocalNodeConfig) withDefaults() LocalNodeConfig {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.EndpointWindow == 0 {
		cfg.EndpointWindow = DefaultEndpointWindow
	}
	if cfg.ContactWindow == 0 {
		cfg.ContactWindow = DefaultContactWindow
	}
	if cfg.MinStatements == 0 {
		cfg.MinStatements = DefaultMinStatements
	}
	return cfg
}

// LocalNode builds and signs the record of the node run by this process.
//
// Entries set with Set and the endpoint (from SetStaticIP, SetFallbackIP,
// SetFallbackUDP and endpoint prediction) make up the record. Every change
// marks the record stale; Node signs a new one with the next sequence number
// when it is next asked for, so a burst of changes costs one signature and
// one seq step. All methods are safe for concurrent use.
//
// Endpoint prediction: discovery reports what remote hosts say our UDP
// endpoint is (UDPEndpointStatement, from the "to" field of PONGs) and whom
// we told about ourselves (UDPContact). When enough distinct hosts (by IP)
// agree within the window, the agreed IP and UDP port go into the record,
// unless a static IP is set; a NAT's external port thus replaces the
// listening port. Otherwise the fallback IP and UDP port are used.
type LocalNode struct {
	id  ID
	key *ecdsa.PrivateKey
	cfg LocalNodeConfig

	cur atomic.Pointer[Node] // current signed record; nil while stale

	mu        sync.Mutex // guards the fields below
	seq       uint64     // seq of the last signed record (or the start value)
	entries   map[string]rlp.RawValue
	endpoint4 lnEndpoint
	endpoint6 lnEndpoint
}

// lnEndpoint is what is known about one IP family of our endpoint.
type lnEndpoint struct {
	track       *netutil.IPTracker
	staticIP    netip.Addr
	fallbackIP  netip.Addr
	fallbackUDP uint16
}

// NewLocalNode makes a LocalNode for key whose seq persists in db (nil for
// none), with the defaults of LocalNodeConfig. It matches go-ethereum's
// constructor; NewLocalNodeWithConfig takes all settings.
func NewLocalNode(db SeqStore, key *ecdsa.PrivateKey) *LocalNode {
	return NewLocalNodeWithConfig(key, LocalNodeConfig{SeqStore: db})
}

// NewLocalNodeWithConfig makes a LocalNode for key. The record starts with
// the "id" and "secp256k1" entries only.
func NewLocalNodeWithConfig(key *ecdsa.PrivateKey, cfg LocalNodeConfig) *LocalNode {
	cfg = cfg.withDefaults()
	ln := &LocalNode{
		id:      PubkeyToIDV4(&key.PublicKey),
		key:     key,
		cfg:     cfg,
		entries: make(map[string]rlp.RawValue),
		endpoint4: lnEndpoint{
			track: netutil.NewIPTracker(cfg.EndpointWindow, cfg.ContactWindow, cfg.MinStatements, cfg.Now),
		},
		endpoint6: lnEndpoint{
			track: netutil.NewIPTracker(cfg.EndpointWindow, cfg.ContactWindow, cfg.MinStatements, cfg.Now),
		},
	}
	if cfg.SeqStore != nil {
		ln.seq = cfg.SeqStore.LocalSeq(ln.id)
	}
	if ln.seq == 0 {
		ln.seq = ln.nowMillis()
	}
	return ln
}

// ID returns the local node ID.
func (ln *LocalNode) ID() ID { return ln.id }

// Node returns the current signed record as a Node, signing a new version
// first if anything changed since the last one.
func (ln *LocalNode) Node() *Node {
	if n := ln.cur.Load(); n != nil {
		return n
	}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.nodeLocked()
}

// Seq returns the sequence number of the current record (see Node).
func (ln *LocalNode) Seq() uint64 { return ln.Node().Seq() }

// Set puts e into the record, replacing any entry with the same key. Setting
// an entry to the value it has changes nothing. It fails, changing nothing,
// if e cannot be encoded or the record could then outgrow enr.SizeLimit
// (enr.ErrTooBig; room is kept for the endpoint entries).
//
// The ip, ip6, udp and udp6 entries are owned by endpoint prediction, which
// overwrites them: use SetStaticIP, SetFallbackIP and SetFallbackUDP.
func (ln *LocalNode) Set(e enr.Entry) error {
	blob, err := rlp.EncodeToBytes(e)
	if err != nil {
		return fmt.Errorf("enode: can't encode %q entry: %w", e.ENRKey(), err)
	}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.setLocked(e.ENRKey(), blob)
}

func (ln *LocalNode) setLocked(key string, blob []byte) error {
	if old, ok := ln.entries[key]; ok && bytes.Equal(old, blob) {
		return nil
	}
	if !isEndpointKey(key) && !ln.fitsLocked(key, blob) {
		return fmt.Errorf("enode: %q entry: %w", key, enr.ErrTooBig)
	}
	ln.entries[key] = blob
	ln.invalidate()
	return nil
}

// Delete removes the entry with e's key from the record.
func (ln *LocalNode) Delete(e enr.Entry) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.deleteLocked(e.ENRKey())
}

func (ln *LocalNode) deleteLocked(key string) {
	if _, ok := ln.entries[key]; ok {
		delete(ln.entries, key)
		ln.invalidate()
	}
}

// SetStaticIP sets our IP address for its family (IPv4 or IPv6) and turns
// endpoint prediction off for that family. The UDP port is then the fallback
// one. An invalid ip is ignored.
func (ln *LocalNode) SetStaticIP(ip netip.Addr) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ep := ln.endpointFor(ip); ep != nil {
		ep.staticIP = ip.Unmap()
		ln.updateEndpointsLocked()
	}
}

// SetFallbackIP sets the IP address used for its family while no static IP
// is set and no prediction can be made. An invalid ip is ignored.
func (ln *LocalNode) SetFallbackIP(ip netip.Addr) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ep := ln.endpointFor(ip); ep != nil {
		ep.fallbackIP = ip.Unmap()
		ln.updateEndpointsLocked()
	}
}

// SetFallbackUDP sets the UDP port used while no prediction can be made,
// normally the port discovery listens on. Ports outside 1..65535 are ignored.
func (ln *LocalNode) SetFallbackUDP(port int) {
	if port <= 0 || port > 0xffff {
		return
	}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.endpoint4.fallbackUDP = uint16(port)
	ln.endpoint6.fallbackUDP = uint16(port)
	ln.updateEndpointsLocked()
}

// UDPEndpointStatement records that the host at fromaddr sees our UDP
// endpoint as endpoint. Statements of unusable endpoints (unspecified or
// multicast address, port 0) are ignored.
func (ln *LocalNode) UDPEndpointStatement(fromaddr, endpoint netip.AddrPort) {
	endpoint = netip.AddrPortFrom(endpoint.Addr().Unmap(), endpoint.Port())
	if !usableIP(endpoint.Addr()) || endpoint.Port() == 0 || endpoint.Addr().Zone() != "" {
		return
	}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ep := ln.endpointFor(endpoint.Addr()); ep != nil {
		ep.track.AddStatement(fromaddr.Addr(), endpoint)
		ln.updateEndpointsLocked()
	}
}

// UDPContact records that we sent our endpoint to toaddr (a PING).
func (ln *LocalNode) UDPContact(toaddr netip.AddrPort) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ep := ln.endpointFor(toaddr.Addr()); ep != nil {
		ep.track.AddContact(toaddr.Addr())
		ln.updateEndpointsLocked()
	}
}

// EndpointStatements returns what other hosts recently said our UDP
// endpoint is (see UDPEndpointStatement), IPv4 and IPv6: each endpoint
// with the number of hosts that said it.
func (ln *LocalNode) EndpointStatements() map[netip.AddrPort]int {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	eps := ln.endpoint4.track.Endpoints()
	for ep, n := range ln.endpoint6.track.Endpoints() {
		eps[ep] += n
	}
	return eps
}

func (ln *LocalNode) endpointFor(ip netip.Addr) *lnEndpoint {
	switch ip = ip.Unmap(); {
	case ip.Is4():
		return &ln.endpoint4
	case ip.Is6():
		return &ln.endpoint6
	}
	return nil
}

// get returns the endpoint in order of precedence: static IP (with the
// fallback port), prediction, fallbacks.
func (e *lnEndpoint) get() (netip.Addr, uint16) {
	if e.staticIP.IsValid() {
		return e.staticIP, e.fallbackUDP
	}
	if ep, ok := e.track.PredictEndpoint(); ok {
		return ep.Addr(), ep.Port()
	}
	return e.fallbackIP, e.fallbackUDP
}

func (ln *LocalNode) updateEndpointsLocked() {
	ip4, udp4 := ln.endpoint4.get()
	ip6, udp6 := ln.endpoint6.get()
	ln.setOrDeleteLocked(enr.IPv4Addr(ip4), usableIP(ip4))
	ln.setOrDeleteLocked(enr.IPv6Addr(ip6), usableIP(ip6))
	ln.setOrDeleteLocked(enr.UDP(udp4), udp4 != 0)
	ln.setOrDeleteLocked(enr.UDP6(udp6), udp6 != 0 && udp6 != udp4)
}

func (ln *LocalNode) setOrDeleteLocked(e enr.Entry, set bool) {
	if !set {
		ln.deleteLocked(e.ENRKey())
		return
	}
	blob, err := rlp.EncodeToBytes(e)
	if err != nil {
		return // unreachable: the values were checked above
	}
	ln.setLocked(e.ENRKey(), blob)
}

func isEndpointKey(key string) bool {
	switch key {
	case "ip", "ip6", "udp", "udp6":
		return true
	}
	return false
}

// fitsLocked reports whether the record with key set to blob stays within
// the size limit whatever the endpoint entries and seq become.
func (ln *LocalNode) fitsLocked(key string, blob []byte) bool {
	var r enr.Record
	for k, v := range ln.entries {
		r.Set(enr.WithEntry(k, v))
	}
	r.Set(enr.WithEntry(key, rlp.RawValue(blob)))
	r.Set(enr.V4)
	r.Set(Secp256k1(ln.key.PublicKey))
	r.Set(enr.IPv4Addr(netip.AddrFrom4([4]byte{255, 255, 255, 255})))
	r.Set(enr.IPv6Addr(netip.IPv6Unspecified()))
	r.Set(enr.UDP(0xffff))
	r.Set(enr.UDP6(0xffff))
	r.SetSeq(^uint64(0))
	content, _, _ := rlp.SplitList(r.AppendContent(nil))
	return rlp.ListSize(66+uint64(len(content))) <= enr.SizeLimit
}

func (ln *LocalNode) invalidate() { ln.cur.Store(nil) }

// nodeLocked returns the current record, signing a new one if it is stale.
func (ln *LocalNode) nodeLocked() *Node {
	if n := ln.cur.Load(); n != nil {
		return n
	}
	var r enr.Record
	for k, v := range ln.entries {
		r.Set(enr.WithEntry(k, v))
	}
	seq := ln.seq + 1
	if ln.cfg.SeqStore == nil {
		seq = max(seq, ln.nowMillis())
	}
	r.SetSeq(seq)
	if err := SignV4(&r, ln.key); err != nil {
		// Set keeps the record within the size limit, and a valid key
		// always signs: this is a bug.
		panic(fmt.Sprintf("enode: can't sign local record: %v", err))
	}
	// SignV4 has verified the signature (SetSig does), so the Node is made
	// without verifying it once more.
	n := newNodeWithID(&r, ln.id)
	ln.seq = seq
	if ln.cfg.SeqStore != nil {
		ln.cfg.SeqStore.StoreLocalSeq(ln.id, seq)
	}
	ln.cur.Store(n)
	ln.cfg.Logger.Debug("New local node record", "seq", seq, "id", n.ID().TerminalString(),
		"ip", n.IPAddr(), "udp", n.UDP(), "tcp", n.TCP())
	return n
}

func (ln *LocalNode) nowMillis() uint64 {
	ms := ln.cfg.Now().UnixMilli()
	if ms < 0 {
		return 0
	}
	return uint64(ms)
}
