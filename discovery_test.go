package p2p

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/seednet/p2p/crypto"
	"github.com/seednet/p2p/discover"
	"github.com/seednet/p2p/dnsdisc"
	"github.com/seednet/p2p/dnsdisc/dnstest"
	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/internal/testutil"
	"github.com/seednet/p2p/nodedb"
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

// TestDiscoveryV5Only: nodes running only discovery v5 find each other
// through a v5 bootnode and connect.
func TestDiscoveryV5Only(t *testing.T) {
	boot := startServer(t, &Server{Name: "boot", NoDiscoveryV4: true, Protocols: []Protocol{echoProtocol(nil)}, Logger: discardLogger})
	if boot.DiscoveryV4() != nil || boot.DiscoveryV5() == nil {
		t.Fatal("NoDiscoveryV4 did not leave v5 alone")
	}
	const n = 4
	var nodes []*Server
	for i := range n {
		nodes = append(nodes, startServer(t, &Server{
			Name:             fmt.Sprintf("node%d", i),
			MaxPeers:         6,
			DialRatio:        2,
			NoDiscoveryV4:    true,
			BootstrapNodesV5: []*enode.Node{boot.Self()},
			Protocols:        []Protocol{echoProtocol(nil)},
			Logger:           discardLogger,
		}))
	}
	eventually(t, "every node has a peer other than the bootnode", func() bool {
		for _, srv := range nodes {
			others := 0
			for _, p := range srv.Peers() {
				if p.ID() != boot.Self().ID() {
					others++
				}
			}
			if others == 0 {
				return false
			}
		}
		return true
	})
}

// TestDiscoveryBothVersionsOneSocket: by default v4 and v5 run on the UDP
// port of ListenAddr; a v4 and a v5 node outside the server both reach it
// there, and NodeInfo shows both.
func TestDiscoveryBothVersionsOneSocket(t *testing.T) {
	srv := startServer(t, &Server{Protocols: []Protocol{echoProtocol(nil)}})
	if srv.DiscoveryV4() == nil || srv.DiscoveryV5() == nil {
		t.Fatal("a version of discovery is not running")
	}
	info := srv.NodeInfo()
	if info.DiscoveryV4 == nil || info.DiscoveryV5 == nil || info.Ports.Discovery != srv.Self().TCP() {
		t.Fatalf("NodeInfo: v4 %v v5 %v, discovery port %d", info.DiscoveryV4, info.DiscoveryV5, info.Ports.Discovery)
	}
	// A v4 node and a v5 node, each on its own socket.
	for _, version := range []string{"v4", "v5"} {
		t.Run(version, func(t *testing.T) {
			key := testutil.NewKey(t)
			conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			db := nodedb.NewMemory(nodedb.Config{})
			defer db.Close()
			ln := enode.NewLocalNode(db, key)
			cfg := discover.Config{PrivateKey: key}
			switch version {
			case "v4":
				d, err := discover.ListenV4(conn, ln, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				if err := d.Ping(context.Background(), srv.Self()); err != nil {
					t.Fatal("v4 ping:", err)
				}
			case "v5":
				d, err := discover.ListenV5(conn, ln, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				if _, err := d.Ping(srv.Self()); err != nil {
					t.Fatal("v5 ping:", err)
				}
				n, err := d.RequestENR(srv.Self())
				if err != nil || n.Seq() != srv.Self().Seq() {
					t.Fatalf("v5 RequestENR: %v, %v", n, err)
				}
			}
		})
	}
}

// TestDiscoverySwitches: each version can be switched off, and both.
func TestDiscoverySwitches(t *testing.T) {
	for _, tc := range []struct {
		noDisc, noV4, noV5 bool
		v4, v5             bool
	}{
		{false, false, false, true, true},
		{false, true, false, false, true},
		{false, false, true, true, false},
		{false, true, true, false, false},
		{true, false, false, false, false},
	} {
		srv := startServer(t, &Server{NoDiscovery: tc.noDisc, NoDiscoveryV4: tc.noV4, NoDiscoveryV5: tc.noV5})
		if (srv.DiscoveryV4() != nil) != tc.v4 || (srv.DiscoveryV5() != nil) != tc.v5 {
			t.Errorf("NoDiscovery %v, V4 %v, V5 %v: v4 runs %v, v5 runs %v", tc.noDisc, tc.noV4, tc.noV5, srv.DiscoveryV4() != nil, srv.DiscoveryV5() != nil)
		}
		if !tc.v4 && !tc.v5 && srv.Self().UDP() != 0 {
			t.Errorf("UDP port %d in the record without discovery", srv.Self().UDP())
		}
		srv.Stop()
	}
}

// TestServerDNSDiscoveryURLs: a server given only the enrtree:// URL of a
// DNS node list, served by a real DNS server (NSD) on loopback, finds the
// listed nodes and connects to them.
func TestServerDNSDiscoveryURLs(t *testing.T) {
	var listed []*enode.Node
	for range 3 {
		listed = append(listed, startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}}).Self())
	}
	tree, err := dnsdisc.MakeTree(1, listed, nil)
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(testutil.NewKey(t), "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	var zone bytes.Buffer
	if err := dnsdisc.WriteZoneFile(&zone, "example.org", tree.ToTXT("nodes.example.org"), dnsdisc.ZoneConfig{}); err != nil {
		t.Fatal(err)
	}
	dns := dnstest.StartNSD(t, map[string]string{"example.org": zone.String()})

	srv := startServer(t, &Server{NoDiscovery: true, DNSDiscoveryURLs: []string{url}, Resolver: dns.Resolver(), Protocols: []Protocol{echoProtocol(nil)}})
	waitPeers(t, srv, 3)

	bad := &Server{PrivateKey: testutil.NewKey(t), MaxPeers: 1, DNSDiscoveryURLs: []string{"enrtree://nokey@example.org"}}
	if err := bad.Start(); err == nil || !strings.Contains(err.Error(), "DNSDiscoveryURLs[0]") {
		bad.Stop()
		t.Fatalf("Start with a bad URL: %v", err)
	}
}
