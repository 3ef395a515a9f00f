package p2p

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seednet/p2p/enode"
)

// Backoff of static redials: the first retry comes after minRedialDelay,
// and each failure doubles the delay up to maxRedialDelay. A connection
// that lasted resets it.
const (
	minRedialDelay = 500 * time.Millisecond
	maxRedialDelay = 30 * time.Second
	stableConn     = 30 * time.Second
)

// dialScheduler dials the static nodes and keeps them connected. It is
// one goroutine (loop) that owns the schedule; dials run in their own
// goroutines, at most MaxPendingPeers at once (a dial holds its slot
// through the handshakes, as in go-ethereum).
//
// Besides the static nodes it dials candidates from discovery and the
// protocols' DialCandidates (readCandidates feeds them in), as long as the
// peers it dialed that way plus its dials under way are fewer than
// MaxPeers/DialRatio. A candidate dialed in the last dialHistoryExpiry is
// skipped, which also backs off from nodes that fail.
type dialScheduler struct {
	r          *serverRun
	wake       chan struct{}    // one token: the schedule changed
	active     chan struct{}    // dial slots
	candidates chan *enode.Node // from readCandidates

	mu         sync.Mutex // guards the fields below
	static     map[enode.ID]*staticNode
	history    map[enode.ID]time.Time // recent dynamic dials, until when
	dynDialing int                    // dynamic dials under way
}

// dialHistoryExpiry is how long a dynamically dialed node is not dialed
// again (go-ethereum uses the same 35 s).
const dialHistoryExpiry = 35 * time.Second

type staticNode struct {
	node      *enode.Node
	next      time.Time // when to dial next
	delay     time.Duration
	dialing   bool
	connected bool
	since     time.Time // when the current connection began
	// removed is set by RemovePeer. A dial under way then ends with a
	// refusal instead of a peer (see admitLocked).
	removed atomic.Bool
}

func newDialScheduler(r *serverRun) *dialScheduler {
	return &dialScheduler{
		r:          r,
		wake:       make(chan struct{}, 1),
		active:     make(chan struct{}, r.srv.maxPending()),
		candidates: make(chan *enode.Node),
		static:     make(map[enode.ID]*staticNode),
		history:    make(map[enode.ID]time.Time),
	}
}

func (d *dialScheduler) addStatic(n *enode.Node) {
	if d.r.srv.NoDial {
		return
	}
	d.mu.Lock()
	if s := d.static[n.ID()]; s != nil {
		s.node = n
	} else {
		d.static[n.ID()] = &staticNode{node: n, next: time.Now()}
	}
	d.mu.Unlock()
	signal(d.wake)
}

func (d *dialScheduler) removeStatic(id enode.ID) {
	d.mu.Lock()
	if s := d.static[id]; s != nil {
		s.removed.Store(true)
		delete(d.static, id)
	}
	d.mu.Unlock()
}

// peerRemoved schedules the redial of a static node that went away.
func (d *dialScheduler) peerRemoved(id enode.ID) {
	d.mu.Lock()
	if s := d.static[id]; s != nil && s.connected {
		s.connected, s.dialing = false, false
		if time.Since(s.since) >= stableConn {
			s.delay = 0
		}
		d.backoffLocked(s)
	}
	d.mu.Unlock()
	signal(d.wake)
}

func (d *dialScheduler) backoffLocked(s *staticNode) {
	switch {
	case s.delay == 0:
		s.delay = minRedialDelay
	case s.delay < maxRedialDelay:
		s.delay = min(2*s.delay, maxRedialDelay)
	}
	s.next = time.Now().Add(s.delay)
}

func (d *dialScheduler) loop() {
	defer d.r.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := d.startDue()
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
		// Take candidates only while there is room for dynamic peers.
		var in chan *enode.Node
		if d.freeDynamicSlots() > 0 {
			in = d.candidates
		}
		select {
		case <-d.r.ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		case n := <-in:
			d.tryDynamic(n)
		}
	}
}

// readCandidates passes nodes from the iterator to the loop, which takes
// them only when it has room; until then Next is not called again, so
// discovery does no lookups that nobody needs.
func (d *dialScheduler) readCandidates(it enode.Iterator) {
	defer d.r.wg.Done()
	for it.Next() {
		select {
		case d.candidates <- it.Node():
		case <-d.r.ctx.Done():
			return
		}
	}
}

func (d *dialScheduler) freeDynamicSlots() int {
	d.r.mu.Lock()
	dynamic := d.r.dynamic
	d.r.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.r.srv.MaxDialedConns() - dynamic - d.dynDialing
}

// tryDynamic dials a candidate unless it is ourselves, connected, static,
// recently dialed, outside NetRestrict or without a TCP endpoint.
func (d *dialScheduler) tryDynamic(n *enode.Node) {
	r, now := d.r, time.Now()
	ep, ok := n.TCPEndpoint()
	if !ok || n.ID() == r.local.ID() || r.peer(n.ID()) != nil || !r.srv.allowed(ep.Addr()) ||
		r.srv.bans.nodeBanned(n.ID(), now) || r.srv.bans.ipBanned(ep.Addr().Unmap(), now) {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.static[n.ID()] != nil {
		return
	}
	if until, ok := d.history[n.ID()]; ok && now.Before(until) {
		return
	}
	select {
	case d.active <- struct{}{}:
	default:
		return // every dial slot is busy
	}
	d.history[n.ID()] = now.Add(dialHistoryExpiry)
	if len(d.history) > 1024 {
		for id, until := range d.history {
			if now.After(until) {
				delete(d.history, id)
			}
		}
	}
	d.dynDialing++
	r.wg.Add(1)
	go d.dialDynamic(n)
}

func (d *dialScheduler) dialDynamic(n *enode.Node) {
	defer d.r.wg.Done()
	d.r.srv.stats.dialAttempts.Add(1)
	d.r.srv.stats.dialed(d.dialAndSetup(n, DynDialedConn, nil))
	<-d.active
	d.mu.Lock()
	d.dynDialing--
	d.mu.Unlock()
	signal(d.wake)
}

// dialAndSetup dials n and runs the handshakes. It returns "" when n
// became a peer, otherwise how the dial ended (see Stats.DialOutcomes).
func (d *dialScheduler) dialAndSetup(n *enode.Node, flags ConnFlag, static *staticNode) string {
	srv := d.r.srv
	if n.Hostname() != "" {
		// An enode URL with a DNS name: look it up before every dial, so
		// that each redial of a static node after a failure sees the
		// name's current addresses.
		ctx, cancel := context.WithTimeout(d.r.ctx, defaultDialTimeout)
		resolved, err := enode.ResolveHostname(ctx, srv.Resolver, n)
		cancel()
		if err != nil {
			srv.logger().Debug("Resolving node host name failed", "id", n.ID().TerminalString(), "host", n.Hostname(), "err", err)
			return outcomeResolveFailed
		}
		n = resolved
	}
	if ep, ok := n.TCPEndpoint(); ok && !srv.allowed(ep.Addr()) {
		srv.stats.reject(dirOutbound, rejectNetRestrict)
		return rejectNetRestrict
	}
	ctx, cancel := context.WithTimeout(d.r.ctx, defaultDialTimeout)
	fd, err := srv.dialer().Dial(ctx, n)
	cancel()
	if err != nil {
		srv.logger().Debug("Dial failed", "id", n.ID().TerminalString(), "err", err)
		return outcomeDialFailed
	}
	if static != nil {
		d.connected(static)
	}
	reason, _ := d.r.setupConn(d.r.ctx, fd, flags, n, static)
	return reason
}

// startDue starts the dials that are due and returns when the next one is.
func (d *dialScheduler) startDue() (next time.Time) {
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, s := range d.static {
		if s.dialing || s.connected {
			continue
		}
		if s.next.After(now) {
			if next.IsZero() || s.next.Before(next) {
				next = s.next
			}
			continue
		}
		if d.r.peer(id) != nil {
			s.connected, s.since = true, now
			continue
		}
		select {
		case d.active <- struct{}{}:
		default:
			return now.Add(minRedialDelay) // all slots busy: look again soon
		}
		s.dialing = true
		d.r.wg.Add(1)
		go d.dial(s)
	}
	return next
}

// dial connects to a static node and runs the handshakes. When the node
// becomes a peer, peerRemoved schedules the next dial once it is gone.
func (d *dialScheduler) dial(s *staticNode) {
	defer d.r.wg.Done()
	d.r.srv.stats.dialAttempts.Add(1)
	reason := d.dialAndSetup(s.node, StaticDialedConn, s)
	d.r.srv.stats.dialed(reason)
	<-d.active
	d.mu.Lock()
	if reason == "" {
		s.dialing = false // peerRemoved takes it from here
		d.mu.Unlock()
		return
	}
	s.connected, s.dialing = false, false
	d.backoffLocked(s)
	d.mu.Unlock()
	signal(d.wake)
}

func (d *dialScheduler) connected(s *staticNode) {
	d.mu.Lock()
	s.connected, s.since = true, time.Now()
	d.mu.Unlock()
}
