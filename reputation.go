package p2p

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/netutil"
	"github.com/seednet/p2p/nodedb"
)

// Reputation and bans.
//
// The server tells its ReputationPolicy (Server.Reputation) about every
// Offense a node commits: breaking a protocol, sending a bad message,
// letting a read time out, sharing no protocol with us, failing a
// handshake. The policy answers with a ban, of the node ID, of its IP
// address, or of both. A banned node is refused after the RLPx handshake
// and not dialed; a banned address is refused as soon as it connects. Bans
// expire, are kept in the node database when there is one (so they outlive
// a restart of the process), and are listed by Server.Bans and NodeInfo and
// counted in Stats.Rejected under "banned". Server.Ban and BanIP ban by
// hand; Unban and UnbanIP lift bans.
//
// Trusted and static nodes are never banned automatically, and neither are
// loopback and LAN addresses unless Server.ThrottleLAN is set (test
// networks run many nodes on one address). The default policy is
// ScorePolicy; NoBans turns automatic bans off.

// Offense is something a node did that costs it reputation.
type Offense uint8

// The offenses the server reports to its ReputationPolicy.
const (
	// OffenseProtocolError: the peer broke a protocol's rules
	// (DiscProtocolError other than a bad message).
	OffenseProtocolError Offense = iota + 1
	// OffenseBadMessage: a message did not decode, or had a code outside
	// every protocol (ErrInvalidMsg, ErrInvalidMsgCode).
	OffenseBadMessage
	// OffenseTimeout: the peer went silent until a read timed out.
	OffenseTimeout
	// OffenseUseless: the node shares no protocol with us.
	OffenseUseless
	// OffenseHandshakeFailed: the RLPx handshake or the Hello exchange
	// failed (a node ID may not be known yet: the IP address pays).
	OffenseHandshakeFailed
)

var offenseNames = [...]string{
	OffenseProtocolError:   "protocol error",
	OffenseBadMessage:      "bad message",
	OffenseTimeout:         "timeout",
	OffenseUseless:         "useless peer",
	OffenseHandshakeFailed: "handshake failed",
}

func (o Offense) String() string {
	if int(o) < len(offenseNames) && offenseNames[o] != "" {
		return offenseNames[o]
	}
	return fmt.Sprintf("offense %d", uint8(o))
}

// ReputationPolicy decides which offenses lead to bans.
type ReputationPolicy interface {
	// Offend records that the node id, connected from ip, committed o at
	// now; id is the zero ID when the node is not known yet (a failed
	// RLPx handshake), ip the zero Addr when there is none (a pipe). It
	// returns how long to ban the node and the address, zero for no ban.
	// It is called from many goroutines at once.
	Offend(id enode.ID, ip netip.Addr, o Offense, now time.Time) (banNode, banIP time.Duration)
}

// NoBans is a ReputationPolicy that bans nobody.
var NoBans ReputationPolicy = noBans{}

type noBans struct{}

func (noBans) Offend(enode.ID, netip.Addr, Offense, time.Time) (time.Duration, time.Duration) {
	return 0, 0
}

// DefaultOffenseWeights are ScorePolicy's default costs of the offenses.
// With the default threshold of 100, healing 50 an hour, a node is banned
// for 4 protocol errors, 5 bad messages, 10 failed handshakes, 17 timeouts
// or 34 useless connections within a few minutes. (The weights are a
// little over 100/n so that the little healing between offenses does not
// make it one more.)
var DefaultOffenseWeights = map[Offense]float64{
	OffenseProtocolError:   26,
	OffenseBadMessage:      21,
	OffenseTimeout:         6,
	OffenseUseless:         3,
	OffenseHandshakeFailed: 11,
}

// ScorePolicy is the default ReputationPolicy. Every node ID and IP
// address has a penalty that each offense raises by the offense's weight
// and that heals at Recovery per hour; at BanThreshold the node or the
// address is banned for BanTime and its penalty starts again from zero.
// Use NewScorePolicy; its zero fields take the defaults.
type ScorePolicy struct {
	Weights      map[Offense]float64 // nil: DefaultOffenseWeights
	BanThreshold float64             // 0: 100
	BanTime      time.Duration       // 0: one hour
	Recovery     float64             // penalty healed per hour; 0: 50
	// MaxTracked bounds the nodes and the addresses tracked (each); past
	// it the least recently offending are forgotten. 0: 10,000.
	MaxTracked int

	mu    sync.Mutex
	nodes map[enode.ID]*penalty
	ips   map[netip.Addr]*penalty
}

type penalty struct {
	value float64
	at    time.Time
}

// NewScorePolicy returns a ScorePolicy with the default settings.
func NewScorePolicy() *ScorePolicy { return &ScorePolicy{} }

// Offend implements ReputationPolicy.
func (p *ScorePolicy) Offend(id enode.ID, ip netip.Addr, o Offense, now time.Time) (banNode, banIP time.Duration) {
	weights := p.Weights
	if weights == nil {
		weights = DefaultOffenseWeights
	}
	w := weights[o]
	if w <= 0 {
		return 0, 0
	}
	threshold, banTime, recovery, max := p.BanThreshold, p.BanTime, p.Recovery, p.MaxTracked
	if threshold <= 0 {
		threshold = 100
	}
	if banTime <= 0 {
		banTime = time.Hour
	}
	if recovery <= 0 {
		recovery = 50
	}
	if max <= 0 {
		max = 10000
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.nodes == nil {
		p.nodes, p.ips = make(map[enode.ID]*penalty), make(map[netip.Addr]*penalty)
	}
	if !id.IsZero() && addPenalty(p.nodes, id, w, threshold, recovery, max, now) {
		banNode = banTime
	}
	if ip.IsValid() && addPenalty(p.ips, ip, w, threshold, recovery, max, now) {
		banIP = banTime
	}
	return banNode, banIP
}

// addPenalty adds w to key's penalty and reports whether it reached the
// threshold (then it starts again from zero).
func addPenalty[K comparable](m map[K]*penalty, key K, w, threshold, recovery float64, max int, now time.Time) bool {
	pen := m[key]
	if pen == nil {
		if len(m) >= max {
			evictOldest(m)
		}
		pen = &penalty{at: now}
		m[key] = pen
	}
	healed := recovery * now.Sub(pen.at).Hours()
	pen.value = max64(0, pen.value-healed) + w
	pen.at = now
	if pen.value >= threshold {
		delete(m, key)
		return true
	}
	return false
}

func max64(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// evictOldest forgets the least recent tenth of m (at least one).
func evictOldest[K comparable](m map[K]*penalty) {
	type entry struct {
		key K
		at  time.Time
	}
	all := make([]entry, 0, len(m))
	for k, p := range m {
		all = append(all, entry{k, p.at})
	}
	slices.SortFunc(all, func(a, b entry) int { return a.at.Compare(b.at) })
	for _, e := range all[:max(1, len(all)/10)] {
		delete(m, e.key)
	}
}

// Ban is a node or an address the server refuses until a time.
type Ban struct {
	Node   enode.ID   `json:"node,omitzero"` // the banned node, or
	IP     netip.Addr `json:"ip,omitzero"`   // the banned address
	Until  time.Time  `json:"until"`
	Reason string     `json:"reason"` // the offense that led to it, or "by hand"
}

// banList holds the server's bans. It outlives a run of the server, and is
// loaded from and written to the node database when there is one.
type banList struct {
	mu    sync.Mutex
	nodes map[enode.ID]Ban
	ips   map[netip.Addr]Ban
	store nodedb.BanStore // nil without a database that keeps bans
}

func (b Ban) key() string {
	if b.IP.IsValid() {
		return "ip:" + b.IP.String()
	}
	return "node:" + b.Node.String()
}

func banFromStored(sb nodedb.Ban) (Ban, bool) {
	b := Ban{Until: sb.Until, Reason: sb.Reason}
	switch {
	case len(sb.Key) > 3 && sb.Key[:3] == "ip:":
		ip, err := netip.ParseAddr(sb.Key[3:])
		if err != nil {
			return b, false
		}
		b.IP = ip.Unmap()
	case len(sb.Key) > 5 && sb.Key[:5] == "node:":
		id, err := enode.ParseID(sb.Key[5:])
		if err != nil {
			return b, false
		}
		b.Node = id
	default:
		return b, false
	}
	return b, true
}

// load takes the bans kept in store, which the list writes to from now on
// (nil: none).
func (l *banList) load(store nodedb.BanStore, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.initLocked()
	l.store = store
	if store == nil {
		return
	}
	for _, sb := range store.Bans(now) {
		if b, ok := banFromStored(sb); ok {
			l.setLocked(b)
		}
	}
	// Bans made while there was no store are kept in it too.
	for _, b := range l.allLocked(now) {
		store.PutBan(nodedb.Ban{Key: b.key(), Until: b.Until, Reason: b.Reason})
	}
}

func (l *banList) initLocked() {
	if l.nodes == nil {
		l.nodes, l.ips = make(map[enode.ID]Ban), make(map[netip.Addr]Ban)
	}
}

func (l *banList) setLocked(b Ban) {
	if b.IP.IsValid() {
		if old, ok := l.ips[b.IP]; !ok || old.Until.Before(b.Until) {
			l.ips[b.IP] = b
		}
	} else if old, ok := l.nodes[b.Node]; !ok || old.Until.Before(b.Until) {
		l.nodes[b.Node] = b
	}
}

// add bans b.Node or b.IP until b.Until.
func (l *banList) add(b Ban) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.initLocked()
	l.setLocked(b)
	if l.store != nil {
		l.store.PutBan(nodedb.Ban{Key: b.key(), Until: b.Until, Reason: b.Reason})
	}
}

// remove lifts the ban of b.Node or b.IP and reports whether there was one.
func (l *banList) remove(b Ban) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.initLocked()
	var ok bool
	if b.IP.IsValid() {
		_, ok = l.ips[b.IP]
		delete(l.ips, b.IP)
	} else {
		_, ok = l.nodes[b.Node]
		delete(l.nodes, b.Node)
	}
	if l.store != nil {
		l.store.DeleteBan(b.key())
	}
	return ok
}

func (l *banList) nodeBanned(id enode.ID, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.nodes[id]
	return ok && now.Before(b.Until)
}

func (l *banList) ipBanned(ip netip.Addr, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.ips[ip]
	return ok && now.Before(b.Until)
}

// all returns the bans in force, forgetting the expired ones.
func (l *banList) all(now time.Time) []Ban {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.allLocked(now)
}

func (l *banList) allLocked(now time.Time) []Ban {
	var out []Ban
	for id, b := range l.nodes {
		if now.Before(b.Until) {
			out = append(out, b)
		} else {
			delete(l.nodes, id)
		}
	}
	for ip, b := range l.ips {
		if now.Before(b.Until) {
			out = append(out, b)
		} else {
			delete(l.ips, ip)
		}
	}
	slices.SortFunc(out, func(a, b Ban) int { return a.Until.Compare(b.Until) })
	return out
}

// rejectBanned is the Stats.Rejected reason of a banned node or address.
const rejectBanned = "banned"

// errBanned refuses a banned node after the RLPx handshake; the node is
// told "disconnect requested".
var errBanned = fmt.Errorf("%w: node is banned", DiscRequested)

// reputation returns the server's policy.
func (srv *Server) reputation() ReputationPolicy {
	if srv.Reputation == nil {
		srv.defaultPolicyOnce.Do(func() { srv.defaultPolicy = NewScorePolicy() })
		return srv.defaultPolicy
	}
	return srv.Reputation
}

// offend reports an offense of the node id (zero if unknown) at ip and
// applies the bans the policy decides on. exempt is set for trusted and
// static nodes, which are never banned automatically.
func (srv *Server) offend(id enode.ID, ip netip.Addr, o Offense, exempt bool) {
	srv.stats.metrics().offenses.With(o.String()).Add(1)
	now := time.Now()
	banNode, banIP := srv.reputation().Offend(id, ip, o, now)
	if exempt {
		return
	}
	if banNode > 0 && !id.IsZero() {
		srv.bans.add(Ban{Node: id, Until: now.Add(banNode), Reason: o.String()})
		srv.logger().Info("Banned node", "id", id.TerminalString(), "for", banNode, "offense", o)
	}
	if banIP > 0 && ip.IsValid() && (srv.ThrottleLAN || !netutil.AddrIsLAN(ip)) {
		srv.bans.add(Ban{IP: ip, Until: now.Add(banIP), Reason: o.String()})
		srv.logger().Info("Banned address", "ip", ip, "for", banIP, "offense", o)
	}
}

// offenseOf returns the offense of a peer that we disconnected with err,
// or 0 for none.
func offenseOf(err error) Offense {
	var rd *RemoteDisconnectError
	if err == nil || errors.As(err, &rd) {
		return 0
	}
	switch discReasonFor(err) {
	case DiscProtocolError:
		if errors.Is(err, ErrInvalidMsg) || errors.Is(err, ErrInvalidMsgCode) {
			return OffenseBadMessage
		}
		return OffenseProtocolError
	case DiscReadTimeout:
		return OffenseTimeout
	case DiscUselessPeer:
		return OffenseUseless
	}
	return 0
}

// Bans returns the bans in force.
func (srv *Server) Bans() []Ban { return srv.bans.all(time.Now()) }

// Ban refuses the node for d: it is disconnected if connected, refused
// when it connects and not dialed (a static node neither).
func (srv *Server) Ban(id enode.ID, d time.Duration) {
	srv.bans.add(Ban{Node: id, Until: time.Now().Add(d), Reason: "by hand"})
	if r := srv.running(); r != nil {
		if p := r.peer(id); p != nil {
			p.Disconnect(DiscRequested)
		}
	}
}

// BanIP refuses connections from ip for d and disconnects its peers.
func (srv *Server) BanIP(ip netip.Addr, d time.Duration) {
	ip = ip.Unmap()
	srv.bans.add(Ban{IP: ip, Until: time.Now().Add(d), Reason: "by hand"})
	for _, p := range srv.Peers() {
		if remoteAddrIP(p) == ip {
			p.Disconnect(DiscRequested)
		}
	}
}

// Unban lifts the ban of a node and reports whether it was banned.
func (srv *Server) Unban(id enode.ID) bool { return srv.bans.remove(Ban{Node: id}) }

// UnbanIP lifts the ban of an address and reports whether it was banned.
func (srv *Server) UnbanIP(ip netip.Addr) bool { return srv.bans.remove(Ban{IP: ip.Unmap()}) }

func remoteAddrIP(p *Peer) netip.Addr {
	if p.remote == nil {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(p.remote.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
