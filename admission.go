package p2p

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Admission of inbound connections.
//
// The listener accepts every connection at once, so that an honest peer
// never waits in the kernel's backlog behind an attacker's connections,
// and decides here which get a handshake slot (MaxPendingPeers of them).
// Connections are grouped by source subnet (IPv4 /24, IPv6 /64). While
// slots are free, every connection gets one. When all are taken, a new
// connection takes the slot of the oldest pending connection of the group
// that holds the most slots, if that group holds at least two more than
// the newcomer's; otherwise it waits in a bounded queue (see queueFactor)
// for a slot, which goes to the subnet holding the fewest, and is refused
// ("too many pending") when the queue is full or the handshake deadline
// passes first. So one address, or one subnet, holding thousands of idle
// or half-sent connections keeps at most its fair share of the slots, a
// peer from anywhere else gets a slot at once, and a burst of honest
// connections from one place (a test network on loopback) waits its turn.
//
// Under pressure (half the slots taken or more) a new handshake also gets
// a shorter deadline, pressureHandshakeTimeout, so that slots held by
// connections that send nothing turn over faster.

// Reasons for refusing an inbound connection at admission.
const (
	rejectTooManyPending = "too many pending"
	rejectEvicted        = "evicted for a fairer share"
	rejectSubnetFull     = "too many peers from subnet"
)

// errSubnetFull refuses an inbound peer whose subnet has
// Server.MaxPeersPerSubnet peers; the node is told "too many peers".
var errSubnetFull = fmt.Errorf("%w: too many peers from the subnet", DiscTooManyPeers)

// pressureHandshakeTimeout is the handshake deadline of connections that
// arrive while half the handshake slots or more are taken.
const pressureHandshakeTimeout = 2 * time.Second

// errEvicted is the cause of a pending connection's context when its slot
// went to another group's connection.
var errEvicted = errors.New("handshake slot taken for a connection from a less busy subnet")

// subnetOf returns the group of ip: its /24 for IPv4, its /64 for IPv6.
func subnetOf(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := 64
	if ip.Is4() {
		bits = 24
	}
	p, _ := ip.Prefix(bits)
	return p
}

// admission hands out the inbound handshake slots.
type admission struct {
	max int

	mu      sync.Mutex                      // guards the fields below
	n       int                             // slots taken
	byGroup map[netip.Prefix][]*pendingConn // holding slots, oldest first
	queue   map[netip.Prefix][]*pendingConn // waiting for one, oldest first
	nQueued int
	seq     uint64 // of the last arrival
}

// pendingConn is an inbound connection holding or waiting for a handshake
// slot.
type pendingConn struct {
	group   netip.Prefix
	cancel  context.CancelCauseFunc // evicts it
	granted chan struct{}           // closed when it gets its slot
	holding bool                    // it holds a slot (under admission.mu)
	seq     uint64                  // arrival order
}

func (pc *pendingConn) olderThan(o *pendingConn) bool { return pc.seq < o.seq }

// Queue bounds: connections that find every slot taken wait for one, at
// most max per subnet and 4*max in all; beyond that they are refused.
// When a slot frees, the subnet holding the fewest slots goes first.
const queueFactor = 4

func newAdmission(max int) *admission {
	return &admission{max: max, byGroup: make(map[netip.Prefix][]*pendingConn), queue: make(map[netip.Prefix][]*pendingConn)}
}

// enter asks for a slot for a connection from ip whose handshake runs
// under a context cancelled by cancel. It returns the connection's entry,
// whose granted channel is closed when it holds a slot (at once, or after
// a wait in the queue), or "" and the reason it was refused. pressure
// reports whether half the slots or more are taken.
func (a *admission) enter(ip netip.Addr, cancel context.CancelCauseFunc) (pc *pendingConn, reason string, pressure bool) {
	g := subnetOf(ip)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	pc = &pendingConn{group: g, cancel: cancel, granted: make(chan struct{}), seq: a.seq}
	switch {
	case a.n < a.max:
	case a.evictForLocked(g):
	case len(a.queue[g]) < a.max && a.nQueued < queueFactor*a.max:
		a.queue[g] = append(a.queue[g], pc)
		a.nQueued++
		return pc, "", true
	default:
		return nil, rejectTooManyPending, true
	}
	a.grantLocked(pc)
	return pc, "", a.n*2 > a.max
}

// evictForLocked frees a slot for a newcomer from group g by evicting the
// oldest connection of the subnet holding the most slots, if that subnet
// holds at least two more than g.
func (a *admission) evictForLocked(g netip.Prefix) bool {
	victim := a.heaviestLocked()
	if victim == nil || len(a.byGroup[victim.group]) < len(a.byGroup[g])+2 {
		return false
	}
	a.releaseLocked(victim)
	victim.cancel(errEvicted)
	return true
}

func (a *admission) grantLocked(pc *pendingConn) {
	pc.holding = true
	a.byGroup[pc.group] = append(a.byGroup[pc.group], pc)
	a.n++
	close(pc.granted)
}

// leave gives pc's slot back, or takes it out of the queue; an evicted
// connection's slot was taken already. A freed slot goes to the queue.
func (a *admission) leave(pc *pendingConn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !pc.holding {
		if list, ok := a.queue[pc.group]; ok {
			if i := slices.Index(list, pc); i >= 0 {
				a.queue[pc.group] = slices.Delete(list, i, i+1)
				a.nQueued--
				if len(a.queue[pc.group]) == 0 {
					delete(a.queue, pc.group)
				}
			}
		}
		return
	}
	a.releaseLocked(pc)
	a.grantQueuedLocked()
}

// releaseLocked takes pc's slot back.
func (a *admission) releaseLocked(pc *pendingConn) {
	if !pc.holding {
		return
	}
	pc.holding = false
	list := a.byGroup[pc.group]
	if i := slices.Index(list, pc); i >= 0 {
		list = slices.Delete(list, i, i+1)
		a.n--
	}
	if len(list) == 0 {
		delete(a.byGroup, pc.group)
	} else {
		a.byGroup[pc.group] = list
	}
}

// grantQueuedLocked gives free slots to queued connections, the subnet
// holding the fewest slots first.
func (a *admission) grantQueuedLocked() {
	for a.n < a.max && a.nQueued > 0 {
		var best netip.Prefix
		found := false
		for g := range a.queue {
			if !found || len(a.byGroup[g]) < len(a.byGroup[best]) ||
				(len(a.byGroup[g]) == len(a.byGroup[best]) && a.queue[g][0].olderThan(a.queue[best][0])) {
				best, found = g, true
			}
		}
		list := a.queue[best]
		pc := list[0]
		if len(list) == 1 {
			delete(a.queue, best)
		} else {
			a.queue[best] = list[1:]
		}
		a.nQueued--
		a.grantLocked(pc)
	}
}

// heaviestLocked returns the oldest connection of the subnet holding the
// most slots. Subnets are few (at most max), so a scan is cheap.
func (a *admission) heaviestLocked() *pendingConn {
	var best []*pendingConn
	for _, list := range a.byGroup {
		if len(list) > len(best) {
			best = list
		}
	}
	if len(best) == 0 {
		return nil
	}
	return best[0]
}

// pending returns the number of slots taken.
func (a *admission) pending() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}
