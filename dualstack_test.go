package p2p

import (
	"net"
	"net/netip"
	"testing"

	"github.com/seednet/p2p/enode"
	"github.com/seednet/p2p/enr"
	"github.com/seednet/p2p/nat"
)

// TestDualStack: a server listening on ":0" (every address, both IP
// versions) takes peers over IPv4 and IPv6; a server on an IPv6 address
// has an IPv6 endpoint in its record, and others dial it there.
func TestDualStack(t *testing.T) {
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skip("no IPv6 loopback:", err)
	} else {
		ln.Close()
	}
	t.Run("dual listener", func(t *testing.T) {
		hub := startServer(t, &Server{ListenAddr: ":0", NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
		port := hub.Self().TCP()
		for _, ip := range []string{"127.0.0.1", "::1"} {
			n := enode.NewV4(hub.Self().Pubkey(), net.ParseIP(ip), port, 0)
			c := startServer(t, &Server{NoDiscovery: true, Protocols: []Protocol{echoProtocol(nil)}})
			c.AddPeer(n)
			waitPeers(t, c, 1)
		}
		waitPeers(t, hub, 2)
		var remotes []string
		for _, p := range hub.PeersInfo() {
			remotes = append(remotes, p.Network.RemoteAddress)
		}
		t.Logf("hub's peers come from %v", remotes)
	})
	t.Run("IPv6 record", func(t *testing.T) {
		six := startServer(t, &Server{ListenAddr: "[::1]:0", Protocols: []Protocol{echoProtocol(nil)}})
		self := six.Self()
		ep, ok := self.TCPEndpoint()
		if !ok || ep.Addr() != netip.MustParseAddr("::1") || self.UDP() == 0 {
			t.Fatalf("record endpoint %v (ok %v), UDP %d: %s", ep, ok, self.UDP(), self.String())
		}
		// A node given only the record dials it over IPv6.
		c := startServer(t, &Server{ListenAddr: "[::1]:0", Protocols: []Protocol{echoProtocol(nil)}, BootstrapNodes: []*enode.Node{self}})
		waitPeers(t, c, 1)
		if ra := c.PeersInfo()[0].Network.RemoteAddress; ra != ep.String() {
			t.Errorf("peer at %s, want %s", ra, ep)
		}
	})
}

// TestDualStackRecord: a node listening on every address, told its public
// IPv6 address, has both an IPv4 and an IPv6 endpoint in its record.
func TestDualStackRecord(t *testing.T) {
	iface, err := nat.Parse("extip:2001:db8::7")
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, &Server{ListenAddr: ":0", NAT: iface, Protocols: []Protocol{echoProtocol(nil)}})
	var ip4 enr.IPv4Addr
	var ip6 enr.IPv6Addr
	var tcp enr.TCP
	r := srv.Self().Record()
	if r.Load(&ip4) != nil || r.Load(&ip6) != nil || r.Load(&tcp) != nil {
		t.Fatalf("record lacks ip, ip6 or tcp: %s", srv.Self())
	}
	if netip.Addr(ip6) != netip.MustParseAddr("2001:db8::7") || netip.Addr(ip4) != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("ip %v, ip6 %v", netip.Addr(ip4), netip.Addr(ip6))
	}
	// Nodes made from the record prefer the address of the wider scope.
	if ep, _ := srv.Self().TCPEndpoint(); ep.Addr() != netip.MustParseAddr("2001:db8::7") || int(ep.Port()) != int(tcp) {
		t.Errorf("TCP endpoint %v", ep)
	}
}
