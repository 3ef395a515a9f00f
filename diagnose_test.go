package p2p

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/nat"
	"github.com/seednet/p2p/netutil"
)

// check returns the named check of d.
func check(t testing.TB, d *Diagnosis, name string) Check {
	t.Helper()
	for _, c := range d.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %q check in\n%s", name, d)
	return Check{}
}

// waitDiagnosis diagnoses srv until the verdict contains want.
func waitDiagnosis(t testing.TB, srv *Server, want string) *Diagnosis {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		d := srv.Diagnose()
		if strings.Contains(d.Verdict, want) {
			t.Logf("%s", d)
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("verdict does not contain %q:\n%s", want, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closedPort returns a loopback TCP address that nothing listens on.
func closedPort(t testing.TB) *net.TCPAddr {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	return addr
}

// TestDiagnose builds each situation that keeps peers away on loopback and
// checks the verdict, the next step and the check that found it.
func TestDiagnose(t *testing.T) {
	echo := []Protocol{echoProtocol(nil)}
	tests := []struct {
		name      string
		build     func(t *testing.T) *Server // returns the server to diagnose
		verdict   string
		nextStep  string
		checkName string
		status    string
	}{
		{
			name:    "not running",
			build:   func(t *testing.T) *Server { return &Server{} },
			verdict: "not running", nextStep: "Start",
		},
		{
			name: "nothing to dial",
			build: func(t *testing.T) *Server {
				return startServer(t, &Server{NoDiscovery: true, Protocols: echo})
			},
			verdict: "nothing to dial", nextStep: "BootstrapNodes", checkName: "dials", status: CheckFail,
		},
		{
			name: "no bootnodes",
			build: func(t *testing.T) *Server {
				return startServer(t, &Server{Protocols: echo})
			},
			verdict: "no bootnodes", nextStep: "BootstrapNodes", checkName: "discovery", status: CheckFail,
		},
		{
			name: "bootnodes silent",
			build: func(t *testing.T) *Server {
				silent := enode.NewV4(&testutil.NewKey(t).PublicKey, net.IPv4(127, 0, 0, 1), 0, closedPort(t).Port)
				old := bootnodeGrace
				bootnodeGrace = 0
				t.Cleanup(func() { bootnodeGrace = old })
				return startServer(t, &Server{Protocols: echo, BootstrapNodes: []*enode.Node{silent}})
			},
			verdict: "bootnodes do not answer", checkName: "discovery", status: CheckFail,
		},
		{
			name: "dials fail",
			build: func(t *testing.T) *Server {
				gone := enode.NewV4(&testutil.NewKey(t).PublicKey, net.IPv4(127, 0, 0, 1), closedPort(t).Port, 0)
				return startServer(t, &Server{NoDiscovery: true, Protocols: echo, StaticNodes: []*enode.Node{gone}})
			},
			verdict: "fail to connect", nextStep: "outbound TCP", checkName: "dials", status: CheckFail,
		},
		{
			name: "remote full",
			build: func(t *testing.T) *Server {
				hub := startServer(t, &Server{MaxPeers: 1, DialRatio: 1000, NoDiscovery: true, Protocols: echo})
				a := startServer(t, &Server{NoDiscovery: true, Protocols: echo})
				a.AddPeer(hub.Self())
				waitPeers(t, hub, 1)
				return startServer(t, &Server{NoDiscovery: true, Protocols: echo, StaticNodes: []*enode.Node{hub.Self()}})
			},
			verdict: "are full", nextStep: "trusted", checkName: "dials", status: CheckFail,
		},
		{
			name: "useless",
			build: func(t *testing.T) *Server {
				other := echoProtocol(nil)
				other.Name = "other"
				a := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{other}})
				return startServer(t, &Server{NoDiscovery: true, Protocols: echo, StaticNodes: []*enode.Node{a.Self()}})
			},
			verdict: "share no protocol", checkName: "dials", status: CheckFail,
		},
		{
			name: "netrestrict",
			build: func(t *testing.T) *Server {
				restrict, _ := netutil.ParseNetlist("10.0.0.0/8")
				hub := startServer(t, &Server{NoDiscovery: true, NoDial: true, NetRestrict: restrict, Protocols: echo})
				a := startServer(t, &Server{NoDiscovery: true, Protocols: echo})
				a.AddPeer(hub.Self())
				waitRejected(t, hub, rejectNetRestrict)
				return hub
			},
			verdict: "NetRestrict refused", nextStep: "-netrestrict", checkName: "restrictions", status: CheckWarn,
		},
		{
			name: "endpoint mismatch",
			build: func(t *testing.T) *Server {
				var boot []*enode.Node
				for range 3 {
					boot = append(boot, startServer(t, &Server{Protocols: echo}).Self())
				}
				iface, _ := nat.Parse("extip:127.0.0.2")
				return startServer(t, &Server{NAT: iface, Protocols: echo, BootstrapNodes: boot})
			},
			verdict: "see us at 127.0.0.1", nextStep: "extip:127.0.0.1", checkName: "endpoint", status: CheckFail,
		},
		{
			name: "port mapping failed",
			build: func(t *testing.T) *Server {
				// NAT-PMP asked of 127.0.0.1, where no gateway answers.
				iface, err := nat.Parse("pmp:127.0.0.1")
				if err != nil {
					t.Fatal(err)
				}
				a := startServer(t, &Server{NoDiscovery: true, Protocols: echo})
				return startServer(t, &Server{NAT: iface, NoDiscovery: true, Protocols: echo, StaticNodes: []*enode.Node{a.Self()}})
			},
			verdict: "1 peer, but the port mapping failed", nextStep: "UPnP or NAT-PMP", checkName: "nat", status: CheckFail,
		},
		{
			name: "never dialed",
			build: func(t *testing.T) *Server {
				old := reachabilityGrace
				reachabilityGrace = 0
				t.Cleanup(func() { reachabilityGrace = old })
				a := startServer(t, &Server{NoDiscovery: true, Protocols: echo})
				return startServer(t, &Server{NoDiscovery: true, Protocols: echo, StaticNodes: []*enode.Node{a.Self()}})
			},
			verdict: "1 peer, but no node has connected to us", nextStep: "forward", checkName: "inbound", status: CheckWarn,
		},
		{
			name: "healthy",
			build: func(t *testing.T) *Server {
				a := startServer(t, &Server{NoDiscovery: true, Protocols: echo})
				b := startServer(t, &Server{NoDiscovery: true, Protocols: echo})
				b.AddPeer(a.Self())
				waitPeers(t, a, 1)
				return a
			},
			verdict: "Healthy: 1 peer (1 inbound, 0 outbound)", checkName: "peers", status: CheckOK,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.build(t)
			d := waitDiagnosis(t, srv, tc.verdict)
			if !strings.Contains(d.NextStep, tc.nextStep) {
				t.Errorf("next step %q does not contain %q", d.NextStep, tc.nextStep)
			}
			if tc.checkName != "" {
				if c := check(t, d, tc.checkName); c.Status != tc.status {
					t.Errorf("%s check is %q, want %q", tc.checkName, c.Status, tc.status)
				}
			}
			// The report reads as text and round-trips through JSON (the
			// admin API's p2p_diagnose).
			text := d.String()
			if !strings.Contains(text, d.Verdict) || (d.NextStep != "" && !strings.Contains(text, "Next step: ")) {
				t.Errorf("report:\n%s", text)
			}
			enc, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var back Diagnosis
			if err := json.Unmarshal(enc, &back); err != nil {
				t.Fatal(err)
			}
			if back.String() != text {
				t.Errorf("after JSON:\n%s\nbefore:\n%s", back.String(), text)
			}
		})
	}
}
