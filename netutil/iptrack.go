package netutil

import (
	"net/netip"
	"time"
)

// IPTracker predicts the external endpoint (IP address and port) of the local
// host from statements other hosts make about it, and whether the host sits
// behind a full-cone NAT.
//
// Each host counts once: a new statement from a host replaces its previous
// one, and hosts are told apart by IP address alone, so that one machine
// cannot outvote the others by speaking from many ports. Statements older
// than the window are forgotten. The prediction is the endpoint the most
// hosts agree on, if at least minStatements do.
//
// An IPTracker is not safe for concurrent use; its owner (enode.LocalNode)
// serializes calls.
type IPTracker struct {
	window        time.Duration
	contactWindow time.Duration
	minStatements int
	now           func() time.Time

	statements      map[netip.Addr]ipStatement
	contacts        map[netip.Addr]time.Time
	lastStatementGC time.Time
	lastContactGC   time.Time
}

type ipStatement struct {
	endpoint netip.AddrPort
	time     time.Time
}

// NewIPTracker makes a tracker that keeps statements for window and records
// of contacts for contactWindow, and predicts once minStatements hosts agree.
// now is the clock; nil means time.Now. go-ethereum uses a window of 5
// minutes, a contact window of 10 minutes and 10 statements.
func NewIPTracker(window, contactWindow time.Duration, minStatements int, now func() time.Time) *IPTracker {
	if now == nil {
		now = time.Now
	}
	return &IPTracker{
		window:        window,
		contactWindow: contactWindow,
		minStatements: minStatements,
		now:           now,
		statements:    make(map[netip.Addr]ipStatement),
		contacts:      make(map[netip.Addr]time.Time),
	}
}

// AddStatement records that host sees our endpoint as endpoint.
func (it *IPTracker) AddStatement(host netip.Addr, endpoint netip.AddrPort) {
	now := it.now()
	it.statements[host.Unmap()] = ipStatement{endpoint, now}
	if now.Sub(it.lastStatementGC) >= it.window {
		it.gcStatements(now)
	}
}

// AddContact records that we sent host a packet carrying our endpoint, which
// it may answer with a statement.
func (it *IPTracker) AddContact(host netip.Addr) {
	now := it.now()
	it.contacts[host.Unmap()] = now
	if now.Sub(it.lastContactGC) >= it.contactWindow {
		it.gcContacts(now)
	}
}

// PredictEndpoint returns the endpoint the most hosts stated within the
// window, if at least minStatements did. Ties go to the endpoint stated most
// recently.
func (it *IPTracker) PredictEndpoint() (netip.AddrPort, bool) {
	it.gcStatements(it.now())
	type tally struct {
		count int
		last  time.Time
	}
	tallies := make(map[netip.AddrPort]*tally, len(it.statements))
	var best netip.AddrPort
	var bestTally *tally
	for _, s := range it.statements {
		t := tallies[s.endpoint]
		if t == nil {
			t = new(tally)
			tallies[s.endpoint] = t
		}
		t.count++
		if s.time.After(t.last) {
			t.last = s.time
		}
	}
	for ep, t := range tallies {
		if t.count < it.minStatements {
			continue
		}
		if bestTally == nil || t.count > bestTally.count ||
			(t.count == bestTally.count && (t.last.After(bestTally.last) ||
				(t.last.Equal(bestTally.last) && ep.Compare(best) < 0))) {
			best, bestTally = ep, t
		}
	}
	return best, bestTally != nil
}

// PredictFullConeNAT reports whether some host made a statement without
// having been contacted by us within the contact window before it: such a
// packet got through our NAT unsolicited, which a full-cone NAT allows.
func (it *IPTracker) PredictFullConeNAT() bool {
	now := it.now()
	it.gcContacts(now)
	it.gcStatements(now)
	for host, s := range it.statements {
		if c, ok := it.contacts[host]; !ok || c.After(s.time) {
			return true
		}
	}
	return false
}

func (it *IPTracker) gcStatements(now time.Time) {
	it.lastStatementGC = now
	cutoff := now.Add(-it.window)
	for host, s := range it.statements {
		if s.time.Before(cutoff) {
			delete(it.statements, host)
		}
	}
}

func (it *IPTracker) gcContacts(now time.Time) {
	it.lastContactGC = now
	cutoff := now.Add(-it.contactWindow)
	for host, t := range it.contacts {
		if t.Before(cutoff) {
			delete(it.contacts, host)
		}
	}
}

// Endpoints returns the endpoints hosts stated within the window, each with
// the number of hosts that stated it.
func (it *IPTracker) Endpoints() map[netip.AddrPort]int {
	it.gcStatements(it.now())
	eps := make(map[netip.AddrPort]int)
	for _, s := range it.statements {
		eps[s.endpoint]++
	}
	return eps
}
