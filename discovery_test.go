package p2p

import (
	"fmt"
	"testing"
	"time"

	"github.com/seednet/p2p/enode"
)

// TestDiscoveryFindsPeers: nodes that know only a bootnode find each other
// through discovery v4 and connect, without AddPeer.
func TestDiscoveryFindsPeers(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	boot := startServer(t, &Server{Name: "boot", Protocols: []Protocol{echoProtocol(nil)}, Logger: discardLogger})
	const n = 6
	var nodes []*Server
	for i := range n {
		srv := startServer(t, &Server{
			Name:           fmt.Sprintf("node%d", i),
			MaxPeers:       6,
			DialRatio:      2,
			BootstrapNodes: []*enode.Node{boot.Self()},
			Protocols:      []Protocol{echoProtocol(nil)},
			Logger:         discardLogger,
		})
		nodes = append(nodes, srv)
	}
	// Every node reaches at least two peers other than the bootnode,
	// which it can only have learnt of through discovery.
	deadline := time.Now().Add(60 * time.Second)
	for {
		done := true
		for _, srv := range nodes {
			others := 0
			for _, p := range srv.Peers() {
				if p.ID() != boot.Self().ID() {
					others++
				}
			}
			if others < 2 {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			for _, srv := range nodes {
				t.Logf("%s: %d peers, stats %+v", srv.Name, srv.PeerCount(), srv.Stats())
			}
			t.Fatal("nodes did not find each other")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if info := nodes[0].NodeInfo(); info.Ports.Discovery != info.Ports.Listener {
		t.Errorf("discovery port %d, listener %d", info.Ports.Discovery, info.Ports.Listener)
	}
}
