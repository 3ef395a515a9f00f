package p2p

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
)

func TestSubnetOf(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.77":           "192.0.2.0/24",
		"::ffff:192.0.2.77":    "192.0.2.0/24",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"127.0.0.1":            "127.0.0.0/24",
	} {
		if got := subnetOf(netip.MustParseAddr(in)).String(); got != want {
			t.Errorf("subnetOf(%s) = %s, want %s", in, got, want)
		}
	}
}

func granted(pc *pendingConn) bool {
	select {
	case <-pc.granted:
		return true
	default:
		return false
	}
}

// TestAdmissionFairShare runs admission as rounds of arrivals and checks
// who gets a slot, who waits, who is refused and who is evicted.
func TestAdmissionFairShare(t *testing.T) {
	a := newAdmission(4)
	evicted := map[string]bool{}
	enter := func(name, ip string) (*pendingConn, string) {
		pc, reason, _ := a.enter(netip.MustParseAddr(ip), func(error) { evicted[name] = true })
		return pc, reason
	}
	// The attacker fills every slot from one subnet.
	var attack []*pendingConn
	for i := range 4 {
		pc, reason := enter(fmt.Sprint("attacker", i), fmt.Sprintf("10.0.0.%d", i+1))
		if reason != "" || !granted(pc) {
			t.Fatalf("attacker %d not granted with slots free: %q", i, reason)
		}
		attack = append(attack, pc)
	}
	// More of the attacker's connections wait, up to max of them, then
	// are refused.
	var waiting []*pendingConn
	for i := range 4 {
		pc, reason := enter(fmt.Sprint("attacker-q", i), "10.0.0.9")
		if reason != "" || granted(pc) {
			t.Fatalf("attacker's queued %d: %q, granted %v", i, reason, pc != nil && granted(pc))
		}
		waiting = append(waiting, pc)
	}
	if _, reason := enter("attacker-x", "10.0.0.9"); reason != rejectTooManyPending {
		t.Fatalf("attacker beyond the queue: %q", reason)
	}
	// Honest ones from elsewhere take the oldest attacker slots, until
	// the shares are even.
	h1, reason := enter("honest1", "192.0.2.1")
	if reason != "" || !granted(h1) || !evicted["attacker0"] {
		t.Fatalf("honest1: %q, evicted %v", reason, evicted)
	}
	if _, reason := enter("honest2", "198.51.100.1"); reason != "" || !evicted["attacker1"] {
		t.Fatalf("honest2: %q, evicted %v", reason, evicted)
	}
	// 2 attacker slots, 1 + 1 honest: a third subnet still evicts (2 is
	// 2 more than 0).
	if _, reason := enter("honest3", "203.0.113.1"); reason != "" || !evicted["attacker2"] {
		t.Fatalf("honest3: %q, evicted %v", reason, evicted)
	}
	// Every subnet holds one slot: a newcomer from a fourth waits.
	h4, reason := enter("honest4", "203.0.114.1")
	if reason != "" || granted(h4) {
		t.Fatalf("honest4: %q, granted %v", reason, granted(h4))
	}
	// A freed slot goes to the waiting subnet holding the fewest slots:
	// honest4's (none), not the attacker's (one), though the attacker
	// came first.
	a.leave(h1)
	if !granted(h4) || granted(waiting[0]) {
		t.Fatalf("after a slot freed: honest4 granted %v, attacker's first waiting %v", granted(h4), granted(waiting[0]))
	}
	// The next goes to the attacker's queue; a waiting connection that
	// gives up leaves the queue.
	a.leave(attack[3])
	if !granted(waiting[0]) {
		t.Fatal("attacker's waiting connection not granted a free slot")
	}
	a.leave(waiting[1])
	a.leave(attack[0]) // evicted already: nothing happens
	if a.pending() != 4 || a.nQueued != 2 {
		t.Fatalf("pending %d, queued %d; want 4 and 2", a.pending(), a.nQueued)
	}
}

// TestFairAdmissionUnderFlood: one address holds thousands of idle TCP
// connections to a server (MaxPeers 50); an honest peer from another
// subnet connects again and again and gets in on every try, each within
// 2 s. The attacker's connections are refused or evicted, and counted.
func TestFairAdmissionUnderFlood(t *testing.T) {
	idle := 3000
	if testing.Short() || raceEnabled {
		idle = 1000
	}
	hub := startServer(t, &Server{MaxPeers: 50, NoDiscovery: true, ListenAddr: "127.0.0.1:0", Protocols: []Protocol{echoProtocol(nil)}})
	ep, _ := hub.Self().TCPEndpoint()
	hubAddr := ep.String()

	// The attacker: idle connections from 127.0.0.1, held open.
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range idle {
		c, err := net.Dial("tcp", hubAddr)
		if err != nil {
			t.Fatalf("attacker dial %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	eventually(t, "attacker connections accepted", func() bool { return hub.Stats().InboundAccepted >= uint64(idle) })

	// And keeps opening more while the honest peer tries (at most idle
	// more, until the tries are over).
	stopFlood := make(chan struct{})
	flooded := make(chan []net.Conn)
	go func() {
		var more []net.Conn
		defer func() { flooded <- more }()
		for range idle {
			select {
			case <-stopFlood:
				return
			default:
			}
			c, err := net.Dial("tcp", hubAddr)
			if err != nil {
				return
			}
			more = append(more, c)
		}
	}()

	// The honest peer: from 127.0.1.1, another /24.
	for try := range 5 {
		honest := startServer(t, &Server{NoDiscovery: true, ListenAddr: "127.0.1.1:0", Protocols: []Protocol{echoProtocol(nil)},
			Dialer: TCPDialer{&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 1, 1)}}}})
		start := time.Now()
		honest.AddPeer(hub.Self())
		waitPeersWithin(t, honest, 1, 2*time.Second)
		t.Logf("try %d: peer after %v", try, time.Since(start).Round(time.Millisecond))
		honest.Stop()
		waitPeersWithin(t, hub, 0, 2*time.Second)
	}
	close(stopFlood)
	conns = append(conns, <-flooded...)
	st := hub.Stats()
	t.Logf("hub: accepted %d, rejected %v", st.InboundAccepted, st.Rejected)
	if st.Rejected[rejectTooManyPending] == 0 {
		t.Errorf("no attacker connection refused as %q: %v", rejectTooManyPending, st.Rejected)
	}
	// The first honest try takes an attacker's slot; the later ones find
	// the slot the previous try gave back.
	if st.Rejected[rejectEvicted] == 0 {
		t.Errorf("no attacker connection evicted: %v", st.Rejected)
	}
}

// waitPeersWithin waits until srv has n peers, failing after d.
func waitPeersWithin(t testing.TB, srv *Server, n int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for srv.PeerCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d peers after %v, want %d (rejected %v)", srv.PeerCount(), d, n, srv.Stats().Rejected)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
