package p2p

import (
	"context"
	"errors"
	"net/netip"
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
// the newcomer's; otherwise it is refused ("too many pending"). So one
// address, or one subnet, holding thousands of idle or half-sent
// connections keeps at most its fair share of the slots, and a peer from
// anywhere else gets a slot at once.
//
// Under pressure (half the slots taken or more) a new handshake also gets
// a shorter deadline, pressureHandshakeTimeout, so that slots held by
// connections that send nothing turn over faster.

// Reasons for refusing an inbound connection at admission.
const (
	rejectTooManyPending = "too many pending"
	rejectEvicted        = "evicted for a fairer share"
	rejectSubnetRate     = "subnet rate"
	rejectDenied         = "denied"
)

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

	mu      sync.Mutex // guards the fields below
	n       int        // slots taken
	byGroup map[netip.Prefix][]*pendingConn
}

// pendingConn is an inbound connection holding a handshake slot.
type pendingConn struct {
	group  netip.Prefix
	cancel context.CancelCauseFunc // evicts it
}

func newAdmission(max int) *admission {
	return &admission{max: max, byGroup: make(map[netip.Prefix][]*pendingConn)}
}

// enter asks for a slot for a connection from ip whose handshake runs
// under a context cancelled by cancel. It returns the slot, or "" and the
// reason it was refused, and whether the server is under pressure.
func (a *admission) enter(ip netip.Addr, cancel context.CancelCauseFunc) (pc *pendingConn, reason string, pressure bool) {
	g := subnetOf(ip)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n >= a.max {
		victim := a.heaviestLocked()
		if victim == nil || len(a.byGroup[victim.group]) < len(a.byGroup[g])+2 {
			return nil, rejectTooManyPending, true
		}
		a.removeLocked(victim)
		victim.cancel(errEvicted)
	}
	pc = &pendingConn{group: g, cancel: cancel}
	a.byGroup[g] = append(a.byGroup[g], pc)
	a.n++
	return pc, "", a.n*2 > a.max
}

// leave gives pc's slot back; an evicted connection's was taken already.
func (a *admission) leave(pc *pendingConn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.removeLocked(pc)
}

func (a *admission) removeLocked(pc *pendingConn) {
	list := a.byGroup[pc.group]
	for i, c := range list {
		if c == pc {
			list = append(list[:i], list[i+1:]...)
			a.n--
			break
		}
	}
	if len(list) == 0 {
		delete(a.byGroup, pc.group)
	} else {
		a.byGroup[pc.group] = list
	}
}

// heaviestLocked returns the oldest connection of the group holding the
// most slots. Groups are few (at most max), so a scan is cheap.
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
