package p2p

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/netns"
	"github.com/seednet/p2p/nat"
)

// Children of the NAT tests, run inside network namespaces (see
// internal/netns): TestMain runs them when the binary is started as one.
var netnsChildren = netns.Children{"natnode": childNATNode, "dialnode": childDialNode}

type natNodeReport struct {
	URL      string
	NAT      *NATInfo
	Received []string
	Err      string
}

// childNATNode, in the LAN: a Server with NAT set from its argument. It
// reports its enode URL once the record holds the external endpoint, then
// what its peers said, and runs until the parent ends it.
func childNATNode() {
	var rep natNodeReport
	iface, err := nat.Parse(netns.Arg())
	if err != nil {
		rep.Err = err.Error()
		netns.Report(rep)
		return
	}
	got := make(chan string, 10)
	key, _ := newKeyNoTest()
	srv := &Server{PrivateKey: key, MaxPeers: 10, ListenAddr: ":30303", NAT: iface, Protocols: []Protocol{echoProtocol(got)}}
	if err := srv.Start(); err != nil {
		rep.Err = err.Error()
		netns.Report(rep)
		return
	}
	defer srv.Stop()
	deadline := time.Now().Add(20 * time.Second)
	for srv.Self().IPAddr().String() != netns.RouterWANAddr {
		if time.Now().After(deadline) {
			rep.Err = fmt.Sprintf("record IP %v after 20s, NAT state %+v", srv.Self().IPAddr(), srv.NodeInfo().NAT)
			netns.Report(rep)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	rep.URL, rep.NAT = srv.Self().URLv4(), srv.NodeInfo().NAT
	netns.Report(rep)
	ended := make(chan struct{}) // the parent ended the child
	go func() { netns.WaitStdinClosed(); close(ended) }()
	timeout := time.After(20 * time.Second)
	for len(rep.Received) < 2 {
		select {
		case s := <-got:
			rep.Received = append(rep.Received, s)
		case <-ended:
			return
		case <-timeout:
			rep.Err = "timeout waiting for messages"
			netns.Report(rep)
			return
		}
	}
	netns.Report(rep)
	<-ended
}

// childDialNode, on the WAN side: a Server that dials the node its
// argument names and reports what it exchanged.
func childDialNode() {
	var rep natNodeReport
	target, err := enode.ParseV4(netns.Arg())
	if err != nil {
		rep.Err = err.Error()
		netns.Report(rep)
		return
	}
	got := make(chan string, 10)
	key, _ := newKeyNoTest()
	srv := &Server{PrivateKey: key, MaxPeers: 10, ListenAddr: netns.WANAddr + ":30303", NoDiscovery: true, Protocols: []Protocol{echoProtocol(got)}}
	if err := srv.Start(); err != nil {
		rep.Err = err.Error()
		netns.Report(rep)
		return
	}
	defer srv.Stop()
	srv.AddPeer(target)
	timeout := time.After(20 * time.Second)
	for len(rep.Received) < 2 {
		select {
		case s := <-got:
			rep.Received = append(rep.Received, s)
		case <-timeout:
			rep.Err = fmt.Sprintf("timeout; stats %+v", srv.Stats())
			netns.Report(rep)
			return
		}
	}
	netns.Report(rep)
	// Keep running until the parent ends the child: the echo protocol
	// reports a message before it answers it, and the other node waits for
	// that answer.
	netns.WaitStdinClosed()
}

// TestNetnsServerBehindNAT: a node in a LAN behind a router running
// miniupnpd maps its ports with UPnP (or NAT-PMP), its enode URL carries
// the router's external address and the mapped port, and a node on the
// WAN side connects in through the mapping and exchanges messages. At
// Stop, the mappings are deleted.
func TestNetnsServerBehindNAT(t *testing.T) {
	for _, spec := range []string{"upnp", "pmp", "any"} {
		t.Run(spec, func(t *testing.T) {
			n := netns.NewNAT(t)
			n.StartMiniupnpd(t, netns.MiniupnpdOptions{})
			lan := n.LAN.StartChild(t, "natnode", spec)
			var rep natNodeReport
			lan.Next(t, &rep)
			if rep.Err != "" {
				t.Fatal(rep.Err)
			}
			t.Logf("node behind NAT: %s, NAT %+v", rep.URL, rep.NAT)
			if len(rep.NAT.Mappings) != 2 || rep.NAT.Mappings[0].External == 0 || rep.NAT.Mappings[1].External == 0 || rep.NAT.ExternalIP != netns.RouterWANAddr {
				t.Fatalf("NAT state %+v", rep.NAT)
			}
			wan := n.WAN.StartChild(t, "dialnode", rep.URL)
			var wrep natNodeReport
			wan.Next(t, &wrep)
			if wrep.Err != "" || len(wrep.Received) != 2 {
				t.Fatalf("the WAN node: %+v", wrep)
			}
			lan.Next(t, &rep)
			if rep.Err != "" || !(contains(rep.Received, "0:foo") && contains(rep.Received, "1:bar")) {
				t.Fatalf("the LAN node received %v (%s)", rep.Received, rep.Err)
			}
			lan.Stop()
			rules := n.Router.Run(t, "nft", "list", "chain", "inet", "p2ptest", "prerouting_miniupnpd")
			if strings.Contains(rules, "30303") {
				t.Fatalf("mappings left after Stop:\n%s", rules)
			}
		})
	}
}

// TestNetnsServerSTUN: with NAT set to STUN, the record carries the
// external address the STUN server saw.
func TestNetnsServerSTUN(t *testing.T) {
	n := netns.NewNAT(t)
	server := n.StartSTUN(t)
	lan := n.LAN.StartChild(t, "natnode", "stun:"+server)
	var rep natNodeReport
	lan.Next(t, &rep)
	if rep.Err != "" || !strings.Contains(rep.URL, "@"+netns.RouterWANAddr+":") {
		t.Fatalf("%+v", rep)
	}
}

// TestServerNATExtIP: with nat.ExtIP the record has that address at once.
func TestServerNATExtIP(t *testing.T) {
	iface, _ := nat.Parse("extip:203.0.113.9")
	srv := startServer(t, &Server{NAT: iface, NoDiscovery: true})
	if ip := srv.Self().IPAddr().String(); ip != "203.0.113.9" {
		t.Fatalf("record IP %s", ip)
	}
	if info := srv.NodeInfo().NAT; info == nil || info.ExternalIP != "203.0.113.9" || info.Method != "extip:203.0.113.9" {
		t.Fatalf("NodeInfo NAT %+v", info)
	}
}
