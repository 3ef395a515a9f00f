package p2p

import (
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
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

// TestBootnodeHostName: a bootnode given by an enode URL with a host name
// is looked up at Start and used; one that does not resolve is left out.
func TestBootnodeHostName(t *testing.T) {
	boot := startServer(t, &Server{Name: "boot", Protocols: []Protocol{echoProtocol(nil)}})
	id := hex.EncodeToString(crypto.FromECDSAPub(&boot.PrivateKey.PublicKey)[1:])
	byName := enode.MustParseV4(fmt.Sprintf("enode://%s@localhost:%d", id, boot.Self().TCP()))
	bad := enode.MustParseV4(fmt.Sprintf("enode://%s@no-such-host.invalid:%d", id, boot.Self().TCP()))
	srv := startServer(t, &Server{
		Resolver:       hostsOnly,
		BootstrapNodes: []*enode.Node{bad, byName},
		Protocols:      []Protocol{echoProtocol(nil)},
	})
	eventually(t, "the bootnode in the discovery table", func() bool {
		for _, n := range srv.DiscoveryNodes() {
			if n.ID() == boot.Self().ID() {
				return true
			}
		}
		return false
	})
}
