package p2p

import (
	"context"
	"errors"
	"net"
	"sync"
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
// goroutines, at most maxActiveDials at once.
type dialScheduler struct {
	r      *serverRun
	wake   chan struct{} // one token: the schedule changed
	active chan struct{} // dial slots

	mu     sync.Mutex // guards static
	static map[enode.ID]*staticNode
}

type staticNode struct {
	node      *enode.Node
	next      time.Time // when to dial next
	delay     time.Duration
	dialing   bool
	connected bool
	since     time.Time // when the current connection began
	removed   bool
}

func newDialScheduler(r *serverRun) *dialScheduler {
	return &dialScheduler{
		r:      r,
		wake:   make(chan struct{}, 1),
		active: make(chan struct{}, maxActiveDials),
		static: make(map[enode.ID]*staticNode),
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
		s.removed = true
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
		select {
		case <-d.r.ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
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
	srv, node := d.r.srv, s.node
	srv.stats.dialAttempts.Add(1)
	var err error
	if ep, ok := node.TCPEndpoint(); ok && !srv.allowed(ep.Addr()) {
		srv.stats.reject(rejectNetRestrict)
		err = errNetRestrict
	} else {
		ctx, cancel := context.WithTimeout(d.r.ctx, defaultDialTimeout)
		var fd net.Conn
		fd, err = srv.dialer().Dial(ctx, node)
		cancel()
		<-d.active // the dial is over; the handshake does not hold a slot
		if err == nil {
			d.connected(s)
			err = d.r.setupConn(fd, staticDialedConn, node, nil)
			if err == nil {
				return // peerRemoved takes it from here
			}
			d.mu.Lock()
			s.connected = false
			d.mu.Unlock()
		} else {
			srv.stats.dialFailures.Add(1)
			srv.logger().Debug("Dial failed", "id", node.ID().TerminalString(), "err", err)
		}
	}
	if errors.Is(err, errNetRestrict) {
		<-d.active
	}
	d.mu.Lock()
	s.dialing = false
	d.backoffLocked(s)
	d.mu.Unlock()
	signal(d.wake)
}

func (d *dialScheduler) connected(s *staticNode) {
	d.mu.Lock()
	s.connected, s.since = true, time.Now()
	d.mu.Unlock()
}
